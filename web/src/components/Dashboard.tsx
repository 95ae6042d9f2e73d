// The overview: wires the lists, the live status and the view (kept in the
// URL's hash) to the top bar, the counts, the filters, the list and, for
// admins, the edit dialogs. Viewers see no edit controls at all.
import { useCallback, useMemo, useState } from 'react';
import type { Api } from '../api';
import { useHashView } from '../hooks/useHashView';
import { useInventory, useReloadWhenStale } from '../hooks/useInventory';
import { useLiveStatus } from '../hooks/useLiveStatus';
import { useNow } from '../hooks/useNow';
import { useOverview } from '../hooks/useOverview';
import type { Device, Room, User } from '../types';
import { defaultView } from '../view';
import { AdminDialogs, AdminToolbarActions, type Dialog } from './AdminDialogs';
import { DeviceList, type RowActions } from './DeviceList';
import { Filters } from './Filters';
import { StatusCounts } from './StatusCounts';
import { TopBar } from './TopBar';

interface Props {
  api: Api;
  user: User;
  token: string;
  onLogout: () => void;
  onSessionLost: (message: string) => void;
}

export function Dashboard({ api, user, token, onLogout, onSessionLost }: Props) {
  const canEdit = user.role === 'admin';
  const { rooms, devices, index, loadError, reload } = useInventory(api);
  const [statuses, live] = useLiveStatus(api, token, onSessionLost);
  const [view, setView] = useHashView();
  const { rows, down, counts, stale, behind } = useOverview(index, statuses, view);
  useReloadWhenStale(stale, devices, statuses, reload);
  const [dialog, setDialog] = useState<Dialog>(null);
  const now = useNow(live.kind === 'reconnecting' ? 1000 : 10_000);

  const devicesPerRoom = useMemo(() => {
    const out = new Map<number, number>();
    for (const d of devices ?? []) if (d.room_id !== null) out.set(d.room_id, (out.get(d.room_id) ?? 0) + 1);
    return out;
  }, [devices]);

  const editDevice = useCallback((device: Device) => setDialog({ kind: 'device', device, defaultRoom: null }), []);
  const deleteDevice = useCallback((device: Device) => setDialog({ kind: 'delete-device', device }), []);
  const editRoom = useCallback((room: Room) => setDialog({ kind: 'room', room }), []);
  const deleteRoom = useCallback((room: Room) => setDialog({ kind: 'delete-room', room }), []);
  const addDevice = useCallback((roomId: number | null) => setDialog({ kind: 'device', device: null, defaultRoom: roomId }), []);
  const actions = useMemo<RowActions>(
    () => ({ editRoom, deleteRoom, addDevice, editDevice, deleteDevice }),
    [editRoom, deleteRoom, addDevice, editDevice, deleteDevice],
  );

  return (
    <div className="app">
      <TopBar user={user} live={live} now={now} onLogout={onLogout} />

      <main className="overview">
        <StatusCounts counts={counts} selected={view.status} onSelect={(status) => setView({ ...view, status })} />
        <Filters view={view} rooms={rooms ?? []} onChange={setView}>
          {canEdit && (
            <AdminToolbarActions
              onAddRoom={() => setDialog({ kind: 'room', room: null })}
              onAddDevice={() => addDevice(typeof view.room === 'number' ? view.room : null)}
            />
          )}
        </Filters>
        <DeviceList
          rows={rows}
          statuses={statuses}
          down={down}
          loading={index === null || (behind && rows.length === 0)}
          loadError={loadError}
          onRetry={() => void reload()}
          view={view}
          onClearFilters={() => setView(defaultView)}
          now={now}
          canEdit={canEdit}
          actions={actions}
        />
      </main>

      <AdminDialogs dialog={dialog} api={api} rooms={rooms} devicesPerRoom={devicesPerRoom} reload={reload} onClose={() => setDialog(null)} />
    </div>
  );
}
