// The RBAC the chart and the kustomize base grant the operator is exactly
// src/operator/rbac-requirements.ts: a verb or resource the operator does not use fails here, and so
// does one it uses but is not granted (the reconcile suite would then fail on a real API server).
// The rules are generated from that file (rbac-generated.test.ts checks they are not stale); this
// checks what the chart's knobs render from them: scopes, bindings, namespaces.
// Apart from it, the ClusterRoles for the people who use Agents (<fullname>-edit and -view,
// aggregated into the built-in admin, edit and view) have exactly the rules and labels below, and
// nothing binds them: they reach users through the built-in roles only.
import { beforeAll, describe, expect, it } from '@jest/globals';

import { customResourceDefinitions } from '../../../src/api/custom-resource-definitions.js';
import { API_GROUP } from '../../../src/api/group-version.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { LEADER_ELECTION_RULES, REMOTE_AGENT_SECRET_RULES, ROUTE_NAMESPACE_RULES, SECRET_METADATA_RULES, WATCHED_NAMESPACE_RULES } from '../../../src/operator/rbac-requirements.js';
import { helmBinary, helmTemplate, type TemplateOptions } from './support/helm.js';
import { kustomizeBinary, kustomizeBuild } from './support/kustomize.js';
import { objectName } from './support/manifests.js';
import { isRbacKind, isUserRole, permissions, requiredPermissions, rulesOf, userRoles, type UserRole } from './support/rbac-rules.js';

const WATCHED = requiredPermissions(WATCHED_NAMESPACE_RULES);
const LEADER = requiredPermissions(LEADER_ELECTION_RULES);
const ROUTES = requiredPermissions(ROUTE_NAMESPACE_RULES);

// Every Agentry resource, and the status of those that have the subresource (read-only).
const CRDS = customResourceDefinitions();
const RESOURCES = CRDS.map((c) => c.spec.names.plural);
const STATUS = CRDS.filter((c) => c.spec.versions.some((v) => v.subresources.status !== undefined)).map((c) => `${c.spec.names.plural}/status`);
/** Everything on the resources themselves; nothing on status or finalizers, which are the operator's. */
const USER_EDIT = permissions([
  { apiGroups: [API_GROUP], resources: RESOURCES, verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] },
]);
const USER_VIEW = permissions([{ apiGroups: [API_GROUP], resources: [...RESOURCES, ...STATUS], verbs: ['get', 'list', 'watch'] }]);

function expectedUserRoles(fullname: string): UserRole[] {
  return [
    {
      name: `${fullname}-edit`,
      aggregateTo: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true', 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' },
      permissions: USER_EDIT,
    },
    { name: `${fullname}-view`, aggregateTo: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }, permissions: USER_VIEW },
  ];
}

interface Binding {
  roleRef: { apiGroup: string; kind: string; name: string };
  subjects: { kind: string; name: string; namespace?: string }[];
}

interface Grant {
  /** `cluster` for a ClusterRole bound cluster-wide, else the namespace of the Role. */
  scope: string;
  role: string;
  permissions: string[];
}

/**
 * What the ServiceAccount ends up allowed to do: every binding of it, resolved to the rendered role
 * it names. Fails on a binding to a role that is not rendered (it could grant anything), on a role
 * nothing binds, and on RBAC kinds the chart has no business creating. The user-facing ClusterRoles
 * (isUserRole) are not the operator's: left out, so a binding of one fails too.
 */
function grants(objects: readonly KubeObject[], serviceAccount: { name: string; namespace: string }): Grant[] {
  const rbac = objects.filter((o) => isRbacKind(o) && !isUserRole(o));
  const roles = rbac.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole');
  const bindings = rbac.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding');
  const other = rbac.filter((o) => !roles.includes(o) && !bindings.includes(o));
  expect(other.map(objectName)).toEqual([]);
  const used = new Set<KubeObject>();
  const out: Grant[] = [];
  for (const b of bindings) {
    const { roleRef, subjects } = b as KubeObject & Binding;
    expect({ binding: objectName(b), subjects }).toEqual({
      binding: objectName(b),
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount.name, namespace: serviceAccount.namespace }],
    });
    const role = roles.find(
      (r) => r.kind === roleRef.kind && r.metadata.name === roleRef.name && (r.kind === 'ClusterRole' || r.metadata.namespace === b.metadata.namespace),
    );
    if (!role) throw new Error(`${objectName(b)} binds ${roleRef.kind} ${roleRef.name}, which is not rendered`);
    used.add(role);
    out.push({ scope: b.kind === 'ClusterRoleBinding' ? 'cluster' : (b.metadata.namespace ?? ''), role: role.kind, permissions: permissions(rulesOf(role)) });
  }
  expect(roles.filter((r) => !used.has(r)).map(objectName)).toEqual([]);
  const key = (g: Grant) => `${g.scope} ${g.permissions.join(',')}`;
  return out.sort((a, b) => key(a).localeCompare(key(b)));
}

const helm = (options: TemplateOptions) => helmTemplate({ release: 'agentry', namespace: 'agentry-system', ...options });
const SA = { name: 'agentry', namespace: 'agentry-system' };

// The first use builds helm and kustomize from their Go modules, outside any test's time limit.
beforeAll(async () => {
  await Promise.all([helmBinary(), kustomizeBinary()]);
}, 600_000);

describe('the Helm chart RBAC', () => {
  it('is a ClusterRole with exactly the watched-namespace rules, and a Lease Role, by default', async () => {
    expect(grants(await helm({}), SA)).toEqual([
      { scope: 'agentry-system', role: 'Role', permissions: LEADER },
      { scope: 'cluster', role: 'ClusterRole', permissions: WATCHED },
    ]);
  });

  it('is one Role per watched namespace, and HTTPRoutes only in the routes namespace, with watchNamespaces (namespaced.yaml)', async () => {
    expect(grants(await helm({ values: ['namespaced.yaml'] }), SA)).toEqual([
      { scope: 'agentgateway-system', role: 'Role', permissions: ROUTES },
      { scope: 'agentry-system', role: 'Role', permissions: LEADER },
      { scope: 'team-a', role: 'Role', permissions: WATCHED },
      { scope: 'team-b', role: 'Role', permissions: WATCHED },
    ]);
  });

  it("adds list and watch on Secrets (read as metadata) only with config.pods.secretReferences.requiredLabel, cluster-wide and per namespace", async () => {
    const required = { 'config.pods.secretReferences.requiredLabel': { key: 'agentry.dev/readable', value: 'true' } };
    const withSecrets = requiredPermissions([...WATCHED_NAMESPACE_RULES, ...SECRET_METADATA_RULES]);
    expect(grants(await helm({ setJson: required }), SA)).toEqual([
      { scope: 'agentry-system', role: 'Role', permissions: LEADER },
      { scope: 'cluster', role: 'ClusterRole', permissions: withSecrets },
    ]);
    const namespaced = grants(await helm({ values: ['namespaced.yaml'], setJson: required }), SA);
    expect(namespaced.filter((g) => g.scope.startsWith('team-')).map((g) => g.permissions)).toEqual([withSecrets, withSecrets]);
    expect(WATCHED.filter((p) => p.includes('secrets'))).toEqual([]);
  });

  it('adds get on Secrets only with config.remoteAgents.headersFromSecrets, cluster-wide and per namespace', async () => {
    const readSecrets = { 'config.remoteAgents.headersFromSecrets': true };
    const withSecrets = requiredPermissions([...WATCHED_NAMESPACE_RULES, ...REMOTE_AGENT_SECRET_RULES]);
    expect(grants(await helm({ setJson: readSecrets }), SA)).toEqual([
      { scope: 'agentry-system', role: 'Role', permissions: LEADER },
      { scope: 'cluster', role: 'ClusterRole', permissions: withSecrets },
    ]);
    const namespaced = grants(await helm({ values: ['namespaced.yaml'], setJson: readSecrets }), SA);
    expect(namespaced.filter((g) => g.scope.startsWith('team-')).map((g) => g.permissions)).toEqual([withSecrets, withSecrets]);
  });

  it('does not repeat a namespace that is both watched and the routes namespace', async () => {
    const objects = await helm({ setJson: { 'config.watchNamespaces': ['team-a', 'agentry-system'], 'config.gateway.routeNamespace': 'team-a' } });
    expect(grants(objects, SA)).toEqual([
      { scope: 'agentry-system', role: 'Role', permissions: WATCHED },
      { scope: 'agentry-system', role: 'Role', permissions: LEADER },
      { scope: 'team-a', role: 'Role', permissions: WATCHED },
    ]);
  });

  it('puts the Lease Role where the Lease is (leaderElection.leaseNamespace)', async () => {
    const objects = await helm({ values: ['ha.yaml'], setJson: { 'config.leaderElection.leaseNamespace': 'leases' } });
    expect(grants(objects, SA)).toEqual([
      { scope: 'cluster', role: 'ClusterRole', permissions: WATCHED },
      { scope: 'leases', role: 'Role', permissions: LEADER },
    ]);
  });

  it('grants nothing for leases without leader election', async () => {
    expect(grants(await helm({ setJson: { 'config.leaderElection.enabled': false } }), SA)).toEqual([
      { scope: 'cluster', role: 'ClusterRole', permissions: WATCHED },
    ]);
  });

  it('binds an existing ServiceAccount when asked to, and renders none of the operator RBAC with rbac.create=false', async () => {
    const objects = await helm({ setJson: { 'serviceAccount.create': false, 'serviceAccount.name': 'platform-operator' } });
    expect(objects.some((o) => o.kind === 'ServiceAccount')).toBe(false);
    expect(grants(objects, { name: 'platform-operator', namespace: 'agentry-system' })).toHaveLength(2);
    // rbac.create is about the operator's own RBAC: the user-facing roles stay.
    const withoutRbac = await helm({ setJson: { 'rbac.create': false } });
    expect(withoutRbac.filter((o) => isRbacKind(o) && !isUserRole(o))).toEqual([]);
    expect(userRoles(withoutRbac)).toEqual(expectedUserRoles('agentry'));
    expect((await helm({ setJson: { 'rbac.create': false, 'rbac.aggregateToDefaultRoles': false } })).filter(isRbacKind)).toEqual([]);
  });

  it.each(['defaults.yaml', 'gateway.yaml', 'ha.yaml', 'servicemonitor.yaml'])('is the same for every other values file (%s)', async (file) => {
    const objects = await helm({ values: [file], apiVersions: ['monitoring.coreos.com/v1/ServiceMonitor'] });
    expect(grants(objects, SA).map((g) => g.permissions)).toEqual([LEADER, WATCHED]);
    expect(userRoles(objects)).toEqual(expectedUserRoles('agentry'));
  });
});

describe('the Helm chart roles for the people who use Agents', () => {
  it('are <fullname>-edit (aggregated into admin and edit) and <fullname>-view (into view), with exactly these rules, by default', async () => {
    const objects = await helm({});
    expect(userRoles(objects)).toEqual(expectedUserRoles('agentry'));
    // Nothing but the rules: no aggregationRule of their own, no resourceNames, no other RBAC fields.
    for (const role of objects.filter(isUserRole)) expect(Object.keys(role).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'rules']);
    // The operator's own roles are not aggregated anywhere.
    expect(objects.filter((o) => isRbacKind(o) && !isUserRole(o) && Object.keys(o.metadata.labels ?? {}).some((l) => l.startsWith('rbac.'))).map(objectName)).toEqual([]);
  });

  it('grant users no write on the status or finalizers subresources', async () => {
    const [edit, view] = userRoles(await helm({}));
    expect(edit?.permissions.filter((p) => /\/(status|finalizers):/.test(p))).toEqual([]);
    expect(view?.permissions.filter((p) => p.includes('/finalizers') || !/:(get|list|watch)$/.test(p))).toEqual([]);
  });

  it('are named after the release, so that two releases do not share them', async () => {
    expect(userRoles(await helm({ release: 'shard-b' })).map((r) => r.name)).toEqual(['shard-b-agentry-edit', 'shard-b-agentry-view']);
    expect(userRoles(await helm({ setJson: { fullnameOverride: 'agents' } })).map((r) => r.name)).toEqual(['agents-edit', 'agents-view']);
  });

  it('are the same in namespaced mode (namespaced.yaml): the built-in roles reach users through their RoleBindings', async () => {
    expect(userRoles(await helm({ values: ['namespaced.yaml'] }))).toEqual(expectedUserRoles('agentry'));
  });

  it('are not rendered with rbac.aggregateToDefaultRoles=false, which leaves the operator RBAC as it is', async () => {
    const objects = await helm({ setJson: { 'rbac.aggregateToDefaultRoles': false } });
    expect(userRoles(objects)).toEqual([]);
    expect(grants(objects, SA)).toEqual(grants(await helm({}), SA));
  });
});

describe('the kustomize RBAC', () => {
  it('is a ClusterRole with exactly the watched-namespace rules, and a Lease Role in agentry-system', async () => {
    expect(grants(await kustomizeBuild('config/default'), SA)).toEqual([
      { scope: 'agentry-system', role: 'Role', permissions: LEADER },
      { scope: 'cluster', role: 'ClusterRole', permissions: WATCHED },
    ]);
  });

  it('has agentry-edit and agentry-view for the people who use Agents, as the Helm chart does by default', async () => {
    const [all, operator, chart] = await Promise.all([kustomizeBuild('config/default'), kustomizeBuild('config/operator'), helm({})]);
    expect(userRoles(all)).toEqual(expectedUserRoles('agentry'));
    expect(userRoles(operator)).toEqual(expectedUserRoles('agentry'));
    const rules = (objects: KubeObject[]) =>
      objects
        .filter(isUserRole)
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
        .map((r) => ({ name: r.metadata.name, rules: rulesOf(r) }));
    expect(rules(all)).toEqual(rules(chart));
  });
});
