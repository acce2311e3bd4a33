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
 * How urgent an add is; workers take higher priorities first, first-in first-out within one.
 * Like controller-runtime's priority queue: a change someone just made (Normal) goes before the
 * bulk of the initial list and of periodic resyncs (Low), so it is not stuck behind thousands of
 * no-op reconciles; and changes to what a key's earlier reconcile created (High: a child drifted,
 * was deleted, or its Deployment became available) go first, so work that was started finishes,
 * and drift is put back promptly, even while a burst of new keys is queued.
 */
export const Priority = { Low: -1, Normal: 0, High: 1 } as const;

/**
 * A keyed work queue with client-go's guarantees:
 * - a key is queued at most once however often it is added before a worker takes it (at the
 *   highest priority it was added with);
 * - a key is never processed by two workers at once: added while being processed, it is marked
 *   dirty and queued again when the current run calls `done`, so the change is not lost;
 * - delayed and rate-limited (per-key backoff) re-adds.
 */
export class WorkQueue {
  readonly name: string;
  private readonly rateLimiter: RateLimiter;
  private readonly metrics: WorkQueueMetrics | undefined;
  /** Keys ready for a worker: one insertion-ordered set per priority, highest first. */
  private readonly lanes = new Map<number, Set<string>>();
  /** The priority each ready key is queued at. */
  private readonly queuedAt = new Map<string, number>();
  /** For keys re-added while being processed: the priority to queue them at when done. */
  private readonly requeueAt = new Map<string, number>();
  private queued = 0;
  /** Keys that need processing: queued ones, plus processing ones that were re-added. */
  private readonly dirty = new Set<string>();
  /** Keys a worker is on, with when it started and the priority it was taken at. */
  private readonly processing = new Map<string, { startedAt: number; priority: number }>();
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

  add(key: string, priority: number = Priority.Normal): void {
    if (this.shuttingDown) {
      return;
    }
    if (this.dirty.has(key)) {
      const at = this.queuedAt.get(key);
      if (at !== undefined && priority > at) {
        this.lanes.get(at)?.delete(key);
        this.queuedAt.set(key, priority);
        this.lane(priority).add(key);
      } else if (at === undefined && priority > (this.requeueAt.get(key) ?? Priority.Low)) {
        this.requeueAt.set(key, priority);
      }
      return;
    }
    this.dirty.add(key);
    this.addedAt.set(key, performance.now());
    this.metrics?.added();
    if (this.processing.has(key)) {
      this.requeueAt.set(key, priority);
      return; // done() queues it again
    }
    this.enqueue(key, priority);
  }

  /** Adds `key` after `delayMs`. A key already waiting keeps the earlier of the two times. */
  addAfter(key: string, delayMs: number, priority: number = Priority.Normal): void {
    if (this.shuttingDown) {
      return;
    }
    if (delayMs <= 0) {
      this.add(key, priority);
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
      this.add(key, priority);
    }, delayMs);
    this.delayed.set(key, { readyAt, timer });
  }

  /**
   * Adds `key` after the rate limiter's delay: per-key exponential backoff (and the overall bucket).
   * A retry keeps its urgency: by default it is queued at the priority its worker took it at (as
   * controller-runtime's priority queue does), so a failed high-priority key does not fall behind
   * the bulk of the initial list when its backoff is over.
   */
  addRateLimited(key: string, priority: number = this.priorityOf(key)): void {
    if (this.shuttingDown) {
      return;
    }
    this.metrics?.retried();
    this.addAfter(key, this.rateLimiter.when(key), priority);
  }

  /** The priority a worker took `key` at, while it is processing; Normal otherwise. */
  priorityOf(key: string): number {
    return this.processing.get(key)?.priority ?? Priority.Normal;
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
    return this.queued;
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
    const next = this.dequeue();
    if (next !== undefined) {
      this.startProcessing(next.key, next.priority);
      return Promise.resolve(next.key);
    }
    return new Promise((resolve) => this.waitingWorkers.push(resolve));
  }

  /** Processing of `key` finished; if it was added meanwhile, it is queued again now. */
  done(key: string): void {
    const started = this.processing.get(key);
    if (started === undefined) {
      return;
    }
    this.processing.delete(key);
    this.metrics?.workDuration((performance.now() - started.startedAt) / 1000);
    const priority = this.requeueAt.get(key) ?? Priority.Normal;
    this.requeueAt.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.enqueue(key, priority);
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
    this.lanes.clear();
    this.queuedAt.clear();
    this.requeueAt.clear();
    this.queued = 0;
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

  private enqueue(key: string, priority: number): void {
    const worker = this.waitingWorkers.shift();
    if (worker) {
      this.startProcessing(key, priority);
      worker(key);
      return;
    }
    this.lane(priority).add(key);
    this.queuedAt.set(key, priority);
    this.queued++;
    this.metrics?.depth(this.queued);
  }

  /** The first key of the highest non-empty priority. */
  private dequeue(): { key: string; priority: number } | undefined {
    let best: number | undefined;
    for (const [priority, keys] of this.lanes) if (keys.size > 0 && (best === undefined || priority > best)) best = priority;
    if (best === undefined) return undefined;
    const keys = this.lanes.get(best);
    const key = keys?.values().next().value;
    if (key === undefined) return undefined;
    keys?.delete(key);
    this.queuedAt.delete(key);
    this.queued--;
    return { key, priority: best };
  }

  private lane(priority: number): Set<string> {
    let keys = this.lanes.get(priority);
    if (!keys) this.lanes.set(priority, (keys = new Set()));
    return keys;
  }

  private startProcessing(key: string, priority: number): void {
    const now = performance.now();
    this.dirty.delete(key);
    this.processing.set(key, { startedAt: now, priority });
    const addedAt = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (addedAt !== undefined) this.metrics?.queueDuration((now - addedAt) / 1000);
    this.metrics?.depth(this.queued);
  }

  private inFlightWork(): { unfinishedSeconds: number; longestRunningSeconds: number } {
    const now = performance.now();
    let unfinishedMs = 0;
    let longestMs = 0;
    for (const { startedAt } of this.processing.values()) {
      unfinishedMs += now - startedAt;
      longestMs = Math.max(longestMs, now - startedAt);
    }
    return { unfinishedSeconds: unfinishedMs / 1000, longestRunningSeconds: longestMs / 1000 };
  }
}
