// The live status table as the socket's messages make it: each message is
// applied to the table the one before it left, in arrival order, and each
// new table is handed to `onTable` (the dashboard's state).
//
// Applying is done here, outside React's render, so that a big message (a
// snapshot of 100,000 devices, ~85 ms in Chromium) can be applied in slices
// (slices.ts) while the page shows the previous table; a small one is
// applied at once, within the call to push.
import { InOrder, type SliceOptions } from './slices';
import { applyStatusSteps, emptyStatus } from './status';
import type { StatusTable } from './statusTable';
import type { StatusMessage, StatusUpdate } from './types';

export class StatusFeed {
  private table: StatusTable;
  private readonly work: InOrder;
  private readonly onTable: (table: StatusTable) => void;

  constructor(onTable: (table: StatusTable) => void, from: StatusTable = emptyStatus, slices?: SliceOptions) {
    this.onTable = onTable;
    this.table = from;
    this.work = new InOrder(slices);
  }

  get current(): StatusTable {
    return this.table;
  }

  push(message: StatusUpdate | StatusMessage): void {
    this.work.run(
      () => applyStatusSteps(this.table, message),
      (table) => {
        if (table === this.table) return; // a heartbeat, or nothing moved
        this.table = table;
        this.onTable(table);
      },
      // A message LiveStatus let through always applies; were one to throw,
      // say so without stopping the ones after it.
      (error) => queueMicrotask(() => {
        throw error;
      }),
    );
  }

  // Drops the messages not applied yet.
  stop(): void {
    this.work.cancel();
  }
}
