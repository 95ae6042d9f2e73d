// Maintenance windows in the form and the list: a datetime-local field's
// value (the user's local time, no zone) to RFC 3339 in UTC and back, what
// a window covers, whether it is on now, and which devices a long list
// offers.
import { collator } from './deviceOrder';
import type { Device, MaintenanceWindow, Room } from './types';

// "2026-03-01T14:30" (local) -> "2026-03-01T13:30:00Z" where the zone is
// UTC+1; null when empty or not a time.
export function localInputToUtc(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return null;
  const date = new Date(value); // a date-time without a zone is local time (ECMAScript)
  if (Number.isNaN(date.getTime())) return null;
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

const pad = (n: number) => String(n).padStart(2, '0');

// A time as a datetime-local field's value, in local time, to the minute.
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// A new window's default: from the next quarter hour, for an hour.
export function defaultWindow(nowMs: number): { start: string; end: string } {
  const quarter = 15 * 60_000;
  const start = Math.ceil((nowMs + 1) / quarter) * quarter;
  return { start: toLocalInput(start), end: toLocalInput(start + 3_600_000) };
}

export type WindowState = 'active' | 'upcoming' | 'ended';

export function windowState(window: Pick<MaintenanceWindow, 'start' | 'end'>, nowMs: number): WindowState {
  if (nowMs < Date.parse(window.start)) return 'upcoming';
  if (nowMs < Date.parse(window.end)) return 'active';
  return 'ended';
}

// What a window mutes, in words: its room and its devices, or (neither
// given) every device, as the server reads it.
export function coverage(window: MaintenanceWindow, rooms: readonly Room[], byId: ReadonlyMap<number, Device>): string {
  const parts: string[] = [];
  if (window.room_id !== null) {
    const room = rooms.find((r) => r.id === window.room_id);
    parts.push(`the room ${room ? room.name : `#${window.room_id}`}`);
  }
  if (window.device_ids.length > 0) {
    const names = window.device_ids.map((id) => byId.get(id)?.name ?? `device #${id}`);
    const shown = names.length > 5 ? [...names.slice(0, 5), `${names.length - 5} more`] : names;
    parts.push(shown.join(', '));
  }
  return parts.length ? parts.join('; ') : 'every device';
}

// The devices a multi-select offers: those whose name or IP holds `query`,
// by name, at most `cap` of them, and every selected one whatever the query
// (a selection never disappears from view). `more` counts those left out.
export function pickList(
  devices: readonly Device[],
  query: string,
  selected: ReadonlySet<number>,
  cap = 300,
): { devices: Device[]; more: number } {
  const q = query.trim().toLowerCase();
  const matching = devices.filter((d) => !q || d.name.toLowerCase().includes(q) || d.ip.toLowerCase().includes(q));
  matching.sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.ip, b.ip));
  const shown = matching.slice(0, cap);
  const inView = new Set(shown.map((d) => d.id));
  const kept = devices.filter((d) => selected.has(d.id) && !inView.has(d.id));
  return { devices: [...kept, ...shown], more: matching.length - shown.length };
}
