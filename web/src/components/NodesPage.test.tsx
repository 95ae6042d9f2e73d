import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Api } from '../api';
import type { ClusterNode } from '../types';
import { NodesPage, nodesSummary, sortNodes } from './NodesPage';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const node = (name: string, location: string, live: boolean, devices: number): ClusterNode => ({
  name,
  location,
  started: '2026-03-01T09:00:00Z',
  last_seen: live ? '2026-03-01T10:09:59Z' : '2026-03-01T10:00:00Z',
  live,
  devices,
  probe_method: 'datagram',
  version: '0.9.0',
});

describe('NodesPage', () => {
  it('lists live nodes first, by location, with what each probes', async () => {
    const api = { nodes: vi.fn().mockResolvedValue([node('c', 'hq', true, 5), node('a', 'hq', false, 0), node('b', 'branch', true, 3)]) } as unknown as Api;
    render(<NodesPage api={api} canEdit now={Date.parse('2026-03-01T10:10:00Z')} backHref="#/" />);
    const cards = within(await screen.findByRole('list', { name: 'Nodes' })).getAllByRole('article');
    expect(cards.map((c) => c.dataset.node)).toEqual(['b', 'c', 'a']);
    expect(within(cards[0]).getByText('Live')).toBeTruthy();
    expect(within(cards[2]).getByText('Not live')).toBeTruthy();
    expect(cards[0].textContent).toContain('branch');
    expect(cards[1].textContent).toContain('5 devices');
    expect(screen.getByText(/2 of 3 nodes live in 2 locations, probing 8 devices/)).toBeTruthy();
  });

  it('reads the list again while open: a node that dies turns not live', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const api = {
      nodes: vi.fn().mockResolvedValueOnce([node('a', 'hq', true, 2)]).mockResolvedValue([node('a', 'hq', false, 0)]),
    } as unknown as Api;
    render(<NodesPage api={api} canEdit now={Date.parse('2026-03-01T10:10:00Z')} backHref="#/" />);
    expect(within(await screen.findByRole('article', { name: 'a' })).getByText('Live')).toBeTruthy();
    await act(async () => {
      await vi.advanceTimersByTimeAsync(5_000);
    });
    expect(within(screen.getByRole('article', { name: 'a' })).getByText('Not live')).toBeTruthy();
  });

  it('is an admin’s page', () => {
    const api = { nodes: vi.fn() } as unknown as Api;
    render(<NodesPage api={api} canEdit={false} now={0} backHref="#/" />);
    expect(screen.getByText('Only admins can see the nodes.')).toBeTruthy();
    expect(api.nodes).not.toHaveBeenCalled();
  });
});

describe('nodes', () => {
  it('sorts and sums', () => {
    expect(sortNodes([node('b', 'x', true, 1), node('a', 'y', true, 1)]).map((n) => n.name)).toEqual(['b', 'a']);
    expect(nodesSummary([node('a', 'default', true, 1)])).toBe(
      '1 of 1 node live in 1 location, probing 1 device (a device probed from two locations counts twice).',
    );
  });
});
