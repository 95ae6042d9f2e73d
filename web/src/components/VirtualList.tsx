// A scrolling list that mounts only the rows in view (plus a few either
// side): 5,000 devices cost the DOM about as much as 30. Row heights are
// known in advance (by kind), so offsets are prefix sums, not measurements.
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';

interface Props<T> {
  items: readonly T[];
  heightOf: (item: T) => number;
  keyOf: (item: T) => string;
  render: (item: T) => ReactNode;
  label: string;
  overscan?: number;
}

// Index of the last offset <= y.
function rowAt(offsets: readonly number[], y: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid] <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function VirtualList<T>({ items, heightOf, keyOf, render, label, overscan = 6 }: Props<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(() => (typeof window === 'undefined' ? 800 : window.innerHeight));

  useEffect(() => {
    const element = scroller.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => setViewport(element.clientHeight || window.innerHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // offsets[i] is where row i starts; the last entry is the total height.
  const offsets = useMemo(() => {
    const out = new Array<number>(items.length + 1);
    out[0] = 0;
    for (let i = 0; i < items.length; i += 1) out[i + 1] = out[i] + heightOf(items[i]);
    return out;
  }, [items, heightOf]);

  const total = offsets[items.length];
  const first = Math.max(0, rowAt(offsets, scrollTop) - overscan);
  const last = Math.min(items.length, rowAt(offsets, scrollTop + viewport) + 1 + overscan);
  const visible = items.slice(first, last);

  return (
    <div
      ref={scroller}
      className="virtual-list"
      role="list"
      aria-label={label}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
    >
      <div style={{ height: offsets[first] }} aria-hidden="true" />
      {visible.map((item) => (
        <div role="listitem" key={keyOf(item)} style={{ height: heightOf(item) }}>
          {render(item)}
        </div>
      ))}
      <div style={{ height: total - offsets[last] }} aria-hidden="true" />
    </div>
  );
}
