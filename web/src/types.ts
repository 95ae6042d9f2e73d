// The shapes of the API (../shared/spec/api.md), as the dashboard uses them.

export type Role = 'admin' | 'viewer';

export interface User {
  id: number;
  username: string;
  role: Role;
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
}

// A status message: the contract's {"<ip>": "connected", ...} or the detail form.
export type StatusMessage = Record<string, Status | StatusDetail>;

// A message of /ws/status/?detail=true&delta=true (spec: "Status deltas"):
// the whole state, or what changed since the previous message ({} is a heartbeat).
export type StatusSnapshot = { snapshot: StatusMessage };
export type StatusDelta = { changed?: StatusMessage; removed?: string[] };
export type StatusUpdate = StatusSnapshot | StatusDelta;
