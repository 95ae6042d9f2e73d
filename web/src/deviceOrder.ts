// The orders of the device list that the overview sorts by, computed in
// steps (slices.ts) once per list load: by name (Intl.Collator: numeric,
// case and accents ignored), by name then IP, and by IP (IPv4 in numeric
// order, then the rest in text order). Each is stable: ties keep the list's
// order.
//
// At 100,000 devices a comparison of two names by Intl.Collator costs
// ~0.4 us (Node and Chromium: the numeric option leaves V8's fast path),
// so a sort by name took ~150 ms and ~1.7 million comparisons. Most names
// are plain ASCII (letters, digits, spaces, "-", "_", "."), so each such
// name gets a key whose plain string order is meant to be the collator's
// (digit runs by value, letters without case, in the collator's order of
// those characters); the list is sorted by keys (the collator only where a
// name has none), and then checked against the collator, one comparison a
// neighbouring pair. If any pair is out of the collator's order (another
// locale, a rule the keys miss), the list is sorted by the collator alone.
// So the result is always the collator's, and the check also finds the runs
// of equal names that the order by name then IP sorts again.
import type { Steps } from './slices';
import { sortSteps } from './sortSlices';
import type { Device } from './types';

export const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

// Items between two yields.
const STEP = 4096;

export interface DeviceOrders<T> {
  name: T[]; // by name, then IP
  nameOnly: T[];
  ip: T[];
}

// `key`: nameKey, or for tests one that does not match the collator.
export function* deviceOrdersSteps<T extends { readonly device: Device }>(items: readonly T[], key = nameKey): Steps<DeviceOrders<T>> {
  const { order: nameOnly, tied } = yield* byName(items, key);
  const name = yield* thenByIp(nameOnly, tied);
  const ip = yield* byIp(items);
  return { name, nameOnly, ip };
}

// For the characters a key covers, the collator's primary order: space,
// then "_", "-", ".", then digits, then letters. Digit runs become a marker,
// their length without leading zeros, and those digits: by value.
const SPACE = '\u0001';
const punctuation: Record<string, string> = { ' ': SPACE, _: '\u0002', '-': '\u0003', '.': '\u0004' };
const DIGITS = '\u0005';

export function nameKey(name: string): string | null {
  let key = '';
  let i = 0;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      let j = i;
      while (j < name.length && name.charCodeAt(j) >= 0x30 && name.charCodeAt(j) <= 0x39) j += 1;
      let first = i;
      while (first < j && name.charCodeAt(first) === 0x30) first += 1;
      key += DIGITS + String.fromCharCode(0x30 + j - first) + name.slice(first, j);
      i = j;
      continue;
    }
    if (c >= 0x61 && c <= 0x7a) key += name[i];
    else if (c >= 0x41 && c <= 0x5a) key += String.fromCharCode(c + 0x20);
    else {
      const mark = punctuation[name[i]];
      if (mark === undefined) return null;
      key += mark;
    }
    i += 1;
  }
  return key;
}

interface Keyed<T> {
  item: T;
  at: number; // position in the list
  key: string | null;
}

function* byName<T extends { readonly device: Device }>(items: readonly T[], nameKeyOf: (name: string) => string | null): Steps<{ order: T[]; tied: Uint8Array }> {
  const keyed: Keyed<T>[] = [];
  for (let i = 0; i < items.length; i += 1) {
    keyed.push({ item: items[i], at: i, key: nameKeyOf(items[i].device.name) });
    if (i % STEP === STEP - 1) yield;
  }
  const byKey = (a: Keyed<T>, b: Keyed<T>) =>
    a.key !== null && b.key !== null ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : collator.compare(a.item.device.name, b.item.device.name);
  let sorted = yield* sortSteps(keyed, byKey);
  // tied[i]: item i of the order has the same name as item i - 1, for the collator.
  let tied = new Uint8Array(items.length);
  for (let i = 1; i < sorted.length; i += 1) {
    const c = collator.compare(sorted[i - 1].item.device.name, sorted[i].item.device.name);
    if (c > 0 || (c === 0 && sorted[i - 1].at > sorted[i].at)) {
      // Not the collator's order: sort by the collator alone.
      sorted = yield* sortSteps(keyed, (a, b) => collator.compare(a.item.device.name, b.item.device.name));
      tied = new Uint8Array(items.length);
      for (let k = 1; k < sorted.length; k += 1) {
        tied[k] = collator.compare(sorted[k - 1].item.device.name, sorted[k].item.device.name) === 0 ? 1 : 0;
        if (k % STEP === 0) yield;
      }
      break;
    }
    tied[i] = c === 0 ? 1 : 0;
    if (i % STEP === 0) yield;
  }
  return { order: sorted.map((k) => k.item), tied };
}

// The order by name then IP, from the (stable) order by name: each run of
// equal names sorted by IP, stably. The same as sorting the list by name,
// then IP.
function* thenByIp<T extends { readonly device: Device }>(byNameOrder: readonly T[], tied: Uint8Array): Steps<T[]> {
  const out = byNameOrder.slice();
  let runStart = 0;
  for (let i = 1; i <= out.length; i += 1) {
    if (i < out.length && tied[i]) continue;
    if (i - runStart > 1) {
      const run = out.slice(runStart, i).sort((a, b) => collator.compare(a.device.ip, b.device.ip));
      for (let k = 0; k < run.length; k += 1) out[runStart + k] = run[k];
    }
    runStart = i;
    if (i % STEP === 0) yield;
  }
  return out;
}

// The IP order's key: "4" and each of the four parts padded to three
// digits for IPv4 (numeric order), "6" and the text for the rest.
export function ipKey(ip: string): string {
  const parts = ip.split('.');
  if (parts.length === 4) return '4' + parts.map((p) => p.padStart(3, '0')).join('.');
  return '6' + ip;
}

// An IPv4 address of four parts of one to three digits as the number whose
// order is that of its ipKey (building 100,000 keys took ~100 ms), else NaN.
function ipNumber(ip: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i += 1) {
    const c = ip.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39 && digits < 3) {
      part = part * 10 + (c - 0x30);
      digits += 1;
    } else if (c === 0x2e && digits > 0 && dots < 3) {
      value = value * 1000 + part;
      part = digits = 0;
      dots += 1;
    } else return NaN;
  }
  return dots === 3 && digits > 0 ? value * 1000 + part : NaN;
}

function* byIp<T extends { readonly device: Device }>(items: readonly T[]): Steps<T[]> {
  const keyed: { item: T; n: number; s: string | null }[] = [];
  for (let i = 0; i < items.length; i += 1) {
    const n = ipNumber(items[i].device.ip);
    keyed.push({ item: items[i], n, s: Number.isNaN(n) ? ipKey(items[i].device.ip) : null });
    if (i % STEP === STEP - 1) yield;
  }
  const text = (k: (typeof keyed)[number]) => (k.s ??= ipKey(k.item.device.ip));
  const sorted = yield* sortSteps(keyed, (a, b) => {
    if (!Number.isNaN(a.n) && !Number.isNaN(b.n)) return a.n - b.n;
    const x = text(a);
    const y = text(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return sorted.map((k) => k.item);
}
