// The admin's actions on rooms and devices: the add/edit and delete dialogs,
// saving through the API and reloading the lists; the toolbar's add buttons.
import type { Api, DeviceInput, RoomInput } from '../api';
import { importHref } from '../route';
import type { Device, Room } from '../types';
import { ConfirmDelete } from './ConfirmDelete';
import { DeviceForm } from './DeviceForm';
import { RoomForm } from './RoomForm';

export type Dialog =
  | { kind: 'device'; device: Device | null; defaultRoom: number | null }
  | { kind: 'room'; room: Room | null }
  | { kind: 'delete-device'; device: Device }
  | { kind: 'delete-room'; room: Room }
  | null;

interface Props {
  dialog: Dialog;
  api: Api;
  rooms: Room[] | null;
  devices: Device[] | null;
  devicesPerRoom: ReadonlyMap<number, number>;
  reload: () => Promise<void>;
  // After a device is deleted (its page, if open, is gone).
  onDeviceDeleted?: (device: Device) => void;
  onClose: () => void;
}

export function AdminDialogs({ dialog, api, rooms, devices, devicesPerRoom, reload, onDeviceDeleted, onClose }: Props) {
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

  return (
    <>
      {dialog?.kind === 'device' && rooms && (
        <DeviceForm
          device={dialog.device}
          rooms={rooms}
          devices={devices ?? []}
          defaultRoom={dialog.defaultRoom}
          onSave={(input) => saveDevice(dialog.device, input)}
          onClose={onClose}
        />
      )}
      {dialog?.kind === 'room' && <RoomForm room={dialog.room} onSave={(input) => saveRoom(dialog.room, input)} onClose={onClose} />}
      {dialog?.kind === 'delete-device' && (
        <ConfirmDelete
          title={`Delete ${dialog.device.name}?`}
          message={`${dialog.device.name} (${dialog.device.ip}) will no longer be listed or monitored. This cannot be undone.`}
          onConfirm={async () => {
            await api.deleteDevice(dialog.device.id);
            await reload();
            onDeviceDeleted?.(dialog.device);
          }}
          onClose={onClose}
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
          onClose={onClose}
        />
      )}
    </>
  );
}

// The toolbar's Add room and Add device buttons (a new device goes to the
// room the view is filtered on, if any), and the way to the CSV import.
export function AdminToolbarActions({ onAddRoom, onAddDevice }: { onAddRoom: () => void; onAddDevice: () => void }) {
  return (
    <span className="toolbar-actions">
      <a className="button-link" href={importHref}>
        Import CSV
      </a>
      <button type="button" onClick={onAddRoom}>
        Add room
      </button>
      <button type="button" className="primary" onClick={onAddDevice}>
        Add device
      </button>
    </span>
  );
}
