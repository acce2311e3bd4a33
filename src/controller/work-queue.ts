import type { WorkQueueMetrics } from './metrics.js';
import { defaultControllerRateLimiter } from './rate-limiter.js';
import type { RateLimiter } from './rate-limiter.js';

export interface WorkQueueOptions {
  /** Label value of the `workqueue_*` metrics. */
  name?: string;
  /** Decides the delay of addRateLimited; defaults to controller-runtime's limiter. */
  rateLimiter?: RateLimiter;
  metrics?: WorkQueueMetrics;
}

/**
 * A keyed work queue with client-go's guarantees:
 * - a key is queued at most once however often it is added before a worker takes it;
 * - a key is never processed by two workers at once: added while being processed, it is marked
 *   dirty and queued again when the current run calls `done`, so the change is not lost;
 * - delayed and rate-limited (per-key backoff) re-adds.
 */
export class WorkQueue {
  readonly name: string;
  private readonly rateLimiter: RateLimiter;
  private readonly metrics: WorkQueueMetrics | undefined;
  /** Keys ready for a worker, in order. */
  private readonly queue: string[] = [];
  /** Keys that need processing: queued ones, plus processing ones that were re-added. */
  private readonly dirty = new Set<string>();
  /** Keys a worker is on, with when it started. */
  private readonly processing = new Map<string, number>();
  private readonly addedAt = new Map<string, number>();
  private readonly delayed = new Map<string, { readyAt: number; timer: ReturnType<typeof setTimeout> }>();
  private readonly waitingWorkers: ((key: string | undefined) => void)[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.name = options.name ?? 'workqueue';
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter();
    this.metrics = options.metrics;
    this.metrics?.observeInFlight(() => this.inFlightWork());
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) {
      return;
    }
    this.dirty.add(key);
    this.addedAt.set(key, performance.now());
    this.metrics?.added();
    if (this.processing.has(key)) {
      return; // done() queues it again
    }
    this.enqueue(key);
  }

  /** Adds `key` after `delayMs`. A key already waiting keeps the earlier of the two times. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) {
      return;
    }
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const readyAt = performance.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.readyAt <= readyAt) {
      return;
    }
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { readyAt, timer });
  }

  /** Adds `key` after the rate limiter's delay: per-key exponential backoff (and the overall bucket). */
  addRateLimited(key: string): void {
    if (this.shuttingDown) {
      return;
    }
    this.metrics?.retried();
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** `key` succeeded: its next failure starts the backoff from the beginning. */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** Keys waiting for a worker (not counting delayed or in-flight ones). */
  len(): number {
    return this.queue.length;
  }

  /** Keys currently being processed. */
  inFlight(): number {
    return this.processing.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * The next key to process, waiting until there is one; undefined once the queue shuts down.
   * The caller owns the key until it calls `done(key)`.
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) {
      return Promise.resolve(undefined);
    }
    const key = this.queue.shift();
    if (key !== undefined) {
      this.startProcessing(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waitingWorkers.push(resolve));
  }

  /** Processing of `key` finished; if it was added meanwhile, it is queued again now. */
  done(key: string): void {
    const startedAt = this.processing.get(key);
    if (startedAt === undefined) {
      return;
    }
    this.processing.delete(key);
    this.metrics?.workDuration((performance.now() - startedAt) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.enqueue(key);
    }
    if (this.shuttingDown && this.processing.size === 0) {
      for (const resolve of this.drainWaiters.splice(0)) resolve();
    }
  }

  /**
   * Stops handing out work: `get` returns undefined from now on (queued keys are dropped, they are
   * rebuilt from the informers' initial list by whoever runs next) and adds are ignored.
   */
  shutDown(): void {
    this.shuttingDown = true;
    for (const resolve of this.waitingWorkers.splice(0)) resolve(undefined);
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.queue.length = 0;
    this.metrics?.depth(0);
  }

  /** shutDown, then wait until every key being processed is `done`. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private enqueue(key: string): void {
    const worker = this.waitingWorkers.shift();
    if (worker) {
      this.startProcessing(key);
      worker(key);
      return;
    }
    this.queue.push(key);
    this.metrics?.depth(this.queue.length);
  }

  private startProcessing(key: string): void {
    const now = performance.now();
    this.dirty.delete(key);
    this.processing.set(key, now);
    const addedAt = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (addedAt !== undefined) this.metrics?.queueDuration((now - addedAt) / 1000);
    this.metrics?.depth(this.queue.length);
  }

  private inFlightWork(): { unfinishedSeconds: number; longestRunningSeconds: number } {
    const now = performance.now();
    let unfinishedMs = 0;
    let longestMs = 0;
    for (const startedAt of this.processing.values()) {
      unfinishedMs += now - startedAt;
      longestMs = Math.max(longestMs, now - startedAt);
    }
    return { unfinishedSeconds: unfinishedMs / 1000, longestRunningSeconds: longestMs / 1000 };
  }
}
