import { describe, expect, it } from 'vitest';
import { applyStatusMessage, countStatuses, emptyStatus, listIsStale } from './status';
import type { Device } from './types';

const detail = (status: 'connected' | 'disconnected' | 'unknown', rtt: number | null = null) => ({
  status, rtt_ms: rtt, loss: status === 'connected' ? 0 : 1, since: '2026-11-25T04:00:00.000Z', last_probe: null,
});

const device = (id: number, ip: string, monitored = true): Device => ({ id, name: `d${id}`, ip, room_id: null, monitored, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 });

describe('applyStatusMessage', () => {
  it('reads the detail form and the contract form', () => {
    const s = applyStatusMessage(emptyStatus, { '192.0.2.1': detail('connected', 1.5), '192.0.2.2': 'disconnected' });
    expect(s.get('192.0.2.1')?.rtt_ms).toBe(1.5);
    expect(s.get('192.0.2.2')?.status).toBe('disconnected');
  });

  it('returns the same map when nothing changed, so nothing re-renders', () => {
    const first = applyStatusMessage(emptyStatus, { a: detail('connected', 1) });
    expect(applyStatusMessage(first, { a: detail('connected', 1) })).toBe(first);
  });

  it('keeps the identity of unchanged entries and replaces changed ones', () => {
    const first = applyStatusMessage(emptyStatus, { a: detail('connected', 1), b: detail('connected', 2) });
    const second = applyStatusMessage(first, { a: detail('connected', 1), b: detail('disconnected') });
    expect(second).not.toBe(first);
    expect(second.get('a')).toBe(first.get('a'));
    expect(second.get('b')?.status).toBe('disconnected');
  });

  it('a change of unreachable_via alone is a change', () => {
    const first = applyStatusMessage(emptyStatus, { a: { ...detail('disconnected'), unreachable_via: null } });
    const second = applyStatusMessage(first, { changed: { a: { ...detail('disconnected'), unreachable_via: 4 } } });
    expect(second).not.toBe(first);
    expect(second.get('a')?.unreachable_via).toBe(4);
    expect(applyStatusMessage(second, { changed: { a: { ...detail('disconnected'), unreachable_via: 4 } } })).toBe(second);
  });

  it('drops devices that left the message', () => {
    const first = applyStatusMessage(emptyStatus, { a: 'connected', b: 'connected' });
    const second = applyStatusMessage(first, { a: 'connected' });
    expect([...second.keys()]).toEqual(['a']);
  });

  it('keeps known details when a plain message agrees with them', () => {
    const first = applyStatusMessage(emptyStatus, { a: detail('connected', 3) });
    expect(applyStatusMessage(first, { a: 'connected' }).get('a')?.rtt_ms).toBe(3);
    expect(applyStatusMessage(first, { a: 'disconnected' }).get('a')?.rtt_ms).toBeNull();
  });
});

describe('counts and staleness', () => {
  const statuses = applyStatusMessage(emptyStatus, { '192.0.2.1': 'connected', '192.0.2.2': 'disconnected' });

  it('counts by status; unmonitored devices apart, unprobed as unknown', () => {
    const devices = [device(1, '192.0.2.1'), device(2, '192.0.2.2'), device(3, '192.0.2.3'), device(4, '192.0.2.4', false)];
    expect(countStatuses(devices, statuses)).toEqual({ connected: 1, disconnected: 1, unknown: 1, unmonitored: 1 });
  });

  it('notices when the server monitors devices the list does not have', () => {
    expect(listIsStale([device(1, '192.0.2.1'), device(2, '192.0.2.2')], statuses)).toBe(false);
    expect(listIsStale([device(1, '192.0.2.1')], statuses)).toBe(true);
    expect(listIsStale([device(1, '192.0.2.1'), device(2, '192.0.2.9')], statuses)).toBe(true);
  });
});

describe('the delta protocol (spec: Status deltas)', () => {
  const tally = (s: ReturnType<typeof applyStatusMessage>) => ({ ...s.tally });

  it('a snapshot replaces all, a delta merges changed and deletes removed, a heartbeat changes nothing', () => {
    const s1 = applyStatusMessage(emptyStatus, { snapshot: { a: detail('connected', 1), b: detail('connected', 2), c: detail('disconnected') } });
    expect(s1.size).toBe(3);
    expect(tally(s1)).toEqual({ connected: 2, disconnected: 1, unknown: 0 });

    const s2 = applyStatusMessage(s1, { changed: { b: detail('disconnected') }, removed: [] });
    expect(s2.get('a')).toBe(s1.get('a'));
    expect(s2.get('c')).toBe(s1.get('c'));
    expect(s2.get('b')?.status).toBe('disconnected');
    expect(tally(s2)).toEqual({ connected: 1, disconnected: 2, unknown: 0 });
    expect(s2.base).toBe(s1.version);
    expect(s2.changes).toEqual([{ ip: 'b', before: s1.get('b'), after: s2.get('b') }]);

    const s3 = applyStatusMessage(s2, { removed: ['c', 'not-there'] });
    expect(s3.has('c')).toBe(false);
    expect(s3.size).toBe(2);
    expect(tally(s3)).toEqual({ connected: 1, disconnected: 1, unknown: 0 });

    expect(applyStatusMessage(s3, {})).toBe(s3);
    expect(applyStatusMessage(s3, { changed: { a: detail('connected', 1) }, removed: [] })).toBe(s3);

    const s4 = applyStatusMessage(s3, { snapshot: { a: detail('connected', 1), d: detail('unknown') } });
    expect(s4.get('a')).toBe(s1.get('a'));
    expect([...s4.keys()].sort()).toEqual(['a', 'd']);
    expect(tally(s4)).toEqual({ connected: 1, disconnected: 0, unknown: 1 });
    expect(s4.changes.map((c) => [c.ip, c.before?.status, c.after?.status]).sort()).toEqual([
      ['b', 'disconnected', undefined],
      ['d', undefined, 'unknown'],
    ]);
    expect(applyStatusMessage(s4, { snapshot: { a: detail('connected', 1), d: detail('unknown') } })).toBe(s4);
    expect(applyStatusMessage(s4, { snapshot: {} }).size).toBe(0);
  });

  it('a removal and a return in one delta, and entries it cannot read', () => {
    const s1 = applyStatusMessage(emptyStatus, { snapshot: { a: detail('connected', 1) } });
    const s2 = applyStatusMessage(s1, { changed: { a: detail('disconnected'), b: null as never }, removed: ['a'] });
    expect(s2.get('a')?.status).toBe('disconnected');
    expect(s2.has('b')).toBe(false);
    expect(s2.size).toBe(1);
    expect(tally(s2)).toEqual({ connected: 0, disconnected: 1, unknown: 0 });
  });

  it('many entries: a delta touches only its own, the table grows and shrinks', () => {
    const ips = Array.from({ length: 5000 }, (_, i) => `10.${i >> 8}.${i & 255}.1`);
    let s = emptyStatus;
    // Grown by deltas from an empty snapshot: the buckets are resized on the way.
    s = applyStatusMessage(s, { snapshot: {} });
    for (let i = 0; i < ips.length; i += 500) {
      s = applyStatusMessage(s, { changed: Object.fromEntries(ips.slice(i, i + 500).map((ip) => [ip, detail('connected', 1)])) });
    }
    expect(s.size).toBe(5000);
    const before = s;
    const flipped = ips.filter((_, i) => i % 500 === 7);
    s = applyStatusMessage(s, { changed: Object.fromEntries(flipped.map((ip) => [ip, detail('disconnected')])), removed: [ips[0]] });
    expect(s.size).toBe(4999);
    expect(s.tally).toEqual({ connected: 4989, disconnected: 10, unknown: 0 });
    let same = 0;
    for (const ip of ips.slice(1)) if (s.get(ip) === before.get(ip)) same += 1;
    expect(same).toBe(4999 - 10);
    expect([...s.entries()]).toHaveLength(4999);
    expect(before.size).toBe(5000); // the old table is untouched
    expect(before.get(flipped[0])?.status).toBe('connected');
  });
});
