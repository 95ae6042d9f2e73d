import { describe, expect, it } from 'vitest';
import { applyStatusMessage, applyStatusSteps, emptyStatus } from './status';
import { StatusFeed } from './statusFeed';
import type { StatusTable } from './statusTable';
import type { StatusDetail } from './types';

const detail = (status: StatusDetail['status'], rtt: number | null = null): StatusDetail => ({ status, rtt_ms: rtt, loss: null, since: null, last_probe: null });
const ips = Array.from({ length: 20_000 }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
const big = { snapshot: Object.fromEntries(ips.map((ip) => [ip, detail('connected', 1)])) };

// A feed on a fake clock (each step of work costs 1 ms) whose pauses the test releases.
function setup() {
  let t = 0;
  const pauses: (() => void)[] = [];
  const tables: StatusTable[] = [];
  const feed = new StatusFeed((table) => tables.push(table), emptyStatus, {
    budgetMs: 3,
    now: () => (t += 1),
    pause: () => new Promise<void>((resolve) => pauses.push(resolve)),
  });
  const resumeAll = async () => {
    while (pauses.length > 0) {
      pauses.shift()!();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  return { feed, tables, pauses, resumeAll };
}

describe('StatusFeed', () => {
  it('applies small messages at once, and hands on only tables that changed', () => {
    const { feed, tables } = setup();
    feed.push({ snapshot: { a: detail('connected') } });
    expect(tables).toHaveLength(1);
    feed.push({});
    feed.push({ changed: { a: detail('connected') } });
    expect(tables).toHaveLength(1);
    feed.push({ changed: { a: detail('disconnected') } });
    expect(tables.map((t) => t.get('a')?.status)).toEqual(['connected', 'disconnected']);
    expect(feed.current).toBe(tables[1]);
  });

  it('applies a big snapshot in slices, the messages after it waiting their turn', async () => {
    const { feed, tables, pauses, resumeAll } = setup();
    feed.push(big);
    feed.push({ changed: { [ips[7]]: detail('disconnected') } });
    expect(tables).toHaveLength(0);
    expect(pauses.length).toBeGreaterThan(0);
    await resumeAll();
    expect(tables).toHaveLength(2);
    expect(tables[0].size).toBe(ips.length);
    expect(tables[1].get(ips[7])?.status).toBe('disconnected');
    expect(tables[1].tally).toEqual({ connected: ips.length - 1, disconnected: 1, unknown: 0 });
  });

  it('drops what it has not applied when stopped', async () => {
    const { feed, tables, resumeAll } = setup();
    feed.push(big);
    feed.stop();
    await resumeAll();
    expect(tables).toHaveLength(0);
  });
});

describe('applyStatusSteps', () => {
  it('gives what applyStatusMessage gives, in more than one step for a big snapshot', () => {
    const before = applyStatusMessage(emptyStatus, { snapshot: { [ips[0]]: detail('disconnected'), gone: detail('connected') } });
    const steps = applyStatusSteps(before, big);
    let count = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) count += 1;
    const want = applyStatusMessage(before, big);
    expect(count).toBeGreaterThan(3);
    expect([...step.value.entries()]).toEqual([...want.entries()]);
    expect(step.value.changes).toEqual(want.changes);
    expect(step.value.tally).toEqual(want.tally);
  });
});
