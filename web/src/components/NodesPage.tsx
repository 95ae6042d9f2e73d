// The nodes page (#/nodes, admins only): every gatewatch process sharing
// the database (several nodes on PostgreSQL; on SQLite the one node), live
// or seen within a day: where it probes from, how many (device, location)
// pairs it probes, when it last renewed its heartbeat, since when it runs,
// its probe method and version. Read again every five seconds, so a node
// that stops or dies turns "not live" (after its 10 s heartbeat lapses)
// while the page is open.
import { useCallback, useEffect, useState } from 'react';
import type { Api } from '../api';
import { exactTime, relativeTime } from '../time';
import type { ClusterNode } from '../types';
import { AdminOnly, ListLoading, PageHeading } from './PageHeading';

interface Props {
  api: Api;
  canEdit: boolean;
  now: number;
  backHref: string;
}

const refreshMs = 5_000;

// Live nodes first, then by location and name.
export function sortNodes(nodes: readonly ClusterNode[]): ClusterNode[] {
  return [...nodes].sort(
    (a, b) => Number(b.live) - Number(a.live) || a.location.localeCompare(b.location) || a.name.localeCompare(b.name),
  );
}

export function nodesSummary(nodes: readonly ClusterNode[]): string {
  const live = nodes.filter((n) => n.live);
  const locations = new Set(live.map((n) => n.location));
  const pairs = live.reduce((sum, n) => sum + n.devices, 0);
  return `${live.length} of ${nodes.length} ${nodes.length === 1 ? 'node' : 'nodes'} live in ${locations.size} ${
    locations.size === 1 ? 'location' : 'locations'
  }, probing ${pairs} ${pairs === 1 ? 'device' : 'devices'} (a device probed from two locations counts twice).`;
}

export function NodesPage({ api, canEdit, now, backHref }: Props) {
  const [nodes, setNodes] = useState<ClusterNode[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      setNodes(sortNodes(await api.nodes()));
      setLoadError(null);
    } catch (error) {
      setLoadError((error as Error).message);
    }
  }, [api]);

  useEffect(() => {
    if (!canEdit) return;
    void reload();
    const timer = setInterval(() => void reload(), refreshMs);
    return () => clearInterval(timer);
  }, [reload, canEdit]);

  if (!canEdit) return <AdminOnly title="Nodes" what="see the nodes" backHref={backHref} />;

  return (
    <main className="page">
      <PageHeading
        title="Nodes"
        subtitle="The gatewatch processes sharing this database. A node is live while its heartbeat is under 10 s old; one that stopped stays listed for a day."
      />
      <ListLoading what="the nodes" error={loadError} loading={nodes === null} onRetry={() => void reload()} />
      {nodes && nodes.length > 0 && (
        <>
          <p className="muted-text" aria-live="polite">
            {nodesSummary(nodes)}
          </p>
          <ul className="card-list" aria-label="Nodes">
            {nodes.map((n) => (
              <li key={n.name}>
                <article className="card node" aria-label={n.name} data-node={n.name} data-live={n.live}>
                  <div className="card-heading">
                    <h2>
                      {n.name}{' '}
                      <span className={n.live ? 'badge badge-on' : 'badge badge-off'}>{n.live ? 'Live' : 'Not live'}</span>
                    </h2>
                  </div>
                  <dl className="facts">
                    <div>
                      <dt>Location</dt>
                      <dd>{n.location}</dd>
                    </div>
                    <div>
                      <dt>Probes</dt>
                      <dd>
                        {n.devices} {n.devices === 1 ? 'device' : 'devices'}
                      </dd>
                    </div>
                    <div>
                      <dt>Last heartbeat</dt>
                      <dd>
                        <time dateTime={n.last_seen} title={exactTime(n.last_seen)}>
                          {relativeTime(n.last_seen, now)}
                        </time>
                      </dd>
                    </div>
                    <div>
                      <dt>Running since</dt>
                      <dd>
                        <time dateTime={n.started} title={relativeTime(n.started, now)}>
                          {exactTime(n.started)}
                        </time>
                      </dd>
                    </div>
                    <div>
                      <dt>Probe method</dt>
                      <dd>{n.probe_method}</dd>
                    </div>
                    <div>
                      <dt>Version</dt>
                      <dd>{n.version}</dd>
                    </div>
                  </dl>
                </article>
              </li>
            ))}
          </ul>
        </>
      )}
    </main>
  );
}
