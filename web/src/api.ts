// The HTTP client: bearer token on every call, the contract's errors turned
// into ApiError (status, message, and per-field messages from a 422).
// A 401 on an authenticated call means the session is over: onUnauthorized
// runs (the app returns to the login screen) and the call still rejects.
import { parseJsonSteps } from './jsonSlices';
import { inSlices } from './slices';
import type {
  ApiToken,
  ApiTokenCreate,
  BulkResult,
  ClusterNode,
  Delivery,
  Device,
  DeviceStatusFull,
  DeviceInput,
  History,
  MaintenanceInput,
  MaintenanceWindow,
  NewApiToken,
  Notifier,
  NotifierInput,
  Room,
  RoomInput,
  StatusEvent,
  Token,
  Uptime,
  UptimeMap,
  UptimeWindow,
  User,
  UserCreate,
  UserUpdate,
} from './types';

export class ApiError extends Error {
  readonly status: number;
  // "ip", "name", "check.port", ... -> the server's message for that field.
  readonly fields: Record<string, string>;
  // A 422's items as the server sent them (a bulk import maps them to rows).
  readonly items: ValidationItem[];

  constructor(status: number, message: string, fields: Record<string, string> = {}, items: ValidationItem[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.fields = fields;
    this.items = items;
  }
}

export interface ValidationItem {
  loc?: (string | number)[];
  msg?: string;
}

// {"detail": "..."} or FastAPI's {"detail": [{"loc": ["body", "ip"], "msg": ...}]}.
export function errorFromBody(status: number, body: unknown): ApiError {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === 'string') return new ApiError(status, detail);
  if (Array.isArray(detail)) {
    const fields: Record<string, string> = {};
    const messages: string[] = [];
    for (const item of detail as ValidationItem[]) {
      const loc = (item.loc ?? []).slice(1).join('.');
      const msg = item.msg ?? 'Invalid value';
      if (loc && !(loc in fields)) fields[loc] = msg;
      messages.push(loc ? `${loc}: ${msg}` : msg);
    }
    return new ApiError(status, messages.join('; ') || 'Invalid input', fields, detail as ValidationItem[]);
  }
  return new ApiError(status, `The server answered ${status}`);
}

// Where a form shows an error: per field (a 422's locations, plus `extra`,
// e.g. a 409 that is about one field), else one message for the whole form.
export function placeErrors(
  error: ApiError,
  extra: Record<string, string> = {},
): { fields: Record<string, string>; general: string | null } {
  const fields = { ...error.fields, ...extra };
  return { fields, general: Object.keys(fields).length === 0 ? error.message : null };
}

export interface ApiOptions {
  token: () => string | null;
  // `token`: the one the refused call carried (a call that was already on
  // its way when the session got a new token must not end the new one).
  onUnauthorized: (message: string, token: string) => void;
  fetch?: typeof fetch;
}

export type { DeviceInput, MaintenanceInput, NotifierInput, RoomInput } from './types';

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export class Api {
  private readonly options: ApiOptions;

  constructor(options: ApiOptions) {
    this.options = options;
  }

  private async call<T>(method: string, path: string, body?: unknown, form?: URLSearchParams, text?: { type: string; body: string }): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    // Logging in is never on behalf of the current session.
    const token = path === '/token' ? null : this.options.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      payload = form.toString();
    } else if (text) {
      headers['Content-Type'] = text.type;
      payload = text.body;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(path, { method, headers, body: payload });
    } catch {
      throw new ApiError(0, 'Cannot reach gatewatch: check the network and try again');
    }
    if (response.status === 204) return undefined as T;
    // In slices: GET /devices/ at 100,000 devices is ~13 MB of JSON.
    const parsed: unknown = await response
      .text()
      .then((text) => inSlices(parseJsonSteps(text)))
      .catch(() => null);
    if (response.ok) return parsed as T;
    const error = errorFromBody(response.status, parsed);
    if (response.status === 401 && token) {
      this.options.onUnauthorized('Your session has expired or was refused. Log in again to continue.', token);
    }
    throw error;
  }

  login(username: string, password: string): Promise<Token> {
    const form = new URLSearchParams({ grant_type: 'password', username, password });
    return this.call('POST', '/token', undefined, form);
  }
  // setupCode: the code gatewatch logs at start, which the server asks for
  // (403) when the first account is registered from another machine.
  register(username: string, password: string, setupCode?: string): Promise<User> {
    return this.call('POST', '/users/', setupCode === undefined ? { username, password } : { username, password, setup_code: setupCode });
  }
  me(): Promise<User> {
    return this.call('GET', '/users/me');
  }
  // 204, and every older token of the account stops working (a new login is needed).
  changePassword(currentPassword: string, newPassword: string): Promise<void> {
    return this.call('POST', '/users/me/password', { current_password: currentPassword, new_password: newPassword });
  }
  // Accounts administration (admin only).
  users(): Promise<User[]> {
    return this.call('GET', '/users/');
  }
  // With an admin's token the server takes the role.
  createUser(input: UserCreate): Promise<User> {
    return this.call('POST', '/users/', input);
  }
  updateUser(id: number, input: UserUpdate): Promise<User> {
    return this.call('PUT', `/users/${id}`, input);
  }
  deleteUser(id: number): Promise<void> {
    return this.call('DELETE', `/users/${id}`);
  }
  apiTokens(): Promise<ApiToken[]> {
    return this.call('GET', '/api-tokens/');
  }
  createApiToken(input: ApiTokenCreate): Promise<NewApiToken> {
    return this.call('POST', '/api-tokens/', input);
  }
  deleteApiToken(id: number): Promise<void> {
    return this.call('DELETE', `/api-tokens/${id}`);
  }
  rooms(): Promise<Room[]> {
    return this.call('GET', '/rooms/');
  }
  createRoom(input: RoomInput): Promise<Room> {
    return this.call('POST', '/rooms/', input);
  }
  updateRoom(id: number, input: RoomInput): Promise<Room> {
    return this.call('PUT', `/rooms/${id}`, input);
  }
  deleteRoom(id: number): Promise<void> {
    return this.call('DELETE', `/rooms/${id}`);
  }
  devices(): Promise<Device[]> {
    return this.call('GET', '/devices/');
  }
  createDevice(input: DeviceInput): Promise<Device> {
    return this.call('POST', '/devices/', input);
  }
  updateDevice(id: number, input: DeviceInput): Promise<Device> {
    return this.call('PUT', `/devices/${id}`, input);
  }
  deleteDevice(id: number): Promise<void> {
    return this.call('DELETE', `/devices/${id}`);
  }
  // All or nothing: 201, or a 422 naming every bad row (ApiError.items).
  importDevicesCsv(csv: string): Promise<BulkResult> {
    return this.call('POST', '/devices/bulk', undefined, undefined, { type: 'text/csv', body: csv });
  }
  // The live status with each location's view (several nodes).
  deviceStatus(id: number): Promise<DeviceStatusFull> {
    return this.call('GET', `/devices/${id}/status`);
  }
  // The nodes sharing the database (admins; on SQLite the one node).
  nodes(): Promise<ClusterNode[]> {
    return this.call('GET', '/nodes/');
  }
  // History and uptime (spec: "History and uptime"); times are RFC 3339.
  // `location` (several nodes): as that location's prober saw the device.
  deviceEvents(id: number, limit = 100, location?: string): Promise<StatusEvent[]> {
    return this.call('GET', `/devices/${id}/events${query({ limit, location })}`);
  }
  deviceHistory(id: number, range: { from: string; to: string; step?: number; location?: string }): Promise<History> {
    return this.call('GET', `/devices/${id}/history${query(range)}`);
  }
  deviceUptime(id: number, location?: string): Promise<Uptime> {
    return this.call('GET', `/devices/${id}/uptime${query({ location })}`);
  }
  // {"<ip>": fraction | null} for every monitored device.
  uptime(window: UptimeWindow): Promise<UptimeMap> {
    return this.call('GET', `/uptime/${query({ window })}`);
  }
  // Notifications (spec: "Notifications"): admins write, viewers list.
  notifiers(): Promise<Notifier[]> {
    return this.call('GET', '/notifiers/');
  }
  createNotifier(input: NotifierInput): Promise<Notifier> {
    return this.call('POST', '/notifiers/', input);
  }
  updateNotifier(id: number, input: NotifierInput): Promise<Notifier> {
    return this.call('PUT', `/notifiers/${id}`, input);
  }
  deleteNotifier(id: number): Promise<void> {
    return this.call('DELETE', `/notifiers/${id}`);
  }
  // 202: a test message is queued for delivery.
  testNotifier(id: number): Promise<unknown> {
    return this.call('POST', `/notifiers/${id}/test`);
  }
  deliveries(id: number, limit = 20): Promise<Delivery[]> {
    return this.call('GET', `/notifiers/${id}/deliveries${query({ limit })}`);
  }
  maintenance(): Promise<MaintenanceWindow[]> {
    return this.call('GET', '/maintenance/');
  }
  createMaintenance(input: MaintenanceInput): Promise<MaintenanceWindow> {
    return this.call('POST', '/maintenance/', input);
  }
  deleteMaintenance(id: number): Promise<void> {
    return this.call('DELETE', `/maintenance/${id}`);
  }
}
