// The agentry.dev/cleanup finalizer, shared by the owners of children in another namespace (Agents,
// RemoteAgents): such a child (an HTTPRoute beside the gateway) cannot carry an ownerReference, so
// the garbage collector does not delete it with its owner; the operator does, before it lets the
// owner go. Children there are owned by the owner-uid annotation and only looked for there.
import { CLEANUP_FINALIZER } from '../api/group-version.js';
import type { OperatorConfig } from '../config/operator-config.js';
import { KubeApiError } from '../kube/kube-api-error.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { KubeObject } from '../kube/kube-object.js';
import { isOwnedBy, type ChildOwner } from './apply/write-decision.js';
import type { ChildCaches } from './child-caches.js';
import { CHILD_KINDS } from './child-kinds.js';

/** The owner's children in the routes namespace (gateway.routeNamespace), when it is not the owner's. */
export function crossNamespaceChildren(children: ChildCaches, config: OperatorConfig, owner: ChildOwner): KubeObject[] {
  const routes = config.gateway.routeNamespace;
  if (routes === undefined || routes === owner.namespace) return [];
  return children.ownedBy(owner.uid, CHILD_KINDS.filter((k) => k.gatewayApi)).filter((o) => o.metadata.namespace === routes && isOwnedBy(o, owner));
}

/** Adds or removes the finalizer; an owner already gone is no error. */
export async function setCleanupFinalizer(client: KubeClient, owner: KubeObject, present: boolean): Promise<void> {
  const current = owner.metadata.finalizers ?? [];
  const next = present ? [...current, CLEANUP_FINALIZER] : current.filter((f) => f !== CLEANUP_FINALIZER);
  // A JSON patch that tests the current list: another controller's concurrent finalizer edit makes
  // it fail (and the reconcile retry) instead of being overwritten.
  try {
    await client.patch(owner, [
      { op: 'test', path: '/metadata/finalizers', value: owner.metadata.finalizers ?? null },
      { op: owner.metadata.finalizers ? 'replace' : 'add', path: '/metadata/finalizers', value: next },
    ], 'json');
  } catch (err) {
    if (KubeApiError.isNotFound(err)) return;
    throw err;
  }
}
