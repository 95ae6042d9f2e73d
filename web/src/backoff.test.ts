import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles from the base up to the cap, each delay in the upper half of its step', () => {
    const high = new Backoff(500, 8000, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6].map(() => high.next())).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    const low = new Backoff(500, 8000, () => 0);
    expect([1, 2, 3, 4, 5, 6].map(() => low.next())).toEqual([250, 500, 1000, 2000, 4000, 4000]);
  });

  it('starts again from the base after reset', () => {
    const b = new Backoff(500, 8000, () => 0.999999);
    b.next();
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(500);
  });
});
