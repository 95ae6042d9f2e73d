// The overview's rows, down counts, status counts and staleness, from one
// OverviewModel for the component's life, so a push costs what it changed.
import { useState } from 'react';
import { OverviewModel, type Overview } from '../overview';
import type { StatusTable } from '../statusTable';
import type { Device, Room } from '../types';
import type { View } from '../view';

export function useOverview(rooms: Room[] | null, devices: Device[] | null, statuses: StatusTable, view: View): Overview {
  const [model] = useState(() => new OverviewModel());
  return model.update(rooms, devices, statuses, view);
}
