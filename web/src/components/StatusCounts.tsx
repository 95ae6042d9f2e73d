// The counts bar: how many devices are in each status, each count a toggle
// that filters the list by that status ("Not monitored" only when there are any).
import { statusGlyph, statusLabel, type DisplayStatus, type StatusCounts as Counts } from '../status';
import type { View } from '../view';

interface Props {
  counts: Counts;
  selected: View['status'];
  onSelect: (status: View['status']) => void;
}

export function StatusCounts({ counts, selected, onSelect }: Props) {
  const shown: DisplayStatus[] =
    counts.unmonitored > 0 ? ['connected', 'disconnected', 'unknown', 'unmonitored'] : ['connected', 'disconnected', 'unknown'];
  return (
    <section className="summary" aria-label="Device status counts">
      {shown.map((status) => (
        <button
          key={status}
          type="button"
          className={`count count-${status}`}
          aria-pressed={selected === status}
          onClick={() => onSelect(selected === status ? 'all' : status)}
          data-count={status}
        >
          <span className="count-number">{counts[status]}</span>
          <span className="count-label">
            <span className="count-glyph" aria-hidden="true">
              {statusGlyph[status]}{' '}
            </span>
            {statusLabel[status]}
          </span>
        </button>
      ))}
    </section>
  );
}
