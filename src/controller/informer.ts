import { ExponentialBackoff } from './backoff.js';
import { delay } from './delay.js';
import type { KubeObject } from '../kube/kube-object.js';
import { ResourceExpiredError } from './list-watch.js';
import type { ListWatch, WatchEvent, WatchHandle } from './list-watch.js';
import { noopLogger } from './logger.js';
import type { Logger } from './logger.js';
import { objectKey } from './object-key.js';
import { ObjectStore, type IndexFunc } from './object-store.js';

export interface InformerEventHandler<T extends KubeObject> {
  onAdd?(obj: T): void;
  /** Also called on every periodic resync, with `oldObj === newObj`. */
  onUpdate?(oldObj: T, newObj: T): void;
  /** Receives the last state the informer knew of the object. */
  onDelete?(obj: T): void;
}

export interface InformerBackoffOptions {
  /** First delay after a failed list or watch (client-go's reflector: 800 ms). */
  initialMs: number;
  /** Cap of the delay (client-go: 30 s). */
  maxMs: number;
  /** Fraction of each delay that is randomised away, see BackoffOptions.jitter. */
  jitter: number;
  /** A watch that stays up this long counts as healthy and resets the backoff (client-go: 2 min). */
  resetAfterMs: number;
}

interface InformerCommonOptions {
  listWatch: ListWatch;
  /** Used in log lines, e.g. the resource plural. */
  name?: string;
  logger?: Logger;
  /** Every cached object is re-delivered as an update this often; 0 disables. Default 10 min. */
  resyncPeriodMs?: number;
  backoff?: Partial<InformerBackoffOptions>;
  /** Randomness for backoff jitter; injectable for deterministic tests. */
  random?: () => number;
}

/**
 * `transform` runs on every object before it is cached, e.g. to drop `metadata.managedFields` or
 * to validate and narrow the object to `T`. It may only be omitted when `T` is KubeObject itself,
 * because without it nothing checks that API objects really are `T`.
 */
export type InformerOptions<T extends KubeObject> = InformerCommonOptions &
  (KubeObject extends T ? { transform?: (obj: KubeObject) => T } : { transform: (obj: KubeObject) => T });

const DEFAULT_RESYNC_PERIOD_MS = 10 * 60_000;
const DEFAULT_BACKOFF: InformerBackoffOptions = { initialMs: 800, maxMs: 30_000, jitter: 0.2, resetAfterMs: 120_000 };
/**
 * A watch that closes cleanly sooner than this after it started (or hits 410 right after a fresh
 * list) is treated as a failure, so a server or proxy that keeps closing the stream cannot drive
 * a hot re-watch or relist loop.
 */
const MIN_HEALTHY_WATCH_MS = 1_000;

type WatchOutcome = { kind: 'closed' } | { kind: 'failed'; error: unknown } | { kind: 'stopped' };

/**
 * Lists and then watches one resource collection, keeping a local cache current and telling
 * registered handlers about every change. Modelled on client-go's reflector + shared informer.
 */
export class Informer<T extends KubeObject = KubeObject> {
  readonly name: string;
  private readonly listWatch: ListWatch;
  private readonly transform: (obj: KubeObject) => T;
  private readonly logger: Logger;
  private readonly resyncPeriodMs: number;
  private readonly backoff: ExponentialBackoff;
  private readonly backoffResetAfterMs: number;
  private readonly store = new ObjectStore<T>();
  private readonly handlers: InformerEventHandler<T>[] = [];
  private readonly syncWaiters = new Set<(synced: boolean) => void>();
  private resourceVersion = '';
  private synced = false;
  private stopController: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private resyncTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: InformerOptions<T>) {
    // The conditional type only constrains callers; inside, both branches look the same.
    const opts = options as InformerCommonOptions & { transform?: (obj: KubeObject) => T };
    this.name = opts.name ?? 'informer';
    this.listWatch = opts.listWatch;
    this.transform = opts.transform ?? ((obj: KubeObject) => obj as T);
    this.logger = (opts.logger ?? noopLogger).child({ informer: this.name });
    this.resyncPeriodMs = opts.resyncPeriodMs ?? DEFAULT_RESYNC_PERIOD_MS;
    const backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.backoff = new ExponentialBackoff({
      initialMs: backoff.initialMs,
      maxMs: backoff.maxMs,
      jitter: backoff.jitter,
      random: opts.random,
    });
    this.backoffResetAfterMs = backoff.resetAfterMs;
  }

  /**
   * Registers a handler and returns a function that unregisters it. A handler added after the
   * informer has synced first receives an add for every cached object, so late registration
   * misses nothing.
   */
  addEventHandler(handler: InformerEventHandler<T>): () => void {
    this.handlers.push(handler);
    if (this.synced) {
      for (const obj of this.store.list()) {
        this.deliver('add', obj, () => handler.onAdd?.(obj));
      }
    }
    return () => {
      const index = this.handlers.indexOf(handler);
      if (index >= 0) this.handlers.splice(index, 1);
    };
  }

  /** Starts listing and watching in the background. Calling it again, or after stop(), is a no-op: stop is final. */
  start(): void {
    if (this.stopController) {
      return;
    }
    this.stopController = new AbortController();
    this.loop = this.run(this.stopController.signal);
  }

  /** Stops watching and resync; resolves when the background loop has exited. The cache stays readable. */
  async stop(): Promise<void> {
    if (!this.stopController) {
      this.stopController = new AbortController();
    }
    this.stopController.abort();
    clearTimeout(this.resyncTimer);
    for (const waiter of this.syncWaiters) waiter(false);
    this.syncWaiters.clear();
    await this.loop;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first list is cached, or false if `signal` aborts or the informer stops first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted || this.stopController?.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => waiter(false);
      const waiter = (synced: boolean): void => {
        this.syncWaiters.delete(waiter);
        signal?.removeEventListener('abort', onAbort);
        resolve(synced);
      };
      this.syncWaiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace, name);
  }

  getByKey(key: string): T | undefined {
    return this.store.getByKey(key);
  }

  /** Cached objects in `namespace` (all namespaces when undefined), optionally filtered. Treat them as read-only. */
  list(namespace?: string, filter?: (obj: T) => boolean): T[] {
    return this.store.list(namespace, filter);
  }

  /**
   * Keeps the cache indexed by `indexFunc` as well (client-go's AddIndexers), for lookups that
   * would otherwise scan every cached object; it runs on the transformed object. May be added at
   * any time: objects already cached are filed at once.
   */
  addIndex(name: string, indexFunc: IndexFunc<T>): void {
    this.store.addIndex(name, indexFunc);
  }

  /** Cached objects filed under `value` in the index `name` (client-go's ByIndex). Treat them as read-only. */
  byIndex(name: string, value: string): T[] {
    return this.store.byIndex(name, value);
  }

  hasIndex(name: string): boolean {
    return this.store.hasIndex(name);
  }

  /** The resourceVersion the next watch would resume from. */
  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  private async run(signal: AbortSignal): Promise<void> {
    let needsList = true;
    while (!signal.aborted) {
      const listedNow = needsList;
      if (needsList) {
        try {
          await this.relist(signal);
          needsList = false;
        } catch (err) {
          if (signal.aborted) break;
          const waitMs = this.backoff.next();
          this.logger.warn({ err, retryInMs: Math.round(waitMs) }, 'list failed');
          await delay(waitMs, signal);
          continue;
        }
      }

      const startedAt = Date.now();
      const outcome = await this.watchUntilDone(signal);
      if (outcome.kind === 'stopped' || signal.aborted) break;
      const ranForMs = Date.now() - startedAt;
      if (ranForMs >= this.backoffResetAfterMs) {
        this.backoff.reset();
      }
      const shortLived = ranForMs < MIN_HEALTHY_WATCH_MS;

      if (outcome.kind === 'failed' && outcome.error instanceof ResourceExpiredError) {
        // Events between our resourceVersion and now are gone; only a fresh list can tell us
        // about them. Relist at once (the usual case: a reconnect after a long disconnect),
        // unless the version we just listed is already expired again.
        needsList = true;
        this.logger.info({ resourceVersion: this.resourceVersion }, 'watch resourceVersion expired, relisting');
        if (!(listedNow && shortLived)) continue;
      } else if (outcome.kind === 'closed' && !shortLived) {
        continue; // the server's watch timeout: resume from where we are
      }
      const waitMs = this.backoff.next();
      if (outcome.kind === 'failed') {
        this.logger.warn({ err: outcome.error, retryInMs: Math.round(waitMs) }, 'watch failed, restarting');
      } else {
        this.logger.debug({ ranForMs, retryInMs: Math.round(waitMs) }, 'watch ended early, restarting');
      }
      await delay(waitMs, signal);
    }
  }

  private async relist(signal: AbortSignal): Promise<void> {
    // The transform runs as each page is parsed, where the ListWatch can: what it drops of large
    // objects then never accumulates over the whole collection.
    const listed = await this.untilAborted(this.listWatch.list((item) => this.safeTransform(item)), signal);
    if (!listed) return;
    const { items, resourceVersion } = listed;
    const fresh = new Map<string, T>();
    for (const item of items) {
      const obj = listed.transformed ? (item as T) : this.safeTransform(item);
      if (obj) fresh.set(objectKey(obj), obj);
    }
    // Whatever is cached but no longer listed was deleted while we were not watching (the 410
    // gap, or a restart); handlers get the last state we knew.
    for (const key of this.store.keys()) {
      if (!fresh.has(key)) {
        const gone = this.store.remove(key);
        if (gone) this.emitDelete(gone);
      }
    }
    for (const obj of fresh.values()) {
      const previous = this.store.upsert(obj);
      if (!previous) {
        this.emitAdd(obj);
      } else if (previous.metadata.resourceVersion === undefined || previous.metadata.resourceVersion !== obj.metadata.resourceVersion) {
        this.emitUpdate(previous, obj);
      }
      // Unchanged objects emit nothing here: periodic resync is what re-delivers them.
    }
    this.resourceVersion = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const waiter of this.syncWaiters) waiter(true);
      this.syncWaiters.clear();
      this.scheduleResync();
    }
  }

  /** Resolves with undefined as soon as `signal` aborts, so stop() never waits on a hung request. */
  private untilAborted<R>(work: Promise<R>, signal: AbortSignal): Promise<R | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err instanceof Error ? err : new Error('list failed', { cause: err }));
        },
      );
    });
  }

  private watchUntilDone(signal: AbortSignal): Promise<WatchOutcome> {
    if (signal.aborted) return Promise.resolve({ kind: 'stopped' });
    return new Promise((resolve) => {
      let settled = false;
      let handle: WatchHandle | undefined;
      const settle = (outcome: WatchOutcome): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        handle?.stop();
        resolve(outcome);
      };
      const onAbort = (): void => settle({ kind: 'stopped' });
      signal.addEventListener('abort', onAbort, { once: true });

      this.listWatch
        .watch(
          this.resourceVersion,
          (event) => {
            if (!settled) this.applyWatchEvent(event);
          },
          (error) => settle(error === undefined || error === null ? { kind: 'closed' } : { kind: 'failed', error }),
        )
        .then(
          (established) => {
            handle = established;
            if (settled) established.stop();
          },
          (error: unknown) => settle({ kind: 'failed', error }),
        );
    });
  }

  private applyWatchEvent(event: WatchEvent): void {
    if (event.type === 'BOOKMARK') {
      this.resourceVersion = event.resourceVersion;
      return;
    }
    const rv = event.object.metadata.resourceVersion;
    if (rv !== undefined) this.resourceVersion = rv;
    if (event.type === 'DELETED') {
      // Removed by the key of the object as the server sent it, whether or not the transform
      // takes it: a transform that fails on the deleted object must not leave it cached as a
      // ghost. Handlers get its final state, or the last one cached when that cannot be had.
      const final = this.safeTransform(event.object);
      const gone = this.store.remove(objectKey(event.object));
      const last = final ?? gone;
      if (last) this.emitDelete(last);
      return;
    }
    const obj = this.safeTransform(event.object);
    if (!obj) return;
    const previous = this.store.upsert(obj);
    if (previous) {
      this.emitUpdate(previous, obj);
    } else {
      this.emitAdd(obj);
    }
  }

  private safeTransform(obj: KubeObject): T | undefined {
    try {
      return this.transform(obj);
    } catch (err) {
      // A bad object must not stall the whole collection; it stays out of the cache.
      this.logger.error({ err, object: objectKey(obj) }, 'transform failed, object not cached');
      return undefined;
    }
  }

  private scheduleResync(): void {
    if (this.resyncPeriodMs <= 0 || this.stopController?.signal.aborted) return;
    this.resyncTimer = setTimeout(() => {
      for (const obj of this.store.list()) {
        this.emitUpdate(obj, obj);
      }
      this.scheduleResync();
    }, this.resyncPeriodMs);
  }

  private emitAdd(obj: T): void {
    for (const handler of [...this.handlers]) this.deliver('add', obj, () => handler.onAdd?.(obj));
  }

  private emitUpdate(oldObj: T, newObj: T): void {
    for (const handler of [...this.handlers]) this.deliver('update', newObj, () => handler.onUpdate?.(oldObj, newObj));
  }

  private emitDelete(obj: T): void {
    for (const handler of [...this.handlers]) this.deliver('delete', obj, () => handler.onDelete?.(obj));
  }

  private deliver(event: 'add' | 'update' | 'delete', obj: T, call: () => void): void {
    try {
      call();
    } catch (err) {
      // One broken handler must neither stop the informer nor starve the other handlers.
      this.logger.error({ err, event, object: objectKey(obj) }, 'event handler threw');
    }
  }
}
