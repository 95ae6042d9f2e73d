// The connection to /ws/status/?detail=true: passes each message on, reports
// whether it is live, and reconnects with backoff when the socket drops.
//
// Close code 1008 means the token expired or was refused: no reconnection,
// onAuthLost instead. A handshake refused with 401 shows up in a browser only
// as a failed socket, so after a connection that never opened, checkAuth()
// asks the API (whose 401 ends the session). With no message for
// `silenceLimit` ms (the server sends one at least every 5 s), the socket is
// presumed dead and replaced.
import { Backoff } from './backoff';
import type { StatusMessage } from './types';

export type LiveState = { kind: 'connecting' } | { kind: 'live' } | { kind: 'reconnecting'; retryAt: number };

export interface LiveOptions {
  url: string;
  onMessage: (message: StatusMessage) => void;
  onState: (state: LiveState) => void;
  onAuthLost: (message: string) => void;
  checkAuth: () => void;
  WebSocketImpl?: typeof WebSocket;
  backoff?: Backoff;
  silenceLimit?: number;
  now?: () => number;
}

export function statusSocketUrl(location: Pick<Location, 'protocol' | 'host'>, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws/status/?detail=true&token=${encodeURIComponent(token)}`;
}

export class LiveStatus {
  private readonly options: LiveOptions;
  private readonly backoff: Backoff;
  private socket: WebSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private silenceTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(options: LiveOptions) {
    this.options = options;
    this.backoff = options.backoff ?? new Backoff();
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
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
    socket.onopen = () => {
      opened = true;
      this.backoff.reset();
      this.options.onState({ kind: 'live' });
      this.expectMessage();
    };
    socket.onmessage = (event: MessageEvent) => {
      this.expectMessage();
      try {
        this.options.onMessage(JSON.parse(String(event.data)) as StatusMessage);
      } catch {
        // A message we cannot read is skipped; the next one carries the whole state again.
      }
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
      const socket = this.socket;
      if (!socket) return;
      this.socket = null;
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      socket.close(4000);
      this.scheduleReconnect();
    }, this.options.silenceLimit ?? 15_000);
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
