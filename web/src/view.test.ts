import { describe, expect, it } from 'vitest';
import { defaultView, formatView, parseView } from './view';

describe('the view in the hash', () => {
  it('round-trips filters, search and sort', () => {
    const view = { status: 'disconnected' as const, room: 3, q: 'core sw', sort: 'rtt' as const };
    expect(parseView(formatView(view))).toEqual(view);
    expect(parseView(formatView({ ...defaultView, room: 'none' }))).toEqual({ ...defaultView, room: 'none' });
  });

  it('the default view is a bare #/', () => {
    expect(formatView(defaultView)).toBe('#/');
    expect(parseView('')).toEqual(defaultView);
  });

  it('ignores values it does not know', () => {
    expect(parseView('#/?status=purple&room=-1&sort=size')).toEqual(defaultView);
  });
});
