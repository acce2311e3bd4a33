import { randomUUID } from 'node:crypto';
import { withRequestSignal } from '../kube/request-signal.js';
import { delay } from './delay.js';
import { isTerminal } from './errors.js';
import { enqueueForObject } from './event-mappers.js';
import type { RequestMapper } from './event-mappers.js';
import type { Informer } from './informer.js';
import type { KubeObject } from '../kube/kube-object.js';
import { noopLogger } from './logger.js';
import type { Logger } from './logger.js';
import type { ControllerMetrics, ReconcileMetrics, ReconcileResult } from './metrics.js';
import { objectRefKey, parseObjectKey } from './object-key.js';
import type { RateLimiter } from './rate-limiter.js';
import type { ReconcileOutcome, ReconcileRequest, Reconciler } from './reconciler.js';
import { Priority, WorkQueue } from './work-queue.js';
import { runWorkers } from './worker-pool.js';

export interface ControllerOptions<T extends KubeObject> {
  /** Names the controller in logs and in the `controller` / `name` metric labels. */
  name: string;
  /** The reconciled resource: each of its objects is a request under its own key. */
  primary: Informer<T>;
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
   * Start the informers in start() and stop them in stop() (default). Turn off when informers
   * are shared by several controllers and their lifecycle is managed elsewhere; start() then only
   * waits for them to sync.
   */
  manageInformers?: boolean;
}

export interface WatchOptions {
  /** Priority of the keys this source's changes queue (see Priority); default Normal. */
  priority?: number;
}

/** What the controller needs from an informer once its event handler is registered. */
interface EventSource {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
  waitForSync(signal?: AbortSignal): Promise<boolean>;
}

const noopReconcileMetrics: ReconcileMetrics = {
  reconciled: () => undefined,
  terminalError: () => undefined,
  activeWorkers: () => undefined,
  maxConcurrentReconciles: () => undefined,
};

/**
 * Ties informers to a work queue and a reconcile function, like a controller-runtime controller:
 * events on the primary resource and on watched secondary resources become keys, and workers
 * reconcile each key with retries, backoff and requeues.
 */
export class Controller<T extends KubeObject = KubeObject> {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly reconcileFn: Reconciler;
  private readonly workerCount: number;
  private readonly shutdownTimeoutMs: number;
  private readonly manageInformers: boolean;
  private readonly logger: Logger;
  private readonly metrics: ReconcileMetrics;
  private readonly sources = new Set<EventSource>();
  private readonly inFlight = new Set<AbortController>();
  private readonly stopController = new AbortController();
  private workers: Promise<void> | undefined;
  private started = false;
  private stopping: Promise<void> | undefined;

  constructor(options: ControllerOptions<T>) {
    this.name = options.name;
    this.reconcileFn = options.reconcile;
    this.workerCount = options.maxConcurrentReconciles ?? 1;
    if (!Number.isInteger(this.workerCount) || this.workerCount < 1) {
      throw new RangeError(`maxConcurrentReconciles must be a positive integer, got ${this.workerCount}`);
    }
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? 30_000;
    this.manageInformers = options.manageInformers ?? true;
    this.logger = (options.logger ?? noopLogger).child({ controller: this.name });
    this.metrics = options.metrics?.forController(this.name) ?? noopReconcileMetrics;
    this.queue = new WorkQueue({
      name: this.name,
      rateLimiter: options.rateLimiter,
      metrics: options.metrics?.forQueue(this.name),
    });
    this.watch(options.primary, enqueueForObject());
  }

  /**
   * Reconciles the requests `map` derives from every add, update and delete on `informer`. For an
   * update both the old and the new object are mapped, so a changed relation (an owner reference
   * or a reference to a ModelConfig that was edited away) still reaches the previous target.
   */
  watch<S extends KubeObject>(informer: Informer<S>, map: RequestMapper<S>, options: WatchOptions = {}): this {
    const priority = options.priority ?? Priority.Normal;
    const enqueueAll = (urgency: number, ...objs: S[]): void => {
      // Deduplicate before adding: a key taken by a worker between two adds would run twice.
      const keys = new Set(objs.flatMap((obj) => map(obj).map(objectRefKey)));
      for (const key of keys) this.queue.add(key, urgency);
    };
    // The initial list and periodic resyncs change nothing: they queue behind real changes.
    const changed = (): number => (informer.hasSynced() ? priority : Priority.Low);
    informer.addEventHandler({
      onAdd: (obj) => enqueueAll(changed(), obj),
      onUpdate: (oldObj, newObj) => (oldObj === newObj ? enqueueAll(Priority.Low, newObj) : enqueueAll(changed(), oldObj, newObj)),
      onDelete: (obj) => enqueueAll(changed(), obj),
    });
    this.sources.add(informer);
    return this;
  }

  /** Queues a reconcile of `request` (deduplicated with any already queued). */
  enqueue(request: ReconcileRequest, priority: number = Priority.Normal): void {
    this.queue.add(objectRefKey(request), priority);
  }

  /**
   * Starts the informers (unless managed elsewhere), waits until all have synced so reconciles
   * see a complete cache, then starts the workers. Resolves once the workers run, or without
   * starting them if the controller is stopped (or `signal` aborts) first.
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
    if (this.manageInformers) {
      for (const source of this.sources) source.start();
    }
    const synced = await Promise.all([...this.sources].map((source) => source.waitForSync(this.stopController.signal)));
    if (!synced.every(Boolean) || this.stopController.signal.aborted) {
      return;
    }
    this.metrics.maxConcurrentReconciles(this.workerCount);
    this.workers = runWorkers(this.queue, this.workerCount, (key) => this.reconcileKey(key));
    this.logger.info({ workers: this.workerCount }, 'controller started');
  }

  /**
   * Graceful stop: no new work is taken, in-flight reconciles get `shutdownTimeoutMs` to finish
   * (after which their signal is aborted and they are abandoned), then the informers stop.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  private async shutDown(): Promise<void> {
    this.stopController.abort();
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
    if (this.manageInformers) {
      await Promise.all([...this.sources].map((source) => source.stop()));
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
