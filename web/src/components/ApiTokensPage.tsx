// The API tokens page (#/api-tokens, admins only): tokens for scripts and
// Prometheus, each with its name, role, when it was created, when it
// expires and when it was last used; create one, delete one (refused at
// once). A new token's secret is shown once, in the dialog that created it,
// with a copy button; gatewatch keeps only its hash, so the list never has
// it and nothing can show it again.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, placeErrors, type Api } from '../api';
import { exactTime, relativeTime } from '../time';
import type { ApiToken, NewApiToken, Role } from '../types';
import { ConfirmDelete } from './ConfirmDelete';
import { Field } from './Field';
import { FormFooter } from './FormFooter';
import { Modal } from './Modal';
import { AdminOnly, ListLoading, PageHeading } from './PageHeading';

interface Props {
  api: Api;
  canEdit: boolean;
  now: number;
  backHref: string;
}

export function expiresText(expires: string | null, now: number): string {
  if (!expires) return 'Never';
  const at = exactTime(expires) ?? expires;
  return Date.parse(expires) <= now ? `Expired ${at}` : at;
}

export function ApiTokensPage({ api, canEdit, now, backHref }: Props) {
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<ApiToken | null>(null);

  const reload = useCallback(async () => {
    try {
      const list = await api.apiTokens();
      setTokens([...list].sort((a, b) => Date.parse(b.created) - Date.parse(a.created)));
      setLoadError(null);
    } catch (error) {
      setLoadError((error as Error).message);
    }
  }, [api]);

  useEffect(() => {
    if (canEdit) void reload();
  }, [reload, canEdit]);

  if (!canEdit) return <AdminOnly title="API tokens" what="manage API tokens" backHref={backHref} />;

  return (
    <main className="page">
      <PageHeading
        title="API tokens"
        subtitle={
          <>
            For scripts and Prometheus: sent as <code>Authorization: Bearer gw_…</code>, with the role chosen here.
          </>
        }
      >
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          Create token
        </button>
      </PageHeading>

      <ListLoading what="the API tokens" error={loadError} loading={tokens === null} onRetry={() => void reload()} />
      {tokens?.length === 0 && <p className="placeholder">No API tokens yet.</p>}
      {tokens && tokens.length > 0 && (
        <ul className="card-list" aria-label="API tokens">
          {tokens.map((t) => (
            <li key={t.id}>
              <article className="card api-token" aria-label={t.name} data-token={t.name}>
                <div className="card-heading">
                  <h2>
                    {t.name} <span className={t.role === 'admin' ? 'badge badge-admin' : 'badge'}>{t.role === 'admin' ? 'Admin' : 'Viewer'}</span>
                  </h2>
                  <span className="row-actions">
                    <button type="button" className="danger-text" onClick={() => setDeleting(t)} aria-label={`Delete API token ${t.name}`}>
                      Delete
                    </button>
                  </span>
                </div>
                <dl className="facts">
                  <div>
                    <dt>Created</dt>
                    <dd>
                      <time dateTime={t.created}>{exactTime(t.created)}</time>
                    </dd>
                  </div>
                  <div>
                    <dt>Expires</dt>
                    <dd>{expiresText(t.expires, now)}</dd>
                  </div>
                  <div data-fact="last-used">
                    <dt>Last used</dt>
                    <dd>
                      {t.last_used ? (
                        <time dateTime={t.last_used} title={exactTime(t.last_used)}>
                          {relativeTime(t.last_used, now)}
                        </time>
                      ) : (
                        'Never'
                      )}
                    </dd>
                  </div>
                </dl>
              </article>
            </li>
          ))}
        </ul>
      )}

      {creating && (
        <NewTokenDialog
          onCreate={async (input) => {
            const created = await api.createApiToken(input);
            void reload();
            return created;
          }}
          onClose={() => setCreating(false)}
        />
      )}
      {deleting && (
        <ConfirmDelete
          title={`Delete API token ${deleting.name}?`}
          message={`Whatever uses ${deleting.name} is refused from now on. This cannot be undone.`}
          onConfirm={async () => {
            await api.deleteApiToken(deleting.id);
            await reload();
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </main>
  );
}

interface DialogProps {
  onCreate: (input: { name: string; role: Role; expires_days?: number }) => Promise<NewApiToken>;
  onClose: () => void;
}

// The days as typed: empty means never; anything but a whole number goes as
// typed, for the server to name the problem.
export function expiresDays(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return /^-?[0-9]+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

// Create a token, then show its secret, this once.
export function NewTokenDialog({ onCreate, onClose }: DialogProps) {
  const [created, setCreated] = useState<NewApiToken | null>(null);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [days, setDays] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    const expires = expiresDays(days);
    try {
      const input = { name, role, ...(expires === undefined ? {} : { expires_days: expires as number }) };
      setCreated(await onCreate(input));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const placed = placeErrors(error);
      setErrors(placed.fields);
      setGeneral(placed.general);
      setSaving(false);
    }
  };

  if (created) {
    return (
      <Modal title={`API token ${created.name}`} onClose={onClose} closeOnBackdrop={false}>
        <ShowOnce token={created} onDone={onClose} />
      </Modal>
    );
  }
  return (
    <Modal title="Create an API token" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <Field label="Name" error={errors.name} hint="What uses it, e.g. prometheus or backup-script">
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Role" error={errors.role}>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="viewer">Viewer: reads only (enough for Prometheus)</option>
            <option value="admin">Admin: may change everything</option>
          </select>
        </Field>
        <Field label="Expires in (days)" error={errors.expires_days} hint="1 to 3650; leave empty for a token that never expires">
          <input type="number" inputMode="numeric" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} />
        </Field>
        <FormFooter general={general} saving={saving} submitLabel="Create token" onCancel={onClose} />
      </form>
    </Modal>
  );
}

type CopyNote = { ok: boolean; text: string } | null;

// The secret in a read-only field (selected, so that Ctrl+C copies it even
// where the clipboard API is missing: a page served over plain HTTP to
// another machine is not a secure context), a copy button, and the warning.
function ShowOnce({ token, onDone }: { token: NewApiToken; onDone: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  const [note, setNote] = useState<CopyNote>(null);

  useEffect(() => {
    field.current?.focus();
    field.current?.select();
  }, []);

  const copy = async () => {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(token.token);
      setNote({ ok: true, text: 'Copied to the clipboard.' });
    } catch {
      field.current?.focus();
      field.current?.select();
      setNote({ ok: false, text: 'This browser did not let the page copy it: the token is selected, press Ctrl+C (⌘C on a Mac) to copy it.' });
    }
  };

  return (
    <div className="show-once">
      <p className="notice warning-note">
        <strong>Copy the token now: you will not see it again.</strong> gatewatch keeps only a hash of it; if it is lost, delete it
        and create another.
      </p>
      <div className="field">
        <label htmlFor="new-api-token">Token ({token.role === 'admin' ? 'admin' : 'viewer'})</label>
        <div className="copy-row">
          <input
            id="new-api-token"
            ref={field}
            className="secret-value"
            readOnly
            value={token.token}
            onFocus={(e) => e.currentTarget.select()}
            spellCheck={false}
            autoComplete="off"
          />
          <button type="button" onClick={() => void copy()}>
            Copy
          </button>
        </div>
      </div>
      <p className={note?.ok === false ? 'hint copy-note copy-failed' : 'hint copy-note'} role="status">
        {note?.text}
      </p>
      <p className="hint">
        {token.expires ? `It expires ${exactTime(token.expires)}.` : 'It never expires.'} Send it as{' '}
        <code>Authorization: Bearer {'<token>'}</code>.
      </p>
      <div className="actions">
        <button type="button" className="primary" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
