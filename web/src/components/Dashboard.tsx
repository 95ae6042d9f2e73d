// The logged-in app: the top bar, and the page the URL's hash names
// (route.ts): the overview, a device's page, the notifiers, the maintenance
// windows, the accounts, the API tokens, the CSV import, one's own account,
// or "not found". The lists,
// the live status and the overview's model stay mounted across pages, so
// moving between them costs no reload and the overview comes back as it
// was left (its view is the last one the hash held). For admins, the edit
// dialogs; viewers see no edit controls at all.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Api } from '../api';
import { useInventory, useReloadWhenStale } from '../hooks/useInventory';
import { useLiveStatus } from '../hooks/useLiveStatus';
import { useNow } from '../hooks/useNow';
import { useOverview } from '../hooks/useOverview';
import { useRoute } from '../hooks/useRoute';
import { useUptime } from '../hooks/useUptime';
import { roomUptime } from '../history';
import { deviceHref, type RangeKey, type Route } from '../route';
import type { Device, Room, User } from '../types';
import { defaultView, formatView, type View } from '../view';
import { AccountPage } from './AccountPage';
import { AdminDialogs, AdminToolbarActions, type Dialog } from './AdminDialogs';
import { ApiTokensPage } from './ApiTokensPage';
import { NodesPage } from './NodesPage';
import { DeviceList, type RowActions } from './DeviceList';
import { DevicePage } from './DevicePage';
import { Filters } from './Filters';
import { ImportPage } from './ImportPage';
import { MaintenancePage } from './MaintenancePage';
import { NotifiersPage } from './NotifiersPage';
import { StatusCounts } from './StatusCounts';
import { TopBar, type Section } from './TopBar';
import { UsersPage } from './UsersPage';

interface Props {
  api: Api;
  user: User;
  token: string;
  onLogout: () => void;
  onSessionLost: (message: string, refused: string) => void;
  // Changes the password and goes on with a new token (App.tsx).
  onChangePassword: (current: string, next: string) => Promise<void>;
  // The admin changed (or, null, deleted) their own account.
  onSelfChanged: (me: User | null) => void;
}

const pageTitles: Partial<Record<Route['page'], string>> = {
  notifiers: 'Notifiers',
  maintenance: 'Maintenance',
  users: 'Users',
  'api-tokens': 'API tokens',
  nodes: 'Nodes',
  import: 'Import devices',
  account: 'Your account',
  'not-found': 'Not found',
};

export function Dashboard({ api, user, token, onLogout, onSessionLost, onChangePassword, onSelfChanged }: Props) {
  const canEdit = user.role === 'admin';
  const { rooms, devices, index, loadError, reload } = useInventory(api);
  const [statuses, live] = useLiveStatus(api, token, onSessionLost);
  const [route, replaceRoute] = useRoute();
  // The overview's view: the hash's while on the overview, else the last one it held.
  const lastView = useRef<View>(defaultView);
  if (route.page === 'overview') lastView.current = route.view;
  const view = lastView.current;
  const overviewHref = formatView(view);
  const setView = useCallback((next: View) => replaceRoute(formatView(next)), [replaceRoute]);
  const { rows, down, counts, stale, behind } = useOverview(index, statuses, view);
  useReloadWhenStale(stale, devices, statuses, reload);
  const [dialog, setDialog] = useState<Dialog>(null);
  const now = useNow(live.kind === 'reconnecting' ? 1000 : 10_000);

  const devicesPerRoom = useMemo(() => {
    const out = new Map<number, number>();
    for (const d of devices ?? []) if (d.room_id !== null) out.set(d.room_id, (out.get(d.room_id) ?? 0) + 1);
    return out;
  }, [devices]);
  const byId = useMemo(() => new Map((devices ?? []).map((d) => [d.id, d])), [devices]);
  const uptimeByIp = useUptime(api, '24h', route.page === 'overview', devices);
  const roomUptimes = useMemo(
    () => (index && uptimeByIp ? roomUptime(index.devices, uptimeByIp, index.groupKey) : new Map<string, number>()),
    [index, uptimeByIp],
  );

  const editDevice = useCallback((device: Device) => setDialog({ kind: 'device', device, defaultRoom: null }), []);
  const deleteDevice = useCallback((device: Device) => setDialog({ kind: 'delete-device', device }), []);
  const editRoom = useCallback((room: Room) => setDialog({ kind: 'room', room }), []);
  const deleteRoom = useCallback((room: Room) => setDialog({ kind: 'delete-room', room }), []);
  const addDevice = useCallback((roomId: number | null) => setDialog({ kind: 'device', device: null, defaultRoom: roomId }), []);
  const actions = useMemo<RowActions>(
    () => ({ editRoom, deleteRoom, addDevice, editDevice, deleteDevice }),
    [editRoom, deleteRoom, addDevice, editDevice, deleteDevice],
  );

  // A deleted device's page is gone: back to the overview, in its place.
  const onDeviceDeleted = useCallback(
    (device: Device) => {
      if (route.page === 'device' && route.id === device.id) window.location.replace(overviewHref);
    },
    [route, overviewHref],
  );

  const pageName = route.page === 'device' ? (byId.get(route.id)?.name ?? 'Device') : (pageTitles[route.page] ?? null);
  const section: Section =
    route.page === 'overview' || route.page === 'device' || route.page === 'import'
      ? 'devices'
      : route.page === 'not-found'
        ? null
        : route.page;
  useEffect(() => {
    document.title = pageName ? `${pageName} · gatewatch` : 'gatewatch';
  }, [pageName]);

  let page;
  if (route.page === 'overview') {
    page = (
      <main className="overview">
        <StatusCounts counts={counts} selected={view.status} onSelect={(status) => setView({ ...view, status })} />
        <Filters view={view} rooms={rooms ?? []} onChange={setView}>
          {canEdit && (
            <AdminToolbarActions
              onAddRoom={() => setDialog({ kind: 'room', room: null })}
              onAddDevice={() => addDevice(typeof view.room === 'number' ? view.room : null)}
            />
          )}
        </Filters>
        <DeviceList
          rows={rows}
          statuses={statuses}
          down={down}
          byId={byId}
          uptime={roomUptimes}
          loading={index === null || (behind && rows.length === 0)}
          loadError={loadError}
          onRetry={() => void reload()}
          view={view}
          onClearFilters={() => setView(defaultView)}
          now={now}
          canEdit={canEdit}
          actions={actions}
        />
      </main>
    );
  } else if (route.page === 'device') {
    page = (
      <DevicePage
        api={api}
        id={route.id}
        range={route.range}
        onRange={(range: RangeKey) => replaceRoute(deviceHref(route.id, range))}
        devices={devices}
        byId={byId}
        rooms={rooms}
        loadError={loadError}
        statuses={statuses}
        now={now}
        canEdit={canEdit}
        onEdit={editDevice}
        onDelete={deleteDevice}
        backHref={overviewHref}
      />
    );
  } else if (route.page === 'notifiers') {
    page = <NotifiersPage api={api} canEdit={canEdit} rooms={rooms} byId={byId} now={now} />;
  } else if (route.page === 'maintenance') {
    page = <MaintenancePage api={api} canEdit={canEdit} rooms={rooms} devices={devices} byId={byId} now={now} />;
  } else if (route.page === 'users') {
    page = <UsersPage api={api} me={user} onSelfChanged={onSelfChanged} backHref={overviewHref} />;
  } else if (route.page === 'api-tokens') {
    page = <ApiTokensPage api={api} canEdit={canEdit} now={now} backHref={overviewHref} />;
  } else if (route.page === 'nodes') {
    page = <NodesPage api={api} canEdit={canEdit} now={now} backHref={overviewHref} />;
  } else if (route.page === 'import') {
    page = <ImportPage api={api} canEdit={canEdit} rooms={rooms} devices={devices} reload={reload} backHref={overviewHref} />;
  } else if (route.page === 'account') {
    page = <AccountPage user={user} onChangePassword={onChangePassword} />;
  } else {
    page = (
      <main className="page">
        <h1>Page not found</h1>
        <p>
          There is no page at this address. <a href={overviewHref}>Back to all devices</a>
        </p>
      </main>
    );
  }

  return (
    <div className="app">
      <TopBar user={user} live={live} now={now} section={section} devicesHref={overviewHref} onLogout={onLogout} />
      {page}
      <AdminDialogs
        dialog={dialog}
        api={api}
        rooms={rooms}
        devices={devices}
        devicesPerRoom={devicesPerRoom}
        reload={reload}
        onDeviceDeleted={onDeviceDeleted}
        onClose={() => setDialog(null)}
      />
    </div>
  );
}
