// The toolbar above the list: search, room, status and sort, all kept in the
// view; `children` (the admin's add buttons) go at its end.
import type { ReactNode } from 'react';
import type { Room } from '../types';
import type { View } from '../view';

interface Props {
  view: View;
  rooms: readonly Room[];
  onChange: (view: View) => void;
  children?: ReactNode;
}

export function Filters({ view, rooms, onChange, children }: Props) {
  return (
    <section className="toolbar" aria-label="Filters">
      <label className="search">
        <span className="visually-hidden">Search by name or IP</span>
        <input type="search" placeholder="Search name or IP" value={view.q} onChange={(e) => onChange({ ...view, q: e.target.value })} />
      </label>
      <label>
        <span className="visually-hidden">Room</span>
        <select
          value={String(view.room)}
          onChange={(e) => {
            const v = e.target.value;
            onChange({ ...view, room: v === 'all' || v === 'none' ? v : Number(v) });
          }}
        >
          <option value="all">All rooms</option>
          <option value="none">Without a room</option>
          {rooms.map((room) => (
            <option key={room.id} value={room.id}>
              {room.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span className="visually-hidden">Status</span>
        <select value={view.status} onChange={(e) => onChange({ ...view, status: e.target.value as View['status'] })}>
          <option value="all">Any status</option>
          <option value="connected">Connected</option>
          <option value="disconnected">Disconnected</option>
          <option value="unknown">Unknown</option>
          <option value="unmonitored">Not monitored</option>
        </select>
      </label>
      <label>
        <span className="visually-hidden">Sort by</span>
        <select value={view.sort} onChange={(e) => onChange({ ...view, sort: e.target.value as View['sort'] })}>
          <option value="name">Sort by name</option>
          <option value="ip">Sort by IP</option>
          <option value="status">Sort by status</option>
          <option value="rtt">Sort by RTT</option>
        </select>
      </label>
      {children}
    </section>
  );
}
