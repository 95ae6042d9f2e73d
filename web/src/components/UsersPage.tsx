// The accounts page (#/users, admins only): every account with its role and
// whether it is disabled; make an account admin or viewer, disable or enable
// it (a disabled account cannot log in, and its sessions and tokens are
// refused at once), delete it (after a confirmation), and create one. The
// server keeps at least one enabled admin: its 409 is shown on the account's
// card, with what to do instead. A change to one's own account goes back to
// the app (App.tsx), which follows it (a demoted admin sees a viewer's
// pages; a disabled or deleted account is logged out).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, placeErrors, type Api } from '../api';
import { accountHref } from '../route';
import { exactTime } from '../time';
import type { Role, User } from '../types';
import { ConfirmDelete } from './ConfirmDelete';
import { Field } from './Field';
import { FormFooter } from './FormFooter';
import { Modal } from './Modal';
import { AdminOnly, ListLoading, PageHeading } from './PageHeading';

interface Props {
  api: Api;
  me: User;
  onSelfChanged: (me: User | null) => void;
  backHref: string;
}

type Note = { ok: boolean; text: string };

// What the server's refusal means for the person who clicked.
export function refusalText(error: ApiError): string {
  if (error.status === 409) return `${error.message}: make another account an admin first.`;
  return error.message;
}

export function UsersPage({ api, me, onSelfChanged, backHref }: Props) {
  const [users, setUsers] = useState<User[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<User | null>(null);
  const [notes, setNotes] = useState<Record<number, Note>>({});
  const [busy, setBusy] = useState<number | null>(null);

  const reload = useCallback(async () => {
    try {
      setUsers(await api.users());
      setLoadError(null);
    } catch (error) {
      setLoadError((error as Error).message);
    }
  }, [api]);

  useEffect(() => {
    if (me.role === 'admin') void reload();
  }, [reload, me.role]);

  if (me.role !== 'admin') return <AdminOnly title="Users" what="manage accounts" backHref={backHref} />;

  const change = async (user: User, input: { role?: Role; disabled?: boolean }, done: string) => {
    setBusy(user.id);
    try {
      const updated = await api.updateUser(user.id, input);
      setUsers((list) => list?.map((u) => (u.id === updated.id ? updated : u)) ?? null);
      setNotes((n) => ({ ...n, [user.id]: { ok: true, text: done } }));
      if (updated.id === me.id) onSelfChanged(updated);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setNotes((n) => ({ ...n, [user.id]: { ok: false, text: refusalText(error) } }));
      if (error.status === 404) void reload();
    } finally {
      setBusy(null);
    }
  };

  const sorted = users ? [...users].sort((a, b) => a.username.localeCompare(b.username)) : null;

  return (
    <main className="page">
      <PageHeading title="Users" subtitle="Who can log in, and what they may do: admins change everything, viewers only look.">
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          Create account
        </button>
      </PageHeading>

      <ListLoading what="the accounts" error={loadError} loading={sorted === null} onRetry={() => void reload()} />
      {sorted && (
        <ul className="card-list" aria-label="Accounts">
          {sorted.map((u) => {
            const self = u.id === me.id;
            const note = notes[u.id];
            return (
              <li key={u.id}>
                <article className={u.disabled ? 'card account account-disabled' : 'card account'} aria-label={u.username} data-user={u.username}>
                  <div className="card-heading">
                    <h2>
                      {u.username}
                      {self && <span className="muted-text"> (you)</span>}{' '}
                      <span className={u.role === 'admin' ? 'badge badge-admin' : 'badge'}>{u.role === 'admin' ? 'Admin' : 'Viewer'}</span>
                      {u.disabled && <span className="badge badge-off">Disabled</span>}
                    </h2>
                    <span className="row-actions">
                      <button
                        type="button"
                        disabled={busy === u.id}
                        onClick={() =>
                          void change(
                            u,
                            { role: u.role === 'admin' ? 'viewer' : 'admin' },
                            u.role === 'admin' ? `${u.username} is now a viewer.` : `${u.username} is now an admin.`,
                          )
                        }
                        aria-label={u.role === 'admin' ? `Make ${u.username} a viewer` : `Make ${u.username} an admin`}
                      >
                        {u.role === 'admin' ? 'Make viewer' : 'Make admin'}
                      </button>
                      <button
                        type="button"
                        disabled={busy === u.id}
                        onClick={() =>
                          void change(
                            u,
                            { disabled: !u.disabled },
                            u.disabled ? `${u.username} can log in again.` : `${u.username} is disabled: their logins, sessions and tokens are refused.`,
                          )
                        }
                        aria-label={u.disabled ? `Enable ${u.username}` : `Disable ${u.username}`}
                      >
                        {u.disabled ? 'Enable' : 'Disable'}
                      </button>
                      <button type="button" className="danger-text" onClick={() => setDeleting(u)} aria-label={`Delete ${u.username}`}>
                        Delete
                      </button>
                    </span>
                  </div>
                  <dl className="facts">
                    <div>
                      <dt>Role</dt>
                      <dd>{u.role === 'admin' ? 'Admin: changes everything' : 'Viewer: looks only'}</dd>
                    </div>
                    <div>
                      <dt>Status</dt>
                      <dd>{u.disabled ? 'Disabled: cannot log in' : 'Active'}</dd>
                    </div>
                    <div className="wide">
                      <dt>Created</dt>
                      <dd>{u.created ? <time dateTime={u.created}>{exactTime(u.created)}</time> : '—'}</dd>
                    </div>
                  </dl>
                  {self && (
                    <p className="hint card-note">
                      <a href={accountHref}>Change your password</a>
                    </p>
                  )}
                  <p className="notice-text" role="status">
                    {note?.ok ? note.text : ''}
                  </p>
                  <p className="form-error" role="alert">
                    {note && !note.ok ? note.text : ''}
                  </p>
                </article>
              </li>
            );
          })}
        </ul>
      )}

      {creating && (
        <UserForm
          onSave={async (input) => {
            await api.createUser(input);
            await reload();
          }}
          onClose={() => setCreating(false)}
        />
      )}
      {deleting && (
        <ConfirmDelete
          title={`Delete ${deleting.username}?`}
          message={
            deleting.id === me.id
              ? 'This is your own account: you will be logged out, and nobody can log in as you again. This cannot be undone.'
              : `${deleting.username} will no longer be able to log in, and their sessions end at once. This cannot be undone.`
          }
          onConfirm={async () => {
            try {
              await api.deleteUser(deleting.id);
            } catch (error) {
              if (error instanceof ApiError && error.status === 409) throw new ApiError(409, refusalText(error));
              throw error;
            }
            if (deleting.id === me.id) onSelfChanged(null);
            else await reload();
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </main>
  );
}

interface FormProps {
  onSave: (input: { username: string; password: string; role: Role }) => Promise<unknown>;
  onClose: () => void;
}

// A new account: username, password (twice) and role. A name taken (409)
// goes under the username, the server's 422s under their fields.
export function UserForm({ onSave, onClose }: FormProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setGeneral(null);
    if (password !== repeat) {
      setErrors({ repeat: 'The two passwords differ' });
      return;
    }
    setSaving(true);
    try {
      await onSave({ username, password, role });
      onClose();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const placed = placeErrors(error, error.status === 409 ? { username: error.message } : {});
      setErrors(placed.fields);
      setGeneral(placed.general);
      setSaving(false);
    }
  };

  return (
    <Modal title="Create an account" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <Field label="Username" error={errors.username} hint="3 to 32 letters, digits, _ . -">
          <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" autoCapitalize="none" spellCheck={false} />
        </Field>
        <Field label="Password" error={errors.password} hint="8 to 128 characters. Give it to them safely; they can change it on their account's page.">
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
        </Field>
        <Field label="Repeat password" error={errors.repeat}>
          <input type="password" value={repeat} onChange={(e) => setRepeat(e.target.value)} autoComplete="new-password" />
        </Field>
        <Field label="Role" error={errors.role}>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="viewer">Viewer: sees everything, changes nothing</option>
            <option value="admin">Admin: changes everything</option>
          </select>
        </Field>
        <FormFooter general={general} saving={saving} submitLabel="Create account" onCancel={onClose} />
      </form>
    </Modal>
  );
}
