import type { KubeObject } from '../kube/kube-object.js';
import type { ReconcileRequest } from './reconciler.js';

/** Maps a changed object to the requests it should trigger (possibly none). */
export type RequestMapper<T extends KubeObject> = (obj: T) => ReconcileRequest[];

/** The object's own key: for the primary resource. */
export function enqueueForObject<T extends KubeObject>(): RequestMapper<T> {
  return (obj) => [{ namespace: obj.metadata.namespace, name: obj.metadata.name }];
}

/** The API group of an `apiVersion`: `apps/v1` → `apps`, `v1` → `` (the core group). */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export interface EnqueueForOwnerOptions {
  /**
   * The owner kind is cluster-scoped, so the request carries no namespace. Otherwise the owner is
   * in the child's namespace: Kubernetes forbids cross-namespace owner references.
   */
  ownerClusterScoped?: boolean;
}

/**
 * The object's controller owner, if it is of the given kind and API group: for children the
 * controller creates (Deployments, Services … owned by an Agent). Only the reference with
 * `controller: true` counts, so a child also listing other owners never triggers those.
 */
export function enqueueForOwner(kind: string, apiGroup: string, options: EnqueueForOwnerOptions = {}): RequestMapper<KubeObject> {
  return (obj) => {
    const owner = obj.metadata.ownerReferences?.find(
      (ref) => ref.controller === true && ref.kind === kind && apiGroupOf(ref.apiVersion) === apiGroup,
    );
    if (!owner) return [];
    return [{ namespace: options.ownerClusterScoped ? undefined : obj.metadata.namespace, name: owner.name }];
  };
}

/** The label keys by which a child names its owner (see enqueueForLabelledOwner). */
export interface OwnerLabelKeys {
  kind: string;
  name: string;
  /** Set on children in another namespace than their owner's. */
  namespace: string;
}

/**
 * The owner a child's labels name, when it is of `ownerKind`: for children an ownerReference
 * cannot reach (in another namespace), and so that each owning kind's controller gets only its
 * own children's events, whichever kinds own children in the same caches. Labels only route
 * events: whether the owner really owns the child is for its reconciler to decide.
 */
export function enqueueForLabelledOwner(ownerKind: string, keys: OwnerLabelKeys): RequestMapper<KubeObject> {
  return (obj) => {
    const labels = obj.metadata.labels;
    const name = labels?.[keys.name];
    if (labels?.[keys.kind] !== ownerKind || !name) return [];
    return [{ namespace: labels[keys.namespace] ?? obj.metadata.namespace, name }];
  };
}
