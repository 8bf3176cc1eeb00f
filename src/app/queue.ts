// Work a webhook starts but that may take longer than GitHub waits for an answer (10 seconds): the
// handler queues it and returns. Jobs of one key (a repository) run one at a time, in order, so that
// two pushes are applied in the order they came; jobs of different keys run side by side.

export class WorkQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly onError: (key: string, error: unknown) => void) {}

  push(key: string, job: () => Promise<void>): void {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(job).catch((e: unknown) => this.onError(key, e));
    this.tails.set(key, next);
    this.running.add(next);
    void next.finally(() => {
      this.running.delete(next);
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
  }

  /** Resolves once every queued job has finished (tests, and a graceful stop). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
