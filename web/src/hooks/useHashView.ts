// The overview's view (filters, search, sort) kept in the URL's hash;
// replaceState, so typing a search adds no history entries.
import { useCallback, useEffect, useState } from 'react';
import { formatView, parseView, type View } from '../view';

export function useHashView(): [View, (next: View) => void] {
  const [view, setViewState] = useState(() => parseView(window.location.hash));
  useEffect(() => {
    const onHash = () => setViewState(parseView(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const setView = useCallback((next: View) => {
    window.history.replaceState(null, '', formatView(next));
    setViewState(next);
  }, []);
  return [view, setView];
}
