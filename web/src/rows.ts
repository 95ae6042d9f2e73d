// The overview's list, flattened for the virtual list: a heading row per
// room (devices without a room last, in their own group), then its devices,
// filtered and sorted as the view says.
//
// Rows hold what places a device in the list, not its status: a row's
// status is read from the live table when it is drawn, and each room's "down"
// count is kept beside the rows (Layout.down). So a push re-draws the rows in
// view without rebuilding the list, unless the view filters or sorts by what
// the push changed (overview.ts decides). A rebuild costs no comparisons by
// name or address: the index sorts the devices once per list load (at
// 100,000 devices, sorting by IP with a key built per comparison took 980 ms
// a push; now any rebuild is a filtering pass, plus a numeric sort by RTT).
import type { DisplayStatus, StatusMap } from './status';
import type { Device, Room } from './types';
import type { SortKey, View } from './view';

export type Row =
  | { kind: 'room'; key: string; room: Room | null; devices: number }
  | { kind: 'device'; key: string; device: Device }
  | { kind: 'empty'; key: string; text: string };

export interface Layout {
  rows: Row[];
  // Devices listed as disconnected, by the key of their room's row.
  down: Map<string, number>;
}

const statusOrder: Record<DisplayStatus, number> = { disconnected: 0, unknown: 1, connected: 2, unmonitored: 3 };

// IPv4 in numeric order, then IPv6 in text order.
function ipKey(ip: string): string {
  const parts = ip.split('.');
  if (parts.length === 4) return '4' + parts.map((p) => p.padStart(3, '0')).join('.');
  return '6' + ip;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

type Order = 'name' | 'nameOnly' | 'ip';

// A device with what the filters read, worked out once per list load.
interface Entry {
  readonly device: Device;
  readonly row: Row & { kind: 'device' }; // the same object in every layout
  readonly key: string; // its room row's key
  readonly name: string; // lower case, for the search
  readonly ip: string;
}

// What the list knows about the devices before any status: their groups, by
// IP, and their orders. Built once per load of the rooms and devices.
export interface DeviceIndex {
  readonly rooms: readonly Room[];
  readonly devices: readonly Device[];
  // Rooms by name, then null (devices without a known room).
  readonly groups: readonly (Room | null)[];
  readonly byIp: ReadonlyMap<string, readonly Device[]>;
  readonly unmonitored: number;
  // No two monitored devices share an IP (the server refuses it).
  readonly monitoredDistinct: boolean;
  groupKey(device: Device): string;
  // The devices in the list's order for a sort (stable: ties keep the list's
  // order): by name then IP; by name alone (the tie-break of the status and
  // RTT sorts); by IP.
  order(by: Order): readonly Entry[];
}

export function indexDevices(rooms: readonly Room[], devices: readonly Device[]): DeviceIndex {
  const knownRooms = new Set(rooms.map((r) => r.id));
  const groupKey = (device: Device) => (device.room_id !== null && knownRooms.has(device.room_id) ? `r${device.room_id}` : 'r-none');
  const groups: (Room | null)[] = [...rooms].sort((a, b) => collator.compare(a.name, b.name));
  groups.push(null);
  const byIp = new Map<string, Device[]>();
  const entries: Entry[] = [];
  let unmonitored = 0;
  let monitoredDistinct = true;
  const monitoredIps = new Set<string>();
  for (const device of devices) {
    entries.push({
      device,
      row: { kind: 'device', key: `d${device.id}`, device },
      key: groupKey(device),
      name: device.name.toLowerCase(),
      ip: device.ip.toLowerCase(),
    });
    const same = byIp.get(device.ip);
    if (same) same.push(device);
    else byIp.set(device.ip, [device]);
    if (!device.monitored) unmonitored += 1;
    else if (monitoredIps.has(device.ip)) monitoredDistinct = false;
    else monitoredIps.add(device.ip);
  }
  const orders = new Map<Order, readonly Entry[]>();
  const byName = (a: Entry, b: Entry) => collator.compare(a.device.name, b.device.name);
  return {
    rooms,
    devices,
    groups,
    byIp,
    unmonitored,
    monitoredDistinct,
    groupKey,
    order(by) {
      let sorted = orders.get(by);
      if (!sorted) {
        if (by === 'ip') {
          const keyed = entries.map((e) => ({ e, k: ipKey(e.device.ip) }));
          sorted = keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map((x) => x.e);
        } else if (by === 'name') {
          sorted = [...entries].sort((a, b) => byName(a, b) || collator.compare(a.device.ip, b.device.ip));
        } else {
          sorted = [...entries].sort(byName);
        }
        orders.set(by, sorted);
      }
      return sorted;
    },
  };
}

export function isFiltered(view: View): boolean {
  return view.status !== 'all' || view.room !== 'all' || view.q.trim() !== '';
}

// The filters that do not depend on status: room and search.
export function matchesPlace(index: DeviceIndex, view: View, device: Device): boolean {
  const key = index.groupKey(device);
  if (view.room === 'none' && key !== 'r-none') return false;
  if (typeof view.room === 'number' && key !== `r${view.room}`) return false;
  const needle = view.q.trim().toLowerCase();
  return !needle || device.name.toLowerCase().includes(needle) || device.ip.toLowerCase().includes(needle);
}

const orderFor: Record<SortKey, Order> = { name: 'name', ip: 'ip', status: 'nameOnly', rtt: 'nameOnly' };

interface Group {
  members: Entry[];
  rank: number[]; // the sort's key: status order, or RTT
}

export function layoutRows(index: DeviceIndex, statuses: StatusMap, view: View): Layout {
  const needle = view.q.trim().toLowerCase();
  const onlyKey = view.room === 'all' ? null : view.room === 'none' ? 'r-none' : `r${view.room}`;
  const byGroup = new Map<string, Group>();
  const down = new Map<string, number>();
  for (const entry of index.order(orderFor[view.sort])) {
    const { device, key, name, ip } = entry;
    if (onlyKey !== null && key !== onlyKey) continue;
    if (needle && !name.includes(needle) && !ip.includes(needle)) continue;
    const detail = device.monitored ? statuses.get(device.ip) : undefined;
    const status: DisplayStatus = device.monitored ? (detail?.status ?? 'unknown') : 'unmonitored';
    if (view.status !== 'all' && status !== view.status) continue;
    let group = byGroup.get(key);
    if (!group) byGroup.set(key, (group = { members: [], rank: [] }));
    group.members.push(entry);
    if (view.sort === 'status') group.rank.push(statusOrder[status]);
    else if (view.sort === 'rtt') group.rank.push((device.monitored ? detail : statuses.get(device.ip))?.rtt_ms ?? Number.POSITIVE_INFINITY);
    if (status === 'disconnected') down.set(key, (down.get(key) ?? 0) + 1);
  }

  const filtered = isFiltered(view);
  const rows: Row[] = [];
  for (const room of index.groups) {
    const key = room ? `r${room.id}` : 'r-none';
    const group = byGroup.get(key);
    let members = group?.members ?? [];
    if (members.length === 0 && (filtered || room === null)) continue;
    if (typeof view.room === 'number' && room?.id !== view.room) continue;
    if (group && view.sort === 'status') {
      const buckets: Entry[][] = [[], [], [], []];
      members.forEach((e, i) => buckets[group.rank[i]].push(e));
      members = buckets.flat();
    } else if (group && view.sort === 'rtt') {
      const { rank } = group;
      const at = members.map((_, i) => i).sort((i, j) => rank[i] - rank[j] || i - j);
      members = at.map((i) => group.members[i]);
    }
    rows.push({ kind: 'room', key, room, devices: members.length });
    if (members.length === 0) rows.push({ kind: 'empty', key: `e${room?.id ?? 'none'}`, text: 'No devices in this room yet.' });
    for (const entry of members) rows.push(entry.row);
  }
  return { rows, down };
}

export function buildRows(rooms: readonly Room[], devices: readonly Device[], statuses: StatusMap, view: View): Row[] {
  return layoutRows(indexDevices(rooms, devices), statuses, view).rows;
}
