// The live status of every device, from /ws/status/ (snapshots and deltas)
// for as long as the component is mounted, and whether the socket is live.
import { useEffect, useReducer, useState } from 'react';
import type { Api } from '../api';
import { LiveStatus, statusSocketUrl, type LiveState } from '../live';
import { applyStatusMessage, emptyStatus } from '../status';
import type { StatusTable } from '../statusTable';

export function useLiveStatus(api: Api, token: string, onSessionLost: (message: string) => void): [StatusTable, LiveState] {
  const [statuses, dispatch] = useReducer(applyStatusMessage, emptyStatus);
  const [live, setLive] = useState<LiveState>({ kind: 'connecting' });

  useEffect(() => {
    const socket = new LiveStatus({
      url: statusSocketUrl(window.location, token),
      onMessage: dispatch,
      onState: setLive,
      onAuthLost: onSessionLost,
      checkAuth: () => void api.me().catch(() => undefined),
    });
    socket.start();
    return () => socket.stop();
  }, [api, token, onSessionLost]);

  return [statuses, live];
}
