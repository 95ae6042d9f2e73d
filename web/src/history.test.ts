import { describe, expect, it } from 'vitest';
import { chartColumns, formatUptime, rangeQuery, roomUptime, summarize } from './history';
import type { Device, HistoryPoint } from './types';

const at = (s: number) => new Date(s * 1000).toISOString();
const point = (s: number, rtt: number | null = 1, loss = 0): HistoryPoint => ({ at: at(s), rtt_ms: rtt, rtt_ms_max: rtt, loss, up: 1 - loss });

describe('rangeQuery', () => {
  const now = Date.parse('2026-03-01T12:00:00.750Z');

  it('ends now, to the second, and spans the range', () => {
    const q = rangeQuery('24h', now);
    expect(q.to).toBe('2026-03-01T12:00:00Z');
    expect(q.from).toBe('2026-02-28T12:00:00Z');
    expect(q.toS - q.fromS).toBe(86_400);
    expect(q.toS).toBe(Date.parse('2026-03-01T12:00:00Z') / 1000);
  });

  it('steps that give a few hundred points, each a resolution the server keeps at that age', () => {
    const expected = { '1h': [3600, 30], '24h': [86_400, 300], '7d': [604_800, 1800], '30d': [2_592_000, 7200], '1y': [31_536_000, 86_400] } as const;
    for (const [range, [seconds, step]] of Object.entries(expected)) {
      const q = rangeQuery(range as keyof typeof expected, now);
      expect(q.toS - q.fromS).toBe(seconds);
      expect(q.step).toBe(step);
      expect(seconds / step).toBeGreaterThanOrEqual(120);
      expect(seconds / step).toBeLessThanOrEqual(400);
      if (seconds > 14 * 86_400) expect(step % 3600).toBe(0);
      else if (seconds > 2 * 86_400) expect(step % 60).toBe(0);
    }
    expect(rangeQuery('1h', now).from).toBe('2026-03-01T11:00:00Z');
  });
});

describe('chartColumns', () => {
  it('columns in seconds, loss in percent', () => {
    const c = chartColumns([point(1000, 0.5, 0), point(1300, null, 1)], 300);
    expect(c).toEqual([[1000, 1300], [0.5, null], [0.5, null], [0, 100]]);
  });

  it('a null breaks the line where more than two steps pass without a point', () => {
    const c = chartColumns([point(0), point(300), point(600), point(1500), point(1800)], 300);
    expect(c[0]).toEqual([0, 300, 600, 900, 1500, 1800]);
    expect(c[1]).toEqual([1, 1, 1, null, 1, 1]);
    expect(c[3]).toEqual([0, 0, 0, null, 0, 0]);
  });

  it('one step without a point (a round that came late) is no gap', () => {
    expect(chartColumns([point(0), point(30), point(90), point(120)], 30)[1]).not.toContain(null);
  });

  it('rounds further apart than the step are the usual spacing, not gaps', () => {
    // A 60 s probe interval read in 10 s steps: a point every sixth step.
    const points = [0, 60, 120, 180, 240, 900, 960].map((s) => point(s));
    const c = chartColumns(points, 10);
    expect(c[1]).toEqual([1, 1, 1, 1, 1, null, 1, 1]);
    expect(c[0][5]).toBe(250);
  });

  it('no points, no columns', () => {
    expect(chartColumns([], 300)).toEqual([[], [], [], []]);
  });
});

describe('summarize', () => {
  it('median of the medians, the largest RTT, the mean loss', () => {
    expect(summarize([point(0, 1, 0), point(1, 3, 0.5), point(2, 2, 0), point(3, null, 1)])).toEqual({
      points: 4, rttMedian: 2, rttMax: 3, loss: 0.375,
    });
    expect(summarize([])).toEqual({ points: 0, rttMedian: null, rttMax: null, loss: null });
  });
});

describe('formatUptime', () => {
  it('two decimals, rounded down, never 100 % while any time was down', () => {
    expect(formatUptime(1)).toBe('100 %');
    expect(formatUptime(0.9)).toBe('90.00 %');
    expect(formatUptime(0.999999)).toBe('99.99 %');
    expect(formatUptime(0.123456)).toBe('12.34 %');
    expect(formatUptime(0)).toBe('0.00 %');
  });

  it('nothing recorded is a dash', () => {
    expect(formatUptime(null)).toBe('—');
    expect(formatUptime(undefined)).toBe('—');
  });
});

describe('roomUptime', () => {
  const device = (id: number, ip: string, room: number | null, monitored = true): Device => ({ id, name: `d${id}`, ip, room_id: room, monitored, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 });
  const groupKey = (d: Device) => (d.room_id === null ? 'r-none' : `r${d.room_id}`);

  it('the mean over the room’s devices that have a value', () => {
    const devices = [device(1, 'a', 1), device(2, 'b', 1), device(3, 'c', 1), device(4, 'd', 2), device(5, 'e', null)];
    const uptime = { a: 1, b: 0.5, c: null, d: 0.25, e: 0.75 };
    expect(roomUptime(devices, uptime, groupKey)).toEqual(new Map([['r1', 0.75], ['r2', 0.25], ['r-none', 0.75]]));
  });

  it('rooms whose devices have no value, unmonitored devices and unknown IPs count for nothing', () => {
    const devices = [device(1, 'a', 1), device(2, 'b', 2, false), device(3, 'c', 2), device(4, 'z', 3)];
    expect(roomUptime(devices, { a: null, b: 0, c: 1, toString: 0 } as Record<string, number | null>, groupKey)).toEqual(new Map([['r2', 1]]));
  });
});
