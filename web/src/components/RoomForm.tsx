// Add or edit a room; the server's messages appear beside the field.
import { useState, type FormEvent } from 'react';
import { ApiError, placeErrors, type RoomInput } from '../api';
import type { Room } from '../types';
import { Field } from './Field';
import { FormFooter } from './FormFooter';
import { Modal } from './Modal';

interface Props {
  room: Room | null;
  onSave: (input: RoomInput) => Promise<unknown>;
  onClose: () => void;
}

export function RoomForm({ room, onSave, onClose }: Props) {
  const [name, setName] = useState(room?.name ?? '');
  const [description, setDescription] = useState(room?.description ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    try {
      await onSave({ name, description: description === '' ? null : description });
      onClose();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const placed = placeErrors(error);
      setErrors(placed.fields);
      setGeneral(placed.general);
      setSaving(false);
    }
  };

  return (
    <Modal title={room ? `Edit room ${room.name}` : 'Add a room'} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <Field label="Name" error={errors.name}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Description" error={errors.description} hint="Optional, up to 500 characters">
          <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={3} />
        </Field>
        <FormFooter general={general} saving={saving} submitLabel={room ? 'Save' : 'Add room'} onCancel={onClose} />
      </form>
    </Modal>
  );
}
