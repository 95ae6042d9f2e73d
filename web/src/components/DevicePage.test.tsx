import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Api } from '../api';
import { applyStatusMessage, emptyStatus } from '../status';
import type { Device, Room } from '../types';
import { DevicePage } from './DevicePage';

// uPlot needs a real canvas; the chart's columns are what this test looks at.
vi.mock('./HistoryChart', () => ({
  HistoryChart: ({ columns }: { columns: unknown[][] }) => <div data-testid="chart" data-points={columns[0].length} />,
}));

afterEach(cleanup);

const rooms: Room[] = [{ id: 1, name: 'Lab', description: null }];
const devices: Device[] = [
  { id: 1, name: 'gateway', ip: '192.0.2.1', room_id: 1, monitored: true, parent_id: null, locations: null, quorum: 1, check: { type: 'icmp' } },
  { id: 2, name: 'printer', ip: '192.0.2.2', room_id: 1, monitored: true, parent_id: 1, locations: null, quorum: 1, check: { type: 'icmp' } },
  { id: 3, name: 'scanner', ip: '192.0.2.3', room_id: null, monitored: true, parent_id: 2, locations: null, quorum: 1, check: { type: 'icmp' } },
];

function fakeApi() {
  return {
    deviceHistory: vi.fn().mockResolvedValue({
      device_id: 2,
      step_s: 300,
      points: [
        { at: '2026-03-01T10:00:00Z', rtt_ms: 1, rtt_ms_max: 2, loss: 0, up: 1 },
        { at: '2026-03-01T10:05:00Z', rtt_ms: 3, rtt_ms_max: 4, loss: 0.5, up: 0.5 },
      ],
    }),
    deviceUptime: vi.fn().mockResolvedValue({ '24h': 0.9, '7d': 0.99991, '30d': null, '365d': null }),
    deviceEvents: vi.fn().mockResolvedValue([
      { at: '2026-03-01T10:06:00Z', status: 'disconnected', previous: 'connected', unreachable_via: 1, muted: true },
      { at: '2026-03-01T09:00:00Z', status: 'connected', previous: 'unknown', unreachable_via: null, muted: false },
    ]),
    deviceStatus: vi.fn().mockResolvedValue({
      device_id: 2, ip: '192.0.2.2', status: 'disconnected', rtt_ms: null, loss: 1, since: null, last_probe: null,
      unreachable_via: null, locations: { default: { status: 'disconnected', rtt_ms: null, loss: 1, node: 'monitor-1' } },
    }),
  } as unknown as Api & Record<'deviceHistory' | 'deviceUptime' | 'deviceEvents' | 'deviceStatus', ReturnType<typeof vi.fn>>;
}

function show(api: Api, id = 2, statuses = emptyStatus, list: Device[] | null = devices) {
  const index = list ? new Map(list.map((d) => [d.id, d])) : new Map<number, Device>();
  return render(
    <DevicePage
      api={api}
      id={id}
      range="24h"
      onRange={vi.fn()}
      devices={list}
      byId={index}
      rooms={rooms}
      loadError={null}
      statuses={statuses}
      now={Date.parse('2026-03-01T10:10:00Z')}
      canEdit={false}
      onEdit={vi.fn()}
      onDelete={vi.fn()}
      backHref="#/?q=print"
    />,
  );
}

describe('DevicePage', () => {
  it('shows the live status, the uptime, the chart, the status changes and the dependencies', async () => {
    const api = fakeApi();
    const statuses = applyStatusMessage(emptyStatus, {
      '192.0.2.2': { status: 'disconnected', rtt_ms: null, loss: 1, since: '2026-03-01T10:06:00Z', last_probe: null, unreachable_via: 1 },
    });
    show(api, 2, statuses);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('printer');
    expect(screen.getByRole('link', { name: '← All devices' }).getAttribute('href')).toBe('#/?q=print');
    const status = document.querySelector('.device-status') as HTMLElement;
    expect(status.dataset.status).toBe('disconnected');
    expect(status.textContent).toContain('Unreachable via gateway');
    expect(within(status).getByRole('link', { name: 'gateway' }).getAttribute('href')).toBe('#/devices/1');

    await waitFor(() => expect(screen.getByText('90.00 %')).toBeTruthy());
    expect(screen.getByText('99.99 %')).toBeTruthy();
    expect(screen.getAllByText('—').length).toBeGreaterThanOrEqual(2);

    expect((await screen.findByTestId('chart')).dataset.points).toBe('2');
    const [, range] = api.deviceHistory.mock.calls[0] as [number, { from: string; to: string; step: number }];
    expect(range.step).toBe(300);
    expect(Date.parse(range.to) - Date.parse(range.from)).toBe(86_400_000);
    expect(screen.getByText(/median RTT 3.00 ms, largest 4.00 ms, 25 % of probes lost/)).toBeTruthy();

    const events = within(await screen.findByRole('list', { name: 'Status changes, newest first' })).getAllByRole('listitem');
    expect(events).toHaveLength(2);
    expect(events[0].dataset.status).toBe('disconnected');
    expect(events[0].textContent).toContain('(was connected)');
    expect(events[0].textContent).toContain('unreachable via gateway');
    expect(events[0].textContent).toContain('muted');
    expect(events[1].textContent).not.toContain('muted');

    const deps = screen.getByRole('region', { name: 'Dependencies' });
    expect(within(deps).getByRole('link', { name: 'gateway' }).getAttribute('href')).toBe('#/devices/1');
    expect(within(deps).getByRole('link', { name: 'scanner' }).getAttribute('href')).toBe('#/devices/3');
  });

  it('shows each location’s view of a device probed from several places, in the order it lists them', async () => {
    const api = fakeApi();
    api.deviceStatus.mockResolvedValue({
      device_id: 2, ip: '192.0.2.2', status: 'connected', rtt_ms: 1.5, loss: 0, since: null, last_probe: null,
      unreachable_via: null,
      locations: {
        branch: { status: 'disconnected', rtt_ms: null, loss: 1, node: 'branch-1' },
        hq: { status: 'connected', rtt_ms: 1.5, loss: 0, node: 'hq-2' },
        lab: { status: 'unknown', rtt_ms: null, loss: null, node: null },
      },
    });
    const listed = devices.map((d) => (d.id === 2 ? { ...d, locations: ['hq', 'branch', 'lab'], quorum: 2 } : d));
    show(api, 2, emptyStatus, listed);
    const card = screen.getByRole('region', { name: 'Where it is probed from' });
    expect(card.textContent).toContain('From 3 locations; down when 2 of them see it down.');
    const rows = await within(card).findAllByRole('row');
    expect(rows.slice(1).map((r) => r.dataset.location)).toEqual(['hq', 'branch', 'lab']);
    expect(rows[1].textContent).toContain('Connected');
    expect(rows[1].textContent).toContain('hq-2');
    expect(rows[2].dataset.status).toBe('disconnected');
    expect(rows[3].textContent).toContain('no live node');
    expect(api.deviceStatus).toHaveBeenCalledWith(2);
  });

  it('shows the chart, uptime and status changes as one listed location saw the device, on request', async () => {
    const api = fakeApi();
    const listed = devices.map((d) => (d.id === 2 ? { ...d, locations: ['hq', 'branch'], quorum: 2 } : d));
    show(api, 2, emptyStatus, listed);
    const select = screen.getByRole('combobox', { name: /Seen from/ }) as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(['', 'hq', 'branch']);
    await waitFor(() => expect(api.deviceHistory).toHaveBeenCalled());
    expect((api.deviceHistory.mock.calls[0][1] as { location?: string }).location).toBeUndefined();
    fireEvent.change(select, { target: { value: 'branch' } });
    await waitFor(() => expect(api.deviceUptime).toHaveBeenCalledWith(2, 'branch'));
    expect(api.deviceEvents).toHaveBeenCalledWith(2, 50, 'branch');
    expect((api.deviceHistory.mock.lastCall?.[1] as { location?: string }).location).toBe('branch');
    expect(screen.getByRole('heading', { name: 'Status changes seen from branch' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Uptime seen from branch' })).toBeTruthy();
  });

  it('a device probed by any one node has no location to choose', () => {
    show(fakeApi());
    expect(screen.queryByRole('combobox', { name: /Seen from/ })).toBeNull();
  });

  it('a device that is not in the list is not found; while the list loads, it says so', () => {
    const { unmount } = show(fakeApi(), 99);
    expect(screen.getByRole('heading', { name: 'Device not found' })).toBeTruthy();
    unmount();
    show(fakeApi(), 2, emptyStatus, null);
    expect(screen.getByText('Loading…')).toBeTruthy();
  });

  it('the server’s refusal is shown, not a blank page', async () => {
    const api = fakeApi();
    api.deviceHistory.mockRejectedValue(new Error('History is not kept by this server'));
    show(api);
    await waitFor(() => expect(screen.getByText(/Could not load the history: History is not kept/)).toBeTruthy());
  });
});
