// Which page the URL's hash names. gatewatch serves index.html only at "/"
// (src/web/static_site.cpp answers 404 for any other path that is not a
// file), so every page lives in the hash, and a reload or a shared link of
// any page asks the server for "/" only:
//   #/  #/?status=…&q=…       the overview, its view as view.ts keeps it
//   #/devices/12?range=7d     a device (the chart's range, 24 h when absent)
//   #/notifiers  #/maintenance
//   #/users  #/api-tokens  #/import  #/nodes   an admin's (a viewer is told so)
//   #/account                          one's own password
// Anything else is "not found", with a way back to the overview.
import { parseView, type View } from './view';

export const ranges = ['1h', '24h', '7d', '30d', '1y'] as const;
export type RangeKey = (typeof ranges)[number];
export const defaultRange: RangeKey = '24h';

export type Route =
  | { page: 'overview'; view: View }
  | { page: 'device'; id: number; range: RangeKey }
  | { page: 'notifiers' }
  | { page: 'maintenance' }
  | { page: 'users' }
  | { page: 'api-tokens' }
  | { page: 'import' }
  | { page: 'nodes' }
  | { page: 'account' }
  | { page: 'not-found' };

const simplePages = ['notifiers', 'maintenance', 'users', 'api-tokens', 'import', 'nodes', 'account'] as const;

const positiveId = /^[1-9][0-9]{0,15}$/;

export function parseRoute(hash: string): Route {
  const rest = hash.replace(/^#/, '');
  const cut = rest.indexOf('?');
  const path = (cut < 0 ? rest : rest.slice(0, cut)).replace(/\/+$/, '');
  const params = new URLSearchParams(cut < 0 ? '' : rest.slice(cut + 1));
  if (path === '') return { page: 'overview', view: parseView(hash) };
  const device = /^\/devices\/([^/]+)$/.exec(path);
  if (device) {
    if (!positiveId.test(device[1])) return { page: 'not-found' };
    const range = params.get('range');
    return {
      page: 'device',
      id: Number(device[1]),
      range: (ranges as readonly string[]).includes(range ?? '') ? (range as RangeKey) : defaultRange,
    };
  }
  const simple = simplePages.find((name) => path === `/${name}`);
  return simple ? { page: simple } : { page: 'not-found' };
}

export function deviceHref(id: number, range: RangeKey = defaultRange): string {
  return range === defaultRange ? `#/devices/${id}` : `#/devices/${id}?range=${range}`;
}

export const notifiersHref = '#/notifiers';
export const maintenanceHref = '#/maintenance';
export const usersHref = '#/users';
export const apiTokensHref = '#/api-tokens';
export const importHref = '#/import';
export const nodesHref = '#/nodes';
export const accountHref = '#/account';
