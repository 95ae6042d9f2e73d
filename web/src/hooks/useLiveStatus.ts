// The live status of every device, from /ws/status/ (snapshots and deltas)
// for as long as the component is mounted, and whether the socket is live.
import { useEffect, useRef, useState } from 'react';
import type { Api } from '../api';
import { LiveStatus, statusSocketUrl, type LiveState } from '../live';
import { emptyStatus } from '../status';
import { StatusFeed } from '../statusFeed';
import type { StatusTable } from '../statusTable';

// onSessionLost hears which token was refused (the app may have a newer one).
export function useLiveStatus(api: Api, token: string, onSessionLost: (message: string, refused: string) => void): [StatusTable, LiveState] {
  const [statuses, setStatuses] = useState<StatusTable>(emptyStatus);
  const [live, setLive] = useState<LiveState>({ kind: 'connecting' });
  // The table shown, for a new feed (a new token) to go on from: entries
  // that the next snapshot leaves unchanged keep their identity.
  const shown = useRef(statuses);

  useEffect(() => {
    const feed = new StatusFeed((table) => {
      shown.current = table;
      setStatuses(table);
    }, shown.current);
    const socket = new LiveStatus({
      url: statusSocketUrl(window.location, token),
      onMessage: (message) => feed.push(message),
      onState: setLive,
      onAuthLost: (message) => onSessionLost(message, token),
      checkAuth: () => void api.me().catch(() => undefined),
    });
    socket.start();
    return () => {
      socket.stop();
      feed.stop();
    };
  }, [api, token, onSessionLost]);

  return [statuses, live];
}
