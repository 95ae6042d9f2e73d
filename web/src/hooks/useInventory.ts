// The rooms and devices lists: loaded from the API, reloaded after an edit,
// and reloaded when stale (another operator changed them; see overview.ts).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api } from '../api';
import type { StatusMap } from '../status';
import type { Device, Room } from '../types';

export interface Inventory {
  rooms: Room[] | null;
  devices: Device[] | null;
  loadError: string | null;
  reload: () => Promise<void>;
}

export function useInventory(api: Api): Inventory {
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      const [r, d] = await Promise.all([api.rooms(), api.devices()]);
      setRooms(r);
      setDevices(d);
      setLoadError(null);
    } catch (error) {
      setLoadError((error as Error).message);
    }
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { rooms, devices, loadError, reload };
}

// Another operator changed the monitored set: fetch the lists again, at
// most once every two seconds (and again after a reload that did not help,
// or on the next push, while it stays stale).
export function useReloadWhenStale(stale: boolean, devices: Device[] | null, statuses: StatusMap, reload: () => Promise<void>): void {
  const lastStaleReload = useRef(0);
  useEffect(() => {
    if (!devices || !stale) return;
    const wait = Math.max(0, lastStaleReload.current + 2000 - Date.now());
    const timer = setTimeout(() => {
      lastStaleReload.current = Date.now();
      void reload();
    }, wait);
    return () => clearTimeout(timer);
  }, [stale, devices, statuses, reload]);
}
