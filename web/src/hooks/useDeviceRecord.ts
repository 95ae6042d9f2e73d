// What a device page reads besides the live status: the chart's points, the
// uptime figures and the status changes. Each is read when the page opens,
// again on a timer, and again when the device's live status moves
// (`changeKey`: its status and since), a second and a half later and once
// more after five (the server writes a status change to the history within
// a second). A read that ends after a newer one started is dropped.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api } from '../api';
import { chartColumns, emptyUptime, rangeQuery, summarize, type ChartColumns, type ChartSummary } from '../history';
import type { RangeKey } from '../route';
import type { DeviceLocations, StatusEvent, Uptime } from '../types';

export interface Loaded<T> {
  value: T | null;
  error: string | null;
}

// `subject` names what is read (a device, a range): a new one starts afresh.
function usePolled<T>(read: () => Promise<T>, subject: string, everyMs: number, changeKey: string): Loaded<T> {
  const [state, setState] = useState<Loaded<T> & { subject: string }>({ subject, value: null, error: null });
  const reader = useRef(read);
  reader.current = read;
  const latest = useRef(0);

  const load = useCallback((of: string) => {
    const mine = ++latest.current;
    reader.current().then(
      (value) => {
        if (mine === latest.current) setState({ subject: of, value, error: null });
      },
      (error: Error) => {
        if (mine === latest.current) setState((s) => ({ subject: of, value: s.subject === of ? s.value : null, error: error.message }));
      },
    );
  }, []);

  useEffect(() => {
    load(subject);
    const timer = setInterval(() => load(subject), everyMs);
    return () => {
      clearInterval(timer);
      latest.current += 1; // what is still being read is of another subject
    };
  }, [subject, everyMs, load]);

  const opened = useRef<string | null>(null);
  useEffect(() => {
    if (opened.current !== subject) {
      opened.current = subject; // the page opening, which the reads above cover
      return;
    }
    const timers = [setTimeout(() => load(subject), 1500), setTimeout(() => load(subject), 5000)];
    return () => timers.forEach(clearTimeout);
  }, [subject, changeKey, load]);

  return state.subject === subject ? state : { value: null, error: null };
}

export interface Chart {
  columns: ChartColumns;
  summary: ChartSummary;
  fromS: number;
  toS: number;
}

// `location`: a location's own view (several nodes), or undefined for the
// device's own history.
export function useDeviceHistory(api: Api, id: number, range: RangeKey, changeKey: string, location?: string): Loaded<Chart> {
  const read = async (): Promise<Chart> => {
    const q = rangeQuery(range, Date.now());
    const history = await api.deviceHistory(id, { from: q.from, to: q.to, step: q.step, location });
    return { columns: chartColumns(history.points, history.step_s), summary: summarize(history.points), fromS: q.fromS, toS: q.toS };
  };
  return usePolled(read, `${id}/${range}/${location ?? ''}`, range === '1h' ? 30_000 : 300_000, changeKey);
}

export function useDeviceUptime(api: Api, id: number, changeKey: string, location?: string): Loaded<Uptime> {
  const read = async () => ({ ...emptyUptime, ...(await api.deviceUptime(id, location)) });
  return usePolled(read, `${id}/${location ?? ''}`, 60_000, changeKey);
}

export function useDeviceEvents(api: Api, id: number, changeKey: string, location?: string): Loaded<StatusEvent[]> {
  return usePolled(() => api.deviceEvents(id, 50, location), `${id}/${location ?? ''}`, 30_000, changeKey);
}

// Each location's view of the device (several nodes; on one node, the node
// itself): read with its status every ten seconds and when the status moves.
export function useDeviceLocations(api: Api, id: number, changeKey: string): Loaded<DeviceLocations> {
  const read = async () => (await api.deviceStatus(id)).locations;
  return usePolled(read, String(id), 10_000, changeKey);
}
