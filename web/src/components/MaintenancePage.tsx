// The maintenance windows page (#/maintenance): each window's time, whether
// it is on now, and what it covers; for admins, add and delete. During a
// window the status changes of the devices it covers are recorded as muted
// and no notification is sent. Viewers see the list, read-only.
import { useCallback, useEffect, useState } from 'react';
import type { Api, MaintenanceInput } from '../api';
import { coverage, windowState, type WindowState } from '../maintenance';
import { exactTime } from '../time';
import type { Device, MaintenanceWindow, Room } from '../types';
import { ConfirmDelete } from './ConfirmDelete';
import { MaintenanceForm } from './MaintenanceForm';
import { ListLoading, PageHeading } from './PageHeading';

interface Props {
  api: Api;
  canEdit: boolean;
  rooms: Room[] | null;
  devices: Device[] | null;
  byId: ReadonlyMap<number, Device>;
  now: number;
}

const stateLabel: Record<WindowState, string> = { active: 'On now', upcoming: 'Upcoming', ended: 'Ended' };

export function MaintenancePage({ api, canEdit, rooms, devices, byId, now }: Props) {
  const [windows, setWindows] = useState<MaintenanceWindow[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<MaintenanceWindow | null>(null);

  const reload = useCallback(async () => {
    try {
      const list = await api.maintenance();
      setWindows([...list].sort((a, b) => Date.parse(b.start) - Date.parse(a.start)));
      setLoadError(null);
    } catch (error) {
      setLoadError((error as Error).message);
    }
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const save = async (input: MaintenanceInput) => {
    await api.createMaintenance(input);
    await reload();
  };

  return (
    <main className="page">
      <PageHeading
        title="Maintenance windows"
        subtitle={
          <>
            While a window is on, the status changes of the devices it covers are recorded as muted and nobody is notified.
            {canEdit ? '' : ' Only admins can change them.'}
          </>
        }
      >
        {canEdit && (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add window
          </button>
        )}
      </PageHeading>

      <ListLoading what="the maintenance windows" error={loadError} loading={windows === null} onRetry={() => void reload()} />
      {windows?.length === 0 && <p className="placeholder">No maintenance windows.</p>}
      {windows && windows.length > 0 && (
        <ul className="card-list" aria-label="Maintenance windows">
          {windows.map((w) => {
            const state = windowState(w, now);
            return (
              <li key={w.id}>
                <article className={`card window window-${state}`} aria-label={w.name} data-window={w.name}>
                  <div className="card-heading">
                    <h2>
                      {w.name} <span className={state === 'active' ? 'badge badge-on' : 'badge'}>{stateLabel[state]}</span>
                    </h2>
                    {canEdit && (
                      <span className="row-actions">
                        <button type="button" className="danger-text" onClick={() => setDeleting(w)} aria-label={`Delete window ${w.name}`}>
                          Delete
                        </button>
                      </span>
                    )}
                  </div>
                  <dl className="facts">
                    <div>
                      <dt>From</dt>
                      <dd>
                        <time dateTime={w.start}>{exactTime(w.start)}</time>
                      </dd>
                    </div>
                    <div>
                      <dt>To</dt>
                      <dd>
                        <time dateTime={w.end}>{exactTime(w.end)}</time>
                      </dd>
                    </div>
                    <div className="wide">
                      <dt>Covers</dt>
                      <dd>{coverage(w, rooms ?? [], byId)}</dd>
                    </div>
                  </dl>
                </article>
              </li>
            );
          })}
        </ul>
      )}

      {adding && <MaintenanceForm rooms={rooms ?? []} devices={devices ?? []} onSave={save} onClose={() => setAdding(false)} />}
      {deleting && (
        <ConfirmDelete
          title={`Delete window ${deleting.name}?`}
          message={`The window ${deleting.name} will no longer mute anything. This cannot be undone.`}
          onConfirm={async () => {
            await api.deleteMaintenance(deleting.id);
            await reload();
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </main>
  );
}
