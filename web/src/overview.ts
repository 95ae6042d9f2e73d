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
// direct successor of the last one seen) is recomputed from scratch.
// Measured at 100,000 devices (overview.bench.ts, Node): a 250-device flip
// costs ~0.5 ms from message to overview sorted by name or IP or filtered by
// status, ~7 ms sorted by status (moved rows, then a copy of 100,000 rows),
// ~65 ms sorted by RTT (a rebuild); the whole-object protocol cost ~400 ms
// a push sorted by name (parse 110, reduce 137, counts 32, staleness 21,
// rows 96) and ~1.3 s by IP.
//
// OverviewModel.update is idempotent for the same inputs, so calling it
// during render (twice, under StrictMode) is safe.
import { indexDevices, layoutRows, moveRows, type DeviceIndex, type Layout, type Row } from './rows';
import { countStatuses, listIsStale, type StatusCounts } from './status';
import type { StatusTable } from './statusTable';
import type { Device, Room } from './types';
import type { View } from './view';

export interface Overview {
  rows: readonly Row[];
  down: ReadonlyMap<string, number>;
  counts: StatusCounts;
  // The server monitors a device set other than the list's: reload the list.
  stale: boolean;
}

const nothing: Overview = {
  rows: [],
  down: new Map(),
  counts: { connected: 0, disconnected: 0, unknown: 0, unmonitored: 0 },
  stale: false,
};

const sameView = (a: View, b: View) => a.status === b.status && a.room === b.room && a.q === b.q && a.sort === b.sort;

interface LayoutState extends Layout {
  index: DeviceIndex;
  view: View;
  version: number;
}

export class OverviewModel {
  private index: DeviceIndex | null = null;
  private layout: LayoutState | null = null;
  private agreement: { devices: readonly Device[]; version: number; agree: boolean } | null = null;
  private last: { inputs: unknown[]; overview: Overview } | null = null;
  // How many times the rows were built: for tests and measurements.
  rebuilds = 0;

  update(rooms: readonly Room[] | null, devices: readonly Device[] | null, table: StatusTable, view: View): Overview {
    if (!rooms || !devices) return nothing;
    const inputs = [rooms, devices, table, view];
    if (this.last && this.last.inputs.every((x, i) => x === inputs[i])) return this.last.overview;

    if (this.index?.rooms !== rooms || this.index.devices !== devices) this.index = indexDevices(rooms, devices);
    const index = this.index;
    const layout = this.followLayout(index, table, view);
    const agree = this.followAgreement(devices, table);
    // When every monitored device has its own entry and there are no others,
    // the table's tally is the devices' counts.
    const counts =
      agree && index.monitoredDistinct
        ? { ...table.tally, unmonitored: index.unmonitored }
        : countStatuses(devices, table);
    const overview = { rows: layout.rows, down: layout.down, counts, stale: table.size > 0 && !agree };
    this.last = { inputs, overview };
    return overview;
  }

  private followLayout(index: DeviceIndex, table: StatusTable, view: View): LayoutState {
    const cached = this.layout;
    if (cached && cached.index === index && sameView(cached.view, view)) {
      if (cached.version === table.version) return cached;
      const moved = table.base === cached.version ? moveRows(index, view, cached, table.changes) : null;
      if (moved) {
        this.layout = { ...moved, index, view, version: table.version };
        return this.layout;
      }
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
