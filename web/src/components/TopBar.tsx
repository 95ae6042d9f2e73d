// The bar across the top: the brand, the pages (devices, notifiers,
// maintenance; the current one marked), the live indicator, who is logged
// in (and as what), and the Log out button.
import type { LiveState } from '../live';
import { maintenanceHref, notifiersHref } from '../route';
import type { User } from '../types';
import { LiveIndicator } from './LiveIndicator';

export type Section = 'devices' | 'notifiers' | 'maintenance' | null;

interface Props {
  user: User;
  live: LiveState;
  now: number;
  section: Section;
  devicesHref: string;
  onLogout: () => void;
}

export function TopBar({ user, live, now, section, devicesHref, onLogout }: Props) {
  const link = (which: Section, href: string, label: string) => (
    <a href={href} aria-current={section === which ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <header className="topbar">
      <span className="brand">
        <img src="/favicon.svg" alt="" width={22} height={22} /> gatewatch
      </span>
      <nav className="pages" aria-label="Pages">
        {link('devices', devicesHref, 'Devices')}
        {link('notifiers', notifiersHref, 'Notifiers')}
        {link('maintenance', maintenanceHref, 'Maintenance')}
      </nav>
      <LiveIndicator state={live} now={now} />
      <span className="user">
        <span className="username">{user.username}</span> <span className="role">{user.role}</span>
      </span>
      <button type="button" onClick={onLogout}>
        Log out
      </button>
    </header>
  );
}
