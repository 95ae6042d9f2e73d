// Add or edit a room; the server's messages appear beside the field.
import { useState, type FormEvent } from 'react';
import { ApiError, type RoomInput } from '../api';
import type { Room } from '../types';
import { Field } from './Field';
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
      setErrors(error.fields);
      setGeneral(Object.keys(error.fields).length === 0 ? error.message : null);
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
        {general && (
          <p className="form-error" role="alert">
            {general}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={saving}>
            {room ? 'Save' : 'Add room'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
