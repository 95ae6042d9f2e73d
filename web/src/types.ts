// The shapes of the API (../shared/spec/api.md), as the dashboard uses them.

export type Role = 'admin' | 'viewer';

export interface User {
  id: number;
  username: string;
  role: Role;
  // In GET /users/ (spec: "Accounts administration"); /users/me has them too.
  disabled?: boolean;
  created?: string;
}

// GET /api-tokens/: the secret is never listed.
export interface ApiToken {
  id: number;
  name: string;
  role: Role;
  created: string;
  expires: string | null;
  last_used: string | null;
}

// POST /api-tokens/ answers with the secret, this once.
export interface NewApiToken extends Omit<ApiToken, 'last_used'> {
  token: string;
}

// POST /devices/bulk (spec: "Bulk devices").
export interface BulkResult {
  created: number;
  devices: Device[];
}

export interface Room {
  id: number;
  name: string;
  description: string | null;
}

export type Check = { type: 'icmp' } | { type: 'tcp'; port: number };

export interface Device {
  id: number;
  name: string;
  ip: string;
  room_id: number | null;
  monitored: boolean;
  check?: Check;
  // The device this one is reached through (spec: "Dependencies").
  parent_id?: number | null;
}

export type Status = 'connected' | 'disconnected' | 'unknown';

// One value of GET /device_status/?detail=true (and of /ws/status/?detail=true).
export interface StatusDetail {
  device_id?: number;
  status: Status;
  rtt_ms: number | null;
  loss: number | null;
  since: string | null;
  last_probe: string | null;
  // Disconnected behind this ancestor (its id), which is down too; null otherwise.
  unreachable_via?: number | null;
}

// A status message: the contract's {"<ip>": "connected", ...} or the detail form.
export type StatusMessage = Record<string, Status | StatusDetail>;

// A message of /ws/status/?detail=true&delta=true (spec: "Status deltas"):
// the whole state, or what changed since the previous message ({} is a heartbeat).
export type StatusSnapshot = { snapshot: StatusMessage };
export type StatusDelta = { changed?: StatusMessage; removed?: string[] };
export type StatusUpdate = StatusSnapshot | StatusDelta;

// GET /devices/{id}/events: a status change, newest first.
export interface StatusEvent {
  at: string;
  status: Status;
  previous: Status;
  unreachable_via: number | null;
  muted: boolean;
}

// GET /devices/{id}/history: one step's summary (rtt_ms null when no round answered).
export interface HistoryPoint {
  at: string;
  rtt_ms: number | null;
  rtt_ms_max: number | null;
  loss: number;
  up: number;
}

export interface History {
  device_id: number;
  step_s: number;
  points: HistoryPoint[];
}

// GET /devices/{id}/uptime: fraction of the recorded time connected, null where nothing was recorded.
export type UptimeWindow = '24h' | '7d' | '30d' | '365d';
export type Uptime = Record<UptimeWindow, number | null>;

// Notifications (spec: "Notifications"). The secret is write-only: the
// server says only whether one is set.
export type NotifierType = 'webhook' | 'email';
export type NotifierFormat = 'json' | 'slack' | 'ntfy';
export type NotifierEvent = 'down' | 'up';

export interface Notifier {
  id: number;
  name: string;
  type: NotifierType;
  url: string | null;
  format: NotifierFormat | null;
  to: string[] | null;
  events: NotifierEvent[];
  room_id: number | null;
  enabled: boolean;
  has_secret: boolean;
}

export interface Delivery {
  id: number;
  // The webhook's json body: event "device.down" | "device.up" | "test", device, ...
  event: { event?: string; device?: { id?: number; name?: string; ip?: string } | null; [key: string]: unknown } | null;
  device_id: number | null;
  created: string;
  attempts: number;
  status: 'pending' | 'delivered' | 'failed';
  last_error: string | null;
}

export interface MaintenanceWindow {
  id: number;
  name: string;
  start: string;
  end: string;
  room_id: number | null;
  device_ids: number[];
}
