import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { coverage, defaultWindow, localInputToUtc, pickList, toLocalInput, windowState } from './maintenance';
import { deliveryDevice, deliveryEvent, draftOf, eventsLabel, formErrors, notifierInput, splitAddresses } from './notifiers';
import type { Delivery, Device, Notifier } from './types';

const notifier: Notifier = {
  id: 3, name: 'ops', type: 'webhook', url: 'http://127.0.0.1:9/hook', format: 'slack', to: [], events: ['down'],
  room_id: 2, enabled: false, has_secret: true,
};

describe('the notifier form', () => {
  it('a new notifier: a JSON webhook for down and up, every room, enabled', () => {
    expect(notifierInput({ ...draftOf(null), name: 'ops', url: ' http://127.0.0.1:8080/hook ' })).toEqual({
      name: 'ops', type: 'webhook', url: 'http://127.0.0.1:8080/hook', format: 'json', events: ['down', 'up'], room_id: null, enabled: true,
    });
  });

  it('an edited notifier keeps its secret unless one is typed', () => {
    const draft = draftOf(notifier);
    expect(draft.secret).toBe('');
    expect(notifierInput(draft)).not.toHaveProperty('secret');
    expect(notifierInput({ ...draft, secret: 'new secret' }).secret).toBe('new secret');
    expect(notifierInput(draft)).toMatchObject({ format: 'slack', events: ['down'], room_id: 2, enabled: false });
  });

  it('an email notifier sends its addresses as a list, and no url, format or secret', () => {
    const input = notifierInput({ ...draftOf(null), type: 'email', to: 'a@example.org, b@example.org,, ', url: 'x', secret: 's' });
    expect(input.to).toEqual(['a@example.org', 'b@example.org']);
    expect(input).not.toHaveProperty('url');
    expect(input).not.toHaveProperty('format');
    expect(input).not.toHaveProperty('secret');
  });

  it('addresses split on commas, semicolons and spaces', () => {
    expect(splitAddresses('a@x.org;b@x.org  c@x.org,')).toEqual(['a@x.org', 'b@x.org', 'c@x.org']);
    expect(splitAddresses('  ')).toEqual([]);
  });

  it('a list item’s error goes under the list’s field; a missing room under the room', () => {
    const e = new ApiError(422, 'x', { 'to.1': 'value is not a valid email address', url: 'Input should be a valid URL' });
    const placed = formErrors(e, ['to', 'events']);
    expect(placed.fields.to).toBe('value is not a valid email address (item 2)');
    expect(placed.fields.url).toBe('Input should be a valid URL');
    expect(placed.general).toBeNull();
    expect(formErrors(new ApiError(404, 'Room not found'), ['to']).fields).toEqual({ room_id: 'Room not found' });
    expect(formErrors(new ApiError(404, 'Device not found'), ['device_ids']).fields).toEqual({ device_ids: 'Device not found' });
    expect(formErrors(new ApiError(403, 'Not enough permissions'), ['to']).general).toBe('Not enough permissions');
  });

  it('events in words', () => {
    expect(eventsLabel(['down', 'up'])).toBe('Down and up');
    expect(eventsLabel(['up'])).toBe('Up only');
    expect(eventsLabel([])).toBe('None');
  });
});

describe('deliveries', () => {
  const delivery = (event: Delivery['event'], deviceId: number | null): Delivery => ({
    id: 1, event, device_id: deviceId, created: '2026-03-01T10:00:00Z', attempts: 1, status: 'delivered', last_error: null, next_attempt: null,
  });
  const byId = new Map<number, Device>([[5, { id: 5, name: 'printer', ip: '192.0.2.5', room_id: null, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 }]]);

  it('the event in words and the device by name', () => {
    expect(deliveryEvent(delivery({ event: 'device.down' }, 5))).toBe('Down');
    expect(deliveryEvent(delivery({ event: 'device.up' }, 5))).toBe('Up');
    expect(deliveryEvent(delivery({ event: 'test' }, null))).toBe('Test');
    expect(deliveryEvent(delivery(null, null))).toBe('—');
    expect(deliveryDevice(delivery({ event: 'device.down' }, 5), byId)).toBe('printer');
    expect(deliveryDevice(delivery({ event: 'device.down', device: { name: 'gone' } }, 9), byId)).toBe('gone');
    expect(deliveryDevice(delivery({ event: 'test' }, null), byId)).toBeNull();
  });
});

describe('maintenance windows', () => {
  it('a datetime-local value is local time, sent as UTC', () => {
    expect(localInputToUtc('2026-03-01T14:30')).toBe(new Date(2026, 2, 1, 14, 30).toISOString().replace('.000Z', 'Z'));
    expect(localInputToUtc('2026-07-01T00:05:30')).toBe(new Date(2026, 6, 1, 0, 5, 30).toISOString().replace('.000Z', 'Z'));
    expect(localInputToUtc('')).toBeNull();
    expect(localInputToUtc('2026-13-45T99:99')).toBeNull();
    expect(localInputToUtc('yesterday')).toBeNull();
  });

  it('and back, to the minute', () => {
    const ms = new Date(2026, 2, 1, 9, 5, 42).getTime();
    expect(toLocalInput(ms)).toBe('2026-03-01T09:05');
    expect(localInputToUtc(toLocalInput(ms))).toBe(new Date(2026, 2, 1, 9, 5).toISOString().replace('.000Z', 'Z'));
  });

  it('a new window starts at the next quarter hour and lasts an hour', () => {
    const { start, end } = defaultWindow(new Date(2026, 2, 1, 9, 5).getTime());
    expect(start).toBe('2026-03-01T09:15');
    expect(end).toBe('2026-03-01T10:15');
    expect(defaultWindow(new Date(2026, 2, 1, 9, 15).getTime()).start).toBe('2026-03-01T09:30');
  });

  it('upcoming, active, ended', () => {
    const w = { start: '2026-03-01T10:00:00Z', end: '2026-03-01T11:00:00Z' };
    expect(windowState(w, Date.parse('2026-03-01T09:59:59Z'))).toBe('upcoming');
    expect(windowState(w, Date.parse('2026-03-01T10:00:00Z'))).toBe('active');
    expect(windowState(w, Date.parse('2026-03-01T11:00:00Z'))).toBe('ended');
  });

  const devices: Device[] = [
    { id: 1, name: 'switch 10', ip: '192.0.2.10', room_id: 1, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 },
    { id: 2, name: 'switch 9', ip: '192.0.2.9', room_id: 1, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 },
    { id: 3, name: 'printer', ip: '192.0.2.3', room_id: null, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 },
  ];
  const byId = new Map(devices.map((d) => [d.id, d]));

  it('what a window covers, in words', () => {
    const rooms = [{ id: 1, name: 'Lab', description: null }];
    const w = { id: 1, name: 'w', start: '', end: '', room_id: null, device_ids: [] as number[], active: false };
    expect(coverage(w, rooms, byId)).toBe('every device');
    expect(coverage({ ...w, room_id: 1, device_ids: [3, 7] }, rooms, byId)).toBe('the room Lab; printer, device #7');
  });

  it('a long list: matches by name or IP, by name, capped, selected ones always kept', () => {
    expect(pickList(devices, '', new Set()).devices.map((d) => d.id)).toEqual([3, 2, 1]);
    expect(pickList(devices, 'SWITCH', new Set()).devices.map((d) => d.id)).toEqual([2, 1]);
    expect(pickList(devices, '192.0.2.3', new Set()).devices.map((d) => d.id)).toEqual([3]);
    expect(pickList(devices, 'switch', new Set([3]), 1)).toEqual({ devices: [devices[2], devices[1]], more: 1 });
  });
});
