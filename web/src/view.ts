// What the overview shows (filters, search, sort), kept in the URL's hash:
// "#/?status=disconnected&room=3&q=core&sort=name". A reload, a shared link
// and a return from the login screen all land on the same view.
import type { DisplayStatus } from './status';

export type SortKey = 'name' | 'ip' | 'status' | 'rtt';
export type RoomFilter = 'all' | 'none' | number;

export interface View {
  status: 'all' | DisplayStatus;
  room: RoomFilter;
  q: string;
  sort: SortKey;
}

export const defaultView: View = { status: 'all', room: 'all', q: '', sort: 'name' };

const statuses = ['all', 'connected', 'disconnected', 'unknown', 'unmonitored'] as const;
const sorts = ['name', 'ip', 'status', 'rtt'] as const;

export function parseView(hash: string): View {
  const query = hash.replace(/^#\/?/, '').replace(/^\?/, '');
  const params = new URLSearchParams(query);
  const status = params.get('status');
  const sort = params.get('sort');
  const room = params.get('room');
  let roomFilter: RoomFilter = 'all';
  if (room === 'none') roomFilter = 'none';
  else if (room && /^[1-9][0-9]*$/.test(room)) roomFilter = Number(room);
  return {
    status: (statuses as readonly string[]).includes(status ?? '') ? (status as View['status']) : 'all',
    room: roomFilter,
    q: params.get('q') ?? '',
    sort: (sorts as readonly string[]).includes(sort ?? '') ? (sort as SortKey) : 'name',
  };
}

export function formatView(view: View): string {
  const params = new URLSearchParams();
  if (view.status !== 'all') params.set('status', view.status);
  if (view.room !== 'all') params.set('room', String(view.room));
  if (view.q) params.set('q', view.q);
  if (view.sort !== 'name') params.set('sort', view.sort);
  const query = params.toString();
  return query ? `#/?${query}` : '#/';
}
