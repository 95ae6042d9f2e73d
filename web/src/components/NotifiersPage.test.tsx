import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type Api } from '../api';
import type { Delivery, Device, Notifier, Room } from '../types';
import { MaintenanceForm } from './MaintenanceForm';
import { NotifierForm } from './NotifierForm';
import { NotifiersPage } from './NotifiersPage';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const rooms: Room[] = [{ id: 1, name: 'Lab', description: null }];
const devices: Device[] = [
  { id: 5, name: 'printer', ip: '192.0.2.5', room_id: 1, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 },
  { id: 6, name: 'scanner', ip: '192.0.2.6', room_id: 1, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 },
];
const byId = new Map(devices.map((d) => [d.id, d]));
const hook: Notifier = {
  id: 3, name: 'ops', type: 'webhook', url: 'http://127.0.0.1:9/hook', format: 'json', to: [], events: ['down', 'up'],
  room_id: null, enabled: true, has_secret: true,
};
const delivery = (status: Delivery['status'], event = 'test'): Delivery => ({
  id: 1, event: { event }, device_id: null, created: '2026-03-01T10:00:00Z', attempts: 1, status, last_error: status === 'failed' ? 'HTTP 500' : null,
  next_attempt: null,
});

function fieldOf(label: string) {
  return screen.getByLabelText(label).closest('.field') as HTMLElement;
}

describe('NotifierForm', () => {
  it('never shows the secret; an empty secret field keeps it; the server’s messages go under the fields', async () => {
    const onSave = vi.fn().mockRejectedValueOnce(new ApiError(422, 'x', { url: 'Input should be a valid URL' }));
    render(<NotifierForm notifier={hook} rooms={rooms} onSave={onSave} onClose={vi.fn()} />);
    expect((screen.getByLabelText('Secret') as HTMLInputElement).value).toBe('');
    expect(screen.getByText(/A secret is set: leave this empty to keep it/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(fieldOf('URL')).getByText('Input should be a valid URL')).toBeTruthy());
    expect(onSave.mock.calls[0][0]).not.toHaveProperty('secret');
  });

  it('an email notifier: the addresses as a list, an address’s error under "To"', async () => {
    const onSave = vi.fn().mockRejectedValueOnce(new ApiError(422, 'x', { 'to.1': 'value is not a valid email address' }));
    render(<NotifierForm notifier={null} rooms={rooms} onSave={onSave} onClose={vi.fn()} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'mail' } });
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'email' } });
    expect(screen.queryByLabelText('Secret')).toBeNull();
    fireEvent.change(screen.getByLabelText('To'), { target: { value: 'ops@example.org, nope' } });
    fireEvent.click(screen.getByLabelText(/^Up/));
    fireEvent.change(screen.getByLabelText('Room'), { target: { value: '1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add notifier' }));
    await waitFor(() => expect(within(fieldOf('To')).getByText(/not a valid email address \(item 2\)/)).toBeTruthy());
    expect(onSave.mock.calls[0][0]).toEqual({ name: 'mail', type: 'email', to: ['ops@example.org', 'nope'], events: ['down'], room_id: 1, enabled: true });
  });
});

describe('NotifiersPage', () => {
  function fakeApi(deliveries: Delivery[][]) {
    let read = 0;
    return {
      notifiers: vi.fn().mockResolvedValue([hook]),
      testNotifier: vi.fn().mockResolvedValue({ detail: 'A test message is on its way' }),
      deliveries: vi.fn(async () => deliveries[Math.min(read++, deliveries.length - 1)]),
    } as unknown as Api & Record<'testNotifier' | 'deliveries', ReturnType<typeof vi.fn>>;
  }

  it('"Send test" queues a test and shows its delivery, read again while it is pending', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const api = fakeApi([[delivery('pending')], [delivery('delivered')]]);
    render(<NotifiersPage api={api} canEdit rooms={rooms} byId={byId} now={Date.parse('2026-03-01T10:00:05Z')} />);
    const card = await screen.findByRole('article', { name: /ops/ });
    expect(within(card).getByText('Yes (secret set)')).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: 'Send test to ops' }));
    await waitFor(() => expect(within(card).getByText(/Test message queued/)).toBeTruthy());
    expect(api.testNotifier).toHaveBeenCalledWith(3);
    await waitFor(() => expect(card.querySelector('.delivery')?.getAttribute('data-status')).toBe('pending'));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(2500);
    });
    await waitFor(() => expect(card.querySelector('.delivery')?.getAttribute('data-status')).toBe('delivered'));
    expect(within(card).getByText('Test')).toBeTruthy();
    expect(within(card).getByRole('button', { name: 'Hide the last deliveries' }).getAttribute('aria-expanded')).toBe('true');
  });

  it('a viewer sees the list and the deliveries, and no controls that change them', async () => {
    const api = fakeApi([[delivery('failed', 'device.down')]]);
    render(<NotifiersPage api={api} canEdit={false} rooms={rooms} byId={byId} now={Date.now()} />);
    const card = await screen.findByRole('article', { name: /ops/ });
    for (const name of [/Add notifier/, /Send test/, /^Edit/, /^Delete/]) expect(screen.queryAllByRole('button', { name })).toHaveLength(0);
    fireEvent.click(within(card).getByRole('button', { name: 'Show the last deliveries' }));
    await waitFor(() => expect(within(card).getByText('HTTP 500')).toBeTruthy());
    expect(within(card).getByText('Failed')).toBeTruthy();
    expect(within(card).getByText('Down')).toBeTruthy();
  });
});

describe('MaintenanceForm', () => {
  it('sends the local times as UTC, the room and the chosen devices', async () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    render(<MaintenanceForm rooms={rooms} devices={devices} onSave={onSave} onClose={vi.fn()} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'firmware' } });
    fireEvent.change(screen.getByLabelText('Start'), { target: { value: '2026-03-01T14:30' } });
    fireEvent.change(screen.getByLabelText('End'), { target: { value: '2026-03-01T16:00' } });
    fireEvent.change(screen.getByLabelText('Room'), { target: { value: '1' } });
    const select = screen.getByLabelText('Devices') as HTMLSelectElement;
    select.options[1].selected = true; // by name: printer, scanner
    fireEvent.change(select);
    fireEvent.click(screen.getByRole('button', { name: 'Add window' }));
    await waitFor(() => expect(onSave).toHaveBeenCalled());
    expect(onSave.mock.calls[0][0]).toEqual({
      name: 'firmware',
      start: new Date(2026, 2, 1, 14, 30).toISOString().replace('.000Z', 'Z'),
      end: new Date(2026, 2, 1, 16, 0).toISOString().replace('.000Z', 'Z'),
      room_id: 1,
      device_ids: [6],
    });
  });

  it('an empty time is left for the server to name', async () => {
    const onSave = vi.fn().mockRejectedValueOnce(new ApiError(422, 'x', { end: 'Field required' }));
    render(<MaintenanceForm rooms={rooms} devices={devices} onSave={onSave} onClose={vi.fn()} />);
    fireEvent.change(screen.getByLabelText('End'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add window' }));
    await waitFor(() => expect(within(fieldOf('End')).getByText('Field required')).toBeTruthy());
    expect(onSave.mock.calls[0][0]).not.toHaveProperty('end');
    expect(onSave.mock.calls[0][0]).toHaveProperty('start');
  });
});
