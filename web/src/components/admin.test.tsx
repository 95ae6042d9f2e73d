import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type Api } from '../api';
import { App } from '../App';
import type { Device, NewApiToken, Room, User } from '../types';
import { AccountPage } from './AccountPage';
import { NewTokenDialog } from './ApiTokensPage';
import { ImportPage } from './ImportPage';
import { UsersPage } from './UsersPage';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const admin: User = { id: 1, username: 'operator', role: 'admin', disabled: false, created: '2026-03-01T10:00:00Z' };
const viewer: User = { id: 2, username: 'watcher', role: 'viewer', disabled: false, created: '2026-03-02T10:00:00Z' };
const fieldOf = (label: string) => screen.getByLabelText(label).closest('.field') as HTMLElement;

describe('UsersPage', () => {
  it('lists the accounts; the last admin’s 409 is shown on its card with what to do', async () => {
    const api = {
      users: vi.fn().mockResolvedValue([viewer, admin]),
      updateUser: vi.fn().mockRejectedValue(new ApiError(409, 'The last admin cannot be demoted or disabled')),
    } as unknown as Api;
    render(<UsersPage api={api} me={admin} onSelfChanged={vi.fn()} backHref="#/" />);
    const card = await screen.findByRole('article', { name: 'operator' });
    expect(within(card).getByText('(you)')).toBeTruthy();
    expect(within(screen.getByRole('article', { name: 'watcher' })).getByText('Viewer')).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: 'Make operator a viewer' }));
    await waitFor(() =>
      expect(within(card).getByRole('alert').textContent).toBe('The last admin cannot be demoted or disabled: make another account an admin first.'),
    );
    expect(api.updateUser).toHaveBeenCalledWith(1, { role: 'viewer' });
  });

  it('disabling an account shows it disabled; a change to one’s own account goes to the app', async () => {
    const onSelfChanged = vi.fn();
    const api = {
      users: vi.fn().mockResolvedValue([admin, viewer]),
      updateUser: vi.fn().mockImplementation(async (id: number, input: Partial<User>) => ({ ...(id === 1 ? admin : viewer), ...input })),
    } as unknown as Api;
    render(<UsersPage api={api} me={admin} onSelfChanged={onSelfChanged} backHref="#/" />);
    const card = await screen.findByRole('article', { name: 'watcher' });
    fireEvent.click(within(card).getByRole('button', { name: 'Disable watcher' }));
    await within(card).findByText('Disabled');
    expect(within(card).getByRole('button', { name: 'Enable watcher' })).toBeTruthy();
    expect(onSelfChanged).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Make watcher an admin' }));
    await within(card).findByText('Admin');
    fireEvent.click(screen.getByRole('button', { name: 'Make operator a viewer' }));
    await waitFor(() => expect(onSelfChanged).toHaveBeenCalledWith({ ...admin, role: 'viewer' }));
  });

  it('creates an account with a role; a taken name goes under the username', async () => {
    const api = {
      users: vi.fn().mockResolvedValue([admin]),
      createUser: vi.fn().mockRejectedValueOnce(new ApiError(409, 'Username already registered')).mockResolvedValueOnce(viewer),
    } as unknown as Api;
    render(<UsersPage api={api} me={admin} onSelfChanged={vi.fn()} backHref="#/" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Create account' }));
    const dialog = screen.getByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Username'), { target: { value: 'watcher' } });
    fireEvent.change(within(dialog).getByLabelText('Password'), { target: { value: 'long-enough' } });
    fireEvent.change(within(dialog).getByLabelText('Repeat password'), { target: { value: 'long-enougH' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create account' }));
    expect(within(fieldOf('Repeat password')).getByText('The two passwords differ')).toBeTruthy();
    expect(api.createUser).not.toHaveBeenCalled();
    fireEvent.change(within(dialog).getByLabelText('Repeat password'), { target: { value: 'long-enough' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(within(fieldOf('Username')).getByText('Username already registered')).toBeTruthy());
    fireEvent.change(within(dialog).getByLabelText('Role'), { target: { value: 'admin' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.createUser).toHaveBeenLastCalledWith({ username: 'watcher', password: 'long-enough', role: 'admin' });
  });

  it('a viewer is told the page is for admins, and nothing is asked of the server', () => {
    const api = { users: vi.fn() } as unknown as Api;
    render(<UsersPage api={api} me={viewer} onSelfChanged={vi.fn()} backHref="#/" />);
    expect(screen.getByText('Only admins can manage accounts.')).toBeTruthy();
    expect(api.users).not.toHaveBeenCalled();
  });
});

describe('NewTokenDialog', () => {
  const created: NewApiToken = { id: 4, name: 'prometheus', role: 'viewer', created: '2026-03-01T10:00:00Z', expires: null, token: 'gw_secret-value' };

  it('sends name, role and days; then shows the token once, selected, with the warning', async () => {
    const onCreate = vi.fn().mockResolvedValue(created);
    const onClose = vi.fn();
    render(<NewTokenDialog onCreate={onCreate} onClose={onClose} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'prometheus' } });
    fireEvent.change(screen.getByLabelText('Expires in (days)'), { target: { value: '30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    const field = (await screen.findByLabelText('Token (viewer)')) as HTMLInputElement;
    expect(onCreate).toHaveBeenCalledWith({ name: 'prometheus', role: 'viewer', expires_days: 30 });
    expect(field.value).toBe('gw_secret-value');
    expect(field.readOnly).toBe(true);
    expect(document.activeElement).toBe(field);
    expect(screen.getByText(/you will not see it again/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(onClose).toHaveBeenCalled();
  });

  it('copies with the clipboard API, or else selects the text and says how to copy it', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    render(<NewTokenDialog onCreate={vi.fn().mockResolvedValue(created)} onClose={vi.fn()} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'prometheus' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Copy' }));
    await screen.findByText('Copied to the clipboard.');
    expect(writeText).toHaveBeenCalledWith('gw_secret-value');

    vi.stubGlobal('navigator', { ...navigator, clipboard: undefined });
    const field = screen.getByLabelText('Token (viewer)') as HTMLInputElement;
    field.blur();
    fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    await screen.findByText(/the token is selected, press Ctrl\+C/);
    expect(document.activeElement).toBe(field);
  });

  it('the server’s 422 goes under its field', async () => {
    const onCreate = vi.fn().mockRejectedValue(new ApiError(422, 'x', { expires_days: 'Input should be less than or equal to 3650' }));
    render(<NewTokenDialog onCreate={onCreate} onClose={vi.fn()} />);
    fireEvent.change(screen.getByLabelText('Expires in (days)'), { target: { value: '9999' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    await waitFor(() => expect(within(fieldOf('Expires in (days)')).getByText('Input should be less than or equal to 3650')).toBeTruthy());
  });
});

describe('AccountPage', () => {
  it('checks the repetition, puts a wrong current password and a short new one under their fields, then says it is done', async () => {
    const onChangePassword = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(400, 'Incorrect password'))
      .mockRejectedValueOnce(new ApiError(422, 'x', { new_password: 'String should have at least 8 characters' }))
      .mockResolvedValueOnce(undefined);
    render(<AccountPage user={admin} onChangePassword={onChangePassword} />);
    const fill = (current: string, next: string, repeat: string) => {
      fireEvent.change(screen.getByLabelText('Current password'), { target: { value: current } });
      fireEvent.change(screen.getByLabelText('New password'), { target: { value: next } });
      fireEvent.change(screen.getByLabelText('Repeat the new password'), { target: { value: repeat } });
      fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    };
    fill('old-password', 'new-password', 'new-passwort');
    expect(within(fieldOf('Repeat the new password')).getByText('The two new passwords differ')).toBeTruthy();
    expect(onChangePassword).not.toHaveBeenCalled();
    fill('wrong', 'new-password', 'new-password');
    await waitFor(() => expect(within(fieldOf('Current password')).getByText('Incorrect password')).toBeTruthy());
    fill('old-password', 'short', 'short');
    await waitFor(() => expect(within(fieldOf('New password')).getByText('String should have at least 8 characters')).toBeTruthy());
    fill('old-password', 'new-password', 'new-password');
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/^Your password was changed\. Every other session/));
    expect(onChangePassword).toHaveBeenLastCalledWith('old-password', 'new-password');
    expect((screen.getByLabelText('Current password') as HTMLInputElement).value).toBe('');
  });
});

describe('ImportPage', () => {
  const rooms: Room[] = [{ id: 1, name: 'Server room', description: null }];
  const devices: Device[] = [{ id: 7, name: 'gateway', ip: '192.0.2.1', room_id: 1, monitored: true, check: { type: 'icmp' }, parent_id: null, locations: null, quorum: 1 }];
  const show = (api: Partial<Api>, reload = vi.fn().mockResolvedValue(undefined)) =>
    render(<ImportPage api={api as Api} canEdit rooms={rooms} devices={devices} reload={reload} backHref="#/" />);
  const paste = (text: string) => fireEvent.change(screen.getByLabelText('Or paste the CSV here'), { target: { value: text } });

  it('shows the problems found and sends nothing; once fixed, imports and says how many', async () => {
    const importDevicesCsv = vi.fn().mockResolvedValue({ created: 2, devices: [] });
    const reload = vi.fn().mockResolvedValue(undefined);
    show({ importDevicesCsv }, reload);
    paste('name,ip,room\nprinter,192.0.2.300,Lab\nscanner,192.0.2.11,Lab\n');
    const problems = await screen.findByRole('list', { name: 'Problems found' });
    expect(problems.textContent).toBe('Row 1 (line 2) · ip “192.0.2.300” is not a valid IPv4 or IPv6 address.');
    expect(screen.getByText('1 problem to fix before importing. Nothing has been sent.')).toBeTruthy();
    const button = screen.getByRole('button', { name: 'Import 2 devices' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(document.querySelector('tr[data-row="0"] td[data-field="ip"]')?.className).toBe('bad-cell');
    fireEvent.click(button);
    expect(importDevicesCsv).not.toHaveBeenCalled();

    const fixed = 'name,ip,room\nprinter,192.0.2.10,Lab\nscanner,192.0.2.11,Lab\n';
    paste(fixed);
    await screen.findByText('will be created.', { exact: false });
    expect(screen.getByText(/New rooms, created by the import/).textContent).toContain('Lab (2 devices)');
    fireEvent.click(screen.getByRole('button', { name: 'Import 2 devices' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/^2 devices created \(and 1 new room\)/));
    expect(importDevicesCsv).toHaveBeenCalledWith(fixed);
    expect(reload).toHaveBeenCalled();
    expect((screen.getByLabelText('Or paste the CSV here') as HTMLTextAreaElement).value).toBe('');
  });

  it('the server’s 422 is shown on the rows and columns it names', async () => {
    const items = [{ loc: ['body', 1, 'ip'], msg: 'Value error, IP address already in use', type: 'value_error' }];
    const importDevicesCsv = vi.fn().mockRejectedValue(new ApiError(422, 'x', {}, items));
    show({ importDevicesCsv });
    paste('name,ip\na,10.0.0.1\nb,10.0.0.2\n');
    fireEvent.click(await screen.findByRole('button', { name: 'Import 2 devices' }));
    const problems = await screen.findByRole('list', { name: 'Problems gatewatch found' });
    expect(problems.textContent).toBe('Row 2 (line 3) · ip IP address already in use.');
    expect(screen.getByText(/gatewatch refused the import/)).toBeTruthy();
    expect(document.querySelector('tr[data-row="1"]')?.className).toBe('bad-row');
    expect((screen.getByRole('button', { name: 'Import 2 devices' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('a chosen file’s text goes into the box', async () => {
    show({});
    const file = new File(['name,ip\nrouter,10.0.0.1\n'], 'devices.csv', { type: 'text/csv' });
    fireEvent.change(screen.getByLabelText('CSV file'), { target: { files: [file] } });
    const box = (await screen.findByLabelText('The text of devices.csv (fix it here if need be)')) as HTMLTextAreaElement;
    expect(box.value).toBe('name,ip\nrouter,10.0.0.1\n');
    await screen.findByRole('button', { name: 'Import 1 device' });
  });
});

describe('App: changing one’s password', () => {
  let sockets: { url: string; onclose: ((e: { code: number }) => void) | null }[];

  beforeEach(() => {
    sockets = [];
    vi.stubGlobal(
      'WebSocket',
      class {
        onopen = null;
        onmessage = null;
        onclose = null;
        onerror = null;
        url: string;
        constructor(url: string) {
          this.url = url;
          sockets.push(this);
        }
        close() {}
      },
    );
    localStorage.setItem('token', 'old-token');
    window.location.hash = '#/account';
  });
  afterEach(() => {
    localStorage.clear();
    window.location.hash = '';
  });

  it('logs in again with the new password and goes on, even when the old token is refused meanwhile', async () => {
    let finishLogin: (() => void) | null = null;
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    const fetch = vi.fn(async (path: string, init: RequestInit) => {
      const auth = (init.headers as Record<string, string>).Authorization;
      if (path === '/users/me/password') return new Response(null, { status: 204 });
      if (path === '/token') {
        await new Promise<void>((resolve) => (finishLogin = resolve));
        return json(200, { access_token: 'new-token', token_type: 'bearer' });
      }
      if (auth !== 'Bearer new-token' && auth !== 'Bearer old-token') return json(401, { detail: 'Not authenticated' });
      if (path === '/users/me') return json(200, admin);
      if (path.startsWith('/uptime/')) return json(200, {});
      return json(200, []);
    });
    vi.stubGlobal('fetch', fetch);
    render(<App />);
    fireEvent.change(await screen.findByLabelText('Current password'), { target: { value: 'old-password' } });
    fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'new-password' } });
    fireEvent.change(screen.getByLabelText('Repeat the new password'), { target: { value: 'new-password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    await waitFor(() => expect(finishLogin).not.toBeNull());
    // The server closes the old token's socket (1008) before the new login answers.
    act(() => sockets[0].onclose?.({ code: 1008 }));
    await act(async () => finishLogin?.());
    await screen.findByText(/^Your password was changed\. Every other session/);
    expect(localStorage.getItem('token')).toBe('new-token');
    await waitFor(() => expect(sockets.at(-1)?.url).toContain('token=new-token'));
    expect(screen.queryByRole('button', { name: 'Log in' })).toBeNull();
    const login = fetch.mock.calls.find(([path]) => path === '/token');
    expect(new URLSearchParams(String(login?.[1].body)).get('password')).toBe('new-password');
  });
});
