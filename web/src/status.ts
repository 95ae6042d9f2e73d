// The live status of every monitored device, kept by IP, and what the
// overview derives from it.
//
// applyStatusMessage is the reducer of /ws/status/ messages: a snapshot
// replaces everything, a delta merges `changed` and deletes `removed`, a
// heartbeat ({}) changes nothing. It returns the previous table itself when
// nothing changed, and keeps each unchanged entry's identity, so memoized
// rows re-render only for devices whose status moved. A delta costs time in
// proportion to its size, not to the number of devices (see statusTable.ts).
// applyStatusSteps is the same in steps (slices.ts), which StatusFeed runs
// in slices when a message is too big for one task.
import { runToEnd, type Steps } from './slices';
import { StatusTable, type StatusChange, type StatusMap } from './statusTable';
import type { Device, Status, StatusDelta, StatusDetail, StatusMessage, StatusSnapshot, StatusUpdate } from './types';

export type { StatusMap } from './statusTable';
export type DisplayStatus = Status | 'unmonitored';

export const emptyStatus: StatusTable = StatusTable.empty;

function normalize(value: Status | StatusDetail, previous: StatusDetail | undefined): StatusDetail {
  if (typeof value !== 'string') return value;
  // The plain contract form carries only the status: keep the details we had
  // while it agrees with them.
  if (previous && previous.status === value) return previous;
  return { status: value, rtt_ms: null, loss: null, since: null, last_probe: null };
}

function readable(value: unknown): value is Status | StatusDetail {
  return typeof value === 'string' || (typeof value === 'object' && value !== null && typeof (value as StatusDetail).status === 'string');
}

function sameDetail(a: StatusDetail, b: StatusDetail): boolean {
  return (
    a.status === b.status &&
    a.rtt_ms === b.rtt_ms &&
    a.loss === b.loss &&
    a.since === b.since &&
    a.last_probe === b.last_probe &&
    a.device_id === b.device_id &&
    (a.unreachable_via ?? null) === (b.unreachable_via ?? null)
  );
}

export function isSnapshot(message: object): message is StatusSnapshot {
  return Object.hasOwn(message, 'snapshot');
}

export function isHeartbeat(message: object): boolean {
  for (const key in message) if (Object.hasOwn(message, key)) return false;
  return true;
}

export function isDelta(message: object): message is StatusDelta {
  return Object.hasOwn(message, 'changed') || Object.hasOwn(message, 'removed');
}

// Entries between two yields of the steps below.
const STEP = 4096;

// Everything the server monitors is in `state`: unchanged entries keep their
// identity, the rest are replaced, IPs not in `state` are dropped.
function* replaceAll(previous: StatusTable, state: StatusMessage): Steps<StatusTable> {
  const changes: StatusChange[] = [];
  const ips: string[] = [];
  const details: StatusDetail[] = [];
  let kept = 0;
  // Object.keys, not for...in: a loop that yields cannot hold an enumeration
  // open, and the keys are the same (a parsed message has no inherited ones).
  const keys = Object.keys(state);
  yield;
  for (let i = 0; i < keys.length; i += 1) {
    const ip = keys[i];
    const value = state[ip];
    if (i % STEP === STEP - 1) yield;
    if (!readable(value)) continue;
    const before = previous.get(ip);
    let after = normalize(value, before);
    if (before) {
      kept += 1;
      if (sameDetail(before, after)) after = before;
    }
    if (after !== before) changes.push({ ip, before, after });
    ips.push(ip);
    details.push(after);
  }
  if (kept < previous.size) {
    let i = 0;
    for (const [ip, before] of previous.entries()) {
      if (!Object.hasOwn(state, ip) || !readable(state[ip])) changes.push({ ip, before, after: undefined });
      if (++i % STEP === 0) yield;
    }
  }
  return yield* StatusTable.replaceSteps(previous, ips, details, changes);
}

function* merge(previous: StatusTable, changed: StatusMessage, removed: readonly string[]): Steps<StatusTable> {
  const changes: StatusChange[] = [];
  const pending = new Map<string, StatusDetail | undefined>();
  const current = (ip: string) => (pending.has(ip) ? pending.get(ip) : previous.get(ip));
  let i = 0;
  for (const ip of removed) {
    if (++i % STEP === 0) yield;
    const before = current(ip);
    if (!before) continue;
    changes.push({ ip, before, after: undefined });
    pending.set(ip, undefined);
  }
  const keys = Object.keys(changed);
  yield;
  for (const ip of keys) {
    if (++i % STEP === 0) yield;
    const value = changed[ip];
    if (!readable(value)) continue;
    const before = current(ip);
    const after = normalize(value, before);
    if (before && sameDetail(before, after)) continue;
    changes.push({ ip, before, after });
    pending.set(ip, after);
  }
  return yield* StatusTable.deriveSteps(previous, changes);
}

// `message` is a message of the delta protocol, or (as the plain socket
// sends) the whole {"<ip>": status} object, which counts as a snapshot. An
// empty object is a heartbeat: the plain socket's "nothing is monitored"
// must come wrapped as {"snapshot": {}}, as LiveStatus does.
export function applyStatusMessage(previous: StatusTable, message: StatusUpdate | StatusMessage): StatusTable {
  return runToEnd(applyStatusSteps(previous, message));
}

// The same in steps (slices.ts), for a snapshot of 100,000 devices: applied
// in one go it took ~85 ms in Chromium, garbage collection aside.
export function applyStatusSteps(previous: StatusTable, message: StatusUpdate | StatusMessage): Steps<StatusTable> {
  if (isSnapshot(message)) return replaceAll(previous, message.snapshot);
  if (isDelta(message)) return merge(previous, message.changed ?? {}, message.removed ?? []);
  if (isHeartbeat(message)) return unchanged(previous);
  return replaceAll(previous, message as StatusMessage);
}

// A heartbeat: the same table, in no steps.
function* unchanged(previous: StatusTable): Steps<StatusTable> {
  return previous;
}

export function displayStatus(device: Device, statuses: StatusMap): DisplayStatus {
  if (!device.monitored) return 'unmonitored';
  return statuses.get(device.ip)?.status ?? 'unknown';
}

export interface StatusCounts {
  connected: number;
  disconnected: number;
  unknown: number;
  unmonitored: number;
}

export function countStatuses(devices: readonly Device[], statuses: StatusMap): StatusCounts {
  const counts: StatusCounts = { connected: 0, disconnected: 0, unknown: 0, unmonitored: 0 };
  for (const device of devices) counts[displayStatus(device, statuses)] += 1;
  return counts;
}

// True when the server monitors a device set other than the one we listed:
// another operator added, removed or re-addressed a device, so reload the list.
export function listIsStale(devices: readonly Device[], statuses: StatusMap): boolean {
  let monitored = 0;
  for (const device of devices) {
    if (!device.monitored) continue;
    monitored += 1;
    if (!statuses.has(device.ip)) return true;
  }
  return monitored !== statuses.size;
}

export const statusLabel: Record<DisplayStatus, string> = {
  connected: 'Connected',
  disconnected: 'Disconnected',
  unknown: 'Unknown',
  unmonitored: 'Not monitored',
};

// A device disconnected behind a disconnected ancestor (spec: "Dependencies").
export const unreachableGlyph = '⊘';

// A glyph as well as a colour, so that status never rests on colour alone.
export const statusGlyph: Record<DisplayStatus, string> = {
  connected: '✔',
  disconnected: '✖',
  unknown: '?',
  unmonitored: '–',
};
