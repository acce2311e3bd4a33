// A bounded pool of in-flight async tasks over a first-in first-out queue that tasks may extend
// while it runs: the direct-apply limit creates an Agent, then queues its children, with never more
// than `limit` requests in flight.
export class TaskPool {
  private readonly queue: (() => Promise<void>)[] = [];
  private active = 0;
  private failure: unknown;
  private settle: { resolve: () => void; reject: (err: unknown) => void } | undefined;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`pool limit must be a positive integer, got ${limit}`);
  }

  push(task: () => Promise<void>): void {
    this.queue.push(task);
    this.pump();
  }

  /** Resolves when the queue is empty and nothing is in flight; rejects with the first failure. */
  drain(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      this.pump();
    });
  }

  private pump(): void {
    while (this.failure === undefined && this.active < this.limit && this.queue.length > 0) {
      const task = this.queue.shift();
      if (!task) break;
      this.active++;
      task().then(
        () => {
          this.active--;
          this.pump();
        },
        (err: unknown) => {
          this.active--;
          this.failure ??= err ?? new Error('task failed');
          this.pump();
        },
      );
    }
    if (!this.settle) return;
    if (this.failure !== undefined && this.active === 0) this.settle.reject(this.failure);
    else if (this.failure === undefined && this.active === 0 && this.queue.length === 0) this.settle.resolve();
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const pool = new TaskPool(limit);
  for (const item of items) pool.push(() => fn(item));
  await pool.drain();
}
