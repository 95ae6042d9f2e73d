// The overview's list, flattened for the virtual list: a heading row per
// room (devices without a room last, in their own group), then its devices,
// filtered and sorted as the view says.
import { displayStatus, type DisplayStatus, type StatusMap } from './status';
import type { Device, Room, StatusDetail } from './types';
import type { SortKey, View } from './view';

export type Row =
  | { kind: 'room'; key: string; room: Room | null; devices: number; down: number }
  | { kind: 'device'; key: string; device: Device; detail: StatusDetail | undefined; status: DisplayStatus }
  | { kind: 'empty'; key: string; text: string };

const statusOrder: Record<DisplayStatus, number> = { disconnected: 0, unknown: 1, connected: 2, unmonitored: 3 };

// IPv4 in numeric order, then IPv6 in text order.
function ipKey(ip: string): string {
  const parts = ip.split('.');
  if (parts.length === 4) return '4' + parts.map((p) => p.padStart(3, '0')).join('.');
  return '6' + ip;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compare(sort: SortKey, a: Row & { kind: 'device' }, b: Row & { kind: 'device' }): number {
  switch (sort) {
    case 'ip':
      return ipKey(a.device.ip) < ipKey(b.device.ip) ? -1 : ipKey(a.device.ip) > ipKey(b.device.ip) ? 1 : 0;
    case 'status':
      return statusOrder[a.status] - statusOrder[b.status] || collator.compare(a.device.name, b.device.name);
    case 'rtt': {
      const ra = a.detail?.rtt_ms ?? Number.POSITIVE_INFINITY;
      const rb = b.detail?.rtt_ms ?? Number.POSITIVE_INFINITY;
      return ra - rb || collator.compare(a.device.name, b.device.name);
    }
    default:
      return collator.compare(a.device.name, b.device.name) || collator.compare(a.device.ip, b.device.ip);
  }
}

export function isFiltered(view: View): boolean {
  return view.status !== 'all' || view.room !== 'all' || view.q.trim() !== '';
}

export function buildRows(rooms: readonly Room[], devices: readonly Device[], statuses: StatusMap, view: View): Row[] {
  const needle = view.q.trim().toLowerCase();
  const byRoom = new Map<number | null, (Row & { kind: 'device' })[]>();
  const knownRooms = new Set(rooms.map((r) => r.id));
  for (const device of devices) {
    const roomId = device.room_id !== null && knownRooms.has(device.room_id) ? device.room_id : null;
    if (view.room === 'none' && roomId !== null) continue;
    if (typeof view.room === 'number' && roomId !== view.room) continue;
    const status = displayStatus(device, statuses);
    if (view.status !== 'all' && status !== view.status) continue;
    if (needle && !device.name.toLowerCase().includes(needle) && !device.ip.toLowerCase().includes(needle)) continue;
    const row = { kind: 'device' as const, key: `d${device.id}`, device, detail: statuses.get(device.ip), status };
    const group = byRoom.get(roomId);
    if (group) group.push(row);
    else byRoom.set(roomId, [row]);
  }

  const filtered = isFiltered(view);
  const groups: (Room | null)[] = [...rooms].sort((a, b) => collator.compare(a.name, b.name));
  groups.push(null);
  const rows: Row[] = [];
  for (const room of groups) {
    const members = byRoom.get(room ? room.id : null) ?? [];
    if (members.length === 0 && (filtered || room === null)) continue;
    if (typeof view.room === 'number' && room?.id !== view.room) continue;
    members.sort((a, b) => compare(view.sort, a, b));
    rows.push({
      kind: 'room',
      key: room ? `r${room.id}` : 'r-none',
      room,
      devices: members.length,
      down: members.filter((m) => m.status === 'disconnected').length,
    });
    if (members.length === 0) rows.push({ kind: 'empty', key: `e${room?.id ?? 'none'}`, text: 'No devices in this room yet.' });
    rows.push(...members);
  }
  return rows;
}
