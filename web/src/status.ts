// The live status of every monitored device, kept by IP, and what the
// overview derives from it.
//
// applyStatusMessage is the reducer of /ws/status/ messages: it returns the
// previous map itself when nothing changed, and keeps each unchanged entry's
// identity, so memoized rows re-render only for devices whose status moved.
import type { Device, Status, StatusDetail, StatusMessage } from './types';

export type StatusMap = ReadonlyMap<string, StatusDetail>;
export type DisplayStatus = Status | 'unmonitored';

export const emptyStatus: StatusMap = new Map();

function normalize(value: Status | StatusDetail, previous: StatusDetail | undefined): StatusDetail {
  if (typeof value !== 'string') return value;
  // The plain contract form carries only the status: keep the details we had
  // while it agrees with them.
  if (previous && previous.status === value) return previous;
  return { status: value, rtt_ms: null, loss: null, since: null, last_probe: null };
}

function sameDetail(a: StatusDetail, b: StatusDetail): boolean {
  return (
    a.status === b.status &&
    a.rtt_ms === b.rtt_ms &&
    a.loss === b.loss &&
    a.since === b.since &&
    a.last_probe === b.last_probe &&
    a.device_id === b.device_id
  );
}

export function applyStatusMessage(previous: StatusMap, message: StatusMessage): StatusMap {
  const next = new Map<string, StatusDetail>();
  let changed = false;
  for (const [ip, value] of Object.entries(message)) {
    const old = previous.get(ip);
    const detail = normalize(value, old);
    if (old && sameDetail(old, detail)) {
      next.set(ip, old);
    } else {
      next.set(ip, detail);
      changed = true;
    }
  }
  if (!changed && next.size === previous.size) return previous;
  return next;
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

// A glyph as well as a colour, so that status never rests on colour alone.
export const statusGlyph: Record<DisplayStatus, string> = {
  connected: '✔',
  disconnected: '✖',
  unknown: '?',
  unmonitored: '–',
};
