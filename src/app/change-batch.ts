// Changes made outside Git come in bursts (a script updating ten environments through the API): they
// are gathered for a short while and then synced to Git together, as one bot pull request update
// instead of ten.

export class ChangeBatch<T> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly flush: (items: T[]) => void,
  ) {}

  add(item: T): void {
    this.pending.push(item);
    // The delay runs from the first change of a batch: a steady stream of changes is still synced
    // every delayMs, never postponed forever.
    this.timer ??= setTimeout(() => this.flushNow(), this.delayMs);
    this.timer.unref();
  }

  /** Hands over what is pending at once (a graceful stop must not lose a change). */
  flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const items = this.pending;
    this.pending = [];
    this.flush(items);
  }
}
