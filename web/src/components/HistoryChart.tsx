// The RTT and loss chart of a device page, drawn by uPlot on a canvas:
// median RTT (line) and largest RTT (dashed) in ms on the left axis, loss
// in % (stepped, filled) on the right; the x axis spans the whole range
// asked for, so that time with nothing recorded is empty, and nulls in the
// columns (history.ts: chartColumns) break the lines. The chart takes its
// container's width (ResizeObserver) and the page's colours (its CSS
// variables), and is drawn again when the colour scheme changes.
//
// uPlot's stylesheet is imported here and bundled by Vite into the page's
// own CSS file: the page's Content-Security-Policy has no 'unsafe-inline'.
// uPlot sets element styles through the CSSOM (element.style), which the
// policy does not cover.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartColumns } from '../history';
import { formatLoss, formatRtt } from '../time';

interface Props {
  columns: ChartColumns;
  fromS: number;
  toS: number;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888888';
}

// '#c62828' at `alpha`; any other colour as it is.
function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return color;
  return `rgba(${parseInt(m[1], 16)}, ${parseInt(m[2], 16)}, ${parseInt(m[3], 16)}, ${alpha})`;
}

const heightFor = (width: number) => (width < 500 ? 200 : 260);

function options(width: number, range: { current: [number, number] }): uPlot.Options {
  const text = cssVar('--muted');
  const grid = cssVar('--line');
  const rtt = cssVar('--accent');
  const loss = cssVar('--down');
  const font = `12px ${getComputedStyle(document.documentElement).fontFamily}`;
  const axis = { stroke: text, font, labelFont: font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width,
    height: heightFor(width),
    padding: [8, 4, 0, 4],
    cursor: { drag: { x: false, y: false, setScale: false } },
    legend: { live: true },
    scales: {
      x: { time: true, range: () => range.current },
      ms: { range: (_u, _min, max) => [0, max !== null && max > 0 ? max * 1.15 : 1] },
      loss: { range: [0, 100] },
    },
    series: [
      {},
      {
        label: 'RTT median',
        scale: 'ms',
        stroke: rtt,
        width: 1.5,
        points: { size: 4 },
        value: (_u, v) => formatRtt(v),
      },
      {
        label: 'RTT max',
        scale: 'ms',
        stroke: withAlpha(rtt, 0.6),
        width: 1,
        dash: [4, 3],
        points: { show: false },
        value: (_u, v) => formatRtt(v),
      },
      {
        label: 'Loss',
        scale: 'loss',
        stroke: loss,
        fill: withAlpha(loss, 0.15),
        width: 1,
        paths: uPlot.paths.stepped?.({ align: 1 }),
        points: { show: false },
        value: (_u, v) => (v === null || v === undefined ? '—' : formatLoss(v / 100)),
      },
    ],
    axes: [
      { ...axis, space: 70 },
      { ...axis, scale: 'ms', label: 'RTT (ms)', size: 48 },
      { ...axis, scale: 'loss', side: 1, label: 'Loss (%)', size: 40, grid: { show: false } },
    ],
  };
}

export function HistoryChart({ columns, fromS, toS }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const range = useRef<[number, number]>([fromS, toS]);
  const data = useRef(columns);
  range.current = [fromS, toS];
  data.current = columns;

  // One chart for the component's life; made again for a new colour scheme.
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const make = () => {
      plot.current?.destroy();
      const width = Math.max(200, element.clientWidth);
      plot.current = new uPlot(options(width, range), data.current, element);
    };
    make();
    const scheme = window.matchMedia?.('(prefers-color-scheme: dark)');
    scheme?.addEventListener('change', make);
    let observer: ResizeObserver | undefined;
    if (typeof ResizeObserver !== 'undefined') {
      observer = new ResizeObserver(() => {
        const width = Math.max(200, element.clientWidth);
        const u = plot.current;
        if (u && Math.abs(u.width - width) > 1) u.setSize({ width, height: heightFor(width) });
      });
      observer.observe(element);
    }
    return () => {
      scheme?.removeEventListener('change', make);
      observer?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(columns, true);
  }, [columns, fromS, toS]);

  return <div className="chart" ref={box} aria-hidden="true" data-points={columns[0].length} />;
}
