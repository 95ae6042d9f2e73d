import { describe, expect, it } from 'vitest';
import { deviceOption, parentChoices } from './choices';
import type { Device } from './types';

const device = (id: number, name: string, room: number | null = null): Device => ({ id, name, ip: `192.0.2.${id}`, room_id: room, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 });

describe('parentChoices', () => {
  const devices = [device(1, 'switch 10', 1), device(2, 'gateway', 1), device(3, 'switch 9', 2), device(4, 'printer')];

  it('every other device, by name (numbers in order)', () => {
    const { devices: choices, narrowed } = parentChoices(devices, 4, null, null);
    expect(choices.map((d) => d.name)).toEqual(['gateway', 'switch 9', 'switch 10']);
    expect(narrowed).toBe(false);
  });

  it('a new device may choose any device', () => {
    expect(parentChoices(devices, null, null, null).devices).toHaveLength(4);
  });

  it('beyond the limit, the devices of the chosen room and the current parent', () => {
    const { devices: choices, narrowed } = parentChoices(devices, 2, 1, 3, 2);
    expect(choices.map((d) => d.name)).toEqual(['switch 9', 'switch 10']);
    expect(narrowed).toBe(true);
    expect(parentChoices(devices, 1, null, null, 2).devices.map((d) => d.id)).toEqual([4]);
  });

  it('a room larger than the limit is cut, the current parent kept', () => {
    const many = Array.from({ length: 10 }, (_, i) => device(i + 1, `d${String(i + 1).padStart(2, '0')}`, 1));
    const { devices: choices } = parentChoices(many, null, 1, 9, 3);
    expect(choices.map((d) => d.id)).toEqual([1, 2, 3, 9]);
  });

  it('an option names the device and its address', () => {
    expect(deviceOption(device(2, 'gateway'))).toBe('gateway (192.0.2.2)');
  });
});
