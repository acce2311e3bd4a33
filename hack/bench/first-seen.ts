// Watches a collection from the benchmark process (with the project's own informer) and records
// when each object first satisfies a predicate: an Agent turning Ready, a Deployment turning
// Available. The time is taken when the event arrives here, the way a user watching would see it.
import { Informer } from '../../src/controller/informer.js';
import { KubeListWatch } from '../../src/controller/kube-list-watch.js';
import { objectKey } from '../../src/controller/object-key.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import type { KubeObject } from '../../src/kube/kube-object.js';

export class FirstSeen {
  /** key (namespace/name) → ms since the epoch. */
  readonly at = new Map<string, number>();
  private readonly informer: Informer<KubeObject>;
  private waiter: { keys: readonly string[]; resolve: () => void } | undefined;

  constructor(connection: KubeConnection, path: string, private readonly predicate: (obj: KubeObject) => boolean, labelSelector?: string) {
    this.informer = new Informer<KubeObject>({
      name: path,
      listWatch: new KubeListWatch(connection, { path, ...(labelSelector ? { labelSelector } : {}) }),
      resyncPeriodMs: 0,
      // Every listed or watched object passes through here first: check it, then cache only its
      // identity, so that the benchmark's own memory stays flat at thousands of objects.
      transform: (obj) => {
        this.observe(obj);
        const { name, namespace, resourceVersion } = obj.metadata;
        return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name, namespace, resourceVersion } };
      },
    });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  /** Resolves once every key has been seen satisfying the predicate. */
  waitFor(keys: readonly string[]): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = { keys, resolve };
      this.check();
    });
  }

  count(keys: readonly string[]): number {
    return keys.filter((k) => this.at.has(k)).length;
  }

  private observe(obj: KubeObject): void {
    const key = objectKey(obj);
    if (this.at.has(key) || !this.predicate(obj)) return;
    this.at.set(key, Date.now());
    this.check();
  }

  private check(): void {
    if (this.waiter && this.waiter.keys.every((k) => this.at.has(k))) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve();
    }
  }
}

interface Condition {
  type?: string;
  status?: string;
}

/** An Agent whose Ready condition is True for its current generation. */
export function agentReady(obj: KubeObject): boolean {
  const status = obj.status as { observedGeneration?: number; conditions?: Condition[] } | undefined;
  const ready = status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  return ready && (status?.observedGeneration ?? 0) >= (obj.metadata.generation ?? 0);
}

/** A Deployment whose wanted replicas are all updated and available (what `kubectl rollout status` waits for). */
export function deploymentAvailable(obj: KubeObject): boolean {
  const spec = obj.spec as { replicas?: number } | undefined;
  const status = obj.status as { observedGeneration?: number; availableReplicas?: number; updatedReplicas?: number } | undefined;
  const wanted = spec?.replicas ?? 1;
  return (
    (status?.observedGeneration ?? 0) >= (obj.metadata.generation ?? 0) &&
    (status?.availableReplicas ?? 0) >= wanted &&
    (status?.updatedReplicas ?? 0) >= wanted
  );
}
