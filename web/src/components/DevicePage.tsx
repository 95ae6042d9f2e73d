// A device's own page (#/devices/{id}): its live status and since (from the
// status socket the overview uses), where it is probed from (each location's
// status and RTT, with several nodes), the RTT and loss chart over a range kept
// in the URL, the uptime figures, its parent and children (links to their
// pages), and its status changes, newest first. What the history says is
// read again when the live status moves (hooks/useDeviceRecord.ts). A device
// that lists locations (several nodes) can show the chart, uptime and status
// changes as one location saw it instead of its own combined status.
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import type { Api } from '../api';
import { formatUptime, rangeDescription, rangeLabel, uptimeLabel, uptimeWindows } from '../history';
import { useDeviceEvents, useDeviceHistory, useDeviceLocations, useDeviceUptime } from '../hooks/useDeviceRecord';
import { deviceHref, ranges, type RangeKey } from '../route';
import { displayStatus, statusGlyph, statusLabel, unreachableGlyph, type StatusMap } from '../status';
import { exactTime, formatLoss, formatRtt, relativeTime } from '../time';
import type { Device, DeviceLocations, Room, Status, StatusEvent } from '../types';

// uPlot (and its stylesheet) in a chunk of their own, fetched when a device
// page first shows a chart: the overview never pays for it.
const HistoryChart = lazy(() => import('./HistoryChart').then((m) => ({ default: m.HistoryChart })));

interface Props {
  api: Api;
  id: number;
  range: RangeKey;
  onRange: (range: RangeKey) => void;
  devices: Device[] | null;
  byId: ReadonlyMap<number, Device>;
  rooms: Room[] | null;
  loadError: string | null;
  statuses: StatusMap;
  now: number;
  canEdit: boolean;
  onEdit: (device: Device) => void;
  onDelete: (device: Device) => void;
  backHref: string;
}

function DeviceLink({ id, byId }: { id: number; byId: ReadonlyMap<number, Device> }) {
  const device = byId.get(id);
  return <a href={deviceHref(id)}>{device ? device.name : `device #${id}`}</a>;
}

export function DevicePage(props: Props) {
  const { id, devices, byId, loadError, backHref } = props;
  const device = byId.get(id);
  const heading = useRef<HTMLHeadingElement>(null);

  // A new page: say so to screen readers by moving focus to its heading.
  const found = device !== undefined;
  useEffect(() => {
    if (found) heading.current?.focus();
  }, [id, found]);

  if (!device) {
    return (
      <main className="page">
        <p>
          <a href={backHref}>← All devices</a>
        </p>
        {loadError ? (
          <p className="form-error" role="alert">
            Could not load the devices: {loadError}
          </p>
        ) : devices === null ? (
          <p className="placeholder">Loading…</p>
        ) : (
          <>
            <h1>Device not found</h1>
            <p>There is no device #{id}: it may have been deleted.</p>
          </>
        )}
      </main>
    );
  }
  return <DeviceDetails {...props} device={device} heading={heading} />;
}

function DeviceDetails({
  api,
  id,
  range,
  onRange,
  devices,
  byId,
  rooms,
  statuses,
  now,
  canEdit,
  onEdit,
  onDelete,
  backHref,
  device,
  heading,
}: Props & { device: Device; heading: React.RefObject<HTMLHeadingElement | null> }) {
  const detail = statuses.get(device.ip);
  const status = displayStatus(device, statuses);
  const via = status === 'disconnected' ? (detail?.unreachable_via ?? null) : null;
  const changeKey = `${status}/${detail?.since ?? ''}`;
  // Kept while moving between devices; applies only where it is listed.
  const [seenFrom, setSeenFrom] = useState('');
  const location = device.locations?.includes(seenFrom) ? seenFrom : undefined;
  const chart = useDeviceHistory(api, id, range, changeKey, location);
  const uptime = useDeviceUptime(api, id, changeKey, location);
  const events = useDeviceEvents(api, id, changeKey, location);
  const asSeen = location ? ` seen from ${location}` : '';
  const locations = useDeviceLocations(api, id, changeKey);

  const room = rooms?.find((r) => r.id === device.room_id) ?? null;
  const children = useMemo(() => (devices ?? []).filter((d) => d.parent_id === id), [devices, id]);
  const check = device.check?.type === 'tcp' ? `TCP connect to port ${device.check.port}` : 'Ping (ICMP echo)';

  return (
    <main className="page device-page">
      <p className="back">
        <a href={backHref}>← All devices</a>
      </p>
      <header className="page-header">
        <div className="page-title">
          <h1 ref={heading} tabIndex={-1}>
            {device.name}
          </h1>
          <span className="page-subtitle">
            <span className="ip">{device.ip}</span> · {room ? room.name : 'no room'} · {check}
          </span>
        </div>
        {canEdit && (
          <span className="row-actions">
            <button type="button" onClick={() => onEdit(device)} aria-label={`Edit ${device.name}`}>
              Edit
            </button>
            <button type="button" className="danger-text" onClick={() => onDelete(device)} aria-label={`Delete ${device.name}`}>
              Delete
            </button>
          </span>
        )}
      </header>

      <div className="cards">
        <section className="card" aria-labelledby="device-status">
          <h2 id="device-status">Status</h2>
          <p
            className={`device-status status-${status}${via !== null ? ' unreachable' : ''}`}
            data-status={status}
            data-unreachable-via={via ?? undefined}
          >
            <span className="dot" aria-hidden="true">
              {via !== null ? unreachableGlyph : statusGlyph[status]}
            </span>
            <span className="status-text">
              {via !== null ? (
                <>
                  Unreachable via <DeviceLink id={via} byId={byId} />
                </>
              ) : (
                statusLabel[status]
              )}
            </span>
          </p>
          <dl className="facts">
            <div>
              <dt>Since</dt>
              <dd>
                {detail?.since ? <time dateTime={detail.since} title={exactTime(detail.since)}>{relativeTime(detail.since, now)}</time> : '—'}
              </dd>
            </div>
            <div>
              <dt>RTT</dt>
              <dd>{formatRtt(detail?.rtt_ms)}</dd>
            </div>
            <div>
              <dt>Loss</dt>
              <dd>{formatLoss(detail?.loss)}</dd>
            </div>
            <div>
              <dt>Last round</dt>
              <dd>{detail?.last_probe ? <time dateTime={detail.last_probe}>{relativeTime(detail.last_probe, now)}</time> : '—'}</dd>
            </div>
          </dl>
        </section>

        <section className="card" aria-labelledby="device-uptime">
          <h2 id="device-uptime">Uptime{asSeen}</h2>
          {uptime.error && !uptime.value && <p className="form-error">Could not load the uptime: {uptime.error}</p>}
          <dl className="facts uptime-figures">
            {uptimeWindows.map((w) => (
              <div key={w} data-window={w}>
                <dt>{uptimeLabel[w]}</dt>
                <dd>{uptime.value ? formatUptime(uptime.value[w]) : '…'}</dd>
              </div>
            ))}
          </dl>
        </section>

        <section className="card" aria-labelledby="device-dependencies">
          <h2 id="device-dependencies">Dependencies</h2>
          <dl className="facts">
            <div>
              <dt>Reached through</dt>
              <dd>{device.parent_id ? <DeviceLink id={device.parent_id} byId={byId} /> : 'None'}</dd>
            </div>
            <div className="children">
              <dt>Behind it</dt>
              <dd>
                {children.length === 0 ? (
                  'None'
                ) : (
                  <ul className="inline-list">
                    {children.map((child) => (
                      <li key={child.id}>
                        <a href={deviceHref(child.id)}>{child.name}</a>
                      </li>
                    ))}
                  </ul>
                )}
              </dd>
            </div>
          </dl>
        </section>
      </div>

      <LocationsCard device={device} views={locations.value} error={locations.error} />

      <section className="card chart-card" aria-labelledby="device-chart">
        <div className="card-heading">
          <h2 id="device-chart">Round-trip time and loss{asSeen}</h2>
          <div className="chart-controls">
            {device.locations && (
              <label className="seen-from">
                Seen from{' '}
                <select value={location ?? ''} onChange={(e) => setSeenFrom(e.target.value)}>
                  <option value="">all locations</option>
                  {device.locations.map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <div className="segmented" role="group" aria-label="Time range">
              {ranges.map((r) => (
                <button key={r} type="button" aria-pressed={r === range} onClick={() => onRange(r)} aria-label={rangeDescription(r)}>
                  {rangeLabel[r]}
                </button>
              ))}
            </div>
          </div>
        </div>
        {chart.error && <p className="form-error">Could not load the history: {chart.error}</p>}
        <figure className="chart-figure">
          {chart.value ? (
            <Suspense fallback={<p className="placeholder chart-placeholder">Loading…</p>}>
              <HistoryChart columns={chart.value.columns} fromS={chart.value.fromS} toS={chart.value.toS} />
            </Suspense>
          ) : (
            !chart.error && <p className="placeholder chart-placeholder">Loading…</p>
          )}
          {chart.value && <figcaption>{chartCaption(chart.value.summary, range)}</figcaption>}
        </figure>
      </section>

      <section className="card" aria-labelledby="device-events">
        <h2 id="device-events">Status changes{asSeen}</h2>
        {events.error && <p className="form-error">Could not load the status changes: {events.error}</p>}
        {events.value === null ? (
          !events.error && <p className="placeholder">Loading…</p>
        ) : events.value.length === 0 ? (
          <p className="muted-text">No status change recorded yet.</p>
        ) : (
          <ol className="events" aria-label="Status changes, newest first">
            {events.value.map((event, i) => (
              <EventItem key={`${event.at}-${i}`} event={event} byId={byId} now={now} />
            ))}
          </ol>
        )}
      </section>
    </main>
  );
}

// Where the device is probed from: each listed location's view, or the one
// node that probes a device any node may probe.
function LocationsCard({ device, views, error }: { device: Device; views: DeviceLocations | null; error: string | null }) {
  const entries = Object.entries(views ?? {}).sort(([a], [b]) => {
    const order = device.locations ?? [];
    return order.indexOf(a) - order.indexOf(b) || a.localeCompare(b);
  });
  if (!device.locations && entries.length === 0 && !error) return null;
  const listed = device.locations;
  return (
    <section className="card" aria-labelledby="device-locations">
      <h2 id="device-locations">Where it is probed from</h2>
      <p className="muted-text">
        {listed
          ? `From ${listed.length} ${listed.length === 1 ? 'location' : 'locations'}; down when ${device.quorum} of them ${
              device.quorum === 1 ? 'sees' : 'see'
            } it down.`
          : 'By any one node.'}
      </p>
      {error && <p className="form-error">Could not load the locations: {error}</p>}
      {entries.length > 0 && (
        <table className="preview-table locations-table">
            <caption className="visually-hidden">Each location's view of {device.name}</caption>
            <thead>
              <tr>
                <th scope="col">Location</th>
                <th scope="col">Status</th>
                <th scope="col">RTT</th>
                <th scope="col">Loss</th>
                <th scope="col">Node</th>
              </tr>
            </thead>
            <tbody>
              {entries.map(([name, view]) => (
                <tr key={name} data-location={name} data-status={view.status}>
                  <th scope="row">{name}</th>
                  <td className={`status-${view.status}`}>
                    <span className="dot" aria-hidden="true">
                      {statusGlyph[view.status]}
                    </span>{' '}
                    <span className="status-text">{statusLabel[view.status]}</span>
                  </td>
                  <td>{formatRtt(view.rtt_ms)}</td>
                  <td>{formatLoss(view.loss)}</td>
                  <td>{view.node ?? 'no live node'}</td>
                </tr>
              ))}
            </tbody>
        </table>
      )}
    </section>
  );
}

function chartCaption(summary: { points: number; rttMedian: number | null; rttMax: number | null; loss: number | null }, range: RangeKey) {
  const over = rangeDescription(range);
  if (summary.points === 0) return `Nothing recorded over ${over}.`;
  return `Over ${over}: median RTT ${formatRtt(summary.rttMedian)}, largest ${formatRtt(summary.rttMax)}, ${formatLoss(summary.loss)} of probes lost.`;
}

const eventLabel: Record<Status, string> = statusLabel;

function EventItem({ event, byId, now }: { event: StatusEvent; byId: ReadonlyMap<number, Device>; now: number }) {
  const via = event.status === 'disconnected' ? event.unreachable_via : null;
  return (
    <li className={`event status-${event.status}${via !== null ? ' unreachable' : ''}`} data-status={event.status}>
      <time dateTime={event.at} title={relativeTime(event.at, now)}>
        {exactTime(event.at)}
      </time>
      <span className="event-change">
        <span className="dot" aria-hidden="true">
          {via !== null ? unreachableGlyph : statusGlyph[event.status]}
        </span>
        <span className="status-text">{eventLabel[event.status] ?? event.status}</span>
        <span className="previous"> (was {(eventLabel[event.previous] ?? event.previous).toLowerCase()})</span>
      </span>
      {via !== null && (
        <span className="event-note">
          unreachable via <DeviceLink id={via} byId={byId} />
        </span>
      )}
      {event.muted && <span className="event-note muted-badge">muted (maintenance)</span>}
    </li>
  );
}
