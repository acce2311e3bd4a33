// Every API permission the operator uses, and nothing else: the one source of the operator's RBAC.
// `npm run generate` (hack/generate-rbac.ts) writes the Helm chart's rules (templates/_rbac.tpl) and
// the kustomize roles (config/rbac/) from it, and a test fails when those files are stale; the
// chart's rendered RBAC is checked against it in every mode (test/unit/install/rbac.test.ts), and the
// operator is run impersonating the chart's ServiceAccount (a missing rule fails the reconcile suite).
//
// Why each verb: caches are filled by list+watch; children are created (create, never an apply that
// could take over an existing object), patched by server-side apply, and pruned by delete; get reads
// the one child whose managedFields a create left to upgrade before a patch (child-writer.ts): it
// reads nothing list does not already; the Agent's finalizer is a JSON patch and its status a
// server-side apply on the status subresource; Events are created; the Lease is read, created and
// renewed by update. Children's ownerReferences set blockOwnerDeletion, which clusters with the
// OwnerReferencesPermissionEnforcement admission plugin (OpenShift, hardened clusters) allow only to
// whoever may update the owner's finalizers: hence agents/finalizers update, used by no request of
// its own (test/integration/rbac-cluster-wide.test.ts runs with that plugin on).
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const CHILD_WRITE_VERBS = ['get', 'list', 'watch', 'create', 'patch', 'delete'];

/** Rules in every namespace the operator watches (a ClusterRole, or one Role per namespace). */
export const WATCHED_NAMESPACE_RULES: readonly PolicyRule[] = [
  { apiGroups: ['agentry.dev'], resources: ['agents'], verbs: ['list', 'watch', 'patch'] },
  { apiGroups: ['agentry.dev'], resources: ['agents/status'], verbs: ['patch'] },
  { apiGroups: ['agentry.dev'], resources: ['agents/finalizers'], verbs: ['update'] },
  { apiGroups: ['agentry.dev'], resources: ['modelconfigs'], verbs: ['list', 'watch'] },
  { apiGroups: ['agentry.dev'], resources: ['remoteagents'], verbs: ['list', 'watch', 'patch'] },
  { apiGroups: ['agentry.dev'], resources: ['remoteagents/status'], verbs: ['patch'] },
  { apiGroups: ['agentry.dev'], resources: ['remoteagents/finalizers'], verbs: ['update'] },
  { apiGroups: [''], resources: ['configmaps', 'serviceaccounts', 'services'], verbs: CHILD_WRITE_VERBS },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: CHILD_WRITE_VERBS },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: CHILD_WRITE_VERBS },
  { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes', 'referencegrants'], verbs: CHILD_WRITE_VERBS },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
];

/**
 * Rules in the routes namespace (gateway.routeNamespace, HTTPRoutes beside the gateway) when it is
 * not a watched namespace: the operator keeps only its HTTPRoutes there, so it gets nothing else.
 */
export const ROUTE_NAMESPACE_RULES: readonly PolicyRule[] = [
  { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes'], verbs: CHILD_WRITE_VERBS },
];

/**
 * Rules in every watched namespace, only with pods.secretReferences.requiredLabel in the operator
 * config: Secrets listed and watched as metadata only (the operator asks for PartialObjectMetadata,
 * so no value is sent to it), to read the label. RBAC cannot grant metadata alone: with these the
 * ServiceAccount could list values, which is why they are granted only when the setting asks.
 */
export const SECRET_METADATA_RULES: readonly PolicyRule[] = [{ apiGroups: [''], resources: ['secrets'], verbs: ['list', 'watch'] }];

/**
 * Rules in every watched namespace, only with remoteAgents.headersFromSecrets in the operator config:
 * the Secrets a RemoteAgent's spec.headersFrom names are read (one GET each, at fetch time, never
 * cached or watched) to send their values with the card request. RBAC cannot narrow `get` to the
 * Secrets a RemoteAgent names, so with this the ServiceAccount may read any Secret of those
 * namespaces: which is why it is granted only when the setting asks.
 */
export const REMOTE_AGENT_SECRET_RULES: readonly PolicyRule[] = [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }];

/** Rules in the operator's own namespace, for leader election. */
export const LEADER_ELECTION_RULES: readonly PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
];

/**
 * ClusterRoles for the people who use Agents, not for the operator: kube-controller-manager
 * aggregates them into the built-in ClusterRoles named by `aggregateTo`, so whoever holds those in
 * a namespace may use Agents there with no Role of their own. Every Agentry resource; the status
 * and finalizers subresources are the operator's to write, so edit has neither and view reads status.
 */
export interface UserRole {
  /** Appended to the role's name: `<name>-edit`. */
  suffix: string;
  /** Built-in ClusterRoles it is aggregated into (`rbac.authorization.k8s.io/aggregate-to-<x>`). */
  aggregateTo: readonly string[];
  /** What its holders may do, for the generated files' comments. */
  grants: string;
  rules: readonly PolicyRule[];
}

export const USER_ROLES: readonly UserRole[] = [
  {
    suffix: 'edit',
    aggregateTo: ['admin', 'edit'],
    grants: 'manage Agents, ModelConfigs and RemoteAgents there, but not their status (the operator writes it)',
    rules: [{ apiGroups: ['agentry.dev'], resources: ['agents', 'modelconfigs', 'remoteagents'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] }],
  },
  {
    suffix: 'view',
    aggregateTo: ['view'],
    grants: 'read Agents, ModelConfigs and RemoteAgents there, status included',
    rules: [{ apiGroups: ['agentry.dev'], resources: ['agents', 'agents/status', 'modelconfigs', 'modelconfigs/status', 'remoteagents', 'remoteagents/status'], verbs: ['get', 'list', 'watch'] }],
  },
];
