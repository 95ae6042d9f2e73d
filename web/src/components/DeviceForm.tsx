// Add or edit a device. The server validates; its messages appear beside the
// field they are about (a 422's loc, a 409 on the IP, a 404 on the room or
// the parent, a dependency cycle's 422 on the parent), anything else above
// the buttons.
import { useMemo, useState, type FormEvent } from 'react';
import { ApiError, placeErrors, type DeviceInput } from '../api';
import { deviceOption, parentChoices } from '../choices';
import type { Device, Room } from '../types';
import { Field } from './Field';
import { FormFooter } from './FormFooter';
import { Modal } from './Modal';

interface Props {
  device: Device | null; // null: a new device
  rooms: readonly Room[];
  // The devices it may be reached through (its parent).
  devices?: readonly Device[];
  defaultRoom?: number | null;
  onSave: (input: DeviceInput) => Promise<unknown>;
  onClose: () => void;
}

// A 409 is about the IP, a 404 "Parent device not found" about the parent,
// "Room not found" about the room.
export function fieldErrors(error: ApiError): { fields: Record<string, string>; general: string | null } {
  if (error.status === 409) return placeErrors(error, { ip: error.message });
  if (error.status === 404 && /parent/i.test(error.message)) return placeErrors(error, { parent_id: error.message });
  if (error.status === 404 && /room/i.test(error.message)) return placeErrors(error, { room_id: error.message });
  return placeErrors(error);
}

// "hq, branch" or "hq branch": the names, in order.
export function parseLocations(text: string): string[] {
  return text.split(/[\s,]+/).filter((name) => name !== '');
}

export function DeviceForm({ device, rooms, devices = [], defaultRoom = null, onSave, onClose }: Props) {
  const [name, setName] = useState(device?.name ?? '');
  const [ip, setIp] = useState(device?.ip ?? '');
  const [roomId, setRoomId] = useState<string>(String(device ? (device.room_id ?? '') : (defaultRoom ?? '')));
  const [parentId, setParentId] = useState<string>(String(device?.parent_id ?? ''));
  const [monitored, setMonitored] = useState(device?.monitored ?? true);
  const [checkType, setCheckType] = useState<'icmp' | 'tcp'>(device?.check?.type ?? 'icmp');
  const [port, setPort] = useState(device?.check?.type === 'tcp' ? String(device.check.port) : '');
  const [locationsText, setLocationsText] = useState(device?.locations?.join(', ') ?? '');
  const [quorum, setQuorum] = useState(String(device?.quorum ?? 1));
  const locations = parseLocations(locationsText);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const room = roomId === '' ? null : Number(roomId);
  const parents = useMemo(
    () => parentChoices(devices, device?.id ?? null, room, device?.parent_id ?? null),
    [devices, device, room],
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    const input: DeviceInput = {
      name,
      ip: ip.trim(),
      room_id: room,
      parent_id: parentId === '' ? null : Number(parentId),
      monitored,
      // An empty port goes as it is, so the server names what is missing.
      check: checkType === 'tcp' ? { type: 'tcp', port: port === '' ? (null as unknown as number) : Number(port) } : { type: 'icmp' },
    };
    // Sent when named, or to clear a list the device had (then any one node probes it).
    if (locations.length > 0) {
      input.locations = locations;
      input.quorum = quorum === '' ? (null as unknown as number) : Number(quorum);
    } else if (device?.locations) {
      input.locations = null;
      input.quorum = 1;
    }
    try {
      await onSave(input);
      onClose();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const mapped = fieldErrors(error);
      setErrors(mapped.fields);
      setGeneral(mapped.general);
      setSaving(false);
    }
  };

  return (
    <Modal title={device ? `Edit ${device.name}` : 'Add a device'} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <Field label="Name" error={errors.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="IP address" error={errors.ip} hint="IPv4 or IPv6, e.g. 192.0.2.10 or 2001:db8::1">
          <input value={ip} onChange={(e) => setIp(e.target.value)} autoComplete="off" spellCheck={false} inputMode="text" />
        </Field>
        <Field label="Room" error={errors.room_id}>
          <select value={roomId} onChange={(e) => setRoomId(e.target.value)}>
            <option value="">No room</option>
            {rooms.map((room) => (
              <option key={room.id} value={room.id}>
                {room.name}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="Parent device"
          error={errors.parent_id}
          hint={
            parents.narrowed
              ? 'The device this one is reached through. Listed: the devices in the room chosen above.'
              : 'The device this one is reached through, e.g. its room’s gateway'
          }
        >
          <select value={parentId} onChange={(e) => setParentId(e.target.value)}>
            <option value="">None</option>
            {parents.devices.map((d) => (
              <option key={d.id} value={d.id}>
                {deviceOption(d)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Check" error={errors.check ?? errors['check.type']}>
          <select value={checkType} onChange={(e) => setCheckType(e.target.value as 'icmp' | 'tcp')}>
            <option value="icmp">Ping (ICMP echo)</option>
            <option value="tcp">TCP connect</option>
          </select>
        </Field>
        {checkType === 'tcp' && (
          <Field label="TCP port" error={errors['check.port']}>
            <input type="number" min={1} max={65535} value={port} onChange={(e) => setPort(e.target.value)} />
          </Field>
        )}
        <Field
          label="Locations"
          error={errors.locations ?? Object.entries(errors).find(([key]) => key.startsWith('locations.'))?.[1]}
          hint="Several nodes: the locations that probe it, e.g. hq, branch. Empty: any one node."
        >
          <input value={locationsText} onChange={(e) => setLocationsText(e.target.value)} autoComplete="off" spellCheck={false} />
        </Field>
        {locations.length > 0 && (
          <Field label="Quorum" error={errors.quorum} hint={`Down when this many of its ${locations.length} locations see it down`}>
            <input type="number" min={1} max={locations.length} value={quorum} onChange={(e) => setQuorum(e.target.value)} />
          </Field>
        )}
        <div className={errors.monitored ? 'field checkbox has-error' : 'field checkbox'}>
          <label>
            <input type="checkbox" checked={monitored} onChange={(e) => setMonitored(e.target.checked)} /> Monitored
          </label>
          {errors.monitored && <p className="error">{errors.monitored}</p>}
        </div>
        <FormFooter general={general} saving={saving} submitLabel={device ? 'Save' : 'Add device'} onCancel={onClose} />
      </form>
    </Modal>
  );
}
