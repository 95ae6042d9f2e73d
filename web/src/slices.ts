// Long work cut into slices, so that the page never holds the main thread
// for long (issue 10: no task over 200 ms at 100,000 devices, where one
// snapshot is a 15 MB message and the device list 100,000 objects).
//
// A computation that may be paused is written as a generator (Steps) that
// yields wherever stopping is safe, every few thousand items, and never
// while something half-built is visible to anyone else. runToEnd runs it at
// once (small inputs, tests). InOrder runs such jobs one after another in
// arrival order, each for up to a time budget per task, handing the thread
// back in between (input, rendering and the network go on); a job that
// finishes within the first slice runs synchronously, so a small message
// costs no extra task and no latency, and a result never overtakes an
// earlier one.
//
// One thread (the page's); an InOrder is not shared between owners.

export type Steps<T> = Generator<void, T, void>;

export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

// The next task: scheduler.yield() where the browser has it (its
// continuation goes before other queued tasks, so slicing adds little to
// the total time), else a message to ourselves (setTimeout would be clamped
// to 4 ms once nested).
export function nextTask(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

// Runs `steps` in slices on an InOrder of its own: for work that waits for
// nothing else.
export function inSlices<T>(steps: Steps<T>, options?: SliceOptions): Promise<T> {
  return new Promise((resolve, reject) => new InOrder(options).run(() => steps, resolve, reject));
}

export interface SliceOptions {
  // How long one task may run before handing the thread back. 20 ms leaves
  // room, under the 200 ms goal, for a garbage collection landing in the
  // same task (up to ~120 ms measured in Chromium at 100,000 devices).
  budgetMs?: number;
  pause?: () => Promise<void>;
  now?: () => number;
}

interface Job {
  start: () => Steps<unknown>;
  done: (value: unknown) => void;
  failed: (error: unknown) => void;
}

export class InOrder {
  private readonly budgetMs: number;
  private readonly pause: () => Promise<void>;
  private readonly now: () => number;
  private queue: Job[] = [];
  private running = false;
  private generation = 0;

  constructor(options: SliceOptions = {}) {
    this.budgetMs = options.budgetMs ?? 20;
    this.pause = options.pause ?? nextTask;
    this.now = options.now ?? (() => performance.now());
  }

  // Runs the steps of start() after every job given before, then done(result)
  // (failed(error) if they throw). start is called only when the job's turn
  // comes, so it reads the state its predecessors left.
  run<T>(start: () => Steps<T>, done: (value: T) => void, failed: (error: unknown) => void): void {
    this.queue.push({ start, done: done as (value: unknown) => void, failed });
    if (!this.running) void this.drain();
  }

  // Whether a job is waiting or under way.
  get busy(): boolean {
    return this.running;
  }

  // Drops every job given so far that has not finished: its callbacks never run.
  cancel(): void {
    this.generation += 1;
    this.queue = [];
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      let deadline = this.now() + this.budgetMs;
      while (this.queue.length > 0) {
        const job = this.queue.shift()!;
        const generation = this.generation;
        let outcome: { value: unknown } | { error: unknown } | null = null;
        try {
          const steps = job.start();
          for (;;) {
            const step = steps.next();
            if (step.done) {
              outcome = { value: step.value };
              break;
            }
            if (this.now() < deadline) continue;
            await this.pause();
            deadline = this.now() + this.budgetMs;
            if (generation !== this.generation) break; // cancelled meanwhile
          }
        } catch (error) {
          outcome = { error };
        }
        if (outcome === null || generation !== this.generation) continue;
        if ('value' in outcome) job.done(outcome.value);
        else job.failed(outcome.error);
      }
    } finally {
      this.running = false;
    }
  }
}
