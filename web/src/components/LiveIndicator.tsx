// Whether the status socket is live, connecting, or waiting to reconnect
// (with the seconds left), announced politely to screen readers.
import type { LiveState } from '../live';

export function LiveIndicator({ state, now }: { state: LiveState; now: number }) {
  let text = 'Connecting…';
  if (state.kind === 'live') text = 'Live';
  if (state.kind === 'reconnecting') {
    const seconds = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
    text = seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting…';
  }
  return (
    <span className={`live live-${state.kind}`} role="status" aria-live="polite" data-live={state.kind}>
      <span className="live-dot" aria-hidden="true" />
      {text}
    </span>
  );
}
