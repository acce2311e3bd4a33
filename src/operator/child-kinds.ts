// The kinds of object an Agent becomes, in the order they are applied (what a pod needs before the
// Deployment that runs it; routing last, once its backend exists).
import { LABEL_KEYS, MANAGED_BY } from '../api/group-version.js';
import { resourcePath } from '../kube/resource-mapper.js';

export interface ChildKind {
  apiVersion: string;
  kind: string;
  /** The REST resource. */
  plural: string;
  /** Collection path, cluster-wide or in one namespace. */
  path(namespace?: string): string;
  /** Needs the Gateway API CRDs. */
  gatewayApi?: boolean;
  /** The operator reads its status (a Deployment's readiness, an HTTPRoute's acceptance), so the cache keeps it. */
  readsStatus?: boolean;
}

function kind(apiVersion: string, kind: string, plural: string, options: { gatewayApi?: boolean; readsStatus?: boolean } = {}): ChildKind {
  return { apiVersion, kind, plural, ...options, path: (ns) => resourcePath({ apiVersion, plural, namespaced: true }, ns) };
}

export const CHILD_KINDS: readonly ChildKind[] = [
  kind('v1', 'ServiceAccount', 'serviceaccounts'),
  kind('v1', 'ConfigMap', 'configmaps'),
  kind('v1', 'Service', 'services'),
  kind('apps/v1', 'Deployment', 'deployments', { readsStatus: true }),
  kind('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'),
  kind('gateway.networking.k8s.io/v1beta1', 'ReferenceGrant', 'referencegrants', { gatewayApi: true }),
  kind('gateway.networking.k8s.io/v1', 'HTTPRoute', 'httproutes', { gatewayApi: true, readsStatus: true }),
];

/**
 * The objects whose content the operator may cache: those labelled as its own. Anyone may set the
 * label, so it only narrows what is listed; what is kept is decided by ownership (child-projection.ts).
 */
export const CHILD_LABEL_SELECTOR = `${LABEL_KEYS.managedBy}=${MANAGED_BY}`;

/**
 * Objects per list page of the labelled caches. A page is parsed whole before any of it is cut down,
 * and an object may be as large as etcd allows (1.5 MiB): 10 bound one page to about 15 MiB of JSON,
 * where 500 (the default) let one tenant's labelled ConfigMaps exhaust the operator's heap at
 * start-up. Watch events come one object at a time.
 */
export const CONTENT_PAGE_SIZE = 10;

/** Objects per list page of the identity caches: metadata only, at most 256 KiB of annotations each. */
export const IDENTITY_PAGE_SIZE = 100;
