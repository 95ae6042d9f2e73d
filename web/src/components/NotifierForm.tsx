// Add or edit a notifier: name, type (a webhook's URL, format and secret, or
// an email's addresses), the events it is told of, its room, and whether it
// is on. The secret is write-only: never shown, and an empty field keeps
// the one stored. The server validates; its messages appear beside the
// field they are about (notifiers.ts: formErrors).
import { useState, type FormEvent } from 'react';
import { ApiError, type NotifierInput } from '../api';
import { draftOf, formErrors, notifierInput, type NotifierDraft } from '../notifiers';
import type { Notifier, NotifierFormat, NotifierType, Room } from '../types';
import { Field } from './Field';
import { FormFooter } from './FormFooter';
import { Modal } from './Modal';

interface Props {
  notifier: Notifier | null; // null: a new one
  rooms: readonly Room[];
  onSave: (input: NotifierInput) => Promise<unknown>;
  onClose: () => void;
}

export function NotifierForm({ notifier, rooms, onSave, onClose }: Props) {
  const [draft, setDraft] = useState<NotifierDraft>(() => draftOf(notifier));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof NotifierDraft>(key: K, value: NotifierDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    try {
      await onSave(notifierInput(draft));
      onClose();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const placed = formErrors(error, ['to', 'events']);
      setErrors(placed.fields);
      setGeneral(placed.general);
      setSaving(false);
    }
  };

  const secretHint = notifier?.has_secret
    ? 'A secret is set: leave this empty to keep it. Requests are signed with it (X-Gatewatch-Signature).'
    : 'Optional. When set, requests are signed with it (X-Gatewatch-Signature: HMAC-SHA256).';

  return (
    <Modal title={notifier ? `Edit notifier ${notifier.name}` : 'Add a notifier'} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <Field label="Name" error={errors.name}>
          <input value={draft.name} onChange={(e) => set('name', e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Type" error={errors.type}>
          <select value={draft.type} onChange={(e) => set('type', e.target.value as NotifierType)}>
            <option value="webhook">Webhook</option>
            <option value="email">Email</option>
          </select>
        </Field>
        {draft.type === 'webhook' ? (
          <>
            <Field label="URL" error={errors.url} hint="http:// or https://; the receiver must answer 2xx">
              <input type="url" value={draft.url} onChange={(e) => set('url', e.target.value)} autoComplete="off" spellCheck={false} />
            </Field>
            <Field label="Format" error={errors.format}>
              <select value={draft.format} onChange={(e) => set('format', e.target.value as NotifierFormat)}>
                <option value="json">JSON (gatewatch's own)</option>
                <option value="slack">Slack</option>
                <option value="ntfy">ntfy</option>
              </select>
            </Field>
            <Field label="Secret" error={errors.secret} hint={secretHint}>
              <input
                type="password"
                value={draft.secret}
                onChange={(e) => set('secret', e.target.value)}
                autoComplete="new-password"
                placeholder={notifier?.has_secret ? '(unchanged)' : ''}
              />
            </Field>
          </>
        ) : (
          <Field label="To" error={errors.to} hint="Email addresses, separated by commas">
            <input value={draft.to} onChange={(e) => set('to', e.target.value)} autoComplete="off" spellCheck={false} inputMode="email" />
          </Field>
        )}
        <fieldset className={errors.events ? 'field checkboxes has-error' : 'field checkboxes'} aria-describedby={errors.events ? 'notifier-events-error' : undefined}>
          <legend>Events</legend>
          <label>
            <input type="checkbox" checked={draft.down} onChange={(e) => set('down', e.target.checked)} /> Down (a device disconnects)
          </label>
          <label>
            <input type="checkbox" checked={draft.up} onChange={(e) => set('up', e.target.checked)} /> Up (it is back)
          </label>
          {errors.events && (
            <p className="error" id="notifier-events-error">
              {errors.events}
            </p>
          )}
        </fieldset>
        <Field label="Room" error={errors.room_id} hint="Only the devices of this room, or every device">
          <select value={draft.roomId} onChange={(e) => set('roomId', e.target.value)}>
            <option value="">Every room</option>
            {rooms.map((room) => (
              <option key={room.id} value={room.id}>
                {room.name}
              </option>
            ))}
          </select>
        </Field>
        <div className={errors.enabled ? 'field checkbox has-error' : 'field checkbox'}>
          <label>
            <input type="checkbox" checked={draft.enabled} onChange={(e) => set('enabled', e.target.checked)} /> Enabled
          </label>
          {errors.enabled && <p className="error">{errors.enabled}</p>}
        </div>
        <FormFooter general={general} saving={saving} submitLabel={notifier ? 'Save' : 'Add notifier'} onCancel={onClose} />
      </form>
    </Modal>
  );
}
