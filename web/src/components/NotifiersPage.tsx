// The notifiers page (#/notifiers): every notifier with what it sends where,
// its last deliveries on demand, and for admins add, edit, delete and "Send
// test" (202: the test message is queued; its delivery shows in the list,
// which is read again every two seconds while one is pending). Viewers see
// the same list, read-only.
import { useCallback, useEffect, useId, useState } from 'react';
import { ApiError, type Api, type NotifierInput } from '../api';
import { deliveryDevice, deliveryEvent, eventsLabel, formatLabel } from '../notifiers';
import { exactTime, relativeTime } from '../time';
import type { Delivery, Device, Notifier, Room } from '../types';
import { ConfirmDelete } from './ConfirmDelete';
import { NotifierForm } from './NotifierForm';
import { ListLoading, PageHeading } from './PageHeading';

interface Props {
  api: Api;
  canEdit: boolean;
  rooms: Room[] | null;
  byId: ReadonlyMap<number, Device>;
  now: number;
}

type Dialog = { kind: 'form'; notifier: Notifier | null } | { kind: 'delete'; notifier: Notifier } | null;

export function NotifiersPage({ api, canEdit, rooms, byId, now }: Props) {
  const [notifiers, setNotifiers] = useState<Notifier[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);

  const reload = useCallback(async () => {
    try {
      setNotifiers(await api.notifiers());
      setLoadError(null);
    } catch (error) {
      setLoadError((error as Error).message);
    }
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const save = async (notifier: Notifier | null, input: NotifierInput) => {
    if (notifier) await api.updateNotifier(notifier.id, input);
    else await api.createNotifier(input);
    await reload();
  };

  return (
    <main className="page">
      <PageHeading
        title="Notifiers"
        subtitle={<>Who is told when a device goes down or comes back.{canEdit ? '' : ' Only admins can change them.'}</>}
      >
        {canEdit && (
          <button type="button" className="primary" onClick={() => setDialog({ kind: 'form', notifier: null })}>
            Add notifier
          </button>
        )}
      </PageHeading>

      <ListLoading what="the notifiers" error={loadError} loading={notifiers === null} onRetry={() => void reload()} />
      {notifiers?.length === 0 && (
        <p className="placeholder">{canEdit ? 'No notifiers yet: add one to be told when a device goes down.' : 'No notifiers yet.'}</p>
      )}
      {notifiers && notifiers.length > 0 && (
        <ul className="card-list" aria-label="Notifiers">
          {notifiers.map((n) => (
            <li key={n.id}>
              <NotifierCard
                api={api}
                notifier={n}
                rooms={rooms ?? []}
                byId={byId}
                now={now}
                canEdit={canEdit}
                onEdit={() => setDialog({ kind: 'form', notifier: n })}
                onDelete={() => setDialog({ kind: 'delete', notifier: n })}
              />
            </li>
          ))}
        </ul>
      )}

      {dialog?.kind === 'form' && (
        <NotifierForm notifier={dialog.notifier} rooms={rooms ?? []} onSave={(input) => save(dialog.notifier, input)} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'delete' && (
        <ConfirmDelete
          title={`Delete notifier ${dialog.notifier.name}?`}
          message={`${dialog.notifier.name} will no longer be told of anything, and its deliveries are forgotten. This cannot be undone.`}
          onConfirm={async () => {
            await api.deleteNotifier(dialog.notifier.id);
            await reload();
          }}
          onClose={() => setDialog(null)}
        />
      )}
    </main>
  );
}

interface CardProps {
  api: Api;
  notifier: Notifier;
  rooms: readonly Room[];
  byId: ReadonlyMap<number, Device>;
  now: number;
  canEdit: boolean;
  onEdit: () => void;
  onDelete: () => void;
}

function NotifierCard({ api, notifier: n, rooms, byId, now, canEdit, onEdit, onDelete }: CardProps) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const [testNote, setTestNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [testing, setTesting] = useState(false);
  const room = n.room_id === null ? 'Every room' : (rooms.find((r) => r.id === n.room_id)?.name ?? `room #${n.room_id}`);

  const sendTest = async () => {
    setTesting(true);
    try {
      await api.testNotifier(n.id);
      setTestNote({ ok: true, text: 'Test message queued: its delivery is listed below.' });
      setOpen(true);
      setRefresh((r) => r + 1);
    } catch (error) {
      setTestNote({ ok: false, text: `The test was refused: ${(error as ApiError).message}` });
    } finally {
      setTesting(false);
    }
  };

  return (
    <article className="card notifier" aria-labelledby={`${id}-name`} data-notifier={n.name}>
      <div className="card-heading">
        <h2 id={`${id}-name`}>
          {n.name}{' '}
          <span className={n.enabled ? 'badge badge-on' : 'badge'}>{n.enabled ? 'Enabled' : 'Disabled'}</span>
        </h2>
        {canEdit && (
          <span className="row-actions">
            <button type="button" onClick={() => void sendTest()} disabled={testing} aria-label={`Send test to ${n.name}`}>
              Send test
            </button>
            <button type="button" onClick={onEdit} aria-label={`Edit notifier ${n.name}`}>
              Edit
            </button>
            <button type="button" className="danger-text" onClick={onDelete} aria-label={`Delete notifier ${n.name}`}>
              Delete
            </button>
          </span>
        )}
      </div>
      <dl className="facts">
        <div>
          <dt>Type</dt>
          <dd>{n.type === 'webhook' ? `Webhook (${n.format ? formatLabel[n.format] : 'JSON'})` : 'Email'}</dd>
        </div>
        <div className="wide">
          <dt>Sends to</dt>
          <dd className="target">{n.type === 'webhook' ? (n.url ?? '—') : (n.to ?? []).join(', ') || '—'}</dd>
        </div>
        <div>
          <dt>Events</dt>
          <dd>{eventsLabel(n.events)}</dd>
        </div>
        <div>
          <dt>Room</dt>
          <dd>{room}</dd>
        </div>
        {n.type === 'webhook' && (
          <div>
            <dt>Signed</dt>
            <dd>{n.has_secret ? 'Yes (secret set)' : 'No'}</dd>
          </div>
        )}
      </dl>
      <p className={testNote?.ok === false ? 'form-error' : 'notice-text'} role="status">
        {testNote?.text}
      </p>
      <button type="button" className="disclosure" aria-expanded={open} aria-controls={`${id}-deliveries`} onClick={() => setOpen(!open)}>
        {open ? 'Hide the last deliveries' : 'Show the last deliveries'}
      </button>
      <div id={`${id}-deliveries`} hidden={!open}>
        {open && <Deliveries api={api} notifierId={n.id} refresh={refresh} byId={byId} now={now} />}
      </div>
    </article>
  );
}

const statusText: Record<Delivery['status'], string> = { delivered: 'Delivered', pending: 'Pending', failed: 'Failed' };
const statusGlyph: Record<Delivery['status'], string> = { delivered: '✔', pending: '…', failed: '✖' };

function Deliveries({ api, notifierId, refresh, byId, now }: { api: Api; notifierId: number; refresh: number; byId: ReadonlyMap<number, Device>; now: number }) {
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Read now (and after each test), then again in 2 s while any is pending, else in 30 s.
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      let pending = false;
      try {
        const list = await api.deliveries(notifierId, 20);
        if (!live) return;
        setDeliveries(list);
        setError(null);
        pending = list.some((d) => d.status === 'pending');
      } catch (e) {
        if (!live) return;
        setError((e as Error).message);
      }
      timer = setTimeout(() => void load(), pending ? 2000 : 30_000);
    };
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, notifierId, refresh]);

  if (error && !deliveries) return <p className="form-error">Could not load the deliveries: {error}</p>;
  if (!deliveries) return <p className="placeholder">Loading…</p>;
  if (deliveries.length === 0) return <p className="muted-text">Nothing sent yet.</p>;
  return (
    <ol className="deliveries" aria-label="Last deliveries, newest first">
      {deliveries.map((d) => {
        const device = deliveryDevice(d, byId);
        return (
          <li key={d.id} className={`delivery delivery-${d.status}`} data-status={d.status} data-event={d.event?.event ?? ''}>
            <span className="delivery-status">
              <span className="dot" aria-hidden="true">
                {statusGlyph[d.status]}
              </span>
              <span className="status-text">{statusText[d.status] ?? d.status}</span>
            </span>
            <span className="delivery-what">
              {deliveryEvent(d)}
              {device && <> · {device}</>}
            </span>
            <time dateTime={d.created} title={exactTime(d.created)}>
              {relativeTime(d.created, now)}
            </time>
            <span className="delivery-attempts">
              {d.attempts} {d.attempts === 1 ? 'attempt' : 'attempts'}
            </span>
            {d.last_error && <span className="delivery-error">{d.last_error}</span>}
          </li>
        );
      })}
    </ol>
  );
}
