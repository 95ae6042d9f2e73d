// One row of the overview: a room's heading or a device. Memoized: a push
// re-renders only the rows whose device or status object changed.
import { memo } from 'react';
import type { Row } from '../rows';
import { statusGlyph, statusLabel } from '../status';
import { exactTime, formatLoss, formatRtt, relativeTime } from '../time';
import type { Device, Room } from '../types';

export const ROOM_ROW_HEIGHT = 52;
export const DEVICE_ROW_HEIGHT = 60;
export const EMPTY_ROW_HEIGHT = 44;

export function rowHeight(row: Row): number {
  return row.kind === 'room' ? ROOM_ROW_HEIGHT : row.kind === 'device' ? DEVICE_ROW_HEIGHT : EMPTY_ROW_HEIGHT;
}

interface RoomProps {
  row: Row & { kind: 'room' };
  canEdit: boolean;
  onEdit: (room: Room) => void;
  onDelete: (room: Room) => void;
  onAddDevice: (roomId: number | null) => void;
}

// Rows are rebuilt on every push; compare what they show, not their identity.
function sameRoomRow(a: RoomProps, b: RoomProps): boolean {
  return (
    a.row.room === b.row.room &&
    a.row.devices === b.row.devices &&
    a.row.down === b.row.down &&
    a.canEdit === b.canEdit &&
    a.onEdit === b.onEdit &&
    a.onDelete === b.onDelete &&
    a.onAddDevice === b.onAddDevice
  );
}

export const RoomHeading = memo(function RoomHeading({ row, canEdit, onEdit, onDelete, onAddDevice }: RoomProps) {
  const { room } = row;
  const name = room ? room.name : 'Without a room';
  return (
    <div className="room-row">
      <div className="room-title">
        <h2>{name}</h2>
        {room?.description && <span className="room-description">{room.description}</span>}
      </div>
      <span className="room-counts">
        <span className="total">
          {row.devices} {row.devices === 1 ? 'device' : 'devices'}
        </span>
        {row.down > 0 && <span className="down-count">{row.down} down</span>}
      </span>
      {canEdit && (
        <span className="row-actions">
          <button type="button" onClick={() => onAddDevice(room ? room.id : null)} aria-label={`Add a device to ${name}`}>
            + Device
          </button>
          {room && (
            <>
              <button type="button" onClick={() => onEdit(room)} aria-label={`Edit room ${name}`}>
                Edit
              </button>
              <button type="button" className="danger-text" onClick={() => onDelete(room)} aria-label={`Delete room ${name}`}>
                Delete
              </button>
            </>
          )}
        </span>
      )}
    </div>
  );
}, sameRoomRow);

interface DeviceProps {
  row: Row & { kind: 'device' };
  now: number;
  canEdit: boolean;
  onEdit: (device: Device) => void;
  onDelete: (device: Device) => void;
}

function sameDeviceRow(a: DeviceProps, b: DeviceProps): boolean {
  return (
    a.row.device === b.row.device &&
    a.row.detail === b.row.detail &&
    a.row.status === b.row.status &&
    a.now === b.now &&
    a.canEdit === b.canEdit &&
    a.onEdit === b.onEdit &&
    a.onDelete === b.onDelete
  );
}

export const DeviceLine = memo(function DeviceLine({ row, now, canEdit, onEdit, onDelete }: DeviceProps) {
  const { device, detail, status } = row;
  const check = device.check?.type === 'tcp' ? `TCP ${device.check.port}` : 'ping';
  return (
    <div className={`device-row status-${status}`} data-device-ip={device.ip} data-status={status}>
      <span className="status">
        <span className="dot" aria-hidden="true">
          {statusGlyph[status]}
        </span>
        <span className="status-text">{statusLabel[status]}</span>
      </span>
      <span className="name" title={device.name}>
        {device.name}
      </span>
      <span className="ip">{device.ip}</span>
      <span className="metrics">
        <span className="rtt" title="Median round-trip time of the last round">
          {formatRtt(detail?.rtt_ms)}
        </span>
        <span className="loss" title="Probes lost in the last round">
          {formatLoss(detail?.loss)} loss
        </span>
        <span className="check">{check}</span>
      </span>
      <span className="since" title={exactTime(detail?.since ?? null)}>
        {status === 'unmonitored' ? '' : relativeTime(detail?.since ?? null, now)}
      </span>
      {canEdit && (
        <span className="row-actions">
          <button type="button" onClick={() => onEdit(device)} aria-label={`Edit ${device.name}`}>
            Edit
          </button>
          <button type="button" className="danger-text" onClick={() => onDelete(device)} aria-label={`Delete ${device.name}`}>
            Delete
          </button>
        </span>
      )}
    </div>
  );
}, sameDeviceRow);
