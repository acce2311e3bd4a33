// Informer caches for several kinds, each possibly split over several watched namespaces, behind one
// lookup: the reconciler asks "the Deployment x in ns" without caring which informer holds it.
import type { Informer } from '../controller/informer.js';
import type { KubeObject } from '../kube/kube-object.js';

export interface ObjectLookup {
  get(namespace: string, name: string): KubeObject | undefined;
  list(namespace: string | undefined, filter: (obj: KubeObject) => boolean): KubeObject[];
}

function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

export class InformerSet {
  private readonly informers = new Map<string, Informer<KubeObject>[]>();

  add(apiVersion: string, kind: string, informer: Informer<KubeObject>): void {
    const key = kindKey(apiVersion, kind);
    this.informers.set(key, [...(this.informers.get(key) ?? []), informer]);
  }

  get(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined {
    for (const informer of this.informers.get(kindKey(apiVersion, kind)) ?? []) {
      const hit = informer.get(namespace, name);
      if (hit) return hit;
    }
    return undefined;
  }

  /** Cached objects of one kind in `namespace` (all namespaces when undefined) that pass `filter`. */
  list(apiVersion: string, kind: string, namespace: string | undefined, filter: (obj: KubeObject) => boolean): KubeObject[] {
    return (this.informers.get(kindKey(apiVersion, kind)) ?? []).flatMap((i) => i.list(namespace, filter));
  }

  /** Cached objects of one kind filed under `value` in the index `index` of its informers. */
  byIndex(apiVersion: string, kind: string, index: string, value: string): KubeObject[] {
    return (this.informers.get(kindKey(apiVersion, kind)) ?? []).flatMap((i) => i.byIndex(index, value));
  }

  /** A lookup bound to one kind. */
  of(apiVersion: string, kind: string): ObjectLookup {
    return {
      get: (namespace, name) => this.get(apiVersion, kind, namespace, name),
      list: (namespace, filter) => this.list(apiVersion, kind, namespace, filter),
    };
  }
}
