import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from './backoff';
import { LiveStatus, statusSocketUrl, type LiveState } from './live';

// A stand-in for the browser's WebSocket that the test opens, feeds and closes.
class FakeSocket {
  static made: FakeSocket[] = [];
  url: string;
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  closedWith: number | null = null;
  constructor(url: string) {
    this.url = url;
    FakeSocket.made.push(this);
  }
  close(code: number) {
    this.closedWith = code;
  }
}

function setup() {
  const states: LiveState[] = [];
  const messages: unknown[] = [];
  const authLost: string[] = [];
  const checkAuth = vi.fn();
  const live = new LiveStatus({
    url: 'ws://gw/ws/status/?detail=true&token=t',
    onMessage: (m) => messages.push(m),
    onState: (s) => states.push(s),
    onAuthLost: (m) => authLost.push(m),
    checkAuth,
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    backoff: new Backoff(1000, 8000, () => 0.999999),
    silenceLimit: 15_000,
  });
  return { live, states, messages, authLost, checkAuth };
}

describe('LiveStatus', () => {
  beforeEach(() => {
    FakeSocket.made = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('is live once open and passes messages on', () => {
    const { live, states, messages } = setup();
    live.start();
    FakeSocket.made[0].onopen?.();
    FakeSocket.made[0].onmessage?.({ data: '{"192.0.2.1":"connected"}' });
    expect(states.map((s) => s.kind)).toEqual(['connecting', 'live']);
    expect(messages).toEqual([{ '192.0.2.1': 'connected' }]);
    live.stop();
  });

  it('reconnects with growing delays after drops, and says so', () => {
    const { live, states } = setup();
    live.start();
    FakeSocket.made[0].onclose?.({ code: 1006 });
    expect(states.at(-1)?.kind).toBe('reconnecting');
    vi.advanceTimersByTime(999);
    expect(FakeSocket.made).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.made).toHaveLength(2);
    FakeSocket.made[1].onclose?.({ code: 1006 });
    vi.advanceTimersByTime(1999);
    expect(FakeSocket.made).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.made).toHaveLength(3);
    FakeSocket.made[2].onopen?.(); // success resets the delay
    FakeSocket.made[2].onclose?.({ code: 1001 });
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.made).toHaveLength(4);
    live.stop();
  });

  it('asks whether the token still holds after a socket that never opened', () => {
    const { live, checkAuth } = setup();
    live.start();
    FakeSocket.made[0].onclose?.({ code: 1006 });
    expect(checkAuth).toHaveBeenCalledTimes(1);
    live.stop();
  });

  it('ends the session on 1008 (token expired) and does not reconnect', () => {
    const { live, authLost } = setup();
    live.start();
    FakeSocket.made[0].onopen?.();
    FakeSocket.made[0].onclose?.({ code: 1008 });
    expect(authLost).toHaveLength(1);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.made).toHaveLength(1);
  });

  it('replaces a socket that has gone silent', () => {
    const { live } = setup();
    live.start();
    FakeSocket.made[0].onopen?.();
    vi.advanceTimersByTime(15_000);
    expect(FakeSocket.made[0].closedWith).toBe(4000);
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.made).toHaveLength(2);
    live.stop();
  });

  it('stops for good', () => {
    const { live } = setup();
    live.start();
    live.stop();
    expect(FakeSocket.made[0].closedWith).toBe(1000);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.made).toHaveLength(1);
  });

  it('delta protocol: snapshots and deltas go on; a heartbeat only keeps the socket alive', () => {
    const { live, messages } = setup();
    live.start();
    const socket = FakeSocket.made[0];
    socket.onopen?.();
    socket.onmessage?.({ data: '{"snapshot":{"192.0.2.1":"connected"}}' });
    socket.onmessage?.({ data: '{"changed":{"192.0.2.1":"disconnected"},"removed":["192.0.2.9"]}' });
    for (let i = 0; i < 4; i += 1) {
      vi.advanceTimersByTime(10_000);
      socket.onmessage?.({ data: '{}' });
    }
    socket.onmessage?.({ data: '{"snapshot":{"192.0.2.2":"connected"}}' }); // we fell behind
    expect(socket.closedWith).toBeNull();
    expect(messages).toEqual([
      { snapshot: { '192.0.2.1': 'connected' } },
      { changed: { '192.0.2.1': 'disconnected' }, removed: ['192.0.2.9'] },
      { snapshot: { '192.0.2.2': 'connected' } },
    ]);
    vi.advanceTimersByTime(15_000);
    expect(socket.closedWith).toBe(4000);
    live.stop();
  });

  it('a server without deltas: every message is the whole state, an empty one too', () => {
    const { live, messages } = setup();
    live.start();
    FakeSocket.made[0].onopen?.();
    FakeSocket.made[0].onmessage?.({ data: '{"192.0.2.1":"connected"}' });
    FakeSocket.made[0].onmessage?.({ data: '{}' });
    FakeSocket.made[0].onmessage?.({ data: 'not json' });
    expect(messages).toEqual([{ '192.0.2.1': 'connected' }, { snapshot: {} }]);
    expect(FakeSocket.made[0].closedWith).toBeNull();
    live.stop();
  });

  it('a delta it cannot read replaces the socket, whose first message is a snapshot again', () => {
    const { live, messages, states } = setup();
    live.start();
    FakeSocket.made[0].onopen?.();
    FakeSocket.made[0].onmessage?.({ data: '{"snapshot":{"192.0.2.1":"connected"}}' });
    FakeSocket.made[0].onmessage?.({ data: '{"changed":{"192.0.2.1":"disc' });
    expect(FakeSocket.made[0].closedWith).toBe(4000);
    expect(states.at(-1)?.kind).toBe('reconnecting');
    FakeSocket.made[0].onmessage?.({ data: '{"changed":{"192.0.2.1":"connected"}}' }); // late: ignored
    vi.advanceTimersByTime(1000);
    FakeSocket.made[1].onopen?.();
    FakeSocket.made[1].onmessage?.({ data: '{"snapshot":{"192.0.2.1":"disconnected"}}' });
    FakeSocket.made[1].onmessage?.({ data: '{"removed":"192.0.2.1"}' });
    expect(FakeSocket.made[1].closedWith).toBe(4000);
    expect(messages).toEqual([{ snapshot: { '192.0.2.1': 'connected' } }, { snapshot: { '192.0.2.1': 'disconnected' } }]);
    live.stop();
  });

  describe('a message too big for one slice', () => {
    // A snapshot of 30,000 devices (2.6 MB: past what is parsed whole),
    // parsed on a fake clock (each step costs 1 ms, 3 ms a slice) whose
    // pauses the test releases.
    const big = { snapshot: Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, { status: 'connected', rtt_ms: i, loss: 0, since: null, last_probe: null }])) };
    function slowSetup() {
      let t = 0;
      const pauses: (() => void)[] = [];
      const messages: unknown[] = [];
      const live = new LiveStatus({
        url: 'ws://gw/ws/status/?detail=true&delta=true&token=t',
        onMessage: (m) => messages.push(m),
        onState: () => undefined,
        onAuthLost: () => undefined,
        checkAuth: () => undefined,
        WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
        backoff: new Backoff(1000, 8000, () => 0.999999),
        slices: { budgetMs: 3, now: () => (t += 1), pause: () => new Promise<void>((resolve) => pauses.push(resolve)) },
      });
      const resumeAll = async () => {
        while (pauses.length > 0) {
          pauses.shift()!();
          for (let i = 0; i < 5; i += 1) await Promise.resolve();
        }
      };
      return { live, messages, pauses, resumeAll };
    }

    it('is parsed in slices, and the messages after it keep their order', async () => {
      const { live, messages, pauses, resumeAll } = slowSetup();
      live.start();
      const socket = FakeSocket.made[0];
      socket.onopen?.();
      socket.onmessage?.({ data: JSON.stringify(big) });
      socket.onmessage?.({ data: '{"changed":{"10.0.0.1":"disconnected"}}' });
      expect(messages).toEqual([]);
      expect(pauses.length).toBeGreaterThan(0);
      await resumeAll();
      expect(messages).toEqual([big, { changed: { '10.0.0.1': 'disconnected' } }]);
      live.stop();
    });

    it('is still passed on when the socket closes meanwhile, not when we give the socket up', async () => {
      const { live, messages, resumeAll } = slowSetup();
      live.start();
      FakeSocket.made[0].onopen?.();
      FakeSocket.made[0].onmessage?.({ data: JSON.stringify(big) });
      FakeSocket.made[0].onclose?.({ code: 1006 });
      await resumeAll();
      expect(messages).toEqual([big]);
      vi.advanceTimersByTime(1000);
      FakeSocket.made[1].onopen?.();
      FakeSocket.made[1].onmessage?.({ data: JSON.stringify(big) });
      vi.advanceTimersByTime(15_000); // silent for too long: replaced
      expect(FakeSocket.made[1].closedWith).toBe(4000);
      await resumeAll();
      expect(messages).toEqual([big]);
      live.stop();
    });
  });

  it('builds the socket URL with the token escaped, ws or wss as the page', () => {
    expect(statusSocketUrl({ protocol: 'http:', host: 'gw:8000' }, 'a.b+c')).toBe('ws://gw:8000/ws/status/?detail=true&delta=true&token=a.b%2Bc');
    expect(statusSocketUrl({ protocol: 'https:', host: 'gw' }, 't').startsWith('wss://gw/')).toBe(true);
  });
});
