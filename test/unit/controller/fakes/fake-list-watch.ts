import type { KubeObject } from '../../../../src/kube/kube-object.js';
import { ResourceExpiredError } from '../../../../src/controller/list-watch.js';
import type { ListResult, ListWatch, WatchEvent, WatchHandle } from '../../../../src/controller/list-watch.js';
import { objectKey } from '../../../../src/controller/object-key.js';

interface Watcher {
  onEvent: (event: WatchEvent) => void;
  onDone: (error?: unknown) => void;
  open: boolean;
}

/**
 * An in-memory API server collection: objects with increasing resourceVersions, an event history
 * that watches replay from any version that has not been compacted away (older → 410), and
 * scripted failures.
 */
export class FakeListWatch implements ListWatch {
  readonly watchCalls: { resourceVersion: string; atMs: number }[] = [];
  listCalls = 0;
  /** Each list() call takes the first entry: an error to throw. */
  readonly listFailures: unknown[] = [];
  /** Each watch() call takes the first entry: the watch ends with that error right away. */
  readonly watchFailures: unknown[] = [];
  /** When set, list() waits for this before answering. */
  listGate: Promise<void> | undefined;
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: { rv: number; event: WatchEvent }[] = [];
  private readonly watchers = new Set<Watcher>();
  private rv = 0;
  private compactedRv = 0;

  constructor(initial: KubeObject[] = []) {
    for (const obj of initial) this.apply('ADDED', obj);
  }

  async list(): Promise<ListResult> {
    this.listCalls += 1;
    if (this.listGate) await this.listGate;
    if (this.listFailures.length > 0) throw this.listFailures.shift();
    return { items: [...this.objects.values()].map((o) => structuredClone(o)), resourceVersion: String(this.rv) };
  }

  watch(resourceVersion: string, onEvent: (event: WatchEvent) => void, onDone: (error?: unknown) => void): Promise<WatchHandle> {
    this.watchCalls.push({ resourceVersion, atMs: Date.now() });
    const watcher: Watcher = { onEvent, onDone, open: true };
    const handle = { stop: () => void this.watchers.delete(watcher) };
    const failure = this.watchFailures.shift();
    if (failure !== undefined) {
      void Promise.resolve().then(() => onDone(failure));
      return Promise.resolve(handle);
    }
    const from = Number(resourceVersion);
    if (from < this.compactedRv) {
      void Promise.resolve().then(() => onDone(new ResourceExpiredError(`too old resource version: ${from} (${this.compactedRv})`)));
      return Promise.resolve(handle);
    }
    this.watchers.add(watcher);
    for (const { rv, event } of this.history) {
      if (rv > from) onEvent(event);
    }
    return Promise.resolve(handle);
  }

  create(obj: KubeObject): KubeObject {
    return this.apply('ADDED', obj);
  }

  update(obj: KubeObject): KubeObject {
    return this.apply('MODIFIED', obj);
  }

  delete(namespace: string | undefined, name: string): void {
    const key = namespace ? `${namespace}/${name}` : name;
    const existing = this.objects.get(key);
    if (!existing) throw new Error(`no ${key}`);
    this.apply('DELETED', existing);
  }

  bookmark(): string {
    this.rv += 1;
    const event: WatchEvent = { type: 'BOOKMARK', resourceVersion: String(this.rv) };
    for (const watcher of this.watchers) watcher.onEvent(event);
    return String(this.rv);
  }

  /** Forgets history up to now, like etcd compaction: watches from older versions get 410. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history.length = 0;
  }

  /** Ends every open watch, cleanly or with `error`. */
  endWatches(error?: unknown): void {
    for (const watcher of [...this.watchers]) {
      this.watchers.delete(watcher);
      watcher.onDone(error);
    }
  }

  openWatches(): number {
    return this.watchers.size;
  }

  currentResourceVersion(): string {
    return String(this.rv);
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): KubeObject {
    this.rv += 1;
    const stored: KubeObject = structuredClone({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } });
    const key = objectKey(stored);
    if (type === 'DELETED') {
      this.objects.delete(key);
    } else {
      this.objects.set(key, stored);
    }
    const event: WatchEvent = { type, object: structuredClone(stored) };
    this.history.push({ rv: this.rv, event });
    for (const watcher of this.watchers) watcher.onEvent(structuredClone(event));
    return stored;
  }
}
