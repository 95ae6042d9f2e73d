// What the overview shows (rows, down counts, counts, staleness), derived from
// the lists, the live status table and the view.
//
// It is kept up to date in time proportional to what a push changed:
//   - the counts come from the table's own tally (kept by the reducer) when
//     the list and the table agree, instead of a pass over every device;
//   - whether the list is stale is re-checked only when the table gained or
//     lost an IP;
//   - the rows keep their identity unless a change touches what the view
//     filters or sorts by; a status change under a status filter or sort
//     moves only the changed devices' rows (rows.ts, moveRows); only an RTT
//     change under the RTT sort rebuilds them. The rooms' "down" counts are
//     adjusted from the changed entries.
// Anything it cannot follow (another list, view, or a table that is not the
// direct successor of the last one seen) is recomputed from scratch: at
// once for a list of up to `sliceOver` devices; for a longer one, update
// returns the last rows it has (marked `behind`) and catchUpSteps builds the
// new ones in steps (slices.ts), so that a snapshot of 100,000 devices
// does not hold the page for one long task (in Chromium its render with
// the rebuild took ~110 ms, ~160 ms with a garbage collection).
// Meanwhile the counts are already the new table's, and each row shows its
// device's current status: only the rows' order and grouping, and the
// rooms' down counts, wait.
// Measured at 100,000 devices (overview.bench.ts, Node): a 250-device flip
// costs ~0.5 ms from message to overview sorted by name or IP or filtered by
// status, ~7 ms sorted by status (moved rows, then a copy of 100,000 rows),
// ~65 ms sorted by RTT (a rebuild); the whole-object protocol cost ~400 ms
// a push sorted by name (parse 110, reduce 137, counts 32, staleness 21,
// rows 96) and ~1.3 s by IP.
//
// OverviewModel.update is idempotent for the same inputs, so calling it
// during render (twice, under StrictMode) is safe.
import { layoutRows, layoutRowsSteps, moveRows, type DeviceIndex, type Layout, type Row } from './rows';
import type { Steps } from './slices';
import { countStatuses, listIsStale, type StatusCounts } from './status';
import type { StatusTable } from './statusTable';
import type { Device } from './types';
import type { View } from './view';

export interface Overview {
  rows: readonly Row[];
  down: ReadonlyMap<string, number>;
  counts: StatusCounts;
  // The server monitors a device set other than the list's: reload the list.
  stale: boolean;
  // The rows and down counts are an earlier layout's (none yet: no rows),
  // until catchUpSteps has built the current one.
  behind: boolean;
}

const nothing: Overview = {
  rows: [],
  down: new Map(),
  counts: { connected: 0, disconnected: 0, unknown: 0, unmonitored: 0 },
  stale: false,
  behind: false,
};

const sameView = (a: View, b: View) => a.status === b.status && a.room === b.room && a.q === b.q && a.sort === b.sort;

interface LayoutState extends Layout {
  index: DeviceIndex;
  view: View;
  version: number;
}

export class OverviewModel {
  private layout: LayoutState | null = null;
  private agreement: { devices: readonly Device[]; version: number; agree: boolean } | null = null;
  private last: { inputs: unknown[]; overview: Overview } | null = null;
  // What the last update needed a layout for and did not build.
  private wanted: { index: DeviceIndex; table: StatusTable; view: View } | null = null;
  // How many times the rows were built: for tests and measurements.
  rebuilds = 0;

  // sliceOver: lists longer than this are laid out from scratch by
  // catchUpSteps, not by update (which the dashboard calls during render).
  constructor(private readonly sliceOver = Number.POSITIVE_INFINITY) {}

  // `index`: of the rooms and devices listed (rows.ts), null while they load.
  update(index: DeviceIndex | null, table: StatusTable, view: View): Overview {
    if (!index) return nothing;
    const inputs = [index, table, view];
    if (this.last && this.last.inputs.every((x, i) => x === inputs[i])) return this.last.overview;

    const { devices } = index;
    this.wanted = null;
    const layout = this.followLayout(index, table, view);
    // Behind: the last rows it has, for this list (another list's rows hold
    // devices that may be gone).
    const shown = layout ?? (this.layout?.index === index ? this.layout : null);
    const agree = this.followAgreement(devices, table);
    // When every monitored device has its own entry and there are no others,
    // the table's tally is the devices' counts.
    const counts =
      agree && index.monitoredDistinct
        ? { ...table.tally, unmonitored: index.unmonitored }
        : countStatuses(devices, table);
    const overview = {
      rows: shown?.rows ?? [],
      down: shown?.down ?? nothing.down,
      counts,
      stale: table.size > 0 && !agree,
      behind: layout === null,
    };
    this.last = { inputs, overview };
    return overview;
  }

  // Builds, in steps, the layout that the last update was behind on (if it
  // still is); true when it did, and the next update shows it.
  *catchUpSteps(): Steps<boolean> {
    const wanted = this.wanted;
    if (!wanted) return false;
    const { index, table, view } = wanted;
    this.rebuilds += 1;
    const layout = yield* layoutRowsSteps(index, table, view);
    // Kept even if an update has since wanted a later table: when that one
    // follows this one, update can move the rows from here.
    this.layout = { ...layout, index, view, version: table.version };
    if (this.wanted === wanted) this.wanted = null;
    this.last = null;
    return true;
  }

  // The layout for these inputs, or null when it needs building from
  // scratch and the list is too long for that here.
  private followLayout(index: DeviceIndex, table: StatusTable, view: View): LayoutState | null {
    const cached = this.layout;
    if (cached && cached.index === index && sameView(cached.view, view)) {
      if (cached.version === table.version) return cached;
      const moved = table.base === cached.version ? moveRows(index, view, cached, table.changes) : null;
      if (moved) {
        this.layout = { ...moved, index, view, version: table.version };
        return this.layout;
      }
      // moveRows may have moved some rows in cached.groups before giving up:
      // its rows are still fine to show, but never to move again.
      if (table.base === cached.version) this.layout = { ...cached, version: Number.NaN };
    }
    if (index.devices.length > this.sliceOver) {
      this.wanted = { index, table, view };
      return null;
    }
    this.rebuilds += 1;
    this.layout = { ...layoutRows(index, table, view), index, view, version: table.version };
    return this.layout;
  }

  // !listIsStale, re-checked only when the list changed or the table's set of IPs did.
  private followAgreement(devices: readonly Device[], table: StatusTable): boolean {
    const cached = this.agreement;
    if (cached && cached.devices === devices) {
      if (cached.version === table.version) return cached.agree;
      if (table.base === cached.version && table.changes.every((c) => c.before && c.after)) {
        this.agreement = { ...cached, version: table.version };
        return cached.agree;
      }
    }
    this.agreement = { devices, version: table.version, agree: !listIsStale(devices, table) };
    return this.agreement.agree;
  }
}
