// A controller: the requests its watched informers map their changes to, a work queue of them, and
// workers that reconcile each (controller-runtime's pkg/internal/controller). It owns no informer:
// they belong to the Manager's shared cache, which starts and stops them once for every controller
// that watches them; a controller only adds its event handlers, waits for its informers to sync
// (with a timeout, reported through ready()), and removes its handlers when it stops.
import { randomUUID } from 'node:crypto';
import { withRequestSignal } from '../kube/request-signal.js';
import type { KubeObject } from '../kube/kube-object.js';
import { delay } from './delay.js';
import { isTerminal } from './errors.js';
import type { RequestMapper } from './event-mappers.js';
import type { Informer } from './informer.js';
import { noopLogger } from './logger.js';
import type { Logger } from './logger.js';
import type { ControllerMetrics, ReconcileMetrics, ReconcileResult } from './metrics.js';
import { objectRefKey, parseObjectKey } from './object-key.js';
import type { RateLimiter } from './rate-limiter.js';
import { newStopController } from './stop-controller.js';
import type { ReconcileOutcome, ReconcileRequest, Reconciler } from './reconciler.js';
import { Priority, WorkQueue } from './work-queue.js';
import { runWorkers } from './worker-pool.js';

export interface ControllerOptions {
  /** Names the controller in logs and in the `controller` / `name` metric labels. */
  name: string;
  reconcile: Reconciler;
  /** Workers, i.e. keys reconciled at the same time (never the same key twice). Default 1. */
  maxConcurrentReconciles?: number;
  /** Default: controller-runtime's (5 ms … 1000 s per key, 10 qps / 100 burst overall). */
  rateLimiter?: RateLimiter;
  metrics?: ControllerMetrics;
  logger?: Logger;
  /** How long stop() lets in-flight reconciles finish before aborting their signal. Default 30 s. */
  shutdownTimeoutMs?: number;
  /**
   * How long start() waits for the watched informers to sync before it reports a timeout
   * (controller-runtime's CacheSyncTimeout, default 2 min): ready() then fails with a message
   * naming the informers that have not synced. It goes on waiting (the informers retry with
   * backoff) and starts its workers once they have.
   */
  cacheSyncTimeoutMs?: number;
}

export interface WatchOptions {
  /** Priority of the keys this source's changes queue (see Priority); default Normal. */
  priority?: number;
  /**
   * Drops events that concern no request before they are mapped (controller-runtime's predicates):
   * an add is mapped only when `add(obj)` holds, an update only when `update(old, new)` does. A
   * resync (the same object delivered again) and a delete always pass.
   */
  predicates?: EventPredicates;
}

export interface EventPredicates {
  add?: (obj: KubeObject) => boolean;
  update?: (oldObj: KubeObject, newObj: KubeObject) => boolean;
}

/** A health or readiness answer: ok, or why not. */
export interface CheckResult {
  ok: boolean;
  message?: string;
}

/** What the controller needs of an informer: its event handlers and whether it has synced. */
type EventSource = Pick<Informer, 'name' | 'hasSynced' | 'waitForSync'>;

const noopReconcileMetrics: ReconcileMetrics = {
  reconciled: () => undefined,
  terminalError: () => undefined,
  activeWorkers: () => undefined,
  maxConcurrentReconciles: () => undefined,
};

const DEFAULT_CACHE_SYNC_TIMEOUT_MS = 120_000;

/**
 * Ties informers to a work queue and a reconcile function, like a controller-runtime controller:
 * events on the reconciled resource and on watched secondary resources become keys, and workers
 * reconcile each key with retries, backoff and requeues.
 */
export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly reconcileFn: Reconciler;
  private readonly workerCount: number;
  private readonly shutdownTimeoutMs: number;
  private readonly cacheSyncTimeoutMs: number;
  private readonly logger: Logger;
  private readonly metrics: ReconcileMetrics;
  private readonly sources = new Set<EventSource>();
  private readonly unregister: (() => void)[] = [];
  private readonly inFlight = new Set<AbortController>();
  private readonly stopController = newStopController();
  private workers: Promise<void> | undefined;
  private started = false;
  private state: CheckResult = { ok: false, message: 'not started' };
  private stopping: Promise<void> | undefined;

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.reconcileFn = options.reconcile;
    this.workerCount = options.maxConcurrentReconciles ?? 1;
    if (!Number.isInteger(this.workerCount) || this.workerCount < 1) {
      throw new RangeError(`maxConcurrentReconciles must be a positive integer, got ${this.workerCount}`);
    }
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? 30_000;
    this.cacheSyncTimeoutMs = options.cacheSyncTimeoutMs ?? DEFAULT_CACHE_SYNC_TIMEOUT_MS;
    this.logger = (options.logger ?? noopLogger).child({ controller: this.name });
    this.metrics = options.metrics?.forController(this.name) ?? noopReconcileMetrics;
    this.queue = new WorkQueue({
      name: this.name,
      rateLimiter: options.rateLimiter,
      metrics: options.metrics?.forQueue(this.name),
    });
  }

  /**
   * Reconciles the requests `map` derives from every add, update and delete on `informer`. For an
   * update both the old and the new object are mapped, so a changed relation (an owner reference
   * or a reference to a ModelConfig that was edited away) still reaches the previous target.
   */
  watch<S extends KubeObject>(informer: Informer<S>, map: RequestMapper<S>, options: WatchOptions = {}): this {
    const priority = options.priority ?? Priority.Normal;
    const { add = () => true, update = () => true } = options.predicates ?? {};
    const enqueueAll = (urgency: number, ...objs: S[]): void => {
      // Deduplicate before adding: a key taken by a worker between two adds would run twice.
      const keys = new Set(objs.flatMap((obj) => map(obj).map(objectRefKey)));
      for (const key of keys) this.queue.add(key, urgency);
    };
    // The initial list and periodic resyncs change nothing: they queue behind real changes.
    const changed = (): number => (informer.hasSynced() ? priority : Priority.Low);
    this.unregister.push(
      informer.addEventHandler({
        onAdd: (obj) => {
          if (add(obj)) enqueueAll(changed(), obj);
        },
        onUpdate: (oldObj, newObj) => {
          if (oldObj === newObj) enqueueAll(Priority.Low, newObj);
          else if (update(oldObj, newObj)) enqueueAll(changed(), oldObj, newObj);
        },
        onDelete: (obj) => enqueueAll(changed(), obj),
      }),
    );
    this.sources.add(informer);
    return this;
  }

  /** Queues a reconcile of `request` (deduplicated with any already queued). */
  enqueue(request: ReconcileRequest, priority: number = Priority.Normal): void {
    this.queue.add(objectRefKey(request), priority);
  }

  /**
   * Waits until every watched informer has synced, so reconciles see a complete cache (past
   * `cacheSyncTimeoutMs` ready() reports which have not), then starts the workers. Resolves once
   * the workers run, or without starting them if the controller is stopped (or `signal` aborts)
   * first. The informers are started by whoever owns them (the Manager).
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.started) {
      throw new Error(`controller ${this.name} already started`);
    }
    this.started = true;
    if (signal?.aborted) {
      await this.stop();
      return;
    }
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.state = { ok: false, message: 'waiting for caches to sync' };
    if (!(await this.waitForSources())) return;
    this.metrics.maxConcurrentReconciles(this.workerCount);
    this.workers = runWorkers(this.queue, this.workerCount, (key) => this.reconcileKey(key));
    this.state = { ok: true };
    this.logger.info({ workers: this.workerCount }, 'controller started');
  }

  /** Ready once its workers run; until then why not (a sync wait that timed out names the informers). */
  ready(): CheckResult {
    return this.state;
  }

  /**
   * Graceful stop: no new work is taken, in-flight reconciles get `shutdownTimeoutMs` to finish
   * (after which their signal is aborted and they are abandoned), and the controller's event
   * handlers are removed. The informers go on: others may share them.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  private async waitForSources(): Promise<boolean> {
    const stopped = this.stopController.signal;
    const synced = Promise.all([...this.sources].map((source) => source.waitForSync(stopped))).then((all) => all.every(Boolean));
    const timer = new AbortController();
    const timedOut = delay(this.cacheSyncTimeoutMs, timer.signal).then(() => 'timeout' as const);
    const first = await Promise.race([synced, timedOut]);
    timer.abort();
    if (first === 'timeout' && !stopped.aborted) {
      const waitingFor = [...this.sources].filter((s) => !s.hasSynced()).map((s) => s.name);
      const after = this.cacheSyncTimeoutMs >= 1000 ? `${Math.round(this.cacheSyncTimeoutMs / 1000)}s` : `${this.cacheSyncTimeoutMs}ms`;
      const message = `timed out after ${after} waiting for caches to sync: ${waitingFor.join(', ')}`;
      this.state = { ok: false, message };
      this.logger.error({ waitingFor }, message);
    }
    return (first === true || (await synced)) && !stopped.aborted;
  }

  private async shutDown(): Promise<void> {
    this.stopController.abort();
    for (const remove of this.unregister.splice(0)) remove();
    this.state = { ok: false, message: 'stopped' };
    const graceOver = new AbortController();
    const drained = this.queue.shutDownWithDrain().then(() => true);
    const finished = await Promise.race([drained, delay(this.shutdownTimeoutMs, graceOver.signal).then(() => false)]);
    graceOver.abort();
    if (finished) {
      await this.workers; // every worker is past its last key; this only lets their loops return
    } else {
      this.logger.warn({ inFlight: this.inFlight.size }, 'reconciles still running at shutdown deadline, aborting them');
      for (const controller of this.inFlight) controller.abort();
    }
    this.logger.info('controller stopped');
  }

  private async reconcileKey(key: string): Promise<void> {
    const request = parseObjectKey(key);
    // A retry or requeue keeps the urgency the key was taken at.
    const priority = this.queue.priorityOf(key);
    const abort = new AbortController();
    this.inFlight.add(abort);
    const logger = this.logger.child({ reconcileID: randomUUID(), namespace: request.namespace, name: request.name });
    const startedAt = performance.now();
    this.metrics.activeWorkers(1);
    let result: ReconcileResult = 'error';
    // Debug-level bracket around every reconcile: with the reconcileID, a log shows which reconciles
    // were in flight (at shutdown, say) and that each one ended.
    logger.debug('reconcile started');
    try {
      // Every API request the reconcile makes ends with its signal (see request-signal.ts).
      const outcome: ReconcileOutcome | void = await withRequestSignal(abort.signal, () => this.reconcileFn(request, { signal: abort.signal, logger }));
      result = this.requeueAsAsked(key, outcome ?? {}, priority);
      logger.debug({ result, durationMs: Math.round(performance.now() - startedAt) }, 'reconcile finished');
    } catch (err) {
      if (isTerminal(err)) {
        // Retrying cannot fix it: the key waits for its next change.
        this.queue.forget(key);
        this.metrics.terminalError();
        logger.error({ err }, 'reconcile failed with a terminal error, not retried');
      } else {
        this.queue.addRateLimited(key, priority);
        logger.error({ err, retries: this.queue.numRequeues(key) }, 'reconcile failed');
      }
    } finally {
      this.inFlight.delete(abort);
      this.metrics.activeWorkers(-1);
      this.metrics.reconciled(result, (performance.now() - startedAt) / 1000);
    }
  }

  private requeueAsAsked(key: string, outcome: ReconcileOutcome, priority: number): ReconcileResult {
    if (outcome.requeueAfterMs !== undefined && outcome.requeueAfterMs > 0) {
      this.queue.forget(key);
      this.queue.addAfter(key, outcome.requeueAfterMs, priority);
      return 'requeue_after';
    }
    if (outcome.requeue) {
      this.queue.addRateLimited(key, priority);
      return 'requeue';
    }
    this.queue.forget(key);
    return 'success';
  }
}
