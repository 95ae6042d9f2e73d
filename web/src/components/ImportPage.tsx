// Importing devices from CSV (#/import, admins only). A file chosen (its
// text goes into the box, to be fixed there) or text pasted is read in the
// browser (bulkImport.ts): the preview says what would be created, which
// rooms are new, and every problem found, row by row, before anything is
// sent. "Import" is offered only when there is none; it sends the text as
// it is (text/csv) to POST /devices/bulk, all or nothing. A refusal (422)
// names the rows and columns, which are shown in the same places; success
// says how many devices were created, and the lists are read again.
import { useDeferredValue, useId, useMemo, useRef, useState, type ChangeEvent } from 'react';
import { ApiError, type Api } from '../api';
import { checkLabel, COLUMNS, MAX_BYTES, previewImport, rowLabel, serverIssues, type ImportIssue, type ImportPreview } from '../bulkImport';
import type { Device, Room } from '../types';
import { AdminOnly, PageHeading } from './PageHeading';

interface Props {
  api: Api;
  canEdit: boolean;
  rooms: Room[] | null;
  devices: Device[] | null;
  reload: () => Promise<void>;
  backHref: string;
}

const SHOWN_ROWS = 100;
const SHOWN_ISSUES = 200;
const EXAMPLE = 'name,ip,room,monitored,check_port,parent_ip\ncore switch,192.0.2.1,Server room,,,\nweb,192.0.2.10,Server room,yes,443,192.0.2.1';

type Outcome = { kind: 'created'; count: number; rooms: number } | { kind: 'refused'; sent: string; issues: ImportIssue[] } | { kind: 'failed'; message: string };

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

export function ImportPage({ api, canEdit, rooms, devices, reload, backHref }: Props) {
  const id = useId();
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const checked = useDeferredValue(text);
  const preview = useMemo(
    () => (checked.trim() === '' || !rooms || !devices ? null : previewImport(checked, { rooms, devices })),
    [checked, rooms, devices],
  );

  if (!canEdit) return <AdminOnly title="Import devices" what="import devices" backHref={backHref} />;

  const chooseFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    setFileError(null);
    setOutcome(null);
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setFileError(`${file.name} is larger than 32 MiB, more than gatewatch takes in one import: split it.`);
      return;
    }
    try {
      setText(await file.text());
      setFileName(file.name);
    } catch {
      setFileError(`${file.name} could not be read.`);
    }
  };

  const send = async () => {
    if (!preview) return;
    const sent = checked;
    setSending(true);
    setOutcome(null);
    try {
      const result = await api.importDevicesCsv(sent);
      setOutcome({ kind: 'created', count: result.created, rooms: preview.newRooms.length });
      setText('');
      setFileName(null);
      if (fileInput.current) fileInput.current.value = '';
      void reload();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 422 && error.items.length > 0) setOutcome({ kind: 'refused', sent, issues: serverIssues(error.items, preview.rows) });
      else setOutcome({ kind: 'failed', message: error.message });
    } finally {
      setSending(false);
    }
  };

  // The server's refusal stays shown while the text is the one it refused.
  const refused = outcome?.kind === 'refused' && outcome.sent === checked ? outcome.issues : null;
  const issues = refused ?? preview?.issues ?? [];
  const badRows = refused ? new Set(refused.flatMap((i) => (i.row === null ? [] : [i.row]))) : (preview?.badRows ?? new Set<number>());
  const ready = preview !== null && preview.issues.length === 0 && preview.rows.length > 0 && checked === text && !refused;

  return (
    <main className="page import-page">
      <p className="back">
        <a href={backHref}>← All devices</a>
      </p>
      <PageHeading
        title="Import devices"
        subtitle="From a CSV file whose first row names the columns. You see what would be created, and every problem, before anything is written; then all rows are created, or none."
      />

      <section className="card" aria-labelledby={`${id}-source`}>
        <h2 id={`${id}-source`}>The CSV</h2>
        <p className="hint columns-help">
          Columns: {COLUMNS.map((c, i) => (
            <span key={c}>
              {i > 0 && ', '}
              <code>{c}</code>
            </span>
          ))}
          . Only <code>name</code> and <code>ip</code> are needed; a room is named, and created if it does not exist; <code>monitored</code> is yes or
          no (yes when empty); <code>check_port</code> makes it a TCP check (ping when empty); <code>parent_ip</code> is the device it is reached
          through, in the file or already in gatewatch.
        </p>
        <div className="field">
          <label htmlFor={`${id}-file`}>CSV file</label>
          <input id={`${id}-file`} ref={fileInput} type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void chooseFile(e)} />
          {fileError && (
            <p className="error" role="alert">
              {fileError}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-text`}>{fileName ? `The text of ${fileName} (fix it here if need be)` : 'Or paste the CSV here'}</label>
          <textarea
            id={`${id}-text`}
            className="csv-text"
            rows={8}
            spellCheck={false}
            autoCapitalize="none"
            autoComplete="off"
            value={text}
            placeholder={EXAMPLE}
            onChange={(e) => {
              setText(e.target.value);
              setOutcome((o) => (o?.kind === 'created' ? null : o));
            }}
            aria-describedby={`${id}-example`}
          />
          <p className="hint" id={`${id}-example`}>
            For example: <code className="example">{EXAMPLE.split('\n')[0]}</code> then one device a line.
          </p>
        </div>
      </section>

      <p className="notice-text success-text" role="status">
        {outcome?.kind === 'created' && (
          <>
            {plural(outcome.count, 'device')} created{outcome.rooms > 0 ? ` (and ${plural(outcome.rooms, 'new room')})` : ''}.{' '}
            <a href={backHref}>See them in the devices list</a>
          </>
        )}
      </p>
      {outcome?.kind === 'failed' && (
        <p className="form-error" role="alert">
          The import failed: {outcome.message}. Nothing was created.
        </p>
      )}

      {preview && (
        <section className="card preview" aria-labelledby={`${id}-preview`}>
          <h2 id={`${id}-preview`}>Preview</h2>
          <Summary preview={preview} refused={refused !== null} />
          {issues.length > 0 && <IssueList issues={issues} refused={refused !== null} />}
          {preview.rows.length > 0 && <PreviewTable preview={preview} issues={issues} badRows={badRows} />}
          <div className="actions">
            {!ready && (
              <span className="hint import-blocked">
                {refused || preview.issues.length > 0 ? 'Fix the problems above to import.' : preview.rows.length === 0 ? 'No devices to import.' : 'Checking…'}
              </span>
            )}
            <button type="button" className="primary" disabled={!ready || sending} onClick={() => void send()}>
              {sending ? 'Importing…' : `Import ${plural(preview.rows.length, 'device')}`}
            </button>
          </div>
        </section>
      )}
    </main>
  );
}

function Summary({ preview, refused }: { preview: ImportPreview; refused: boolean }) {
  const { rows, issues, newRooms, existingRooms } = preview;
  const roomList = (list: { name: string; devices: number }[]) => list.map((r) => `${r.name} (${plural(r.devices, 'device')})`).join(', ');
  return (
    <div className="import-summary" data-rows={rows.length} data-issues={issues.length}>
      {refused ? (
        <p className="form-error">gatewatch refused the import for the problems below: nothing was created.</p>
      ) : issues.length > 0 ? (
        <p className="form-error">
          {plural(issues.length, 'problem')} to fix before importing. Nothing has been sent.
        </p>
      ) : (
        <p>
          <strong>{plural(rows.length, 'device')}</strong> will be created.
        </p>
      )}
      {newRooms.length > 0 && (
        <p>
          New rooms, created by the import: <span className="room-names">{roomList(newRooms)}</span>
        </p>
      )}
      {existingRooms.length > 0 && <p>Into existing rooms: {roomList(existingRooms)}</p>}
    </div>
  );
}

function IssueList({ issues, refused }: { issues: ImportIssue[]; refused: boolean }) {
  const shown = issues.slice(0, SHOWN_ISSUES);
  return (
    <>
      <ul className="import-issues" aria-label={refused ? 'Problems gatewatch found' : 'Problems found'}>
        {shown.map((issue, k) => (
          <li key={k} data-row={issue.row ?? ''} data-field={issue.field ?? ''}>
            <span className="issue-where">
              {issue.header ? 'Header' : rowLabel(issue)}
              {issue.field !== null && (
                <>
                  {' · '}
                  <code>{issue.field}</code>
                </>
              )}
            </span>{' '}
            {issue.message}
          </li>
        ))}
      </ul>
      {issues.length > shown.length && <p className="hint">…and {plural(issues.length - shown.length, 'more problem')}.</p>}
    </>
  );
}

function PreviewTable({ preview, issues, badRows }: { preview: ImportPreview; issues: ImportIssue[]; badRows: Set<number> }) {
  const id = useId();
  const shown = preview.rows.slice(0, SHOWN_ROWS);
  const badCells = new Set(issues.filter((i) => i.row !== null && i.field !== null).map((i) => `${i.row}:${i.field}`));
  const newRooms = new Set(preview.newRooms.map((r) => r.name));
  const cell = (row: number, field: string, content: string) => {
    const bad = badCells.has(`${row}:${field}`);
    return (
      <td className={bad ? 'bad-cell' : undefined} data-field={field}>
        {content === '' ? '—' : content}
        {bad && <span className="visually-hidden"> (a problem, see above)</span>}
      </td>
    );
  };
  return (
    <>
      <div className="table-scroll" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
        <table className="preview-table">
          <caption id={`${id}-caption`}>
            {preview.rows.length > shown.length ? `The first ${shown.length} of ${plural(preview.rows.length, 'row')}` : 'The rows'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Name</th>
              <th scope="col">IP</th>
              <th scope="col">Room</th>
              <th scope="col">Monitored</th>
              <th scope="col">Check</th>
              <th scope="col">Parent</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.index} className={badRows.has(r.index) ? 'bad-row' : undefined} data-row={r.index}>
                <th scope="row">
                  {badRows.has(r.index) && <span aria-hidden="true">⚠ </span>}
                  {r.index + 1}
                </th>
                {cell(r.index, 'name', r.name)}
                {cell(r.index, 'ip', r.ip)}
                {cell(r.index, 'room', r.room === null ? '—' : newRooms.has(r.room) ? `${r.room} (new)` : r.room)}
                {cell(r.index, 'monitored', r.monitored ? 'Yes' : 'No')}
                {cell(r.index, 'check_port', checkLabel(r.checkPort))}
                {cell(r.index, 'parent_ip', r.parentIp ?? '—')}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
