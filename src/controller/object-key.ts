import type { KubeObject } from '../kube/kube-object.js';

/** Names one object: what a reconcile request carries and what the cache and queue are keyed by. */
export interface ObjectRef {
  namespace?: string;
  name: string;
}

/**
 * client-go's MetaNamespaceKeyFunc format: `namespace/name`, or just `name` for cluster-scoped
 * objects. Neither part can contain `/`, so the key round-trips through parseObjectKey.
 */
export function objectRefKey(ref: ObjectRef): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

export function objectKey(obj: KubeObject): string {
  return objectRefKey(obj.metadata);
}

export function parseObjectKey(key: string): ObjectRef {
  const slash = key.indexOf('/');
  if (slash < 0) {
    return { name: key };
  }
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
