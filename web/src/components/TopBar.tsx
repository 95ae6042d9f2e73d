// The bar across the top: the brand, the pages (devices, notifiers,
// maintenance, and for admins users, API tokens and nodes; the current one
// marked), the live indicator, who is logged in (and as what, a link to
// their account's page), and the Log out button.
import type { LiveState } from '../live';
import { accountHref, apiTokensHref, maintenanceHref, nodesHref, notifiersHref, usersHref } from '../route';
import type { User } from '../types';
import { LiveIndicator } from './LiveIndicator';

export type Section = 'devices' | 'notifiers' | 'maintenance' | 'users' | 'api-tokens' | 'nodes' | 'account' | null;

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
        {user.role === 'admin' && link('users', usersHref, 'Users')}
        {user.role === 'admin' && link('api-tokens', apiTokensHref, 'API tokens')}
        {user.role === 'admin' && link('nodes', nodesHref, 'Nodes')}
      </nav>
      <LiveIndicator state={live} now={now} />
      <a className="user" href={accountHref} aria-current={section === 'account' ? 'page' : undefined} title="Your account: change your password">
        <span className="visually-hidden">Your account: </span>
        <span className="username">{user.username}</span> <span className="role">{user.role}</span>
      </a>
      <button type="button" onClick={onLogout}>
        Log out
      </button>
    </header>
  );
}
