import { Counter, Gauge, Histogram, exponentialBuckets } from 'prom-client';
import type { Registry } from 'prom-client';

/** What the work queue reports; a queue without metrics simply has none of these calls. */
export interface WorkQueueMetrics {
  /** A key entered the queue (deduplicated adds are not counted). */
  added(): void;
  depth(length: number): void;
  /** A key was re-added through the rate limiter. */
  retried(): void;
  /** Time a key waited in the queue before a worker took it. */
  queueDuration(seconds: number): void;
  /** Time a worker spent on a key. */
  workDuration(seconds: number): void;
  /** Lets the metrics read the queue's in-flight work when they are scraped. */
  observeInFlight(read: () => InFlightWork): void;
}

export interface InFlightWork {
  /** Sum over all keys being processed of how long each has been processing. */
  unfinishedSeconds: number;
  longestRunningSeconds: number;
}

export type ReconcileResult = 'success' | 'error' | 'requeue' | 'requeue_after';

/** What the controller reports about its reconciles. */
export interface ReconcileMetrics {
  reconciled(result: ReconcileResult, durationSeconds: number): void;
  /** A reconcile failed with a TerminalError (also counted as an error): not retried. */
  terminalError(): void;
  activeWorkers(delta: number): void;
  maxConcurrentReconciles(count: number): void;
}

const RECONCILE_RESULTS: readonly ReconcileResult[] = ['success', 'error', 'requeue', 'requeue_after'];
// controller-runtime's buckets, so dashboards built for Go operators read these unchanged.
const RECONCILE_TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0,
  2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
const WORKQUEUE_BUCKETS = exponentialBuckets(10e-9, 10, 12);

/**
 * The controller-runtime metric families (`controller_runtime_*`, `workqueue_*`), registered once
 * in the given registry and shared by every queue and controller through label values. Create
 * one instance per registry: registering the same names twice fails.
 */
export class ControllerMetrics {
  private readonly reconcileTotal: Counter<'controller' | 'result'>;
  private readonly reconcileErrors: Counter<'controller'>;
  private readonly terminalErrors: Counter<'controller'>;
  private readonly reconcileTime: Histogram<'controller'>;
  private readonly activeWorkersGauge: Gauge<'controller'>;
  private readonly maxConcurrentGauge: Gauge<'controller'>;
  private readonly depthGauge: Gauge<'name'>;
  private readonly addsTotal: Counter<'name'>;
  private readonly retriesTotal: Counter<'name'>;
  private readonly queueDurationHistogram: Histogram<'name'>;
  private readonly workDurationHistogram: Histogram<'name'>;
  private readonly inFlightReaders = new Map<string, () => InFlightWork>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.terminalErrors = new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: RECONCILE_TIME_BUCKETS,
      registers,
    });
    this.activeWorkersGauge = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
    this.maxConcurrentGauge = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    });
    this.depthGauge = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers });
    this.addsTotal = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.retriesTotal = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.queueDurationHistogram = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name'],
      buckets: WORKQUEUE_BUCKETS,
      registers,
    });
    this.workDurationHistogram = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames: ['name'],
      buckets: WORKQUEUE_BUCKETS,
      registers,
    });
    // These two are computed when scraped, from each queue's in-flight work.
    const readers = this.inFlightReaders;
    const unfinished: Gauge<'name'> = new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help:
        "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. " +
        'Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
      labelNames: ['name'],
      registers,
      collect() {
        for (const [name, read] of readers) unfinished.set({ name }, read().unfinishedSeconds);
      },
    });
    const longest: Gauge<'name'> = new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: ['name'],
      registers,
      collect() {
        for (const [name, read] of readers) longest.set({ name }, read().longestRunningSeconds);
      },
    });
  }

  forQueue(name: string): WorkQueueMetrics {
    const labels = { name };
    // Start the counters at zero so rate() works from the first scrape.
    this.addsTotal.inc(labels, 0);
    this.retriesTotal.inc(labels, 0);
    this.depthGauge.set(labels, 0);
    return {
      added: () => this.addsTotal.inc(labels),
      depth: (length) => this.depthGauge.set(labels, length),
      retried: () => this.retriesTotal.inc(labels),
      queueDuration: (seconds) => this.queueDurationHistogram.observe(labels, seconds),
      workDuration: (seconds) => this.workDurationHistogram.observe(labels, seconds),
      observeInFlight: (read) => {
        this.inFlightReaders.set(name, read);
      },
    };
  }

  forController(controller: string): ReconcileMetrics {
    const labels = { controller };
    for (const result of RECONCILE_RESULTS) this.reconcileTotal.inc({ controller, result }, 0);
    this.reconcileErrors.inc(labels, 0);
    this.terminalErrors.inc(labels, 0);
    this.activeWorkersGauge.set(labels, 0);
    return {
      reconciled: (result, durationSeconds) => {
        this.reconcileTotal.inc({ controller, result });
        if (result === 'error') this.reconcileErrors.inc(labels);
        this.reconcileTime.observe(labels, durationSeconds);
      },
      terminalError: () => this.terminalErrors.inc(labels),
      activeWorkers: (delta) =>
        delta >= 0 ? this.activeWorkersGauge.inc(labels, delta) : this.activeWorkersGauge.dec(labels, -delta),
      maxConcurrentReconciles: (count) => this.maxConcurrentGauge.set(labels, count),
    };
  }
}
