// The bar across the top: the brand, the live indicator, who is logged in
// (and as what), and the Log out button.
import type { LiveState } from '../live';
import type { User } from '../types';
import { LiveIndicator } from './LiveIndicator';

interface Props {
  user: User;
  live: LiveState;
  now: number;
  onLogout: () => void;
}

export function TopBar({ user, live, now, onLogout }: Props) {
  return (
    <header className="topbar">
      <span className="brand">
        <img src="/favicon.svg" alt="" width={22} height={22} /> gatewatch
      </span>
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
