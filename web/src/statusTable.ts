// The live status table: an immutable map from IP to status detail that a
// delta updates in time proportional to the delta.
//
// A table is a base Map, shared by every table derived from it and never
// written once built, plus an overlay Map of what changed since (a removed IP
// maps to `gone`). A delta copies the overlay, not the base; when the overlay
// outgrows an eighth of the base, the two are merged into a new base, so the
// copies cost a bounded amount per changed entry. Lookups stay native Map
// lookups: an earlier version kept hash buckets of its own, and in Chromium
// at 100,000 devices its lookups (a JS hash and a scan comparing strings)
// were the page's largest cost, 1.4 s of 3.4 s of script over 54 s of flips.
// Each table also carries what changed from the table it was made from
// (`base`, `changes`) and its entries' counts by status, so what derives
// from it can follow too.
//
// Not thread-aware (there is one thread); never mutated once returned.
import { runToEnd, type Steps } from './slices';
import type { Status, StatusDetail } from './types';

export interface StatusChange {
  readonly ip: string;
  readonly before: StatusDetail | undefined;
  readonly after: StatusDetail | undefined;
}

export type StatusTally = Readonly<Record<Status, number>>;

// What the overview reads from the live status, whatever holds it.
export interface StatusMap {
  readonly size: number;
  get(ip: string): StatusDetail | undefined;
  has(ip: string): boolean;
  keys(): IterableIterator<string>;
  entries(): IterableIterator<[string, StatusDetail]>;
}

const gone = Symbol('gone');
type Overlay = ReadonlyMap<string, StatusDetail | typeof gone>;

let lastVersion = 0;

export class StatusTable implements StatusMap {
  static readonly empty = new StatusTable(new Map(), new Map(), 0, { connected: 0, disconnected: 0, unknown: 0 }, -1, []);

  // A number no other table has; `base` is the version of the table this one
  // was made from by applying `changes` in order (-1: none).
  readonly version: number;

  private constructor(
    private readonly shared: ReadonlyMap<string, StatusDetail>,
    private readonly overlay: Overlay,
    readonly size: number,
    readonly tally: StatusTally,
    readonly base: number,
    readonly changes: readonly StatusChange[],
  ) {
    lastVersion += 1;
    this.version = lastVersion;
  }

  get(ip: string): StatusDetail | undefined {
    const over = this.overlay.get(ip);
    if (over === undefined) return this.shared.get(ip);
    return over === gone ? undefined : over;
  }

  has(ip: string): boolean {
    return this.get(ip) !== undefined;
  }

  *entries(): IterableIterator<[string, StatusDetail]> {
    for (const entry of this.shared) if (!this.overlay.has(entry[0])) yield entry;
    for (const [ip, detail] of this.overlay) if (detail !== gone) yield [ip, detail];
  }

  *keys(): IterableIterator<string> {
    for (const [ip] of this.entries()) yield ip;
  }

  // A new table with `changes` applied, in order (after === undefined removes
  // the entry); `from` itself when the list is empty. Each change's `before`
  // must be what the table holds at that point.
  static derive(from: StatusTable, changes: readonly StatusChange[]): StatusTable {
    return runToEnd(StatusTable.deriveSteps(from, changes));
  }

  // The same in steps (slices.ts): merging the overlay into a new base at
  // 100,000 entries took ~40 ms in one piece in Chromium during the flips.
  static *deriveSteps(from: StatusTable, changes: readonly StatusChange[]): Steps<StatusTable> {
    if (changes.length === 0) return from;
    const tally = { ...from.tally };
    let size = from.size;
    for (const { before, after } of changes) {
      if (before) {
        if (before.status in tally) tally[before.status] -= 1;
      } else size += 1;
      if (after) {
        if (after.status in tally) tally[after.status] += 1;
      } else size -= 1;
    }
    const overlay = new Map(from.overlay);
    for (const { ip, after } of changes) {
      if (after) overlay.set(ip, after);
      else if (from.shared.has(ip)) overlay.set(ip, gone);
      else overlay.delete(ip);
    }
    if (overlay.size <= Math.max(64, from.shared.size / 8)) {
      return new StatusTable(from.shared, overlay, size, tally, from.version, changes);
    }
    yield;
    const merged = new Map<string, StatusDetail>();
    let copied = 0;
    for (const [ip, detail] of from.shared) {
      merged.set(ip, detail);
      if (++copied % 16384 === 0) yield;
    }
    for (const [ip, detail] of overlay) {
      if (detail === gone) merged.delete(ip);
      else merged.set(ip, detail);
    }
    return new StatusTable(merged, new Map(), size, tally, from.version, changes);
  }

  // A table of exactly these entries (as a snapshot gives), made from `from`
  // by `changes`; `from` itself when there are none. `ips` must be distinct.
  static replace(from: StatusTable, ips: readonly string[], details: readonly StatusDetail[], changes: readonly StatusChange[]): StatusTable {
    return runToEnd(StatusTable.replaceSteps(from, ips, details, changes));
  }

  // The same in steps (slices.ts): filling the map of 100,000 entries took
  // ~35 ms (Node). The map is no one else's until the table is returned.
  static *replaceSteps(from: StatusTable, ips: readonly string[], details: readonly StatusDetail[], changes: readonly StatusChange[]): Steps<StatusTable> {
    if (changes.length === 0) return from;
    const shared = new Map<string, StatusDetail>();
    const tally = { connected: 0, disconnected: 0, unknown: 0 };
    for (let i = 0; i < ips.length; i += 1) {
      shared.set(ips[i], details[i]);
      if (details[i].status in tally) tally[details[i].status] += 1;
      if (i % 8192 === 8191) yield;
    }
    return new StatusTable(shared, new Map(), ips.length, tally, from.version, changes);
  }
}
