import { describe, expect, it, vi } from 'vitest';
import { Api, errorFromBody } from './api';

describe('errorFromBody', () => {
  it('takes a plain detail as the message', () => {
    const e = errorFromBody(401, { detail: 'Incorrect username or password' });
    expect(e.message).toBe('Incorrect username or password');
    expect(e.fields).toEqual({});
  });

  it('maps a 422 to fields by loc, first message per field', () => {
    const e = errorFromBody(422, {
      detail: [
        { loc: ['body', 'ip'], msg: 'value is not a valid IPv4 or IPv6 address', type: 'value_error' },
        { loc: ['body', 'check', 'port'], msg: 'Input should be less than or equal to 65535', type: 'less_than_equal' },
      ],
    });
    expect(e.fields).toEqual({ ip: 'value is not a valid IPv4 or IPv6 address', 'check.port': 'Input should be less than or equal to 65535' });
  });
});

describe('Api', () => {
  const reply = (status: number, body: unknown) =>
    vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));

  it('sends the bearer token, and on 401 ends the session', async () => {
    const fetch = reply(401, { detail: 'Could not validate credentials' });
    const onUnauthorized = vi.fn();
    const api = new Api({ token: () => 'tok', onUnauthorized, fetch });
    await expect(api.rooms()).rejects.toMatchObject({ status: 401 });
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('a failed login is not a lost session', async () => {
    const onUnauthorized = vi.fn();
    const api = new Api({ token: () => null, onUnauthorized, fetch: reply(401, { detail: 'Incorrect username or password' }) });
    await expect(api.login('a', 'b')).rejects.toThrow('Incorrect username or password');
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('logs in with the form the contract names', async () => {
    const fetch = reply(200, { access_token: 'x', token_type: 'bearer' });
    await new Api({ token: () => null, onUnauthorized: vi.fn(), fetch }).login('op', 'p&ss word');
    const [path, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe('/token');
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(String(init.body)).get('password')).toBe('p&ss word');
  });
});
