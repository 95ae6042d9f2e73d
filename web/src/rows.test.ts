import { describe, expect, it } from 'vitest';
import { buildRows, indexDevices, layoutRows, moveRows } from './rows';
import { applyStatusMessage, emptyStatus } from './status';
import type { Device, Room } from './types';
import { defaultView } from './view';

const rooms: Room[] = [
  { id: 1, name: 'Lab', description: null },
  { id: 2, name: 'Attic', description: 'dusty' },
  { id: 3, name: 'Empty', description: null },
];
const devices: Device[] = [
  { id: 1, name: 'router', ip: '10.0.0.10', room_id: 1, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 },
  { id: 2, name: 'ap', ip: '10.0.0.9', room_id: 1, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 },
  { id: 3, name: 'nas', ip: '10.0.0.2', room_id: 2, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 },
  { id: 4, name: 'loose', ip: '10.0.0.3', room_id: null, monitored: false, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 },
];
const statuses = applyStatusMessage(emptyStatus, { '10.0.0.10': 'disconnected', '10.0.0.9': 'connected', '10.0.0.2': 'connected' });

const keys = (rows: ReturnType<typeof buildRows>) => rows.map((r) => r.key);

describe('buildRows', () => {
  it('groups by room in name order, empty rooms included, devices without a room last', () => {
    const rows = buildRows(rooms, devices, statuses, defaultView);
    expect(keys(rows)).toEqual(['r2', 'd3', 'r3', 'e3', 'r1', 'd2', 'd1', 'r-none', 'd4']);
    const lab = rows.find((r) => r.key === 'r1');
    expect(lab).toMatchObject({ devices: 2 });
    expect(layoutRows(indexDevices(rooms, devices), statuses, defaultView).down.get('r1')).toBe(1);
  });

  it('filters by status, room and search, and hides groups left empty', () => {
    expect(keys(buildRows(rooms, devices, statuses, { ...defaultView, status: 'disconnected' }))).toEqual(['r1', 'd1']);
    expect(keys(buildRows(rooms, devices, statuses, { ...defaultView, room: 'none' }))).toEqual(['r-none', 'd4']);
    expect(keys(buildRows(rooms, devices, statuses, { ...defaultView, room: 2 }))).toEqual(['r2', 'd3']);
    expect(keys(buildRows(rooms, devices, statuses, { ...defaultView, q: '10.0.0.1' }))).toEqual(['r1', 'd1']);
    expect(keys(buildRows(rooms, devices, statuses, { ...defaultView, q: 'NAS' }))).toEqual(['r2', 'd3']);
  });

  it('sorts IPv4 numerically and by status with the down ones first', () => {
    const lab = (sort: 'ip' | 'status') => keys(buildRows(rooms, devices, statuses, { ...defaultView, room: 1, sort }));
    expect(lab('ip')).toEqual(['r1', 'd2', 'd1']); // .9 before .10
    expect(lab('status')).toEqual(['r1', 'd1', 'd2']);
  });
});

describe('moveRows', () => {
  const room: Room[] = [{ id: 1, name: 'Hall', description: null }];
  const many: Device[] = Array.from({ length: 300 }, (_, i) => ({ id: i + 1, name: `d${i}`, ip: `10.1.${i >> 8}.${i & 255}`, room_id: 1, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 }));
  const index = indexDevices(room, many);
  const view = { ...defaultView, sort: 'status' as const };
  const all = applyStatusMessage(emptyStatus, Object.fromEntries(many.map((d) => [d.ip, 'connected' as const])));
  const flip = (n: number) => applyStatusMessage(all, { changed: Object.fromEntries(many.slice(0, n).map((d) => [d.ip, 'disconnected' as const])) });

  it('moves a few rows to where a rebuild puts them', () => {
    const layout = layoutRows(index, all, view);
    const next = flip(5);
    const moved = moveRows(index, view, layout, next.changes);
    expect(moved && keys(moved.rows)).toEqual(keys(layoutRows(index, next, view).rows));
    expect(moved?.down.get('r1')).toBe(5);
  });

  it('leaves many moves to a rebuild', () => {
    const next = flip(250); // over 100 a group, with 2 groups
    expect(moveRows(index, view, layoutRows(index, all, view), next.changes)).toBeNull();
  });
});
