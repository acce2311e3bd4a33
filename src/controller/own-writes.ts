// What a controller's own last write of each object returned: its uid and resourceVersion. The watch
// event of an object at exactly that version is the echo of the write, not news: the reconcile that
// made the write already knew what it wrote, so the echo need not reconcile again. This is
// kubernetes' ControllerExpectations ("do not requeue for the create events of what this reconcile
// just created"), for every write and without counting: an event at any other version, someone
// else's change made between the read and the write included, is news and is not absorbed.
import type { KubeObject } from '../kube/kube-object.js';

/** A write's result: the version it left the object at. */
export interface WrittenVersion {
  uid: string;
  resourceVersion: string;
}

type ObjectId = Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } };

/** Writes remembered; the oldest go first (a Map keeps insertion order), so memory is bounded. */
const DEFAULT_MAX_ENTRIES = 100_000;

export function writtenObjectKey(obj: ObjectId): string {
  return `${obj.apiVersion}/${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

/**
 * The version each object was left at by this controller's last write of it, with what else the
 * writer keeps of it (`T`); and the writes still in flight. A watch event may arrive before the
 * response of the write it echoes: while a write is in flight, the caller decides which events are
 * its echo (a create's: an add under that name; a status write's: a change of status only).
 */
export class OwnWrites<T extends object = object> {
  private readonly written = new Map<string, WrittenVersion & T>();
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  /** Remembers what a write returned; an object without uid or resourceVersion is not remembered. */
  record(result: KubeObject, extra: T): void {
    const { uid, resourceVersion } = result.metadata;
    if (!uid || !resourceVersion) return;
    const key = writtenObjectKey(result);
    this.written.delete(key);
    this.written.set(key, { ...extra, uid, resourceVersion });
    if (this.written.size > this.maxEntries) {
      const oldest = this.written.keys().next();
      if (!oldest.done) this.written.delete(oldest.value);
    }
  }

  get(obj: ObjectId): (WrittenVersion & T) | undefined {
    return this.written.get(writtenObjectKey(obj));
  }

  forget(obj: ObjectId): void {
    this.written.delete(writtenObjectKey(obj));
  }

  /** Runs `write` of `obj` (its identity: kind, namespace, name), marked in flight until it settles. */
  async writing<R>(obj: ObjectId, write: () => Promise<R>): Promise<R> {
    const key = writtenObjectKey(obj);
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    try {
      return await write();
    } finally {
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left > 0) this.inFlight.set(key, left);
      else this.inFlight.delete(key);
    }
  }

  /** Whether a write of `obj` (by kind, namespace and name) is in flight. */
  isWriting(obj: ObjectId): boolean {
    return this.inFlight.has(writtenObjectKey(obj));
  }

  /** True when `obj` is at exactly the version this controller's last write of it returned. */
  isEcho(obj: KubeObject): boolean {
    const last = this.written.get(writtenObjectKey(obj));
    return last !== undefined && last.uid === obj.metadata.uid && last.resourceVersion === obj.metadata.resourceVersion;
  }

  get size(): number {
    return this.written.size;
  }
}
