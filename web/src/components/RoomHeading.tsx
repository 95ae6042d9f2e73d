// A room's heading row: name, description, how many listed devices and how
// many down, its devices' mean uptime over 24 h, and (for admins)
// add-device, edit and delete; memoized.
import { memo } from 'react';
import { formatUptime } from '../history';
import type { Row } from '../rows';
import type { Room } from '../types';

export const ROOM_ROW_HEIGHT = 52;

interface RoomProps {
  row: Row & { kind: 'room' };
  // Listed devices that are disconnected (kept apart from the row, which a push does not rebuild).
  down: number;
  // The mean 24 h uptime of its devices that have one; undefined: none has.
  uptime: number | undefined;
  canEdit: boolean;
  onEdit: (room: Room) => void;
  onDelete: (room: Room) => void;
  onAddDevice: (roomId: number | null) => void;
}

// Rows are rebuilt when the list is; compare what they show, not their identity.
function sameRoomRow(a: RoomProps, b: RoomProps): boolean {
  return (
    a.row.room === b.row.room &&
    a.row.devices === b.row.devices &&
    a.down === b.down &&
    a.uptime === b.uptime &&
    a.canEdit === b.canEdit &&
    a.onEdit === b.onEdit &&
    a.onDelete === b.onDelete &&
    a.onAddDevice === b.onAddDevice
  );
}

export const RoomHeading = memo(function RoomHeading({ row, down, uptime, canEdit, onEdit, onDelete, onAddDevice }: RoomProps) {
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
        {down > 0 && <span className="down-count">{down} down</span>}
        {uptime !== undefined && (
          <span className="room-uptime" title="Uptime over the last 24 hours, the mean of the devices in this group" data-room-uptime={uptime}>
            {formatUptime(uptime)} up <span className="uptime-window">(24 h)</span>
          </span>
        )}
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
