import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Api, ApiError } from '../api';
import type { Device, Room, User } from '../types';
import { Dashboard } from './Dashboard';
import { DeviceForm } from './DeviceForm';
import { LoginPage } from './LoginPage';
import { VirtualList } from './VirtualList';

afterEach(cleanup);

const rooms: Room[] = [{ id: 1, name: 'Lab', description: null }];

function fieldOf(label: string) {
  const input = screen.getByLabelText(label);
  return input.closest('.field') as HTMLElement;
}

describe('DeviceForm shows the server’s validation beside each field', () => {
  it('a 422 on ip and check.port', async () => {
    const onSave = vi.fn().mockRejectedValue(
      new ApiError(422, 'invalid', { ip: 'value is not a valid IPv4 or IPv6 address', 'check.port': 'Field required' }),
    );
    render(<DeviceForm device={null} rooms={rooms} onSave={onSave} onClose={vi.fn()} />);
    fireEvent.change(screen.getByLabelText('Check'), { target: { value: 'tcp' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add device' }));
    await waitFor(() => expect(within(fieldOf('IP address')).getByText(/not a valid IPv4/)).toBeTruthy());
    expect(screen.getByLabelText('IP address').getAttribute('aria-invalid')).toBe('true');
    const describedBy = screen.getByLabelText('IP address').getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy.split(' ')[0])?.textContent).toMatch(/not a valid IPv4/);
    expect(within(fieldOf('TCP port')).getByText('Field required')).toBeTruthy();
    expect(within(fieldOf('Name')).queryByText(/./, { selector: '.error' })).toBeNull();
  });

  it('a 409 lands on the IP, a missing room on the room, anything else above the buttons', async () => {
    const onSave = vi.fn().mockRejectedValueOnce(new ApiError(409, 'IP address already in use'));
    const { unmount } = render(<DeviceForm device={null} rooms={rooms} onSave={onSave} onClose={vi.fn()} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add device' }));
    await waitFor(() => expect(within(fieldOf('IP address')).getByText('IP address already in use')).toBeTruthy());
    unmount();

    onSave.mockRejectedValueOnce(new ApiError(404, 'Room not found'));
    render(<DeviceForm device={null} rooms={rooms} onSave={onSave} onClose={vi.fn()} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add device' }));
    await waitFor(() => expect(within(fieldOf('Room')).getByText('Room not found')).toBeTruthy());

    onSave.mockRejectedValueOnce(new ApiError(403, 'Not enough permissions'));
    fireEvent.click(screen.getByRole('button', { name: 'Add device' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Not enough permissions'));
  });

  it('sends what the form says and closes on success', async () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    const onClose = vi.fn();
    render(<DeviceForm device={null} rooms={rooms} defaultRoom={1} onSave={onSave} onClose={onClose} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'core' } });
    fireEvent.change(screen.getByLabelText('IP address'), { target: { value: ' 2001:db8::1 ' } });
    fireEvent.change(screen.getByLabelText('Check'), { target: { value: 'tcp' } });
    fireEvent.change(screen.getByLabelText('TCP port'), { target: { value: '443' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add device' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(onSave).toHaveBeenCalledWith({
      name: 'core', ip: '2001:db8::1', room_id: 1, parent_id: null, monitored: true, check: { type: 'tcp', port: 443 },
    });
  });
});

describe('DeviceForm chooses a parent', () => {
  const others: Device[] = [
    { id: 1, name: 'gateway', ip: '192.0.2.1', room_id: 1, monitored: true, parent_id: null, locations: null, quorum: 1, check: { type: 'icmp' } },
    { id: 2, name: 'printer', ip: '192.0.2.2', room_id: 1, monitored: true, parent_id: 1, locations: null, quorum: 1, check: { type: 'icmp' } },
  ];

  it('lists the other devices, None first, and sends parent_id', async () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    render(<DeviceForm device={others[1]} rooms={rooms} devices={others} onSave={onSave} onClose={vi.fn()} />);
    const select = screen.getByLabelText('Parent device') as HTMLSelectElement;
    expect(Array.from(select.options).map((o) => o.textContent)).toEqual(['None', 'gateway (192.0.2.1)']);
    expect(select.value).toBe('1');
    fireEvent.change(select, { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSave).toHaveBeenCalled());
    expect(onSave.mock.calls[0][0]).toMatchObject({ parent_id: null });
  });

  it('a missing parent (404) and a cycle (422) are shown under the field', async () => {
    const onSave = vi.fn().mockRejectedValueOnce(new ApiError(404, 'Parent device not found'));
    render(<DeviceForm device={others[0]} rooms={rooms} devices={others} onSave={onSave} onClose={vi.fn()} />);
    fireEvent.change(screen.getByLabelText('Parent device'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(fieldOf('Parent device')).getByText('Parent device not found')).toBeTruthy());
    expect(onSave.mock.calls[0][0]).toMatchObject({ parent_id: 2 });

    onSave.mockRejectedValueOnce(
      new ApiError(422, 'parent_id: Value error, a device cannot depend on itself or on a device behind it', {
        parent_id: 'Value error, a device cannot depend on itself or on a device behind it',
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(fieldOf('Parent device')).getByText(/cannot depend on itself/)).toBeTruthy());
    expect(screen.getByLabelText('Parent device').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('LoginPage', () => {
  it('shows the server’s message for a failed login', async () => {
    const api = { login: vi.fn().mockRejectedValue(new ApiError(401, 'Incorrect username or password')) } as unknown as Api;
    render(<LoginPage api={api} notice={null} onToken={vi.fn()} />);
    fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'op' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'wrong-password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Incorrect username or password'));
  });

  it('registration says who becomes admin, then logs in', async () => {
    const api = {
      register: vi.fn().mockResolvedValue({ id: 1, username: 'op', role: 'admin' }),
      login: vi.fn().mockResolvedValue({ access_token: 'tok', token_type: 'bearer' }),
    } as unknown as Api;
    const onToken = vi.fn();
    render(<LoginPage api={api} notice="Your session has expired." onToken={onToken} />);
    expect(screen.getByRole('status').textContent).toBe('Your session has expired.');
    fireEvent.click(screen.getByRole('tab', { name: 'Register' }));
    expect(screen.getByText(/first account registered becomes the admin/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'op' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'long-enough' } });
    fireEvent.change(screen.getByLabelText('Repeat password'), { target: { value: 'long-enough' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register and log in' }));
    await waitFor(() => expect(onToken).toHaveBeenCalledWith('tok'));
  });
});

describe('LoginPage asks for the setup code only when the server does', () => {
  // The real Api over a fake server: the first registration is refused until
  // it carries the setup code, as when gatewatch is reached from another machine.
  function fakeServer(code: string) {
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    const fetch = vi.fn(async (path: string | URL | Request, init?: RequestInit) => {
      if (path === '/token') return json(200, { access_token: 'tok', token_type: 'bearer' });
      const body = JSON.parse(String(init?.body)) as { setup_code?: string };
      if (body.setup_code === undefined) return json(403, { detail: 'Setup code required' });
      if (body.setup_code !== code) return json(403, { detail: 'Invalid setup code' });
      return json(200, { id: 1, username: 'op', role: 'admin' });
    });
    const registrations = () =>
      fetch.mock.calls.filter(([path]) => path === '/users/').map(([, init]) => JSON.parse(String(init?.body)) as Record<string, string>);
    return { api: new Api({ token: () => null, onUnauthorized: vi.fn(), fetch }), registrations };
  }

  const register = () => fireEvent.click(screen.getByRole('button', { name: 'Register and log in' }));

  function fillRegistration() {
    fireEvent.click(screen.getByRole('tab', { name: 'Register' }));
    fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'op' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'long-enough' } });
    fireEvent.change(screen.getByLabelText('Repeat password'), { target: { value: 'long-enough' } });
  }

  it('no field at first; after "Setup code required" the field, its message and hint; then the code is sent', async () => {
    const { api, registrations } = fakeServer('ABCD-EFGH-JKLM-NPQR');
    const onToken = vi.fn();
    render(<LoginPage api={api} notice={null} onToken={onToken} />);
    fillRegistration();
    expect(screen.queryByLabelText('Setup code')).toBeNull();
    expect(screen.queryByText(/setup code/i)).toBeNull();

    register();
    const input = await screen.findByLabelText('Setup code');
    expect(within(fieldOf('Setup code')).getByText('Setup code required')).toBeTruthy();
    expect(within(fieldOf('Setup code')).getByText(/printed in gatewatch's log when it starts/i)).toBeTruthy();
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const described = (input.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent);
    expect(described[0]).toBe('Setup code required');
    expect(described[1]).toMatch(/only for the first account/);
    await waitFor(() => expect(document.activeElement).toBe(input));
    expect(screen.queryByRole('alert')).toBeNull(); // beside the field, not above the button
    expect(registrations()).toEqual([{ username: 'op', password: 'long-enough' }]);

    fireEvent.change(input, { target: { value: 'WXYZ-0000-0000-0000' } });
    register();
    await waitFor(() => expect(within(fieldOf('Setup code')).getByText('Invalid setup code')).toBeTruthy());
    expect(onToken).not.toHaveBeenCalled();

    fireEvent.change(input, { target: { value: ' ABCD-EFGH-JKLM-NPQR ' } });
    register();
    await waitFor(() => expect(onToken).toHaveBeenCalledWith('tok'));
    expect(registrations()[2]).toEqual({ username: 'op', password: 'long-enough', setup_code: 'ABCD-EFGH-JKLM-NPQR' });
  });

  it('an empty code is not sent; other refusals show no setup code field', async () => {
    const { api, registrations } = fakeServer('ABCD-EFGH-JKLM-NPQR');
    render(<LoginPage api={api} notice={null} onToken={vi.fn()} />);
    fillRegistration();
    register();
    await screen.findByLabelText('Setup code');
    register();
    await waitFor(() => expect(within(fieldOf('Setup code')).getByText(/Enter the setup code/)).toBeTruthy());
    expect(registrations()).toHaveLength(1);
    cleanup();

    const closed = { register: vi.fn().mockRejectedValue(new ApiError(403, 'Registration is closed')) } as unknown as Api;
    render(<LoginPage api={closed} notice={null} onToken={vi.fn()} />);
    fillRegistration();
    register();
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Registration is closed'));
    expect(screen.queryByLabelText('Setup code')).toBeNull();
  });
});

describe('VirtualList', () => {
  it('mounts only the rows in view out of 5,000', () => {
    const items = Array.from({ length: 5000 }, (_, i) => i);
    render(<VirtualList items={items} heightOf={() => 50} keyOf={String} render={(i) => <span>row {i}</span>} label="rows" />);
    const mounted = screen.getAllByRole('listitem').length;
    expect(mounted).toBeGreaterThan(5);
    expect(mounted).toBeLessThan(60);
    expect(screen.getByText('row 0')).toBeTruthy();
    expect(screen.queryByText('row 4999')).toBeNull();
  });
});

describe('Dashboard', () => {
  const devices: Device[] = [{ id: 7, name: 'gateway', ip: '192.0.2.1', room_id: 1, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 }];
  const withChild: Device[] = [...devices, { id: 8, name: 'camera', ip: '192.0.2.8', room_id: 1, monitored: true, parent_id: 7, locations: null, quorum: 1, check: { type: 'icmp' } }];
  let sockets: { onmessage: ((e: { data: string }) => void) | null; onopen: (() => void) | null }[];

  beforeEach(() => {
    sockets = [];
    vi.stubGlobal(
      'WebSocket',
      class {
        onopen = null;
        onmessage = null;
        onclose = null;
        onerror = null;
        constructor() {
          sockets.push(this);
        }
        close() {}
      },
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  const fakeApi = (list: Device[]) =>
    ({
      rooms: vi.fn().mockResolvedValue(rooms),
      devices: vi.fn().mockResolvedValue(list),
      me: vi.fn(),
      uptime: vi.fn().mockResolvedValue({ '192.0.2.1': 0.5, '192.0.2.8': 1 }),
    }) as unknown as Api;

  const show = (role: User['role'], list = devices) =>
    render(<Dashboard api={fakeApi(list)} user={{ id: 1, username: 'u', role, disabled: false, created: null }} token="t" onLogout={vi.fn()} onSessionLost={vi.fn()} onChangePassword={vi.fn()} onSelfChanged={vi.fn()} />);

  it('a viewer sees devices and no edit controls', async () => {
    show('viewer');
    await screen.findByText('gateway');
    for (const name of [/Add device/, /Add room/, /^Edit/, /^Delete/]) expect(screen.queryAllByRole('button', { name })).toHaveLength(0);
  });

  it('an admin sees the edit controls', async () => {
    show('admin');
    await screen.findByText('gateway');
    expect(screen.getByRole('button', { name: 'Add device' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Edit gateway' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Delete room Lab' })).toBeTruthy();
  });

  it('a pushed status changes the row and the counts, with text as well as colour', async () => {
    show('viewer');
    await screen.findByText('gateway');
    act(() => {
      sockets[0].onopen?.();
      sockets[0].onmessage?.({ data: JSON.stringify({ '192.0.2.1': { status: 'disconnected', rtt_ms: null, loss: 1, since: null, last_probe: null } }) });
    });
    const row = document.querySelector('[data-device-ip="192.0.2.1"]') as HTMLElement;
    expect(row.dataset.status).toBe('disconnected');
    expect(within(row).getByText('Disconnected')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toContain('Live');
    const counts = document.querySelector('[data-count="disconnected"] .count-number');
    expect(counts?.textContent).toBe('1');
  });

  it('a device disconnected behind its disconnected parent reads "Unreachable via <parent>"', async () => {
    show('viewer', withChild);
    await screen.findByText('camera');
    const down = (via: number | null) => ({ status: 'disconnected', rtt_ms: null, loss: 1, since: null, last_probe: null, unreachable_via: via });
    act(() => {
      sockets[0].onopen?.();
      sockets[0].onmessage?.({ data: JSON.stringify({ snapshot: { '192.0.2.1': down(null), '192.0.2.8': down(7) } }) });
    });
    const row = (ip: string) => document.querySelector(`[data-device-ip="${ip}"]`) as HTMLElement;
    expect(row('192.0.2.8').dataset.status).toBe('disconnected');
    expect(row('192.0.2.8').dataset.unreachableVia).toBe('gateway');
    expect(within(row('192.0.2.8')).getByText('Unreachable via gateway')).toBeTruthy();
    expect(within(row('192.0.2.1')).getByText('Disconnected')).toBeTruthy();
    expect(row('192.0.2.1').dataset.unreachableVia).toBeUndefined();
    act(() => sockets[0].onmessage?.({ data: JSON.stringify({ changed: { '192.0.2.8': down(null) } }) }));
    expect(within(row('192.0.2.8')).getByText('Disconnected')).toBeTruthy();
  });

  it('each room shows its devices’ mean uptime over 24 h', async () => {
    show('viewer', withChild);
    await screen.findByText('75.00 %', { exact: false });
    expect(screen.getByText(/75.00 % up/).closest('.room-row')?.textContent).toContain('Lab');
  });

  it('a device’s name links to its page', async () => {
    show('viewer', withChild);
    expect((await screen.findByRole('link', { name: 'camera' })).getAttribute('href')).toBe('#/devices/8');
  });

  it('a snapshot, then deltas: the row, the counts and the room’s down count follow', async () => {
    show('viewer');
    await screen.findByText('gateway');
    const send = (message: object) => act(() => sockets[0].onmessage?.({ data: JSON.stringify(message) }));
    const count = (status: string) => document.querySelector(`[data-count="${status}"] .count-number`)?.textContent;
    const row = () => document.querySelector('[data-device-ip="192.0.2.1"]') as HTMLElement;
    act(() => sockets[0].onopen?.());
    send({ snapshot: { '192.0.2.1': { status: 'connected', rtt_ms: 0.4, loss: 0, since: null, last_probe: null } } });
    expect(row().dataset.status).toBe('connected');
    expect(within(row()).getByText('0.40 ms')).toBeTruthy();
    expect(count('connected')).toBe('1');
    send({ changed: { '192.0.2.1': { status: 'disconnected', rtt_ms: null, loss: 1, since: null, last_probe: null } }, removed: [] });
    expect(row().dataset.status).toBe('disconnected');
    expect(count('connected')).toBe('0');
    expect(count('disconnected')).toBe('1');
    expect(screen.getByText('1 down')).toBeTruthy();
    send({});
    expect(row().dataset.status).toBe('disconnected');
    send({ changed: {}, removed: ['192.0.2.1'] });
    expect(row().dataset.status).toBe('unknown');
    expect(count('unknown')).toBe('1');
    expect(screen.queryByText('1 down')).toBeNull();
  });
});

describe('DeviceForm names locations and a quorum', () => {
  it('sends them only when named, and null to clear a device’s list', async () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    const { unmount } = render(<DeviceForm device={null} rooms={rooms} onSave={onSave} onClose={vi.fn()} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'branch router' } });
    fireEvent.change(screen.getByLabelText('IP address'), { target: { value: '192.0.2.9' } });
    expect(screen.queryByLabelText('Quorum')).toBeNull();
    fireEvent.change(screen.getByLabelText('Locations'), { target: { value: 'hq, branch  lab' } });
    fireEvent.change(screen.getByLabelText('Quorum'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add device' }));
    await waitFor(() => expect(onSave).toHaveBeenCalled());
    expect(onSave.mock.calls[0][0]).toMatchObject({ locations: ['hq', 'branch', 'lab'], quorum: 2 });
    unmount();

    const listed: Device = { id: 5, name: 'edge', ip: '192.0.2.5', room_id: null, monitored: true, parent_id: null, locations: ['hq', 'branch'], quorum: 2, check: { type: 'icmp' } };
    render(<DeviceForm device={listed} rooms={rooms} onSave={onSave} onClose={vi.fn()} />);
    expect((screen.getByLabelText('Locations') as HTMLInputElement).value).toBe('hq, branch');
    expect((screen.getByLabelText('Quorum') as HTMLInputElement).value).toBe('2');
    fireEvent.change(screen.getByLabelText('Locations'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSave).toHaveBeenCalledTimes(2));
    expect(onSave.mock.calls[1][0]).toMatchObject({ locations: null, quorum: 1 });
  });

  it('a 422 on the quorum or on one name is shown beside its field', async () => {
    const onSave = vi.fn().mockRejectedValue(
      new ApiError(422, 'invalid', { quorum: 'Value error, quorum must be at most the number of locations (1)' }),
    );
    render(<DeviceForm device={null} rooms={rooms} onSave={onSave} onClose={vi.fn()} />);
    fireEvent.change(screen.getByLabelText('Locations'), { target: { value: 'hq' } });
    fireEvent.change(screen.getByLabelText('Quorum'), { target: { value: '3' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add device' }));
    await waitFor(() => expect(within(fieldOf('Quorum')).getByText(/at most the number of locations/)).toBeTruthy());
  });
});
