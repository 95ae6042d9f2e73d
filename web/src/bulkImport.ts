// Importing devices from CSV (spec: "Bulk devices"): what a file would
// create, and every problem with it, found in the browser before anything
// is sent; and the server's 422 mapped back onto the same rows and columns.
//
// The header names the columns (name, ip, room, monitored, check_port,
// parent_ip; any order, any case; only name and ip required). Each cell is
// read as gatewatch reads it (src/api/devices.cpp): blanks and tabs around it
// trimmed; an empty optional cell means "the default" (no room, monitored,
// ping, no parent). Rows are numbered from 0 over the data rows, as the
// server's `loc` numbers them; people see them from 1, with their line.
import type { ValidationItem } from './api';
import { parseCsv } from './csv';
import { ipKey } from './ip';
import type { Device, Room } from './types';

export const COLUMNS = ['name', 'ip', 'room', 'monitored', 'check_port', 'parent_ip'] as const;
export type Column = (typeof COLUMNS)[number];
export const MAX_ROWS = 100_000;
export const MAX_BYTES = 32 * 1024 * 1024; // the server's body limit for this path
const MAX_NAME = 100;
const TRUTHY = ['1', 'on', 't', 'true', 'y', 'yes'];
const FALSY = ['0', 'off', 'f', 'false', 'n', 'no'];

export interface ImportRow {
  index: number; // 0-based over the data rows
  line: number; // where it starts in the file (1-based)
  name: string;
  ip: string;
  room: string | null;
  monitored: boolean; // true unless the cell says otherwise
  checkPort: number | null; // null: ping
  parentIp: string | null;
}

// A problem: with a row (and maybe one of its cells), with the header (a
// column), or with the whole file.
export interface ImportIssue {
  row: number | null;
  line: number | null;
  field: string | null;
  header?: boolean;
  message: string;
}

export interface RoomUse {
  name: string;
  devices: number;
}

export interface ImportPreview {
  rows: ImportRow[];
  issues: ImportIssue[];
  // Rows with at least one issue (by index).
  badRows: Set<number>;
  newRooms: RoomUse[]; // created by the import
  existingRooms: RoomUse[];
}

export interface ImportContext {
  rooms: readonly Room[];
  devices: readonly Device[];
}

const blank = (c: string) => c === ' ' || c === '\t';
function trim(s: string): string {
  if (s === '' || (!blank(s[0]) && !blank(s[s.length - 1]))) return s;
  let a = 0;
  let b = s.length;
  while (a < b && blank(s[a])) a += 1;
  while (b > a && blank(s[b - 1])) b -= 1;
  return s.slice(a, b);
}
// Longer than `max` characters (code points, as the server counts).
const longer = (s: string, max: number) => s.length > max && Array.from(s).length > max;

export function rowLabel(issue: Pick<ImportIssue, 'row' | 'line'>): string {
  if (issue.row === null) return issue.line === null ? 'The file' : `Line ${issue.line}`;
  return issue.line === null ? `Row ${issue.row + 1}` : `Row ${issue.row + 1} (line ${issue.line})`;
}

function empty(issues: ImportIssue[]): ImportPreview {
  return { rows: [], issues, badRows: new Set(), newRooms: [], existingRooms: [] };
}

export function previewImport(text: string, context: ImportContext): ImportPreview {
  if (text.length * 3 > MAX_BYTES && new TextEncoder().encode(text).length > MAX_BYTES) {
    return empty([{ row: null, line: null, field: null, message: 'The file is larger than 32 MiB, more than gatewatch takes in one import: split it.' }]);
  }
  const parsed = parseCsv(text);
  if (!parsed.ok) {
    return empty([{ row: null, line: parsed.error.line, field: null, message: `Not valid CSV: ${parsed.error.message}.` }]);
  }
  const { records, lines } = parsed.table;
  if (records.length === 0) return empty([{ row: null, line: null, field: null, message: 'The file is empty.' }]);

  const issues: ImportIssue[] = [];
  const header = records[0];
  const column = new Map<Column, number>();
  header.forEach((raw, c) => {
    const name = trim(raw).toLowerCase();
    if (!(COLUMNS as readonly string[]).includes(name)) {
      issues.push({ row: null, line: lines[0], field: raw, header: true, message: `Unknown column “${raw}”: the columns are ${COLUMNS.join(', ')}.` });
    } else if (column.has(name as Column)) {
      issues.push({ row: null, line: lines[0], field: raw, header: true, message: `The column “${name}” is named twice.` });
    } else {
      column.set(name as Column, c);
    }
  });
  for (const required of ['name', 'ip'] as const) {
    if (!column.has(required)) issues.push({ row: null, line: lines[0], field: required, header: true, message: `The header row has no “${required}” column (the first row must name the columns).` });
  }
  if (issues.length > 0) return empty(issues);
  if (records.length - 1 > MAX_ROWS) {
    return empty([{ row: null, line: null, field: null, message: `${records.length - 1} rows: gatewatch takes at most ${MAX_ROWS.toLocaleString('en')} in one import.` }]);
  }

  const rows: ImportRow[] = [];
  const badRows = new Set<number>();
  const ipKeys = new Map<ImportRow, string | null>();
  const parentKeys = new Map<ImportRow, string>();
  const problem = (row: ImportRow | { index: number; line: number }, field: string | null, message: string) => {
    issues.push({ row: row.index, line: row.line, field, message });
    badRows.add(row.index);
  };

  for (let r = 1; r < records.length; r += 1) {
    const record = records[r];
    const at = { index: r - 1, line: lines[r] };
    if (record.length !== header.length) {
      problem(at, null, `${record.length} ${record.length === 1 ? 'field' : 'fields'}, where the header has ${header.length}.`);
      continue;
    }
    const cell = (name: Column) => {
      const c = column.get(name);
      return c === undefined ? '' : trim(record[c]);
    };
    const row: ImportRow = { index: at.index, line: at.line, name: cell('name'), ip: cell('ip'), room: null, monitored: true, checkPort: null, parentIp: null };
    rows.push(row);
    const key = row.ip === '' ? null : ipKey(row.ip);
    ipKeys.set(row, key);

    if (row.name === '') problem(row, 'name', 'The name is missing.');
    else if (longer(row.name, MAX_NAME)) problem(row, 'name', `The name is longer than ${MAX_NAME} characters.`);

    if (row.ip === '') problem(row, 'ip', 'The IP address is missing.');
    else if (key === null) problem(row, 'ip', `“${row.ip}” is not a valid IPv4 or IPv6 address.`);

    const room = cell('room');
    if (room !== '') {
      if (longer(room, MAX_NAME)) problem(row, 'room', `The room’s name is longer than ${MAX_NAME} characters.`);
      else row.room = room;
    }

    const monitored = cell('monitored').toLowerCase();
    if (monitored !== '') {
      if (TRUTHY.includes(monitored)) row.monitored = true;
      else if (FALSY.includes(monitored)) row.monitored = false;
      else problem(row, 'monitored', `“${cell('monitored')}” is not yes or no (true/false, 1/0 also work).`);
    }

    const port = cell('check_port');
    if (port !== '') {
      const number = /^-?[0-9]+$/.test(port) ? Number(port) : NaN;
      if (!Number.isInteger(number) || number < 1 || number > 65535) {
        problem(row, 'check_port', `“${port}” is not a TCP port (a whole number from 1 to 65535; leave it empty to ping).`);
      } else {
        row.checkPort = number;
      }
    }

    const parent = cell('parent_ip');
    if (parent !== '') {
      const parentKey = ipKey(parent);
      if (parentKey === null) problem(row, 'parent_ip', `“${parent}” is not a valid IPv4 or IPv6 address.`);
      else {
        row.parentIp = parent;
        parentKeys.set(row, parentKey);
      }
    }
  }

  // What only the whole file shows: an address twice or taken, a parent
  // that is nowhere, devices that depend on each other in a circle.
  const stored = new Map<string, Device>();
  for (const d of context.devices) {
    const key = ipKey(d.ip);
    if (key) stored.set(key, d);
  }
  const rowOfIp = new Map<string, ImportRow>();
  for (const row of rows) {
    const key = ipKeys.get(row);
    if (!key) continue;
    const first = rowOfIp.get(key);
    const owner = stored.get(key);
    if (first) problem(row, 'ip', `${row.ip} is also in row ${first.index + 1} (line ${first.line}).`);
    else rowOfIp.set(key, row);
    if (owner) problem(row, 'ip', `${row.ip} is already in use by ${owner.name}.`);
  }
  const parentRow = (row: ImportRow) => {
    const key = parentKeys.get(row);
    return key === undefined ? undefined : rowOfIp.get(key);
  };
  for (const row of rows) {
    const key = parentKeys.get(row);
    if (key !== undefined && !rowOfIp.has(key) && !stored.has(key)) {
      problem(row, 'parent_ip', `No device has the address ${row.parentIp}, in this file or in gatewatch.`);
    }
  }
  const state = new Map<ImportRow, 1 | 2>(); // 1 on the path, 2 done
  for (const start of rows) {
    const path: ImportRow[] = [];
    let at: ImportRow | undefined = start;
    while (at && !state.has(at)) {
      state.set(at, 1);
      path.push(at);
      at = parentRow(at);
    }
    if (at && state.get(at) === 1) {
      for (const member of path.slice(path.indexOf(at))) {
        problem(member, 'parent_ip', 'A device cannot depend on itself or on a device behind it: these rows form a circle.');
      }
    }
    for (const p of path) state.set(p, 2);
  }

  issues.sort((a, b) => (a.row ?? -1) - (b.row ?? -1) || fieldOrder(a.field) - fieldOrder(b.field));

  const existing = new Set(context.rooms.map((r) => r.name));
  const uses = new Map<string, number>();
  for (const row of rows) if (row.room !== null) uses.set(row.room, (uses.get(row.room) ?? 0) + 1);
  const newRooms: RoomUse[] = [];
  const existingRooms: RoomUse[] = [];
  for (const [name, devices] of uses) (existing.has(name) ? existingRooms : newRooms).push({ name, devices });
  return { rows, issues, badRows, newRooms, existingRooms };
}

function fieldOrder(field: string | null): number {
  const i = field === null ? -1 : (COLUMNS as readonly string[]).indexOf(field);
  return i < 0 ? -1 : i;
}

// The server's 422 items, ["body", <row>, <field>], ["body", <row>],
// ["body", "header", <column>] or ["body"], as issues on the preview's rows.
// gatewatch's messages come as pydantic writes them ("Value error, …"); the
// prefix says nothing to a person and is dropped.

const FIELD_OF: Record<string, string> = { room_id: 'room', parent_id: 'parent_ip', check: 'check_port', 'check.port': 'check_port' };

export function serverIssues(items: readonly ValidationItem[], rows: readonly ImportRow[]): ImportIssue[] {
  const lineOf = new Map(rows.map((r) => [r.index, r.line]));
  return items.map((item) => {
    const loc = item.loc ?? [];
    const message = (item.msg ?? 'Invalid value').replace(/^Value error, /, '');
    const sentence = /[.!?]$/.test(message) ? message : `${message}.`;
    const nice = sentence.charAt(0).toUpperCase() + sentence.slice(1);
    if (loc[1] === 'header') {
      return { row: null, line: null, field: loc.length > 2 ? String(loc[2]) : null, header: true, message: nice };
    }
    if (typeof loc[1] === 'number') {
      const row = loc[1];
      const raw = loc.slice(2).join('.');
      return { row, line: lineOf.get(row) ?? null, field: raw === '' ? null : (FIELD_OF[raw] ?? raw), message: nice };
    }
    return { row: null, line: null, field: null, message: nice };
  });
}

// What a created device's check reads as in the preview.
export function checkLabel(port: number | null): string {
  return port === null ? 'Ping' : `TCP ${port}`;
}
