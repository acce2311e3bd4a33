// The RBAC the chart and the kustomize base grant is exactly src/operator/rbac-requirements.ts:
// a verb or resource the operator does not use fails here, and so does one it uses but is not
// granted (the reconcile suite would then fail on a real API server).
import { beforeAll, describe, expect, it } from '@jest/globals';

import type { KubeObject } from '../../../src/kube/kube-object.js';
import { LEADER_ELECTION_RULES, WATCHED_NAMESPACE_RULES } from '../../../src/operator/rbac-requirements.js';
import { helmBinary, helmTemplate, type TemplateOptions } from './support/helm.js';
import { kustomizeBinary, kustomizeBuild } from './support/kustomize.js';
import { objectName } from './support/manifests.js';
import { isRbacKind, permissions, requiredPermissions, rulesOf } from './support/rbac-rules.js';

const WATCHED = requiredPermissions(WATCHED_NAMESPACE_RULES);
const LEADER = requiredPermissions(LEADER_ELECTION_RULES);

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
 * nothing binds, and on RBAC kinds the chart has no business creating.
 */
function grants(objects: readonly KubeObject[], serviceAccount: { name: string; namespace: string }): Grant[] {
  const rbac = objects.filter(isRbacKind);
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

  it('is one Role per watched namespace, plus the routes namespace, with watchNamespaces (namespaced.yaml)', async () => {
    expect(grants(await helm({ values: ['namespaced.yaml'] }), SA)).toEqual([
      { scope: 'agentgateway-system', role: 'Role', permissions: WATCHED },
      { scope: 'agentry-system', role: 'Role', permissions: LEADER },
      { scope: 'team-a', role: 'Role', permissions: WATCHED },
      { scope: 'team-b', role: 'Role', permissions: WATCHED },
    ]);
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

  it('binds an existing ServiceAccount when asked to, and renders no RBAC with rbac.create=false', async () => {
    const objects = await helm({ setJson: { 'serviceAccount.create': false, 'serviceAccount.name': 'platform-operator' } });
    expect(objects.some((o) => o.kind === 'ServiceAccount')).toBe(false);
    expect(grants(objects, { name: 'platform-operator', namespace: 'agentry-system' })).toHaveLength(2);
    expect((await helm({ setJson: { 'rbac.create': false } })).filter(isRbacKind)).toEqual([]);
  });

  it.each(['defaults.yaml', 'gateway.yaml', 'ha.yaml', 'servicemonitor.yaml'])('is the same for every other values file (%s)', async (file) => {
    const objects = await helm({ values: [file], apiVersions: ['monitoring.coreos.com/v1/ServiceMonitor'] });
    expect(grants(objects, SA).map((g) => g.permissions)).toEqual([LEADER, WATCHED]);
  });
});

describe('the kustomize RBAC', () => {
  it('is a ClusterRole with exactly the watched-namespace rules, and a Lease Role in agentry-system', async () => {
    expect(grants(await kustomizeBuild('config/default'), SA)).toEqual([
      { scope: 'agentry-system', role: 'Role', permissions: LEADER },
      { scope: 'cluster', role: 'ClusterRole', permissions: WATCHED },
    ]);
  });
});
