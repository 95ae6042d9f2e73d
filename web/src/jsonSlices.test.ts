import { describe, expect, it } from 'vitest';
import { parseJsonSteps } from './jsonSlices';
import { runToEnd } from './slices';

// A seeded generator, so a failure can be replayed.
function random(seed: number) {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

// JSON.parse's answer and ours, as values or as "SyntaxError".
function both(text: string, batchChars: number): [unknown, unknown] {
  const outcome = (f: () => unknown) => {
    try {
      return { value: f() };
    } catch (error) {
      return (error as Error).name;
    }
  };
  return [outcome(() => JSON.parse(text)), outcome(() => runToEnd(parseJsonSteps(text, batchChars, 0)))];
}

describe('parseJsonSteps', () => {
  it('reads a big snapshot in batches, the same as JSON.parse, yielding between them', () => {
    const snapshot = Object.fromEntries(
      Array.from({ length: 2000 }, (_, i) => [`10.0.${i >> 8}.${i & 255}`, { status: i % 3 ? 'connected' : 'disconnected', rtt_ms: i / 7, since: null }]),
    );
    const text = JSON.stringify({ snapshot });
    const steps = parseJsonSteps(text, 4096, 0);
    let yields = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) yields += 1;
    expect(step.value).toEqual({ snapshot });
    expect(yields).toBeGreaterThan(text.length / 4096 / 2);
    expect(Object.keys((step.value as { snapshot: object }).snapshot)).toEqual(Object.keys(snapshot)); // in order
  });

  it('reads arrays of objects with nested objects (the device list)', () => {
    const devices = Array.from({ length: 500 }, (_, i) => ({ id: i, name: `d ${i} {"x":[1,2]}, \\"`, check: { type: 'tcp', port: i }, tags: [[i], {}] }));
    const text = JSON.stringify(devices);
    expect(runToEnd(parseJsonSteps(text, 256, 0))).toEqual(devices);
  });

  it('keeps "__proto__" an own property, as JSON.parse does', () => {
    const text = `{"a":${JSON.stringify('x'.repeat(40))},"__proto__":{"polluted":true},"b":[${'1,'.repeat(30)}1]}`;
    const value = runToEnd(parseJsonSteps(text, 16, 0)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(value).toEqual(JSON.parse(text));
  });

  it('agrees with JSON.parse on random texts and on every kind of damage to them', () => {
    const rnd = random(7);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
    const pieces = ['a', '"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\u00e9', '\\"', 'x y'];
    const value = (depth: number): unknown => {
      const r = rnd();
      if (depth > 3 || r < 0.3) return pick([0, -1.5e3, 12, true, false, null, Array.from({ length: Math.floor(rnd() * 6) }, () => pick(pieces)).join('')]);
      if (r < 0.65) return Array.from({ length: Math.floor(rnd() * 8) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 8) }, () => [pick(['k', '', '__proto__', '1', 'a"b', '{', 'x y']) + Math.floor(rnd() * 4), value(depth + 1)]));
    };
    const spaced = (text: string) => text.replace(/[,:[\]{}]/g, (c) => (rnd() < 0.2 ? pick([' ', '\n', '\t', '\r\n ']) + c + ' ' : c));
    const damage = (text: string) => {
      const at = Math.floor(rnd() * (text.length + 1));
      const r = rnd();
      if (r < 0.4) return text.slice(0, at) + text.slice(at + 1);
      if (r < 0.8) return text.slice(0, at) + pick([',', '}', ']', '{', '[', '"', ':', ' ', 'x', '\\']) + text.slice(at);
      return text.slice(0, at);
    };
    for (let round = 0; round < 1500; round += 1) {
      let text = JSON.stringify(value(0));
      if (rnd() < 0.5) text = spaced(text);
      if (rnd() < 0.5) text = damage(text);
      const batchChars = pick([1, 2, 5, 16, 64]);
      const [expected, actual] = both(text, batchChars);
      expect(actual, `${text} (batches of ${batchChars})`).toEqual(expected);
    }
  });

  it('refuses what JSON.parse refuses around the batches', () => {
    const bad = ['[1,2,3,4,5,]', '{"a":1,"b":2,}', '[1,2 3]', '[1,2,3', '{"a":[1,2,3,4,5,6,7]]', '[[1,2,3,4,5,6,7,8],]', '{"a" [1,2,3,4,5,6]}',
      '{"a":[1,2,3,4,5,6,7,8]}x', '[ ,1,2,3,4,5,6]', '[        ,1]', '{1:[1,2,3,4,5,6,7,8]}', `[1 , 2 , 3 ,${' '.repeat(9)} , 4 , 5]`, '["a"},{"b"},{"c"}]'];
    for (const text of bad) {
      expect(() => JSON.parse(text), text).toThrow(SyntaxError);
      for (let batchChars = 1; batchChars <= 8; batchChars += 1) expect(() => runToEnd(parseJsonSteps(text, batchChars, 0)), `${text} (${batchChars})`).toThrow(SyntaxError);
    }
  });

  it('guesses where the next batch ends, and walks on where the guess is wrong', () => {
    // '},{' inside names and inside members, as well as between them.
    const items = Array.from({ length: 300 }, (_, i) => (i % 7 === 3 ? { name: 'a},{b', kids: [{ x: i }, { y: [{}, {}] }] } : { name: `n${i}`, check: { type: 'icmp' } }));
    const text = JSON.stringify(items);
    for (const batchChars of [8, 40, 100, 333]) expect(runToEnd(parseJsonSteps(text, batchChars, 0))).toEqual(items);
  });
});
