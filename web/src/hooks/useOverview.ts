// The overview's rows, down counts, status counts and staleness, from one
// OverviewModel for the component's life, so a push costs what it changed.
// A layout from scratch of a long list (a snapshot, a reload, another view
// at 100,000 devices) is built in slices after the render that needed it
// (slices.ts); the render shows the last rows meanwhile, and the next one
// the new rows.
import { useEffect, useReducer, useState } from 'react';
import { OverviewModel, type Overview } from '../overview';
import type { DeviceIndex } from '../rows';
import { InOrder } from '../slices';
import type { StatusTable } from '../statusTable';
import type { View } from '../view';

// Up to this many devices a layout from scratch takes ~10 ms: done in render.
const SLICE_OVER = 20_000;

export function useOverview(index: DeviceIndex | null, statuses: StatusTable, view: View): Overview {
  const [model] = useState(() => new OverviewModel(SLICE_OVER));
  const [work] = useState(() => new InOrder());
  const [, caughtUp] = useReducer((n: number) => n + 1, 0);
  const overview = model.update(index, statuses, view);

  useEffect(() => {
    if (!overview.behind) return;
    // Each job builds what the model is behind on when its turn comes, so a
    // job queued behind one that caught up with a later table has nothing to do.
    work.run(
      () => model.catchUpSteps(),
      (built) => {
        if (built) caughtUp();
      },
      (error) =>
        queueMicrotask(() => {
          throw error;
        }),
    );
  }, [overview, model, work]);
  useEffect(() => () => work.cancel(), [work]);

  return overview;
}
