// Benchmark, not a test (`npx vitest bench --run src/overview.bench.ts`): what
// a push costs the page at 100,000 devices.
//
// 50 rooms, a tenth of the devices down: reading and applying a snapshot or a
// 250-device delta, and bringing the overview up to date after the delta
// (parse, apply, update) under each sort and a status filter.
import { bench, describe } from 'vitest';
import { OverviewModel } from './overview';
import { parseJsonSteps } from './jsonSlices';
import { indexDevices, indexDevicesSteps, layoutRows } from './rows';
import type { Steps } from './slices';
import { applyStatusMessage, applyStatusSteps, countStatuses, emptyStatus, listIsStale } from './status';
import type { Device, Room, StatusDetail } from './types';
import { defaultView, type View } from './view';

const N = 100_000;
const rooms: Room[] = Array.from({ length: 50 }, (_, i) => ({ id: i + 1, name: `room ${String(i).padStart(2, '0')}`, description: null }));
const ipOf = (j: number) => `10.${j >> 16}.${(j >> 8) & 255}.${j & 255}`;
const devices: Device[] = Array.from({ length: N }, (_, j) => ({ id: j + 1, name: `device ${j}`, ip: ipOf(j), room_id: rooms[j % 50].id, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 }));
const detail = (j: number, up: boolean): StatusDetail => ({
  device_id: j + 1,
  status: up ? 'connected' : 'disconnected',
  rtt_ms: up ? 0.05 + (j % 7) / 100 : null,
  loss: up ? 0 : 1,
  since: '2026-11-25T04:00:00.000Z',
  last_probe: '2026-11-25T04:00:01.000Z',
});
const snapshotText = JSON.stringify({ snapshot: Object.fromEntries(devices.map((d, j) => [d.ip, detail(j, j >= N / 10)])) });
const flip = (up: boolean) => JSON.stringify({ changed: Object.fromEntries(devices.slice(0, 250).map((d, j) => [d.ip, detail(j, up)])), removed: [] });
const deltaUp = flip(true);
const deltaDown = flip(false);
console.log(`snapshot ${(snapshotText.length / 1e6).toFixed(1)} MB, delta of 250 ${(deltaUp.length / 1e3).toFixed(0)} kB`);

// The reducer does not modify a message, so one parse serves every round.
const snapshot = JSON.parse(snapshotText);
const base = applyStatusMessage(emptyStatus, snapshot);
const up = applyStatusMessage(base, JSON.parse(deltaUp));

describe(`${N} devices: a push`, () => {
  bench('JSON.parse snapshot', () => void JSON.parse(snapshotText), { iterations: 5 });
  bench('JSON.parse delta', () => void JSON.parse(deltaUp));
  bench('apply a snapshot (all new)', () => void applyStatusMessage(emptyStatus, snapshot), { iterations: 5 });
  bench('apply a snapshot (250 changed)', () => void applyStatusMessage(up, snapshot), { iterations: 5 });
  const delta = JSON.parse(deltaUp);
  bench('apply a delta', () => void applyStatusMessage(base, delta));
  bench('for comparison: countStatuses over every device', () => void countStatuses(devices, up), { iterations: 10 });
  bench('for comparison: listIsStale over every device', () => void listIsStale(devices, up), { iterations: 10 });
});

const views: [string, View][] = [
  ['by name', defaultView],
  ['by IP', { ...defaultView, sort: 'ip' }],
  ['by status', { ...defaultView, sort: 'status' }],
  ['by RTT', { ...defaultView, sort: 'rtt' }],
  ['disconnected only', { ...defaultView, status: 'disconnected' }],
];

const index = indexDevices(rooms, devices);

describe(`${N} devices: the overview after a 250-device flip`, () => {
  for (const [name, view] of views) {
    // Alternate the flip so every round is a real change from the last.
    const model = new OverviewModel();
    let table = up;
    model.update(index, table, view);
    let on = false;
    bench(name, () => {
      table = applyStatusMessage(table, JSON.parse(on ? deltaUp : deltaDown));
      on = !on;
      model.update(index, table, view);
    }, { iterations: 10 });
  }
});

describe(`${N} devices: from scratch`, () => {
  bench('index the list, all three orders sorted (once per load)', () => void indexDevices(rooms, devices), { iterations: 3 });
  for (const [name, view] of views) bench(`rows ${name}`, () => void layoutRows(index, up, view), { iterations: 5 });
});

// What the page does in slices (slices.ts): the whole, and the longest step,
// i.e. the most that one slice can overrun its budget by.
function timeSteps<T>(steps: Steps<T>): string {
  const start = performance.now();
  let longest = 0;
  for (let last = start; ; ) {
    const step = steps.next();
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (step.done) break;
  }
  return `${Math.round(performance.now() - start)} ms, longest step ${longest.toFixed(1)} ms`;
}
const devicesText = JSON.stringify(devices);
console.log(`in steps: parse the device list (${(devicesText.length / 1e6).toFixed(1)} MB) ${timeSteps(parseJsonSteps(devicesText))}`);
console.log(`in steps: parse the snapshot ${timeSteps(parseJsonSteps(snapshotText))}`);
console.log(`in steps: index the list ${timeSteps(indexDevicesSteps(rooms, devices))}`);
console.log(`in steps: apply the snapshot (all new) ${timeSteps(applyStatusSteps(emptyStatus, snapshot))}`);
console.log(`in steps: apply the snapshot (250 changed) ${timeSteps(applyStatusSteps(up, snapshot))}`);
