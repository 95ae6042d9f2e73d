// The shapes of the API (../shared/spec/api.md), as the server's OpenAPI
// document declares them: generated/api.d.ts is written at build time from
// `gatewatch openapi` by openapi-typescript (web/CMakeLists.txt), so a change
// of the server's schemas that the dashboard does not follow fails the type
// check. Type-only: nothing here exists at run time, and Vitest runs without
// the generated file. Written by hand only what the document does not say:
// the WebSocket's messages, and the narrower shape of a delivery's event.
import type { components } from './generated/api';

type Schemas = components['schemas'];

export type Role = Schemas['User']['role'];

// An account: GET /users/me, POST /users/, and (spec: "Accounts
// administration") GET /users/, PUT /users/{id}.
export type User = Schemas['User'];

// GET /api-tokens/: the secret is never listed.
export type ApiToken = Schemas['ApiToken'];
// Several nodes (GET /nodes/, admins): one gatewatch process sharing the database.
export type ClusterNode = Schemas['Node'];
// GET /devices/{id}/status: the live status with each location's view.
export type DeviceStatusFull = Schemas['DeviceStatus'];
// POST /api-tokens/ answers with the secret, this once.
export type NewApiToken = Schemas['ApiTokenCreated'];

// POST /devices/bulk (spec: "Bulk devices").
export type BulkResult = Schemas['BulkResult'];

export type Room = Schemas['Room'];

// How a device is probed; `port` with "tcp" only.
export type Check = Schemas['DeviceCheck'];

// `parent_id`: the device this one is reached through (spec: "Dependencies").
export type Device = Schemas['Device'];

export type Status = Schemas['DeviceStatus']['status'];

// One value of GET /device_status/?detail=true (and of /ws/status/?detail=true):
// the IP is the key, not repeated in the value. What the dashboard keeps per
// IP: that, or from the plain form only the status (the ids unknown).
// The per-location views come with GET /devices/{id}/status only (DeviceLocations).
type DeviceStatus = Omit<Schemas['DeviceStatus'], 'ip' | 'locations'>;
export type StatusDetail = Omit<DeviceStatus, 'device_id' | 'unreachable_via'> &
  Partial<Pick<DeviceStatus, 'device_id' | 'unreachable_via'>>;

// Several nodes: each location's view of one device (GET /devices/{id}/status).
export type DeviceLocations = Schemas['DeviceStatus']['locations'];
export type LocationStatus = Schemas['LocationStatus'];

// A status message: the contract's {"<ip>": "connected", ...} or the detail form.
export type StatusMessage = Record<string, Status | StatusDetail>;

// A message of /ws/status/?detail=true&delta=true (spec: "Status deltas"):
// the whole state, or what changed since the previous message ({} is a heartbeat).
export type StatusSnapshot = { snapshot: StatusMessage };
export type StatusDelta = { changed?: StatusMessage; removed?: string[] };
export type StatusUpdate = StatusSnapshot | StatusDelta;

// GET /devices/{id}/events: a status change, newest first.
export type StatusEvent = Schemas['StatusEvent'];

// GET /devices/{id}/history: one step's summary (rtt_ms null when no round answered).
export type HistoryPoint = Schemas['HistoryPoint'];
export type History = Schemas['History'];

// GET /devices/{id}/uptime: fraction of the recorded time connected, null where nothing was recorded.
export type Uptime = Schemas['Uptime'];
export type UptimeWindow = keyof Uptime;

// Notifications (spec: "Notifications"). The secret is write-only: the
// server says only whether one is set.
export type Notifier = Schemas['Notifier'];
export type NotifierType = Notifier['type'];
export type NotifierFormat = NonNullable<Notifier['format']>;
export type NotifierEvent = Notifier['events'][number];

// The document says only that `event` is an object: the webhook's json body,
// event "device.down" | "device.up" | "test", device, ...
export type Delivery = Omit<Schemas['Delivery'], 'event'> & {
  event: { event?: string; device?: { id?: number; name?: string; ip?: string } | null; [key: string]: unknown } | null;
};

export type MaintenanceWindow = Schemas['MaintenanceWindow'];

// What the dashboard sends.
export type Token = Schemas['Token'];
export type UserCreate = Schemas['UserCreate'];
export type UserUpdate = Schemas['UserUpdate'];
export type ApiTokenCreate = Schemas['ApiTokenCreate'];
export type UptimeMap = Schemas['UptimeMap'];
// The forms' bodies, for POST and PUT: any subset of the fields (a form may
// leave out a required one, and the server's 422 names it beside its field).
export type RoomInput = Schemas['RoomUpdate'];
export type DeviceInput = Schemas['DeviceUpdate'];
// The secret only when one is typed (never read back).
export type NotifierInput = Schemas['NotifierUpdate'];
export type MaintenanceInput = Partial<Schemas['MaintenanceCreate']>;
