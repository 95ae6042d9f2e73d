import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from './backoff';
import { LiveStatus } from './live';
import { OverviewModel } from './overview';
import { indexDevices, type DeviceIndex } from './rows';
import { runToEnd } from './slices';
import { applyStatusMessage, countStatuses, displayStatus, emptyStatus, listIsStale, type DisplayStatus, type StatusMap } from './status';
import type { StatusTable } from './statusTable';
import type { Device, Room, Status, StatusDetail } from './types';
import { defaultView, type View } from './view';

// The overview as it was computed before deltas, from scratch on every push:
// the reference the incremental one must always agree with.
function referenceRows(rooms: Room[], devices: Device[], statuses: StatusMap, view: View) {
  const statusOrder: Record<DisplayStatus, number> = { disconnected: 0, unknown: 1, connected: 2, unmonitored: 3 };
  const ipKey = (ip: string) => {
    const parts = ip.split('.');
    return parts.length === 4 ? '4' + parts.map((p) => p.padStart(3, '0')).join('.') : '6' + ip;
  };
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  type D = { device: Device; status: DisplayStatus; detail: StatusDetail | undefined };
  const compare = (a: D, b: D) => {
    switch (view.sort) {
      case 'ip':
        return ipKey(a.device.ip) < ipKey(b.device.ip) ? -1 : ipKey(a.device.ip) > ipKey(b.device.ip) ? 1 : 0;
      case 'status':
        return statusOrder[a.status] - statusOrder[b.status] || collator.compare(a.device.name, b.device.name);
      case 'rtt':
        return (a.detail?.rtt_ms ?? Infinity) - (b.detail?.rtt_ms ?? Infinity) || collator.compare(a.device.name, b.device.name);
      default:
        return collator.compare(a.device.name, b.device.name) || collator.compare(a.device.ip, b.device.ip);
    }
  };
  const needle = view.q.trim().toLowerCase();
  const known = new Set(rooms.map((r) => r.id));
  const byRoom = new Map<number | null, D[]>();
  for (const device of devices) {
    const roomId = device.room_id !== null && known.has(device.room_id) ? device.room_id : null;
    if (view.room === 'none' && roomId !== null) continue;
    if (typeof view.room === 'number' && roomId !== view.room) continue;
    const status = displayStatus(device, statuses);
    if (view.status !== 'all' && status !== view.status) continue;
    if (needle && !device.name.toLowerCase().includes(needle) && !device.ip.toLowerCase().includes(needle)) continue;
    byRoom.set(roomId, [...(byRoom.get(roomId) ?? []), { device, status, detail: statuses.get(device.ip) }]);
  }
  const filtered = view.status !== 'all' || view.room !== 'all' || needle !== '';
  const out: string[] = [];
  for (const room of [...[...rooms].sort((a, b) => collator.compare(a.name, b.name)), null]) {
    const members = byRoom.get(room ? room.id : null) ?? [];
    if (members.length === 0 && (filtered || room === null)) continue;
    if (typeof view.room === 'number' && room?.id !== view.room) continue;
    members.sort(compare);
    const down = members.filter((m) => m.status === 'disconnected').length;
    out.push(`${room ? `r${room.id}` : 'r-none'}:${members.length}:${down}`);
    if (members.length === 0) out.push(`e${room?.id ?? 'none'}`);
    for (const m of members) out.push(`d${m.device.id}`);
  }
  return out;
}

function shown(model: OverviewModel, index: DeviceIndex, table: StatusTable, view: View) {
  const o = model.update(index, table, view);
  return o.rows.map((r) => (r.kind === 'room' ? `${r.key}:${r.devices}:${o.down.get(r.key) ?? 0}` : r.key));
}

const rooms: Room[] = [
  { id: 1, name: 'Lab', description: null },
  { id: 2, name: 'attic', description: null },
  { id: 3, name: 'Empty', description: null },
];

// A seeded generator, so a failure can be replayed.
function random(seed: number) {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

// Random snapshots, deltas, removals, heartbeats, list and view changes,
// each step's inputs handed to `check`.
function randomRun(seed: number, steps: number, check: (index: DeviceIndex, devices: Device[], table: StatusTable, view: View, context: string) => void) {
  const rnd = random(seed);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const ips = Array.from({ length: 40 }, (_, i) => (i % 9 === 8 ? `2001:db8::${i}` : `10.0.${i % 3}.${i}`));
  const makeDevices = () =>
    ips.slice(0, 30 + Math.floor(rnd() * 10)).map((ip, i) => ({
      id: i + 1,
      name: pick(['core', 'ap', 'Printer', 'nas', 'ap 2', 'ap 10']),
      ip,
      room_id: pick([1, 2, 3, null, 99]),
      monitored: rnd() > 0.15,
      check: { type: 'icmp' as const },
      parent_id: null,
      locations: null,
      quorum: 1,
    }));
  const detail = (): StatusDetail => ({
    status: pick<Status>(['connected', 'disconnected', 'unknown']),
    rtt_ms: pick([null, 0.5, 1, 2]),
    loss: pick([0, 1]),
    since: null,
    last_probe: null,
  });
  const views: View[] = [
    defaultView,
    { ...defaultView, sort: 'ip' },
    { ...defaultView, sort: 'status' },
    { ...defaultView, sort: 'rtt' },
    { ...defaultView, status: 'disconnected' },
    { ...defaultView, status: 'unknown', sort: 'rtt' },
    { ...defaultView, room: 1 },
    { ...defaultView, room: 'none', q: 'ap' },
    { ...defaultView, q: '10.0.1' },
  ];
  let devices: Device[] = makeDevices();
  let index = indexDevices(rooms, devices);
  let view = defaultView;
  let table = emptyStatus;
  for (let step = 0; step < steps; step += 1) {
    const r = rnd();
    if (r < 0.03) index = indexDevices(rooms, (devices = makeDevices()));
    else if (r < 0.08) view = { ...pick(views) };
    else if (r < 0.1) table = applyStatusMessage(table, { snapshot: Object.fromEntries(ips.filter(() => rnd() > 0.2).map((ip) => [ip, detail()])) });
    else if (r < 0.12) table = applyStatusMessage(table, {});
    else {
      const changed = Object.fromEntries(ips.filter(() => rnd() < 0.1).map((ip) => [ip, detail()]));
      table = applyStatusMessage(table, { changed, removed: ips.filter(() => rnd() < 0.03) });
    }
    check(index, devices, table, view, `step ${step}, view ${JSON.stringify(view)}`);
  }
}

describe('OverviewModel agrees with a recomputation from scratch', () => {
  it('through random snapshots, deltas, removals, heartbeats, list and view changes', () => {
    const model = new OverviewModel();
    randomRun(42, 3000, (index, devices, table, view, context) => {
      const o = model.update(index, table, view);
      expect(o.behind).toBe(false);
      expect(shown(model, index, table, view), context).toEqual(referenceRows(rooms, devices, table, view));
      expect(o.counts, context).toEqual(countStatuses(devices, table));
      expect(o.stale, context).toBe(table.size > 0 && listIsStale(devices, table));
      // Same inputs, same answer (as a second render under StrictMode asks).
      expect(model.update(index, table, view)).toBe(o);
    });
  });

  it('for a long list: behind on what needs a layout from scratch, showing the last rows, until caught up in steps', () => {
    const model = new OverviewModel(0); // every list is long
    let rows: readonly unknown[] = [];
    let index0: DeviceIndex | null = null;
    let behindSeen = 0;
    randomRun(43, 1500, (index, devices, table, view, context) => {
      let o = model.update(index, table, view);
      expect(o.counts, context).toEqual(countStatuses(devices, table));
      expect(o.stale, context).toBe(table.size > 0 && listIsStale(devices, table));
      if (o.behind) {
        behindSeen += 1;
        expect(o.rows, context).toBe(index === index0 ? rows : o.rows.length === 0 ? o.rows : null);
        expect(runToEnd(model.catchUpSteps())).toBe(true);
        expect(runToEnd(model.catchUpSteps())).toBe(false); // nothing left
        o = model.update(index, table, view);
        expect(o.behind).toBe(false);
      }
      expect(shown(model, index, table, view), context).toEqual(referenceRows(rooms, devices, table, view));
      rows = o.rows;
      index0 = index;
    });
    expect(behindSeen).toBeGreaterThan(50);
  });

  it('for a long list: a table that follows the one being laid out moves on from it', () => {
    const model = new OverviewModel(0);
    const devices: Device[] = Array.from({ length: 30 }, (_, i) => ({ id: i + 1, name: `d${i}`, ip: `10.0.0.${i}`, room_id: 1, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 }));
    const index = indexDevices(rooms, devices);
    const view = { ...defaultView, sort: 'status' as const };
    const t1 = applyStatusMessage(emptyStatus, { snapshot: Object.fromEntries(devices.map((d) => [d.ip, 'connected' as const])) });
    expect(model.update(index, t1, view).behind).toBe(true);
    const build = model.catchUpSteps();
    build.next(); // under way when the next push comes
    const t2 = applyStatusMessage(t1, { changed: { '10.0.0.5': 'disconnected' } });
    expect(model.update(index, t2, view).behind).toBe(true);
    expect(runToEnd(build)).toBe(true);
    const rebuilt = model.rebuilds;
    const o = model.update(index, t2, view); // moved from t1's layout, no second build
    expect(o.behind).toBe(false);
    expect(model.rebuilds).toBe(rebuilt);
    expect(runToEnd(model.catchUpSteps())).toBe(false);
    expect(shown(model, index, t2, view)).toEqual(referenceRows(rooms, devices, t2, view));
  });
});

// A stand-in for the browser's WebSocket that the test opens and feeds.
class FakeSocket {
  static made: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  closedWith: number | null = null;
  constructor() {
    FakeSocket.made.push(this);
  }
  close(code: number) {
    this.closedWith = code;
  }
  send(message: object) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

describe('the live overview over a fake socket', () => {
  beforeEach(() => {
    FakeSocket.made = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  const up = (rtt: number) => ({ status: 'connected', rtt_ms: rtt, loss: 0, since: 's1', last_probe: null });
  const down = { status: 'disconnected', rtt_ms: null, loss: 1, since: 's2', last_probe: null };
  const devices: Device[] = [
    { id: 1, name: 'router', ip: '10.0.0.1', room_id: 1, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 },
    { id: 2, name: 'ap', ip: '10.0.0.2', room_id: 1, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 },
    { id: 3, name: 'nas', ip: '10.0.0.3', room_id: 2, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 },
    { id: 4, name: 'spare', ip: '10.0.0.4', room_id: null, monitored: false, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 },
  ];

  it('snapshot, delta, removal, heartbeat, a new snapshot after reconnecting: counts follow, unchanged rows keep their identity', () => {
    let table = emptyStatus;
    const live = new LiveStatus({
      url: 'ws://gw/ws/status/?detail=true&delta=true&token=t',
      onMessage: (m) => {
        table = applyStatusMessage(table, m);
      },
      onState: () => undefined,
      onAuthLost: () => undefined,
      checkAuth: () => undefined,
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      backoff: new Backoff(1000, 8000, () => 0.999999),
      silenceLimit: 15_000,
    });
    const model = new OverviewModel();
    const index = indexDevices(rooms, devices);
    const view = (v: View = defaultView) => model.update(index, table, v);
    live.start();
    FakeSocket.made[0].onopen?.();

    FakeSocket.made[0].send({ snapshot: { '10.0.0.1': up(1), '10.0.0.2': up(2), '10.0.0.3': up(3) } });
    const first = view();
    expect(first.counts).toEqual({ connected: 3, disconnected: 0, unknown: 0, unmonitored: 1 });
    expect(first.stale).toBe(false);
    const builds = model.rebuilds;
    const router = table.get('10.0.0.1');

    FakeSocket.made[0].send({ changed: { '10.0.0.2': down }, removed: [] });
    const second = view();
    expect(second.counts).toEqual({ connected: 2, disconnected: 1, unknown: 0, unmonitored: 1 });
    expect(second.down.get('r1')).toBe(1);
    expect(second.rows).toBe(first.rows); // sorted by name: nothing moved, nothing rebuilt
    expect(model.rebuilds).toBe(builds);
    expect(table.get('10.0.0.1')).toBe(router);

    FakeSocket.made[0].send({ changed: {}, removed: ['10.0.0.3'] });
    const third = view();
    expect(third.counts).toEqual({ connected: 1, disconnected: 1, unknown: 1, unmonitored: 1 });
    expect(third.stale).toBe(true); // nas is listed but no longer monitored: reload the list

    const beforeHeartbeat = table;
    FakeSocket.made[0].send({});
    expect(table).toBe(beforeHeartbeat);
    expect(view()).toBe(third);

    // The socket drops; the new one starts with a snapshot.
    FakeSocket.made[0].onclose?.({ code: 1006 });
    vi.advanceTimersByTime(1000);
    FakeSocket.made[1].onopen?.();
    FakeSocket.made[1].send({ snapshot: { '10.0.0.1': up(1), '10.0.0.2': up(2), '10.0.0.3': down } });
    const fourth = view();
    expect(fourth.counts).toEqual({ connected: 2, disconnected: 1, unknown: 0, unmonitored: 1 });
    expect(fourth.stale).toBe(false);
    expect(fourth.down.get('r2')).toBe(1);
    expect(table.get('10.0.0.1')).toBe(router);

    // Under a status sort the same kind of delta moves the changed row, without a rebuild.
    const sorted = view({ ...defaultView, sort: 'status' });
    const rebuilt = model.rebuilds;
    FakeSocket.made[1].send({ changed: { '10.0.0.1': down }, removed: [] });
    const moved = view({ ...defaultView, sort: 'status' });
    expect(model.rebuilds).toBe(rebuilt);
    expect(moved.rows).not.toBe(sorted.rows);
    expect(moved.rows.find((r) => r.key === 'd2')).toBe(sorted.rows.find((r) => r.key === 'd2'));
    // Under the RTT sort, an RTT change rebuilds them.
    const byRtt = view({ ...defaultView, sort: 'rtt' });
    FakeSocket.made[1].send({ changed: { '10.0.0.2': up(0.5) }, removed: [] });
    expect(view({ ...defaultView, sort: 'rtt' }).rows).not.toBe(byRtt.rows);
    expect(model.rebuilds).toBe(rebuilt + 2);
    const keys = (rows: readonly { key: string }[]) => rows.map((r) => r.key).join(' ');
    expect(keys(sorted.rows)).toBe('r2 d3 r3 e3 r1 d2 d1 r-none d4'); // attic, Empty, Lab: down first, then by name
    expect(keys(moved.rows)).toBe('r2 d3 r3 e3 r1 d2 d1 r-none d4'.replace('d2 d1', 'd1 d2'));
    live.stop();
  });
});
