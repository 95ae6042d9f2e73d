import { describe, expect, it } from 'vitest';
import { collator, deviceOrdersSteps, ipKey, nameKey } from './deviceOrder';
import { runToEnd } from './slices';
import type { Device } from './types';

function random(seed: number) {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

const ids = (xs: readonly { device: Device }[]) => xs.map((x) => x.device.id);

// The orders as the list used to sort them: one Array.prototype.sort each.
function reference(items: { device: Device }[]) {
  const byName = (a: { device: Device }, b: { device: Device }) => collator.compare(a.device.name, b.device.name);
  return {
    nameOnly: ids([...items].sort(byName)),
    name: ids([...items].sort((a, b) => byName(a, b) || collator.compare(a.device.ip, b.device.ip))),
    ip: ids([...items].sort((a, b) => (ipKey(a.device.ip) < ipKey(b.device.ip) ? -1 : ipKey(a.device.ip) > ipKey(b.device.ip) ? 1 : 0))),
  };
}

function devices(seed: number, n: number, names: () => string): { device: Device }[] {
  const rnd = random(seed);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  return Array.from({ length: n }, (_, i) => ({
    device: {
      id: i + 1,
      name: names(),
      ip: pick([
        () => `10.${Math.floor(rnd() * 3)}.${Math.floor(rnd() * 300)}.${Math.floor(rnd() * 256)}`,
        () => `2001:db8::${Math.floor(rnd() * 50).toString(16)}`,
        () => `::ffff:192.0.2.${Math.floor(rnd() * 9)}`,
        () => `1234.5.6.${Math.floor(rnd() * 9)}`,
        () => `192.0.2.${Math.floor(rnd() * 3)}`,
      ])(),
      room_id: null,
      monitored: true,
      check: { type: 'icmp' },
      parent_id: null,
      locations: null,
      quorum: 1,
    },
  }));
}

describe('deviceOrdersSteps', () => {
  it('sorts plain names by key, the same as the collator, with ties in list order', () => {
    const rnd = random(3);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
    const name = () => Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => pick(['ap', 'AP', 'core', 'sw-', 'sw_', 'a.b', ' ', '7', '007', '10', '9', 'x', 'Z', '0', '2', 'Gateway'])).join('');
    const items = devices(11, 3000, name);
    const orders = runToEnd(deviceOrdersSteps(items));
    const want = reference(items);
    expect(ids(orders.nameOnly)).toEqual(want.nameOnly);
    expect(ids(orders.name)).toEqual(want.name);
    expect(ids(orders.ip)).toEqual(want.ip);
  });

  it('sorts names without a key (accents, other scripts, symbols) by the collator', () => {
    const rnd = random(5);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
    const name = () => Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(['é', 'e', 'E', 'ß', 'ss', 'Ω', '東京', '#1', '(2)', 'ap 10', 'ap 9', 'Ä', 'a'])).join('');
    const items = devices(13, 2000, name);
    const orders = runToEnd(deviceOrdersSteps(items));
    const want = reference(items);
    expect(ids(orders.nameOnly)).toEqual(want.nameOnly);
    expect(ids(orders.name)).toEqual(want.name);
  });

  it('falls back to the collator when the keys do not match it', () => {
    const items = devices(17, 500, ((n) => () => `dev ${(n = (n * 7 + 3) % 101)}`)(1));
    const lying = (name: string) => nameKey(name)?.split('').reverse().join('') ?? null;
    const orders = runToEnd(deviceOrdersSteps(items, lying));
    const want = reference(items);
    expect(ids(orders.nameOnly)).toEqual(want.nameOnly);
    expect(ids(orders.name)).toEqual(want.name);
  });

  it('gives plain names keys in the collator’s order', () => {
    const rnd = random(23);
    const chars = 'aAbBzZ09 5_-.';
    const name = () => Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => chars[Math.floor(rnd() * chars.length)]).join('');
    for (let i = 0; i < 5000; i += 1) {
      const a = name();
      const b = name();
      const ka = nameKey(a)!;
      const kb = nameKey(b)!;
      expect(Math.sign(ka < kb ? -1 : ka > kb ? 1 : 0), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(Math.sign(collator.compare(a, b)));
    }
    expect(nameKey('café')).toBeNull();
  });
});
