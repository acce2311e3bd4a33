import type { KubeObject } from '../kube/kube-object.js';
import { objectKey, objectRefKey } from './object-key.js';

/** Values an object is filed under in one index (client-go's IndexFunc); none leaves it out. */
export type IndexFunc<T extends KubeObject> = (obj: T) => readonly string[];

/** Name of the index every store keeps: objects by namespace (client-go's NamespaceIndex). */
export const NAMESPACE_INDEX = 'namespace';

/**
 * The informer's local cache: the last known state of every object, keyed like client-go
 * (`namespace/name`), with client-go's indexers: named secondary keys kept current on every change,
 * so "the children of Agent x" or "the Agents in namespace y" cost what they return, not a scan of
 * the whole cache. Reads return the stored objects themselves, not copies, to keep a large cache
 * cheap; callers must treat them as read-only.
 */
export class ObjectStore<T extends KubeObject> {
  private readonly objects = new Map<string, T>();
  private readonly indexFuncs = new Map<string, IndexFunc<T>>();
  /** index name → index value → keys of the objects filed under it. */
  private readonly indices = new Map<string, Index>();

  constructor() {
    this.addIndex(NAMESPACE_INDEX, (obj) => [obj.metadata.namespace ?? '']);
  }

  /** Adds an index, filing every object already stored. Throws for a name already in use. */
  addIndex(name: string, indexFunc: IndexFunc<T>): void {
    if (this.indexFuncs.has(name)) throw new Error(`index ${name} already exists`);
    this.indexFuncs.set(name, indexFunc);
    const index: Index = new Map();
    this.indices.set(name, index);
    for (const [key, obj] of this.objects) file(index, indexFunc(obj), key);
  }

  hasIndex(name: string): boolean {
    return this.indexFuncs.has(name);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(objectRefKey({ namespace, name }));
  }

  getByKey(key: string): T | undefined {
    return this.objects.get(key);
  }

  /** Objects filed under `value` in the index `name`. Throws for an unknown index. */
  byIndex(name: string, value: string): T[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`no index named ${name}`);
    const result: T[] = [];
    const filed = index.get(value);
    for (const key of typeof filed === 'string' ? [filed] : (filed ?? [])) {
      const obj = this.objects.get(key);
      if (obj) result.push(obj);
    }
    return result;
  }

  /** Objects in `namespace` (all when undefined), optionally filtered. */
  list(namespace?: string, filter?: (obj: T) => boolean): T[] {
    const candidates = namespace === undefined ? this.objects.values() : this.byIndex(NAMESPACE_INDEX, namespace);
    const result: T[] = [];
    for (const obj of candidates) {
      if (filter && !filter(obj)) continue;
      result.push(obj);
    }
    return result;
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  size(): number {
    return this.objects.size;
  }

  /** Stores `obj` and returns what it replaced. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const previous = this.objects.get(key);
    this.objects.set(key, obj);
    for (const [name, indexFunc] of this.indexFuncs) {
      const index = this.indices.get(name);
      if (!index) continue;
      const values = indexFunc(obj);
      if (previous) {
        const before = indexFunc(previous);
        // The common update (a status change) files the object under the same values: nothing to do.
        if (sameValues(before, values)) continue;
        unfile(index, before, key);
      }
      file(index, values, key);
    }
    return previous;
  }

  /** Removes the object with `key` and returns it. */
  remove(key: string): T | undefined {
    const previous = this.objects.get(key);
    if (!previous) return undefined;
    this.objects.delete(key);
    for (const [name, indexFunc] of this.indexFuncs) {
      const index = this.indices.get(name);
      if (index) unfile(index, indexFunc(previous), key);
    }
    return previous;
  }
}

/**
 * Index value → the keys filed under it: the key itself while there is one (the usual case for an
 * index like "children by Agent", where a Set per value would cost more than the object it points
 * to), a Set from the second on.
 */
type Index = Map<string, string | Set<string>>;

function file(index: Index, values: readonly string[], key: string): void {
  for (const value of values) {
    const filed = index.get(value);
    if (filed === undefined) index.set(value, key);
    else if (typeof filed === 'string') {
      if (filed !== key) index.set(value, new Set([filed, key]));
    } else filed.add(key);
  }
}

function unfile(index: Index, values: readonly string[], key: string): void {
  for (const value of values) {
    const filed = index.get(value);
    if (filed === undefined) continue;
    if (typeof filed === 'string') {
      if (filed === key) index.delete(value);
      continue;
    }
    filed.delete(key);
    // Drop emptied values, or a cache with churn (namespaces come and go) would keep every value forever.
    if (filed.size === 0) index.delete(value);
    else if (filed.size === 1) {
      const [only] = filed;
      if (only !== undefined) index.set(value, only);
    }
  }
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
