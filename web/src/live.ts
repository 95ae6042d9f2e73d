// The connection to /ws/status/?detail=true&delta=true: passes each change
// of state on, reports whether it is live, and reconnects with backoff when
// the socket drops.
//
// The delta protocol (spec: "Status deltas"): a socket's first message is
// {"snapshot": {...}}, then {"changed": {...}, "removed": [...]} while
// anything changes, {} as a heartbeat, and a fresh snapshot whenever the
// server found us behind. Snapshots and deltas go to onMessage; heartbeats
// only keep the socket alive. A server without deltas sends the whole
// {"<ip>": detail} object every time: a socket whose first message is not a
// snapshot is read that way, each message passed on as it is (the reducer
// takes a whole object as a snapshot), an empty one as {"snapshot": {}}.
// A delta cannot be skipped, so a message we cannot read replaces the socket
// (the next one starts with a snapshot). Messages are parsed in arrival
// order, a big one (a 15 MB snapshot at 100,000 devices) in slices so that
// the page stays responsive (slices.ts, jsonSlices.ts); a small one at once.
//
// Close code 1008 means the token expired or was refused: no reconnection,
// onAuthLost instead. A handshake refused with 401 shows up in a browser only
// as a failed socket, so after a connection that never opened, checkAuth()
// asks the API (whose 401 ends the session). With no message for
// `silenceLimit` ms (the server sends one, a heartbeat at least, every push
// interval), the socket is presumed dead and replaced.
import { Backoff } from './backoff';
import { parseJsonSteps } from './jsonSlices';
import { InOrder, type SliceOptions } from './slices';
import { isDelta, isHeartbeat, isSnapshot } from './status';
import type { StatusMessage, StatusUpdate } from './types';

export type LiveState = { kind: 'connecting' } | { kind: 'live' } | { kind: 'reconnecting'; retryAt: number };

export interface LiveOptions {
  url: string;
  onMessage: (message: StatusUpdate | StatusMessage) => void;
  onState: (state: LiveState) => void;
  onAuthLost: (message: string) => void;
  checkAuth: () => void;
  WebSocketImpl?: typeof WebSocket;
  backoff?: Backoff;
  silenceLimit?: number;
  now?: () => number;
  slices?: SliceOptions;
}

export function statusSocketUrl(location: Pick<Location, 'protocol' | 'host'>, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws/status/?detail=true&delta=true&token=${encodeURIComponent(token)}`;
}

export class LiveStatus {
  private readonly options: LiveOptions;
  private readonly backoff: Backoff;
  private socket: WebSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private silenceTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private readonly reading: InOrder;

  constructor(options: LiveOptions) {
    this.options = options;
    this.backoff = options.backoff ?? new Backoff();
    this.reading = new InOrder(options.slices);
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.reading.cancel();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.retryTimer = this.silenceTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      socket.close(1000);
    }
  }

  private connect(): void {
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    this.options.onState({ kind: 'connecting' });
    const socket = new Impl(this.options.url);
    this.socket = socket;
    let opened = false;
    let mode: 'first' | 'delta' | 'whole' = 'first';
    socket.onopen = () => {
      opened = true;
      this.backoff.reset();
      this.options.onState({ kind: 'live' });
      this.expectMessage();
    };
    // A message as read: passed on, skipped, or the socket given up.
    const read = (message: unknown) => {
      if (typeof message !== 'object' || message === null || Array.isArray(message)) {
        if (mode === 'whole') return; // skipped: the next message carries the whole state again
        this.replace(socket);
        return;
      }
      if (mode === 'first') mode = isSnapshot(message) ? 'delta' : 'whole';
      if (mode === 'whole') {
        this.options.onMessage(isHeartbeat(message) ? { snapshot: {} } : (message as StatusMessage));
      } else if (isSnapshot(message) || isDelta(message)) {
        if (readableUpdate(message)) this.options.onMessage(message);
        else this.replace(socket);
      } else if (!isHeartbeat(message)) {
        this.replace(socket);
      }
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket !== socket) return;
      this.expectMessage();
      const text = String(event.data);
      // Read in order; a big one (a snapshot) in slices. A message received
      // before the socket closed is still passed on.
      this.reading.run(
        () => parseJsonSteps(text),
        read,
        () => read(undefined),
      );
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket || this.stopped) return;
      this.socket = null;
      if (this.silenceTimer) clearTimeout(this.silenceTimer);
      if (event.code === 1008) {
        this.stopped = true;
        this.options.onAuthLost('Your session has expired. Log in again to continue.');
        return;
      }
      if (!opened) this.options.checkAuth();
      this.scheduleReconnect();
    };
  }

  private expectMessage(): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => {
      if (this.socket) this.replace(this.socket);
    }, this.options.silenceLimit ?? 15_000);
  }

  // Gives up on a socket that went silent or sent what we cannot follow.
  private replace(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.reading.cancel(); // what is still to read of it, we cannot follow either
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = null;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    socket.close(4000);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = this.backoff.next();
    const now = this.options.now ?? Date.now;
    this.options.onState({ kind: 'reconnecting', retryAt: now() + delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readableUpdate(message: StatusUpdate): boolean {
  if ('snapshot' in message) return isRecord(message.snapshot);
  const { changed, removed } = message;
  return (changed === undefined || isRecord(changed)) && (removed === undefined || (Array.isArray(removed) && removed.every((ip) => typeof ip === 'string')));
}
