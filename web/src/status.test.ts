import { describe, expect, it } from 'vitest';
import { applyStatusMessage, countStatuses, emptyStatus, listIsStale } from './status';
import type { Device } from './types';

const detail = (status: 'connected' | 'disconnected' | 'unknown', rtt: number | null = null) => ({
  status, rtt_ms: rtt, loss: status === 'connected' ? 0 : 1, since: '2026-11-25T04:00:00.000Z', last_probe: null,
});

const device = (id: number, ip: string, monitored = true): Device => ({ id, name: `d${id}`, ip, room_id: null, monitored });

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
