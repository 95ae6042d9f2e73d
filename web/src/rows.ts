// The overview's list, flattened for the virtual list: a heading row per
// room (devices without a room last, in their own group), then its devices,
// filtered and sorted as the view says.
//
// Rows hold what places a device in the list, not its status: a row's
// status is read from the live table when it is drawn, and each room's "down"
// count is kept beside the rows (Layout.down). So a push re-draws the rows in
// view without touching the list, unless the view filters or sorts by what
// the push changed: then moveRows moves just those rows (a status change
// under a status filter or sort), or, for an RTT change under the RTT sort,
// the list is built again. Neither compares names or addresses: the index
// sorts the devices once per list load (at 100,000 devices, sorting by IP
// with a key built per comparison took 980 ms a push). In Chromium at
// 100,000 devices sorted by status, building the list again on each push
// that moved a status was most of the page's script time (layoutRows and its
// lookups, ~2 s over 51 s of flips), hence moveRows.
import type { DisplayStatus, StatusMap } from './status';
import type { StatusChange } from './statusTable';
import type { Device, Room, Status, StatusDetail } from './types';
import { collator, deviceOrdersSteps } from './deviceOrder';
import { runToEnd, type Steps } from './slices';
import type { SortKey, View } from './view';

export type Row =
  | { kind: 'room'; key: string; room: Room | null; devices: number }
  | { kind: 'device'; key: string; device: Device }
  | { kind: 'empty'; key: string; text: string };

const statusOrder: Record<DisplayStatus, number> = { disconnected: 0, unknown: 1, connected: 2, unmonitored: 3 };

type Order = 'name' | 'nameOnly' | 'ip';

// A device with what the filters read, worked out once per list load.
export interface Entry {
  readonly device: Device;
  readonly row: Row & { kind: 'device' }; // the same object in every layout
  readonly key: string; // its room row's key
  readonly name: string; // lower case, for the search
  readonly ip: string;
  // Its position in each order.
  readonly rank: Record<Order, number>;
}

// What the list knows about the devices before any status: their groups, by
// IP, and their orders (deviceOrder.ts). Built once per load of the rooms
// and devices, in steps (indexDevicesSteps): at 100,000 devices, building
// it and sorting by name took ~200 ms in one task in Chromium. All three
// orders are sorted then, so that changing the sort later costs none.
export interface DeviceIndex {
  readonly rooms: readonly Room[];
  readonly devices: readonly Device[];
  // Rooms by name, then null (devices without a known room).
  readonly groups: readonly (Room | null)[];
  readonly byIp: ReadonlyMap<string, readonly Entry[]>;
  readonly unmonitored: number;
  // No two monitored devices share an IP (the server refuses it).
  readonly monitoredDistinct: boolean;
  groupKey(device: Device): string;
  // The devices in the list's order for a sort (stable: ties keep the list's
  // order): by name then IP; by name alone (the tie-break of the status and
  // RTT sorts); by IP.
  order(by: Order): readonly Entry[];
}

// Items between two yields of indexDevicesSteps.
const STEP = 4096;

export function indexDevices(rooms: readonly Room[], devices: readonly Device[]): DeviceIndex {
  return runToEnd(indexDevicesSteps(rooms, devices));
}

export function* indexDevicesSteps(rooms: readonly Room[], devices: readonly Device[]): Steps<DeviceIndex> {
  const knownRooms = new Set(rooms.map((r) => r.id));
  const groupKey = (device: Device) => (device.room_id !== null && knownRooms.has(device.room_id) ? `r${device.room_id}` : 'r-none');
  const groups: (Room | null)[] = [...rooms].sort((a, b) => collator.compare(a.name, b.name));
  groups.push(null);
  const byIp = new Map<string, Entry[]>();
  const entries: Entry[] = [];
  let unmonitored = 0;
  let monitoredDistinct = true;
  const monitoredIps = new Set<string>();
  for (const device of devices) {
    const entry: Entry = {
      device,
      row: { kind: 'device', key: `d${device.id}`, device },
      key: groupKey(device),
      name: device.name.toLowerCase(),
      ip: device.ip.toLowerCase(),
      rank: { name: 0, nameOnly: 0, ip: 0 },
    };
    entries.push(entry);
    const same = byIp.get(device.ip);
    if (same) same.push(entry);
    else byIp.set(device.ip, [entry]);
    if (!device.monitored) unmonitored += 1;
    else if (monitoredIps.has(device.ip)) monitoredDistinct = false;
    else monitoredIps.add(device.ip);
    if (entries.length % STEP === 0) yield;
  }
  const orders = yield* deviceOrdersSteps(entries);
  for (const by of ['name', 'nameOnly', 'ip'] as const) {
    const sorted = orders[by];
    for (let i = 0; i < sorted.length; i += 1) {
      sorted[i].rank[by] = i;
      if (i % STEP === STEP - 1) yield;
    }
  }
  return {
    rooms,
    devices,
    groups,
    byIp,
    unmonitored,
    monitoredDistinct,
    groupKey,
    order: (by) => orders[by],
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

// A group's listed devices, in order of `keys`: the status order (when the
// view sorts by status) times RANK_SPAN plus the rank in the index's order,
// or (sorted by RTT) the position.
interface Group {
  keys: number[];
  entries: Entry[];
}
const RANK_SPAN = 2 ** 22;

export interface Layout {
  rows: Row[];
  // Devices listed as disconnected, by the key of their room's row.
  down: Map<string, number>;
  // What the rows were made from, for moveRows (which changes it in place).
  groups: Map<string, Group>;
  roomRows: Map<string, Row & { kind: 'room' }>;
}

const statusOf = (detail: StatusDetail | undefined): Status => detail?.status ?? 'unknown';

export function layoutRows(index: DeviceIndex, statuses: StatusMap, view: View): Layout {
  return runToEnd(layoutRowsSteps(index, statuses, view));
}

// The same in steps (slices.ts): at 100,000 devices a layout took 35 to 85 ms
// in Chromium, with the status lookups.
export function* layoutRowsSteps(index: DeviceIndex, statuses: StatusMap, view: View): Steps<Layout> {
  const needle = view.q.trim().toLowerCase();
  const onlyKey = view.room === 'all' ? null : view.room === 'none' ? 'r-none' : `r${view.room}`;
  const by = orderFor[view.sort];
  const groups = new Map<string, Group>();
  const down = new Map<string, number>();
  const ordered = index.order(by);
  for (let i = 0; i < ordered.length; i += 1) {
    if (i % STEP === STEP - 1) yield;
    const entry = ordered[i];
    const { device, key, name, ip } = entry;
    if (onlyKey !== null && key !== onlyKey) continue;
    if (needle && !name.includes(needle) && !ip.includes(needle)) continue;
    const detail = device.monitored ? statuses.get(device.ip) : undefined;
    const status: DisplayStatus = device.monitored ? statusOf(detail) : 'unmonitored';
    if (view.status !== 'all' && status !== view.status) continue;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { keys: [], entries: [] }));
    group.entries.push(entry);
    if (view.sort === 'status') group.keys.push(statusOrder[status] * RANK_SPAN + entry.rank[by]);
    else if (view.sort === 'rtt') group.keys.push((device.monitored ? detail : statuses.get(device.ip))?.rtt_ms ?? Number.POSITIVE_INFINITY);
    else group.keys.push(entry.rank[by]);
    if (status === 'disconnected') down.set(key, (down.get(key) ?? 0) + 1);
  }
  // Entries went in by rank: sort by status or RTT, keeping rank order within.
  if (view.sort === 'status' || view.sort === 'rtt') {
    for (const group of groups.values()) {
      const { keys, entries } = group;
      const at = keys.map((_, i) => i).sort((i, j) => keys[i] - keys[j] || i - j);
      group.entries = at.map((i) => entries[i]);
      group.keys = view.sort === 'status' ? at.map((i) => keys[i]) : at;
      yield;
    }
  }
  return flatten(index, view, { rows: [], down, groups, roomRows: new Map() });
}

// The rows of `layout.groups`, reusing the room rows whose count held.
function flatten(index: DeviceIndex, view: View, layout: Layout): Layout {
  const filtered = isFiltered(view);
  const rows: Row[] = [];
  const roomRows = new Map<string, Row & { kind: 'room' }>();
  for (const room of index.groups) {
    const key = room ? `r${room.id}` : 'r-none';
    const entries = layout.groups.get(key)?.entries ?? [];
    if (entries.length === 0 && (filtered || room === null)) continue;
    if (typeof view.room === 'number' && room?.id !== view.room) continue;
    let roomRow = layout.roomRows.get(key);
    if (roomRow?.devices !== entries.length) roomRow = { kind: 'room', key, room, devices: entries.length };
    roomRows.set(key, roomRow);
    rows.push(roomRow);
    if (entries.length === 0) rows.push({ kind: 'empty', key: `e${room?.id ?? 'none'}`, text: 'No devices in this room yet.' });
    for (const entry of entries) rows.push(entry.row);
  }
  return { ...layout, rows, roomRows };
}

// Where `key` goes in ascending `keys`.
function search(keys: readonly number[], key: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// `layout` (made for `view` from the table these changes start from) after
// `changes`, moving only the rows whose status changed, in time proportional
// to the changes (plus a pass that copies the rows out, when any moved); null
// when that cannot be done (sorted by RTT, a listed device's RTT or place in
// the list moved): then build it again. Changes `layout.groups` in place.
export function moveRows(index: DeviceIndex, view: View, layout: Layout, changes: readonly StatusChange[]): Layout | null {
  // A move shifts half a room's rows on average: past ~100 moves a room,
  // building the list again is cheaper (a snapshot at 100,000 devices in 50
  // rooms took 450 ms of moves, against ~50 ms for a rebuild).
  if (view.status !== 'all' || view.sort === 'status') {
    let moves = 0;
    for (const { before, after } of changes) if (statusOf(before) !== statusOf(after)) moves += 1;
    if (moves > 100 * index.groups.length) return null;
  }
  const by = orderFor[view.sort];
  let down = layout.down;
  let moved = false;
  for (const { ip, before, after } of changes) {
    const listed = index.byIp.get(ip);
    if (!listed) continue;
    const s0 = statusOf(before);
    const s1 = statusOf(after);
    if (view.sort === 'rtt' && (before?.rtt_ms ?? null) !== (after?.rtt_ms ?? null)) return null;
    if (s0 === s1) continue;
    for (const entry of listed) {
      if (!entry.device.monitored || !matchesPlace(index, view, entry.device)) continue;
      const was = view.status === 'all' || s0 === view.status;
      const is = view.status === 'all' || s1 === view.status;
      const step = (is && s1 === 'disconnected' ? 1 : 0) - (was && s0 === 'disconnected' ? 1 : 0);
      if (step !== 0) {
        if (down === layout.down) down = new Map(down);
        down.set(entry.key, (down.get(entry.key) ?? 0) + step);
      }
      const bucketed = view.sort === 'status';
      if ((was === is && !bucketed) || (!was && !is)) continue;
      if (view.sort === 'rtt') return null;
      const rank = entry.rank[by];
      const k0 = (bucketed ? statusOrder[s0] * RANK_SPAN : 0) + rank;
      const k1 = (bucketed ? statusOrder[s1] * RANK_SPAN : 0) + rank;
      let group = layout.groups.get(entry.key);
      if (!group) layout.groups.set(entry.key, (group = { keys: [], entries: [] }));
      if (was) {
        const at = search(group.keys, k0);
        if (group.entries[at] !== entry) return null; // not where it should be: rebuild
        group.keys.splice(at, 1);
        group.entries.splice(at, 1);
      }
      if (is) {
        const at = search(group.keys, k1);
        group.keys.splice(at, 0, k1);
        group.entries.splice(at, 0, entry);
      }
      moved = true;
    }
  }
  const next = { ...layout, down };
  return moved ? flatten(index, view, next) : next;
}

export function buildRows(rooms: readonly Room[], devices: readonly Device[], statuses: StatusMap, view: View): Row[] {
  return layoutRows(indexDevices(rooms, devices), statuses, view).rows;
}
