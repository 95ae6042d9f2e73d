// The rooms and devices lists and their index (rows.ts): loaded from the
// API, reloaded after an edit, and reloaded when stale (another operator
// changed them; see overview.ts). The index is built in slices
// (slices.ts), before the lists are shown: at 100,000 devices it is
// ~200 ms of work.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api } from '../api';
import { indexDevicesSteps, type DeviceIndex } from '../rows';
import { inSlices } from '../slices';
import type { StatusMap } from '../status';
import type { Device, Room } from '../types';

export interface Inventory {
  rooms: Room[] | null;
  devices: Device[] | null;
  index: DeviceIndex | null;
  loadError: string | null;
  reload: () => Promise<void>;
}

interface Lists {
  rooms: Room[];
  devices: Device[];
  index: DeviceIndex;
}

export function useInventory(api: Api): Inventory {
  const [lists, setLists] = useState<Lists | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  // Loads can overlap (an edit, then a stale list) and, being sliced, end
  // in another order than they started: one that ends after a later one is
  // dropped.
  const started = useRef(0);
  const ended = useRef(0);

  const reload = useCallback(async () => {
    const load = ++started.current;
    try {
      const [rooms, devices] = await Promise.all([api.rooms(), api.devices()]);
      const index = await inSlices(indexDevicesSteps(rooms, devices));
      if (load < ended.current) return;
      ended.current = load;
      setLists({ rooms, devices, index });
      setLoadError(null);
    } catch (error) {
      if (load < ended.current) return;
      ended.current = load;
      setLoadError((error as Error).message);
    }
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { rooms: lists?.rooms ?? null, devices: lists?.devices ?? null, index: lists?.index ?? null, loadError, reload };
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
