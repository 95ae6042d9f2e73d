// Delays between reconnection attempts: doubling from `base` up to `cap`,
// each drawn at random from its upper half so that many dashboards cut off
// together do not return together. reset() after a connection succeeds.
export class Backoff {
  private attempt = 0;
  private readonly base: number;
  private readonly cap: number;
  private readonly random: () => number;

  constructor(base = 500, cap = 30_000, random: () => number = Math.random) {
    this.base = base;
    this.cap = cap;
    this.random = random;
  }

  next(): number {
    const ceiling = Math.min(this.cap, this.base * 2 ** this.attempt);
    if (ceiling < this.cap) this.attempt += 1;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
