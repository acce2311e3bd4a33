// The Manager (controller-runtime's pkg/manager): one shared informer cache, the probe and metrics
// server, leader election, and the controllers registered on it (pkg/builder: what each reconciles,
// owns and watches). It starts and stops everything in one order and by one path:
//
//   start: probe server → runnables that need no leadership → (leader election won) → the cache's
//          informers → the controllers (each waits for its informers to sync, with a timeout)
//   stop:  controllers drain → other runnables → the informers, once → the Lease is released →
//          the probe server → the onStopped hooks (close clients)
//
// A standby (leader election on, lease held elsewhere) lists nothing and is ready: it is healthy
// and waiting. Losing the lease stops the manager (`done` resolves 'lost-lease'); the process
// should exit and come back as a standby, as controller-runtime managers do.
import type { Registry } from 'prom-client';
import type { Check } from './probe-server.js';
import { ProbeServer } from './probe-server.js';
import { Controller, type CheckResult, type ControllerOptions, type WatchOptions } from './controller.js';
import { enqueueForObject, type RequestMapper } from './event-mappers.js';
import type { Informer } from './informer.js';
import { LeaderElector, type LeaderElectionOptions } from './leader-election.js';
import type { Logger } from './logger.js';
import { ControllerMetrics } from './metrics.js';
import type { Reconciler } from './reconciler.js';
import { SharedCache, type InformerSpec, type ListWatchFactory } from './shared-cache.js';
import { Priority } from './work-queue.js';
import type { KubeObject } from '../kube/kube-object.js';

/** Something the manager starts and stops: a server, a loop, a controller. */
export interface Runnable {
  readonly name: string;
  /** Start only on the replica that holds the lease. */
  readonly needLeaderElection: boolean;
  /** Starts; may resolve once running (it is not awaited for the lifetime of the work). */
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

export interface ManagerOptions {
  logger: Logger;
  /** Where the manager's and its controllers' metrics go (and /metrics reads). */
  registry: Registry;
  /** Builds the ListWatch of each informer the cache is asked for. */
  listWatch: ListWatchFactory;
  /** Resync period of the informers that resync. Default 10 min. */
  resyncPeriodMs?: number;
  /** host:port of /healthz, /readyz and /metrics; port 0 picks a free one; undefined serves none. */
  probeAddress?: { host: string; port: number };
  /** Leader election; undefined runs every runnable at once. onStartedLeading/onStoppedLeading are the manager's. */
  leaderElection?: Omit<LeaderElectionOptions, 'onStartedLeading' | 'onStoppedLeading' | 'logger'>;
  /** Default for every controller: see ControllerOptions.cacheSyncTimeoutMs. */
  cacheSyncTimeoutMs?: number;
  /** Default for every controller: see ControllerOptions.shutdownTimeoutMs. */
  shutdownTimeoutMs?: number;
}

export type StopReason = 'stopped' | 'lost-lease';

type BuilderOptions = Omit<ControllerOptions, 'name' | 'reconcile' | 'metrics' | 'logger'>;

/**
 * Registers a controller (controller-runtime's builder): `for` the informers of the kind it
 * reconciles (one per watched namespace), what it `owns` (children, mapped to their owner: by
 * default at high priority, as a child's change concerns work already under way) and what else it
 * `watches` (with a mapper from the watched object to the requests it concerns).
 */
export class ControllerBuilder {
  private readonly sources: { informers: readonly Informer[]; map: RequestMapper<KubeObject>; options: WatchOptions }[] = [];
  private primaries = 0;

  constructor(
    private readonly manager: Manager,
    private readonly name: string,
    private readonly options: BuilderOptions,
  ) {}

  /** The reconciled kind: each object is a request under its own key. */
  for(informers: Informer | readonly Informer[], options: WatchOptions = {}): this {
    const list = Array.isArray(informers) ? informers : [informers as Informer];
    this.primaries += list.length;
    this.sources.push({ informers: list, map: enqueueForObject(), options });
    return this;
  }

  /** Objects the controller makes, mapped to the object that owns them (see event-mappers.ts). */
  owns(informers: readonly Informer[], toOwner: RequestMapper<KubeObject>, options: WatchOptions = {}): this {
    this.sources.push({ informers, map: toOwner, options: { priority: Priority.High, ...options } });
    return this;
  }

  /** Any other object whose changes concern reconciled objects. */
  watches(informers: readonly Informer[], map: RequestMapper<KubeObject>, options: WatchOptions = {}): this {
    this.sources.push({ informers, map, options });
    return this;
  }

  /** Builds the controller and registers it on the manager (started once this replica leads). */
  complete(reconcile: Reconciler): Controller {
    if (this.primaries === 0) throw new Error(`controller ${this.name}: for() names no informer`);
    const controller = this.manager.newController({ ...this.options, name: this.name, reconcile });
    for (const { informers, map, options } of this.sources) for (const informer of informers) controller.watch(informer, map, options);
    return controller;
  }
}

export class Manager {
  readonly cache: SharedCache;
  readonly registry: Registry;
  readonly metrics: ControllerMetrics;
  private readonly logger: Logger;
  private readonly controllers: Controller[] = [];
  private readonly runnables: Runnable[] = [];
  private readonly healthChecks = new Map<string, Check>();
  private readonly readyChecks = new Map<string, Check>();
  private readonly onStopped: (() => void | Promise<void>)[] = [];
  private readonly elector: LeaderElector | undefined;
  private readonly probe: ProbeServer | undefined;
  private readonly runSignal = new AbortController();
  private leader: boolean;
  private leaderRunnablesStarted = false;
  private started = false;
  private stopping: Promise<void> | undefined;
  private resolveLeading!: () => void;
  private resolveDone!: (why: StopReason) => void;
  /** Resolves once this replica leads and every controller runs with synced caches (never, for a standby). */
  readonly leading = new Promise<void>((resolve) => (this.resolveLeading = resolve));
  /** Resolves when the manager has stopped: after stop(), or after losing the lease. */
  readonly done = new Promise<StopReason>((resolve) => (this.resolveDone = resolve));
  probePort: number | undefined;

  constructor(private readonly options: ManagerOptions) {
    this.logger = options.logger;
    this.registry = options.registry;
    this.metrics = new ControllerMetrics(options.registry);
    this.cache = new SharedCache({ listWatch: options.listWatch, logger: options.logger, ...(options.resyncPeriodMs !== undefined && { resyncPeriodMs: options.resyncPeriodMs }) });
    this.leader = options.leaderElection === undefined;
    if (options.leaderElection) {
      this.elector = new LeaderElector({
        ...options.leaderElection,
        logger: this.logger,
        onStartedLeading: (signal) => this.startLeading(signal),
        onStoppedLeading: () => {
          this.leader = false;
          if (!this.stopping) this.logger.warn('lost the leader-election lease');
        },
      });
    }
    this.probe = options.probeAddress
      ? new ProbeServer({ ...options.probeAddress, registry: this.registry, healthChecks: this.healthChecks, readyChecks: this.readyChecks })
      : undefined;
    this.healthChecks.set('ping', () => ({ ok: true }));
    // A standby is ready: healthy, and waiting for the lease. A leader is ready once its
    // controllers run; until then each says why not (a sync wait that timed out names what).
    this.readyChecks.set('controllers', () => this.controllersReady());
  }

  /** The shared informer of `spec` (see SharedCache.informer). */
  informer(spec: InformerSpec): Informer {
    return this.cache.informer(spec);
  }

  /** Registers a controller: `.for(...).owns(...).watches(...).complete(reconcile)`. */
  controller(name: string, options: BuilderOptions = {}): ControllerBuilder {
    return new ControllerBuilder(this, name, options);
  }

  /** A controller with the manager's metrics, logger and defaults, started and stopped by it. Prefer controller(). */
  newController(options: Omit<ControllerOptions, 'metrics' | 'logger'>): Controller {
    if (this.started) throw new Error(`controller ${options.name} registered after the manager started`);
    const controller = new Controller({
      ...(this.options.cacheSyncTimeoutMs !== undefined && { cacheSyncTimeoutMs: this.options.cacheSyncTimeoutMs }),
      ...(this.options.shutdownTimeoutMs !== undefined && { shutdownTimeoutMs: this.options.shutdownTimeoutMs }),
      ...options,
      metrics: this.metrics,
      logger: this.logger,
    });
    this.controllers.push(controller);
    return controller;
  }

  /** Another runnable, started and stopped with the manager (after the controllers stop). */
  add(runnable: Runnable): void {
    if (this.started) throw new Error(`runnable ${runnable.name} added after the manager started`);
    this.runnables.push(runnable);
  }

  addHealthCheck(name: string, check: Check): void {
    this.healthChecks.set(name, check);
  }

  addReadyCheck(name: string, check: Check): void {
    this.readyChecks.set(name, check);
  }

  /** Run last on stop, after everything else has stopped (closing API clients, say). */
  addStopHook(hook: () => void | Promise<void>): void {
    this.onStopped.push(hook);
  }

  /** True while this replica leads and every controller runs. */
  isLeader(): boolean {
    return this.leader && this.leaderRunnablesStarted && this.controllersReady().ok;
  }

  /** Serves the probes, starts what needs no leadership, and campaigns (or leads at once). Resolves once the probe server listens. */
  async start(): Promise<void> {
    if (this.started) throw new Error('manager already started');
    this.started = true;
    this.probePort = await this.probe?.listen();
    for (const runnable of this.runnables.filter((r) => !r.needLeaderElection)) this.startRunnable(runnable, this.runSignal.signal);
    if (this.elector) {
      // Not tied to runSignal: stop() releases the Lease only after the controllers drained, so a
      // standby never reconciles while this replica's last reconciles still write.
      void this.elector.run().then(() => this.stop(this.stopping ? 'stopped' : 'lost-lease'));
    } else {
      void this.startLeading(this.runSignal.signal).catch((err: unknown) => {
        this.logger.error({ err }, 'manager failed to start');
        void this.stop();
      });
    }
  }

  /** The one shutdown path (requested, or the lease lost). Resolves when everything has stopped. */
  stop(why: StopReason = 'stopped'): Promise<void> {
    this.stopping ??= (async () => {
      this.logger.info({ why }, 'shutting down: draining the work queues');
      this.runSignal.abort();
      await Promise.all(this.controllers.map((c) => c.stop()));
      await Promise.all(this.runnables.map((r) => this.stopRunnable(r)));
      await this.cache.stop();
      await this.elector?.stop();
      await this.probe?.close();
      for (const hook of this.onStopped) await hook();
      this.logger.info('stopped');
      this.resolveDone(why);
    })();
    return this.stopping;
  }

  private async startLeading(signal: AbortSignal): Promise<void> {
    this.leader = true;
    this.leaderRunnablesStarted = true;
    if (signal.aborted) return;
    for (const runnable of this.runnables.filter((r) => r.needLeaderElection)) this.startRunnable(runnable, signal);
    // The controllers wait for their informers to sync (and report it) while the cache starts them.
    const cacheStarted = this.cache.start();
    await Promise.all(this.controllers.map((c) => c.start(signal)));
    await cacheStarted;
    if (signal.aborted || this.stopping) return;
    this.resolveLeading();
  }

  private startRunnable(runnable: Runnable, signal: AbortSignal): void {
    void runnable.start(signal).catch((err: unknown) => {
      this.logger.error({ err, runnable: runnable.name }, 'runnable failed');
      void this.stop();
    });
  }

  private async stopRunnable(runnable: Runnable): Promise<void> {
    try {
      await runnable.stop();
    } catch (err) {
      this.logger.error({ err, runnable: runnable.name }, 'runnable failed to stop');
    }
  }

  private controllersReady(): CheckResult {
    if (!this.leader) return { ok: true };
    const waiting = this.controllers.flatMap((c) => {
      const state = c.ready();
      return state.ok ? [] : [`${c.name}: ${state.message ?? 'not ready'}`];
    });
    return waiting.length === 0 ? { ok: true } : { ok: false, message: waiting.join('; ') };
  }
}
