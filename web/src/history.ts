// The device page's arithmetic: what a chart range asks the server for, the
// points turned into uPlot's columns with gaps where nothing was recorded,
// and how uptime reads (per device, and averaged per room).
import type { RangeKey } from './route';
import type { Device, HistoryPoint, Uptime, UptimeWindow } from './types';

export const rangeLabel: Record<RangeKey, string> = { '1h': '1 h', '24h': '24 h', '7d': '7 d', '30d': '30 d', '1y': '1 y' };
const rangeName: Record<RangeKey, string> = {
  '1h': 'the last hour',
  '24h': 'the last 24 hours',
  '7d': 'the last 7 days',
  '30d': 'the last 30 days',
  '1y': 'the last year',
};
export const rangeDescription = (range: RangeKey) => rangeName[range];

// Each range's length and step, in seconds: 120 to 365 points, every step
// one the server keeps at that age (any for 48 h, whole minutes to 14 days,
// whole hours beyond, whole days as asked for a year), and for the last
// hour 30 s, three rounds at the default 10 s interval, so that a round
// arriving late never leaves a step empty.
const spans: Record<RangeKey, { seconds: number; step: number }> = {
  '1h': { seconds: 3600, step: 30 },
  '24h': { seconds: 86_400, step: 300 },
  '7d': { seconds: 7 * 86_400, step: 1800 },
  '30d': { seconds: 30 * 86_400, step: 7200 },
  '1y': { seconds: 365 * 86_400, step: 86_400 },
};

export interface RangeQuery {
  from: string; // RFC 3339, as the server reads ?from= and ?to=
  to: string;
  step: number;
  fromS: number; // the same bounds in seconds, for the chart's x scale
  toS: number;
}

// Seconds, without the milliseconds Date#toISOString writes.
const rfc3339 = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function rangeQuery(range: RangeKey, nowMs: number): RangeQuery {
  const { seconds, step } = spans[range];
  const toS = Math.floor(nowMs / 1000);
  const fromS = toS - seconds;
  return { from: rfc3339(fromS), to: rfc3339(toS), step, fromS, toS };
}

// uPlot's columns: time (s), median RTT, largest RTT (ms), loss (%).
export type ChartColumns = [number[], (number | null)[], (number | null)[], (number | null)[]];

// The points (oldest first, as the server sends them) as columns. A point
// exists only for a step in which rounds were recorded; where more than two
// steps' worth of time passes without one (gatewatch stopped, the device
// not monitored), a null breaks the lines, so the chart shows a gap rather
// than a line across the time nothing was known. The step's worth is the
// larger of the step and the points' usual spacing: with rounds further
// apart than the step (a long probe interval), steps without a round are
// the normal case, not a gap.
export function chartColumns(points: readonly HistoryPoint[], stepS: number): ChartColumns {
  const times = points.map((p) => Date.parse(p.at) / 1000);
  const deltas: number[] = [];
  for (let i = 1; i < times.length; i += 1) deltas.push(times[i] - times[i - 1]);
  deltas.sort((a, b) => a - b);
  const usual = deltas.length ? deltas[Math.floor(deltas.length / 2)] : 0;
  const gapOver = 2 * Math.max(stepS, usual);
  const columns: ChartColumns = [[], [], [], []];
  points.forEach((p, i) => {
    if (i > 0 && times[i] - times[i - 1] > gapOver) {
      columns[0].push(times[i - 1] + stepS);
      columns[1].push(null);
      columns[2].push(null);
      columns[3].push(null);
    }
    columns[0].push(times[i]);
    columns[1].push(p.rtt_ms);
    columns[2].push(p.rtt_ms_max);
    columns[3].push(Math.round(p.loss * 1000) / 10);
  });
  return columns;
}

export interface ChartSummary {
  points: number;
  rttMedian: number | null; // the median of the steps' medians
  rttMax: number | null;
  loss: number | null; // mean over the steps, a fraction
}

// What the chart shows, in words (for screen readers and the caption).
export function summarize(points: readonly HistoryPoint[]): ChartSummary {
  const rtts = points.map((p) => p.rtt_ms).filter((v): v is number => v !== null).sort((a, b) => a - b);
  const maxes = points.map((p) => p.rtt_ms_max ?? p.rtt_ms).filter((v): v is number => v !== null);
  return {
    points: points.length,
    rttMedian: rtts.length ? rtts[Math.floor(rtts.length / 2)] : null,
    rttMax: maxes.length ? Math.max(...maxes) : null,
    loss: points.length ? points.reduce((sum, p) => sum + p.loss, 0) / points.length : null,
  };
}

export const uptimeWindows: readonly UptimeWindow[] = ['24h', '7d', '30d', '365d'];
export const uptimeLabel: Record<UptimeWindow, string> = { '24h': '24 h', '7d': '7 days', '30d': '30 days', '365d': '365 days' };

// "99.95 %", never rounded up to 100 % while any time was spent down; null
// (nothing recorded in the window) is "—".
export function formatUptime(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return '—';
  if (fraction >= 1) return '100 %';
  return `${(Math.floor(Math.max(0, fraction) * 10_000) / 100).toFixed(2)} %`;
}

export const emptyUptime: Uptime = { '24h': null, '7d': null, '30d': null, '365d': null };

// Each room's uptime: the mean over its monitored devices that have a value
// (devices with nothing recorded are left out, not counted as down), keyed
// by the room's row key (rows.ts: groupKey). Rooms with no value at all are
// absent.
export function roomUptime(
  devices: readonly Device[],
  uptimeByIp: Readonly<Record<string, number | null>>,
  groupKey: (device: Device) => string,
): Map<string, number> {
  const sums = new Map<string, { sum: number; count: number }>();
  for (const device of devices) {
    if (!device.monitored) continue;
    const value = Object.hasOwn(uptimeByIp, device.ip) ? uptimeByIp[device.ip] : null;
    if (typeof value !== 'number') continue;
    const key = groupKey(device);
    const entry = sums.get(key);
    if (entry) {
      entry.sum += value;
      entry.count += 1;
    } else {
      sums.set(key, { sum: value, count: 1 });
    }
  }
  const out = new Map<string, number>();
  for (const [key, { sum, count }] of sums) out.set(key, sum / count);
  return out;
}
