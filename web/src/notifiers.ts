// The notifier form's arithmetic: a notifier as the form edits it, the body
// the form sends (spec: "Notifications"), and where the server's messages
// go; and how a delivery reads.
import { ApiError, placeErrors, type NotifierInput } from './api';
import type { Delivery, Device, Notifier, NotifierEvent, NotifierFormat, NotifierType } from './types';

export interface NotifierDraft {
  name: string;
  type: NotifierType;
  url: string;
  format: NotifierFormat;
  to: string; // comma-separated addresses, as typed
  secret: string; // write-only: empty keeps the stored one
  down: boolean;
  up: boolean;
  roomId: string; // '' for every room
  enabled: boolean;
}

export function draftOf(notifier: Notifier | null): NotifierDraft {
  return {
    name: notifier?.name ?? '',
    type: notifier?.type ?? 'webhook',
    url: notifier?.url ?? '',
    format: notifier?.format ?? 'json',
    to: (notifier?.to ?? []).join(', '),
    secret: '',
    down: notifier ? notifier.events.includes('down') : true,
    up: notifier ? notifier.events.includes('up') : true,
    roomId: notifier?.room_id ? String(notifier.room_id) : '',
    enabled: notifier?.enabled ?? true,
  };
}

// "a@example.org, b@example.org;c@example.org" -> three addresses; blanks dropped.
export function splitAddresses(text: string): string[] {
  return text
    .split(/[,;\s]+/)
    .map((a) => a.trim())
    .filter(Boolean);
}

// The body of POST /notifiers/ or PUT /notifiers/{id}: what the type uses
// (a webhook's url and format, an email's addresses), the secret only when
// one was typed (never sent back, so an empty field keeps it), as typed
// otherwise: the server says what is wrong, beside the field it is about.
export function notifierInput(draft: NotifierDraft): NotifierInput {
  const events: NotifierEvent[] = [];
  if (draft.down) events.push('down');
  if (draft.up) events.push('up');
  const input: NotifierInput = {
    name: draft.name,
    type: draft.type,
    events,
    room_id: draft.roomId === '' ? null : Number(draft.roomId),
    enabled: draft.enabled,
  };
  if (draft.type === 'webhook') {
    input.url = draft.url.trim();
    input.format = draft.format;
    if (draft.secret !== '') input.secret = draft.secret;
  } else {
    input.to = splitAddresses(draft.to);
  }
  return input;
}

// A 422 about one item of a list ("to.1", "device_ids.0") belongs under the
// list's field; a 404 names the room or device that is missing.
export function formErrors(error: ApiError, lists: readonly string[]): { fields: Record<string, string>; general: string | null } {
  const extra: Record<string, string> = {};
  for (const [key, message] of Object.entries(error.fields)) {
    const root = key.split('.')[0];
    if (lists.includes(root) && !(root in extra)) extra[root] = key === root ? message : `${message} (item ${Number(key.split('.')[1]) + 1})`;
  }
  if (error.status === 404 && /room/i.test(error.message)) extra.room_id = error.message;
  if (error.status === 404 && /device/i.test(error.message) && lists.includes('device_ids')) extra.device_ids = error.message;
  const placed = placeErrors(error, extra);
  return placed;
}

export const eventsLabel = (events: readonly NotifierEvent[]): string =>
  events.length === 2 ? 'Down and up' : events[0] === 'down' ? 'Down only' : events[0] === 'up' ? 'Up only' : 'None';

export const formatLabel: Record<NotifierFormat, string> = { json: 'JSON', slack: 'Slack', ntfy: 'ntfy' };

// "device.down" -> "Down", "test" -> "Test", anything else as it is.
export function deliveryEvent(delivery: Delivery): string {
  const name = typeof delivery.event?.event === 'string' ? delivery.event.event : '';
  if (name === 'device.down') return 'Down';
  if (name === 'device.up') return 'Up';
  if (name === 'test') return 'Test';
  return name || '—';
}

// The device a delivery is about: the list's name for its id, else the name
// the message carried (a device deleted since), else none (a test).
export function deliveryDevice(delivery: Delivery, byId: ReadonlyMap<number, Device>): string | null {
  if (delivery.device_id !== null && byId.has(delivery.device_id)) return byId.get(delivery.device_id)!.name;
  const name = delivery.event?.device?.name;
  return typeof name === 'string' ? name : null;
}
