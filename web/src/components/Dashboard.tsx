// The overview: counts at the top, filters, and every room with its devices,
// live from /ws/status/. Admins also add, edit and delete rooms and devices;
// viewers see no edit controls at all.
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { Api, DeviceInput, RoomInput } from '../api';
import { LiveStatus, statusSocketUrl, type LiveState } from '../live';
import { buildRows, isFiltered, type Row } from '../rows';
import { applyStatusMessage, countStatuses, emptyStatus, listIsStale, statusGlyph, statusLabel, type DisplayStatus } from '../status';
import type { Device, Room, StatusMessage, User } from '../types';
import { defaultView, formatView, parseView, type View } from '../view';
import { ConfirmDelete } from './ConfirmDelete';
import { DeviceForm } from './DeviceForm';
import { RoomForm } from './RoomForm';
import { DeviceLine, RoomHeading, rowHeight } from './Rows';
import { VirtualList } from './VirtualList';

type Dialog =
  | { kind: 'device'; device: Device | null; defaultRoom: number | null }
  | { kind: 'room'; room: Room | null }
  | { kind: 'delete-device'; device: Device }
  | { kind: 'delete-room'; room: Room }
  | null;

interface Props {
  api: Api;
  user: User;
  token: string;
  onLogout: () => void;
  onSessionLost: (message: string) => void;
}

// The view lives in the hash; replaceState so typing a search adds no history.
function useHashView(): [View, (next: View) => void] {
  const [view, setViewState] = useState(() => parseView(window.location.hash));
  useEffect(() => {
    const onHash = () => setViewState(parseView(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const setView = useCallback((next: View) => {
    window.history.replaceState(null, '', formatView(next));
    setViewState(next);
  }, []);
  return [view, setView];
}

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function LiveIndicator({ state, now }: { state: LiveState; now: number }) {
  let text = 'Connecting…';
  if (state.kind === 'live') text = 'Live';
  if (state.kind === 'reconnecting') {
    const seconds = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
    text = seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting…';
  }
  return (
    <span className={`live live-${state.kind}`} role="status" aria-live="polite" data-live={state.kind}>
      <span className="live-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

export function Dashboard({ api, user, token, onLogout, onSessionLost }: Props) {
  const canEdit = user.role === 'admin';
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [statuses, dispatch] = useReducer(applyStatusMessage, emptyStatus);
  const [live, setLive] = useState<LiveState>({ kind: 'connecting' });
  const [view, setView] = useHashView();
  const [dialog, setDialog] = useState<Dialog>(null);
  const now = useNow(live.kind === 'reconnecting' ? 1000 : 10_000);

  const reload = useCallback(async () => {
    try {
      const [r, d] = await Promise.all([api.rooms(), api.devices()]);
      setRooms(r);
      setDevices(d);
      setLoadError(null);
    } catch (error) {
      setLoadError((error as Error).message);
    }
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);

  useEffect(() => {
    const socket = new LiveStatus({
      url: statusSocketUrl(window.location, token),
      onMessage: (message: StatusMessage) => dispatch(message),
      onState: setLive,
      onAuthLost: onSessionLost,
      checkAuth: () => void api.me().catch(() => undefined),
    });
    socket.start();
    return () => socket.stop();
  }, [api, token, onSessionLost]);

  // Another operator changed the monitored set: fetch the lists again, at
  // most once every two seconds.
  const lastStaleReload = useRef(0);
  useEffect(() => {
    if (!devices || statuses.size === 0 || !listIsStale(devices, statuses)) return;
    const wait = Math.max(0, lastStaleReload.current + 2000 - Date.now());
    const timer = setTimeout(() => {
      lastStaleReload.current = Date.now();
      void reload();
    }, wait);
    return () => clearTimeout(timer);
  }, [devices, statuses, reload]);

  const rows = useMemo(
    () => (rooms && devices ? buildRows(rooms, devices, statuses, view) : []),
    [rooms, devices, statuses, view],
  );
  const counts = useMemo(() => countStatuses(devices ?? [], statuses), [devices, statuses]);
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

  const renderRow = useCallback(
    (row: Row) => {
      if (row.kind === 'room') {
        return <RoomHeading row={row} canEdit={canEdit} onEdit={editRoom} onDelete={deleteRoom} onAddDevice={addDevice} />;
      }
      if (row.kind === 'device') {
        return <DeviceLine row={row} now={now} canEdit={canEdit} onEdit={editDevice} onDelete={deleteDevice} />;
      }
      return <p className="empty-row">{row.text}</p>;
    },
    [canEdit, now, editRoom, deleteRoom, addDevice, editDevice, deleteDevice],
  );

  const saveDevice = async (device: Device | null, input: DeviceInput) => {
    if (device) await api.updateDevice(device.id, input);
    else await api.createDevice(input);
    await reload();
  };
  const saveRoom = async (room: Room | null, input: RoomInput) => {
    if (room) await api.updateRoom(room.id, input);
    else await api.createRoom(input);
    await reload();
  };

  const toggleStatus = (status: DisplayStatus) => setView({ ...view, status: view.status === status ? 'all' : status });
  const loading = rooms === null || devices === null;
  const summary: DisplayStatus[] = counts.unmonitored > 0 ? ['connected', 'disconnected', 'unknown', 'unmonitored'] : ['connected', 'disconnected', 'unknown'];

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">
          <img src="/favicon.svg" alt="" width={22} height={22} /> gatewatch
        </span>
        <LiveIndicator state={live} now={now} />
        <span className="user">
          <span className="username">{user.username}</span> <span className="role">{user.role}</span>
        </span>
        <button type="button" onClick={onLogout}>
          Log out
        </button>
      </header>

      <main className="overview">
        <section className="summary" aria-label="Device status counts">
          {summary.map((status) => (
            <button
              key={status}
              type="button"
              className={`count count-${status}`}
              aria-pressed={view.status === status}
              onClick={() => toggleStatus(status)}
              data-count={status}
            >
              <span className="count-number">{counts[status]}</span>
              <span className="count-label">
                <span aria-hidden="true">{statusGlyph[status]}</span> {statusLabel[status]}
              </span>
            </button>
          ))}
        </section>

        <section className="toolbar" aria-label="Filters">
          <label className="search">
            <span className="visually-hidden">Search by name or IP</span>
            <input
              type="search"
              placeholder="Search name or IP"
              value={view.q}
              onChange={(e) => setView({ ...view, q: e.target.value })}
            />
          </label>
          <label>
            <span className="visually-hidden">Room</span>
            <select
              value={String(view.room)}
              onChange={(e) => {
                const v = e.target.value;
                setView({ ...view, room: v === 'all' || v === 'none' ? v : Number(v) });
              }}
            >
              <option value="all">All rooms</option>
              <option value="none">Without a room</option>
              {(rooms ?? []).map((room) => (
                <option key={room.id} value={room.id}>
                  {room.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span className="visually-hidden">Status</span>
            <select value={view.status} onChange={(e) => setView({ ...view, status: e.target.value as View['status'] })}>
              <option value="all">Any status</option>
              <option value="connected">Connected</option>
              <option value="disconnected">Disconnected</option>
              <option value="unknown">Unknown</option>
              <option value="unmonitored">Not monitored</option>
            </select>
          </label>
          <label>
            <span className="visually-hidden">Sort by</span>
            <select value={view.sort} onChange={(e) => setView({ ...view, sort: e.target.value as View['sort'] })}>
              <option value="name">Sort by name</option>
              <option value="ip">Sort by IP</option>
              <option value="status">Sort by status</option>
              <option value="rtt">Sort by RTT</option>
            </select>
          </label>
          {canEdit && (
            <span className="toolbar-actions">
              <button type="button" onClick={() => setDialog({ kind: 'room', room: null })}>
                Add room
              </button>
              <button type="button" className="primary" onClick={() => addDevice(typeof view.room === 'number' ? view.room : null)}>
                Add device
              </button>
            </span>
          )}
        </section>

        {loadError && (
          <p className="form-error" role="alert">
            Could not load rooms and devices: {loadError}{' '}
            <button type="button" onClick={() => void reload()}>
              Try again
            </button>
          </p>
        )}
        {loading && !loadError && <p className="placeholder">Loading…</p>}
        {!loading && rows.length === 0 && (
          <div className="placeholder">
            {isFiltered(view) ? (
              <>
                <p>No device matches these filters.</p>
                <button type="button" onClick={() => setView(defaultView)}>
                  Clear filters
                </button>
              </>
            ) : (
              <p>{canEdit ? 'No rooms or devices yet: add a room, then its devices.' : 'No rooms or devices yet.'}</p>
            )}
          </div>
        )}
        {!loading && rows.length > 0 && (
          <VirtualList items={rows} heightOf={rowHeight} keyOf={(row) => row.key} render={renderRow} label="Rooms and devices" />
        )}
      </main>

      {dialog?.kind === 'device' && rooms && (
        <DeviceForm
          device={dialog.device}
          rooms={rooms}
          defaultRoom={dialog.defaultRoom}
          onSave={(input) => saveDevice(dialog.device, input)}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'room' && (
        <RoomForm room={dialog.room} onSave={(input) => saveRoom(dialog.room, input)} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'delete-device' && (
        <ConfirmDelete
          title={`Delete ${dialog.device.name}?`}
          message={`${dialog.device.name} (${dialog.device.ip}) will no longer be listed or monitored. This cannot be undone.`}
          onConfirm={async () => {
            await api.deleteDevice(dialog.device.id);
            await reload();
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'delete-room' && (
        <ConfirmDelete
          title={`Delete room ${dialog.room.name}?`}
          message={`The room ${dialog.room.name} will be deleted. This cannot be undone.`}
          blockedBecause={
            (devicesPerRoom.get(dialog.room.id) ?? 0) > 0
              ? `${dialog.room.name} still has ${devicesPerRoom.get(dialog.room.id)} device(s): move or delete them first, then delete the room.`
              : null
          }
          onConfirm={async () => {
            await api.deleteRoom(dialog.room.id);
            await reload();
          }}
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  );
}
