// The list area of the overview: the load error, "Loading…", the empty and
// nothing-matches placeholders, or the virtual list of room and device rows.
import { useCallback } from 'react';
import { isFiltered, type Row } from '../rows';
import { displayStatus, type StatusMap } from '../status';
import type { Device, Room } from '../types';
import { DeviceLine, DEVICE_ROW_HEIGHT } from './DeviceLine';
import { RoomHeading, ROOM_ROW_HEIGHT } from './RoomHeading';
import { VirtualList } from './VirtualList';
import type { View } from '../view';

export const EMPTY_ROW_HEIGHT = 44;

export function rowHeight(row: Row): number {
  return row.kind === 'room' ? ROOM_ROW_HEIGHT : row.kind === 'device' ? DEVICE_ROW_HEIGHT : EMPTY_ROW_HEIGHT;
}

const keyOf = (row: Row) => row.key;

export interface RowActions {
  editRoom: (room: Room) => void;
  deleteRoom: (room: Room) => void;
  addDevice: (roomId: number | null) => void;
  editDevice: (device: Device) => void;
  deleteDevice: (device: Device) => void;
}

interface Props {
  rows: readonly Row[];
  // Each device row's status is read from here, each room's down count from `down`.
  statuses: StatusMap;
  down: ReadonlyMap<string, number>;
  // Devices by id, to name the ancestor a device is unreachable behind.
  byId: ReadonlyMap<number, Device>;
  // Each room's 24 h uptime (history.ts: roomUptime), by its row's key.
  uptime: ReadonlyMap<string, number>;
  loading: boolean;
  loadError: string | null;
  onRetry: () => void;
  view: View;
  onClearFilters: () => void;
  now: number;
  canEdit: boolean;
  actions: RowActions;
}

export function DeviceList({ rows, statuses, down, byId, uptime, loading, loadError, onRetry, view, onClearFilters, now, canEdit, actions }: Props) {
  const { editRoom, deleteRoom, addDevice, editDevice, deleteDevice } = actions;
  const renderRow = useCallback(
    (row: Row) => {
      if (row.kind === 'room') {
        return (
          <RoomHeading
            row={row}
            down={down.get(row.key) ?? 0}
            uptime={uptime.get(row.key)}
            canEdit={canEdit}
            onEdit={editRoom}
            onDelete={deleteRoom}
            onAddDevice={addDevice}
          />
        );
      }
      if (row.kind === 'device') {
        const { device } = row;
        const detail = statuses.get(device.ip);
        const via = detail?.unreachable_via ?? null;
        return (
          <DeviceLine
            device={device}
            detail={detail}
            status={displayStatus(device, statuses)}
            via={via === null ? null : (byId.get(via)?.name ?? `device #${via}`)}
            now={now}
            canEdit={canEdit}
            onEdit={editDevice}
            onDelete={deleteDevice}
          />
        );
      }
      return <p className="empty-row">{row.text}</p>;
    },
    [statuses, down, byId, uptime, canEdit, now, editRoom, deleteRoom, addDevice, editDevice, deleteDevice],
  );

  return (
    <>
      {loadError && (
        <p className="form-error" role="alert">
          Could not load rooms and devices: {loadError}{' '}
          <button type="button" onClick={onRetry}>
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
              <button type="button" onClick={onClearFilters}>
                Clear filters
              </button>
            </>
          ) : (
            <p>{canEdit ? 'No rooms or devices yet: add a room, then its devices.' : 'No rooms or devices yet.'}</p>
          )}
        </div>
      )}
      {!loading && rows.length > 0 && <VirtualList items={rows} heightOf={rowHeight} keyOf={keyOf} render={renderRow} label="Rooms and devices" />}
    </>
  );
}
