// Which devices a form offers in a select: all of them while there are few
// enough for a select to stay quick (a thousand options), else a narrower
// set, with a hint saying so. At 100,000 devices a select of every one took
// most of a second to open.
import { collator } from './deviceOrder';
import type { Device } from './types';

export const CHOICES_LIMIT = 1000;

export interface Choices {
  devices: Device[]; // by name, then IP
  // Fewer than all: only the devices in the chosen room were kept.
  narrowed: boolean;
}

const byName = (a: Device, b: Device) => collator.compare(a.name, b.name) || collator.compare(a.ip, b.ip);

// A device's possible parents: every other device; when there are too many,
// those in the room the form has chosen (a gateway is usually in the room
// it serves), and the current parent whatever its room.
export function parentChoices(
  devices: readonly Device[],
  selfId: number | null,
  roomId: number | null,
  currentParent: number | null,
  limit = CHOICES_LIMIT,
): Choices {
  const others = devices.filter((d) => d.id !== selfId);
  if (others.length <= limit) return { devices: others.sort(byName), narrowed: false };
  const kept = others.filter((d) => d.room_id === roomId || d.id === currentParent).sort(byName);
  if (kept.length <= limit) return { devices: kept, narrowed: true };
  const current = kept.find((d) => d.id === currentParent);
  const capped = kept.slice(0, limit);
  if (current && !capped.includes(current)) capped.push(current);
  return { devices: capped, narrowed: true };
}

export const deviceOption = (d: Device) => `${d.name} (${d.ip})`;
