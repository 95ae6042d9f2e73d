// "since" as people read it: relative, with the exact local time on hover.

export function relativeTime(iso: string | null, now: number): string {
  if (!iso) return '—';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '—';
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

export function exactTime(iso: string | null): string | undefined {
  if (!iso) return undefined;
  const then = new Date(iso);
  return Number.isNaN(then.getTime()) ? undefined : then.toLocaleString();
}

export function formatRtt(rtt: number | null | undefined): string {
  if (rtt === null || rtt === undefined) return '—';
  return rtt < 10 ? `${rtt.toFixed(2)} ms` : `${Math.round(rtt)} ms`;
}

export function formatLoss(loss: number | null | undefined): string {
  if (loss === null || loss === undefined) return '—';
  return `${Math.round(loss * 100)} %`;
}
