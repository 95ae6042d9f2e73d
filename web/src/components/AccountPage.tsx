// One's own account (#/account, everyone): who one is, and changing one's
// password (current, new, repeated). The server's refusals go under the
// field they are about: a wrong current password (400) under "Current
// password", a new one that is too short or long (422) under "New
// password"; anything else (too many attempts) above the button. A change
// logs out every other session; this one goes on with a new token
// (App.tsx), and the page says so.
import { useState, type FormEvent } from 'react';
import { ApiError, placeErrors } from '../api';
import type { User } from '../types';
import { Field } from './Field';
import { PageHeading } from './PageHeading';

interface Props {
  user: User;
  onChangePassword: (current: string, next: string) => Promise<void>;
}

export function passwordErrors(error: ApiError): { fields: Record<string, string>; general: string | null } {
  if (error.status === 400) return placeErrors(error, { current_password: error.message });
  return placeErrors(error);
}

export function AccountPage({ user, onChangePassword }: Props) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setGeneral(null);
    setDone(false);
    const local: Record<string, string> = {};
    if (current === '') local.current_password = 'Enter your current password';
    if (next !== repeat) local.repeat = 'The two new passwords differ';
    if (Object.keys(local).length > 0) {
      setErrors(local);
      return;
    }
    setSaving(true);
    try {
      await onChangePassword(current, next);
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(true);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const placed = passwordErrors(error);
      setErrors(placed.fields);
      setGeneral(placed.general);
    } finally {
      setSaving(false);
    }
  };

  return (
    <main className="page">
      <PageHeading
        title="Your account"
        subtitle={
          <>
            Logged in as <strong>{user.username}</strong>, {user.role === 'admin' ? 'an admin' : 'a viewer'}.
          </>
        }
      />
      <section className="card narrow-card" aria-labelledby="change-password-heading">
        <h2 id="change-password-heading">Change your password</h2>
        <form onSubmit={submit} noValidate aria-labelledby="change-password-heading">
          <Field label="Current password" error={errors.current_password}>
            <input type="password" value={current} onChange={(e) => setCurrent(e.target.value)} autoComplete="current-password" />
          </Field>
          <Field label="New password" error={errors.new_password} hint="8 to 128 characters">
            <input type="password" value={next} onChange={(e) => setNext(e.target.value)} autoComplete="new-password" />
          </Field>
          <Field label="Repeat the new password" error={errors.repeat}>
            <input type="password" value={repeat} onChange={(e) => setRepeat(e.target.value)} autoComplete="new-password" />
          </Field>
          {general && (
            <p className="form-error" role="alert">
              {general}
            </p>
          )}
          <p className="notice-text success-text" role="status">
            {done
              ? 'Your password was changed. Every other session of yours (other browsers, other devices) was logged out; this one goes on.'
              : ''}
          </p>
          <div className="actions">
            <button type="submit" className="primary" disabled={saving}>
              Change password
            </button>
          </div>
        </form>
      </section>
    </main>
  );
}
