import { describe, expect, it } from 'vitest';
import { InOrder, inSlices, runToEnd, type Steps } from './slices';
import { sortSteps } from './sortSlices';

// Steps that each advance a fake clock by `ms`, recording what ran.
function* work(log: string[], name: string, steps: number, clock: { t: number }, ms = 10): Steps<string> {
  for (let i = 0; i < steps; i += 1) {
    log.push(`${name}${i}`);
    clock.t += ms;
    yield;
  }
  return name;
}

// An InOrder on a fake clock whose pauses the test releases one at a time.
function setup(budgetMs = 25) {
  const clock = { t: 0 };
  const pauses: (() => void)[] = [];
  const order = new InOrder({ budgetMs, now: () => clock.t, pause: () => new Promise<void>((resolve) => pauses.push(resolve)) });
  const resume = async () => {
    pauses.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { clock, pauses, order, resume };
}

describe('InOrder', () => {
  it('runs a job that fits in one slice at once, its result included', () => {
    const { clock, order } = setup();
    const log: string[] = [];
    const done: string[] = [];
    order.run(() => work(log, 'a', 2, clock), (v) => done.push(v), () => undefined);
    expect(done).toEqual(['a']);
    expect(order.busy).toBe(false);
  });

  it('hands the thread back past the budget, and keeps later jobs waiting behind', async () => {
    const { clock, order, pauses, resume } = setup();
    const log: string[] = [];
    const done: string[] = [];
    order.run(() => work(log, 'a', 6, clock), (v) => done.push(v), () => undefined);
    expect(log).toEqual(['a0', 'a1', 'a2']); // 30 ms: over the 25 ms budget
    expect(pauses).toHaveLength(1);
    order.run(() => work(log, 'b', 1, clock), (v) => done.push(v), () => undefined);
    expect(log).toEqual(['a0', 'a1', 'a2']); // b waits for a
    await resume();
    expect(log).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5']); // another 30 ms
    expect(done).toEqual([]);
    await resume();
    expect(done).toEqual(['a', 'b']);
    expect(log).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'b0']);
    expect(order.busy).toBe(false);
  });

  it('starts a job only when its turn comes', async () => {
    const { clock, order, resume } = setup();
    let state = 0;
    const seen: number[] = [];
    order.run(() => work([], 'a', 4, clock), () => (state = 1), () => undefined);
    order.run(
      function* () {
        seen.push(state);
        return 0;
      },
      () => undefined,
      () => undefined,
    );
    expect(seen).toEqual([]);
    await resume();
    expect(seen).toEqual([1]);
  });

  it('reports a failure and goes on with the next job', () => {
    const { order } = setup();
    const outcomes: string[] = [];
    order.run(
      function* () {
        throw new Error('bad');
      },
      () => outcomes.push('done'),
      (e) => outcomes.push((e as Error).message),
    );
    order.run(() => work([], 'b', 1, { t: 0 }), (v) => outcomes.push(v), () => undefined);
    expect(outcomes).toEqual(['bad', 'b']);
  });

  it('drops cancelled jobs, the one under way included, and runs later ones', async () => {
    const { clock, order, resume } = setup();
    const done: string[] = [];
    order.run(() => work([], 'a', 6, clock), (v) => done.push(v), () => undefined);
    order.run(() => work([], 'b', 1, clock), (v) => done.push(v), () => undefined);
    order.cancel();
    order.run(() => work([], 'c', 1, clock), (v) => done.push(v), () => undefined);
    expect(done).toEqual([]); // c waits for the cancelled job to stop at its pause
    await resume();
    expect(done).toEqual(['c']);
    expect(order.busy).toBe(false);
  });

  it('inSlices resolves with the result, using the real next task', async () => {
    expect(await inSlices(sortSteps([3, 1, 2], (a, b) => a - b, 1, 1), { budgetMs: 0 })).toEqual([1, 2, 3]);
  });
});

describe('sortSteps', () => {
  it('sorts as Array.prototype.sort does, ties in their first order, for any run length', () => {
    let x = 9;
    const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const n of [0, 1, 2, 7, 100, 1000, 4097]) {
      const items = Array.from({ length: n }, (_, i) => ({ k: Math.floor(rnd() * (n / 3 + 1)), i }));
      const compare = (a: { k: number }, b: { k: number }) => a.k - b.k;
      const want = [...items].sort(compare);
      for (const run of [1, 3, 64, 2048]) expect(runToEnd(sortSteps(items, compare, run, 50)), `${n} items, runs of ${run}`).toEqual(want);
    }
    const sorted = Array.from({ length: 5000 }, (_, i) => i);
    expect(runToEnd(sortSteps(sorted, (a, b) => a - b, 64))).toEqual(sorted);
  });
});
