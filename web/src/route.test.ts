import { describe, expect, it } from 'vitest';
import { deviceHref, parseRoute } from './route';
import { defaultView } from './view';

describe('parseRoute', () => {
  it('an empty hash, "#/" and a view are the overview', () => {
    expect(parseRoute('')).toEqual({ page: 'overview', view: defaultView });
    expect(parseRoute('#/')).toEqual({ page: 'overview', view: defaultView });
    expect(parseRoute('#/?status=disconnected&q=core')).toEqual({
      page: 'overview',
      view: { ...defaultView, status: 'disconnected', q: 'core' },
    });
  });

  it('a device by id, with its chart range', () => {
    expect(parseRoute('#/devices/12')).toEqual({ page: 'device', id: 12, range: '24h' });
    expect(parseRoute('#/devices/12/')).toEqual({ page: 'device', id: 12, range: '24h' });
    expect(parseRoute('#/devices/12?range=7d')).toEqual({ page: 'device', id: 12, range: '7d' });
    expect(parseRoute('#/devices/12?range=2w')).toEqual({ page: 'device', id: 12, range: '24h' });
  });

  it('ids that are not positive integers, and unknown paths, are not found', () => {
    for (const hash of ['#/devices/0', '#/devices/-1', '#/devices/1e3', '#/devices/abc', '#/devices/', '#/devices/1/2', '#/nope']) {
      expect(parseRoute(hash)).toEqual({ page: 'not-found' });
    }
  });

  it('the admin pages', () => {
    expect(parseRoute('#/notifiers')).toEqual({ page: 'notifiers' });
    expect(parseRoute('#/maintenance/')).toEqual({ page: 'maintenance' });
    expect(parseRoute('#/users')).toEqual({ page: 'users' });
    expect(parseRoute('#/api-tokens')).toEqual({ page: 'api-tokens' });
    expect(parseRoute('#/import?x=1')).toEqual({ page: 'import' });
    expect(parseRoute('#/account/')).toEqual({ page: 'account' });
    expect(parseRoute('#/users/1')).toEqual({ page: 'not-found' });
  });

  it('deviceHref round-trips, leaving the default range out', () => {
    expect(deviceHref(5)).toBe('#/devices/5');
    expect(deviceHref(5, '1y')).toBe('#/devices/5?range=1y');
    expect(parseRoute(deviceHref(5, '1y'))).toEqual({ page: 'device', id: 5, range: '1y' });
  });
});
