// The page the URL's hash names (route.ts), followed as it changes: a link
// or the back button (hashchange, popstate) moves between pages with a
// history entry each; `replace` changes the current page's state (the
// overview's filters, a chart's range) with replaceState, so typing a
// search adds no entries.
import { useCallback, useEffect, useState } from 'react';
import { parseRoute, type Route } from '../route';

export function useRoute(): [Route, (hash: string) => void] {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', follow);
    window.addEventListener('popstate', follow);
    return () => {
      window.removeEventListener('hashchange', follow);
      window.removeEventListener('popstate', follow);
    };
  }, []);
  const replace = useCallback((hash: string) => {
    window.history.replaceState(null, '', hash);
    setRoute(parseRoute(hash));
  }, []);
  return [route, replace];
}
