import type { KubeObject } from '../kube/kube-object.js';
import { objectKey, objectRefKey } from './object-key.js';

/**
 * The informer's local cache: the last known state of every object, keyed like client-go
 * (`namespace/name`). Reads return the stored objects themselves, not copies, to keep a large
 * cache cheap; callers must treat them as read-only.
 */
export class ObjectStore<T extends KubeObject> {
  private readonly objects = new Map<string, T>();

  get(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(objectRefKey({ namespace, name }));
  }

  getByKey(key: string): T | undefined {
    return this.objects.get(key);
  }

  /** Objects in `namespace` (all when undefined), optionally filtered. */
  list(namespace?: string, filter?: (obj: T) => boolean): T[] {
    const result: T[] = [];
    for (const obj of this.objects.values()) {
      if (namespace !== undefined && obj.metadata.namespace !== namespace) continue;
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
    return previous;
  }

  /** Removes the object with `key` and returns it. */
  remove(key: string): T | undefined {
    const previous = this.objects.get(key);
    this.objects.delete(key);
    return previous;
  }
}
