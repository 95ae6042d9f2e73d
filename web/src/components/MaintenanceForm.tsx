// Add a maintenance window: a name, start and end in the user's local time
// (datetime-local, sent as RFC 3339 in UTC), and optionally a room and
// devices (a multi-select, narrowed by a filter on long lists); with
// neither, it covers every device. The server's messages appear beside the
// field they are about.
import { useMemo, useState, type FormEvent } from 'react';
import { ApiError, type MaintenanceInput } from '../api';
import { deviceOption } from '../choices';
import { defaultWindow, localInputToUtc, pickList } from '../maintenance';
import { formErrors } from '../notifiers';
import type { Device, Room } from '../types';
import { Field } from './Field';
import { FormFooter } from './FormFooter';
import { Modal } from './Modal';

interface Props {
  rooms: readonly Room[];
  devices: readonly Device[];
  onSave: (input: MaintenanceInput) => Promise<unknown>;
  onClose: () => void;
}

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function MaintenanceForm({ rooms, devices, onSave, onClose }: Props) {
  const [initial] = useState(() => defaultWindow(Date.now()));
  const [name, setName] = useState('');
  const [start, setStart] = useState(initial.start);
  const [end, setEnd] = useState(initial.end);
  const [roomId, setRoomId] = useState('');
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [filter, setFilter] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const choices = useMemo(() => pickList(devices, filter, selected), [devices, filter, selected]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    const input: MaintenanceInput = {
      name,
      room_id: roomId === '' ? null : Number(roomId),
      device_ids: [...selected],
    };
    // An empty or unreadable time is left out: the server names what is missing.
    const from = localInputToUtc(start);
    const to = localInputToUtc(end);
    if (from) input.start = from;
    if (to) input.end = to;
    try {
      await onSave(input);
      onClose();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const placed = formErrors(error, ['device_ids']);
      setErrors(placed.fields);
      setGeneral(placed.general);
      setSaving(false);
    }
  };

  const onPick = (options: HTMLOptionsCollection) => {
    const next = new Set(selected);
    // Options out of view (filtered away) keep their state; those in view say theirs.
    for (const option of Array.from(options)) {
      const id = Number(option.value);
      if (option.selected) next.add(id);
      else next.delete(id);
    }
    setSelected(next);
  };

  return (
    <Modal title="Add a maintenance window" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <Field label="Name" error={errors.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <div className="field-row">
          <Field label="Start" error={errors.start} hint={`Your local time (${zone})`}>
            <input type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} />
          </Field>
          <Field label="End" error={errors.end}>
            <input type="datetime-local" value={end} onChange={(e) => setEnd(e.target.value)} />
          </Field>
        </div>
        <Field label="Room" error={errors.room_id} hint="Optional: every device of this room">
          <select value={roomId} onChange={(e) => setRoomId(e.target.value)}>
            <option value="">None</option>
            {rooms.map((room) => (
              <option key={room.id} value={room.id}>
                {room.name}
              </option>
            ))}
          </select>
        </Field>
        {devices.length > 12 && (
          <label className="filter">
            <span>Find devices</span>
            <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Name or IP" />
          </label>
        )}
        <Field
          label="Devices"
          error={errors.device_ids}
          hint={`Optional; ${selected.size} chosen${choices.more > 0 ? `, ${choices.more} more match: narrow the search` : ''}. With neither a room nor devices, the window covers every device.`}
        >
          <select multiple size={Math.min(6, Math.max(3, choices.devices.length))} value={[...selected].map(String)} onChange={(e) => onPick(e.target.options)}>
            {choices.devices.map((d) => (
              <option key={d.id} value={d.id}>
                {deviceOption(d)}
              </option>
            ))}
          </select>
        </Field>
        <FormFooter general={general} saving={saving} submitLabel="Add window" onCancel={onClose} />
      </form>
    </Modal>
  );
}
