// The Manager's one informer cache: every informer any controller watches or any reconciler reads
// from, asked for by what it lists (kind, namespace, selector, metadata only) and handed out once,
// so two controllers watching Deployments share one list, one watch and one copy of each object.
// Informers are started once (start) and stopped once (stop), by the Manager; no controller starts
// or stops them.
import type { KubeObject } from '../kube/kube-object.js';
import { Informer } from './informer.js';
import type { ListWatch } from './list-watch.js';
import type { Logger } from './logger.js';
import { noopLogger } from './logger.js';
import { newStopController } from './stop-controller.js';
import type { IndexFunc } from './object-store.js';

/** What an informer lists and watches: its identity in the cache. */
export interface InformerSource {
  apiVersion: string;
  kind: string;
  /** The REST plural (for the ListWatch factory). */
  plural: string;
  /** One namespace; undefined for all of them. */
  namespace?: string;
  labelSelector?: string;
  /** List and watch metadata only (PartialObjectMetadata). */
  metadataOnly?: boolean;
}

/** How an informer caches what it lists. */
export interface InformerSpec extends InformerSource {
  /** What is kept of each object. One informer has one transform: asking again with another is an error. */
  transform?: (obj: KubeObject) => KubeObject;
  /** Re-deliver every cached object each resync period (default false). */
  resync?: boolean;
  /** Objects per list page. */
  pageSize?: number;
  indexes?: Readonly<Record<string, IndexFunc<KubeObject>>>;
  /**
   * Informers this one starts after (once they have synced): a transform that reads another
   * cache (which children's content to keep depends on which owners exist) needs it full first.
   */
  startAfter?: readonly Informer[];
}

/** Builds the ListWatch of a source (production: KubeListWatch over the REST path; tests: a fake). */
export type ListWatchFactory = (source: InformerSource, options: { pageSize?: number }) => ListWatch;

export interface SharedCacheOptions {
  listWatch: ListWatchFactory;
  logger?: Logger;
  /** The resync period of informers with `resync: true`. Default 10 min. */
  resyncPeriodMs?: number;
}

function sourceKey(s: InformerSource): string {
  return [s.apiVersion, s.kind, s.namespace ?? '*', s.labelSelector ?? '', s.metadataOnly ? 'metadata' : 'full'].join('|');
}

function describe(s: InformerSource): string {
  return `${s.kind}${s.namespace ? `/${s.namespace}` : ''}${s.labelSelector ? ` (${s.labelSelector})` : ''}${s.metadataOnly ? ' (metadata)' : ''}`;
}

interface Entry {
  informer: Informer;
  spec: InformerSpec;
}

export class SharedCache {
  private readonly entries = new Map<string, Entry>();
  private readonly logger: Logger;
  private readonly resyncPeriodMs: number;
  private readonly stopController = newStopController();
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: SharedCacheOptions) {
    this.logger = options.logger ?? noopLogger;
    this.resyncPeriodMs = options.resyncPeriodMs ?? 10 * 60_000;
  }

  /**
   * The informer of `spec`: made on the first ask, the same one afterwards. Asking for the same
   * source with another transform, resync or page size is a programming error (one cache, one
   * projection of each object); indexes are added to the shared informer.
   */
  informer(spec: InformerSpec): Informer {
    const key = sourceKey(spec);
    const existing = this.entries.get(key);
    if (existing) {
      const { spec: first } = existing;
      if (first.transform !== spec.transform || (first.resync ?? false) !== (spec.resync ?? false) || first.pageSize !== spec.pageSize) {
        throw new Error(`informer ${describe(spec)} is already in the cache with another transform, resync or page size`);
      }
      for (const [name, indexFunc] of Object.entries(spec.indexes ?? {})) {
        if (!existing.informer.hasIndex(name)) existing.informer.addIndex(name, indexFunc);
      }
      return existing.informer;
    }
    if (this.starting) throw new Error(`informer ${describe(spec)} asked for after the cache started`);
    const informer = new Informer<KubeObject>({
      name: describe(spec),
      listWatch: this.options.listWatch(spec, { ...(spec.pageSize !== undefined && { pageSize: spec.pageSize }) }),
      logger: this.logger,
      resyncPeriodMs: spec.resync ? this.resyncPeriodMs : 0,
      ...(spec.transform && { transform: spec.transform }),
    });
    for (const [name, indexFunc] of Object.entries(spec.indexes ?? {})) informer.addIndex(name, indexFunc);
    this.entries.set(key, { informer, spec });
    return informer;
  }

  /** Every informer in the cache. */
  informers(): Informer[] {
    return [...this.entries.values()].map((e) => e.informer);
  }

  /** Starts every informer, once (those with `startAfter` once what they wait for has synced). Resolves when all are started. */
  start(): Promise<void> {
    this.starting ??= this.startAll();
    return this.starting;
  }

  /** Resolves true once every informer has synced; false if the cache stops first. */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const synced = await Promise.all(this.informers().map((i) => i.waitForSync(signal)));
    return synced.every(Boolean);
  }

  /** The informers that have not synced yet, by name. */
  unsynced(): string[] {
    return this.informers()
      .filter((i) => !i.hasSynced())
      .map((i) => i.name);
  }

  /** Stops every informer, once. The caches stay readable. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopController.abort();
      await Promise.all(this.informers().map((i) => i.stop()));
    })();
    return this.stopping;
  }

  private async startAll(): Promise<void> {
    const signal = this.stopController.signal;
    const started = new Set<Informer>();
    const startOne = async ({ informer, spec }: Entry): Promise<void> => {
      const after = spec.startAfter ?? [];
      if (after.length > 0 && !(await Promise.all(after.map((i) => i.waitForSync(signal)))).every(Boolean)) return;
      if (signal.aborted) return;
      informer.start();
      started.add(informer);
    };
    await Promise.all([...this.entries.values()].map(startOne));
    this.logger.debug({ informers: started.size }, 'cache started');
  }
}
