// Every monitored device's uptime over a window (GET /uptime/), read when
// `enabled` turns on, when `devices` is another list (a device added or
// removed), and every minute while it stays on: the room figures move
// slowly, so a status message never triggers a read. A failed read keeps
// the figures already shown (the next minute tries again).
import { useEffect, useState } from 'react';
import type { Api } from '../api';
import type { UptimeWindow } from '../types';

export function useUptime(
  api: Api,
  span: UptimeWindow,
  enabled: boolean,
  devices: unknown,
  everyMs = 60_000,
): Record<string, number | null> | null {
  const [uptime, setUptime] = useState<Record<string, number | null> | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const load = () =>
      api.uptime(span).then(
        (value) => live && setUptime(value),
        () => undefined,
      );
    void load();
    const timer = setInterval(() => void load(), everyMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, span, enabled, devices, everyMs]);
  return uptime;
}
