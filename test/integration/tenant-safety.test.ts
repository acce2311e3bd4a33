// Tenant safety on a real control plane, as a platform team would try it before letting teams author
// Agents: the operator runs as the Helm chart's ServiceAccount (its RBAC as the chart renders it), a
// tenant holds only the chart's agentry-edit role in its namespace (impersonated), and the platform
// has objects of its own there and beside the gateway. An Agent named like one of them must not get
// it: the platform's object is not written at all (its resourceVersion does not move), no
// ownerReference is added, the Agent reports ChildConflict with a Warning Event, the Agent gets its
// children once the object goes away, and deleting the Agent loses nothing of the platform's. The
// fields Agentry sets for security are put back when removed, `false` included. All of it with the
// chart's fence installed (a ValidatingAdmissionPolicy on the operator's ServiceAccount), which
// refuses the operator's own writes outside it, whatever its RBAC would allow.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';

import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { applyChartFence, applyChartRbac, deleteChartRbac, ensureHelm, renderChart, waitForChartRbac, type ChartRender } from '../harness/chart-install.js';
import { connection, eventually, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { installAgentryCrds, startConfiguredOperator, type TestOperator } from '../harness/operator.js';
import { serviceAccountConnection } from '../harness/service-account-token.js';

const AGENT = 'agentry.dev/v1alpha1';
const GW = 'gateway.networking.k8s.io';
const TENANT = 'tenant-alice';

const kc = kubeConfig();
const admin = new KubeClient(connection());
const namespaces = new TestNamespaces(kc.makeApiClient(k8s.CoreV1Api));
const tenant = new KubeClient(connection(), { impersonate: { user: TENANT, groups: ['system:authenticated'] } });
let teamNs = '';
let gatewayNs = '';
let render: ChartRender | undefined;
let op: TestOperator | undefined;

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
interface AgentObject extends KubeObject {
  status?: { observedGeneration?: number; conditions?: Condition[] };
}

const condition = (a: AgentObject | undefined, type: string) => a?.status?.conditions?.find((c) => c.type === type);
const agentOf = (name: string) => admin.find<AgentObject>(AGENT, 'Agent', teamNs, name);
const agent = (name: string): KubeObject => ({
  apiVersion: AGENT,
  kind: 'Agent',
  metadata: { name, namespace: teamNs },
  spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/agent:1.2.0', port: 9000 }, a2aConfig: { skills: [{ id: 'answer', name: 'Answer' }] } },
});

/** What must not change about a platform object: everything, down to its resourceVersion (no write at all). */
async function snapshot(apiVersion: string, kind: string, namespace: string, name: string): Promise<KubeObject> {
  const obj = await admin.get(apiVersion, kind, namespace, name);
  const { managedFields: _managedFields, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

async function conflictEvent(name: string): Promise<string | undefined> {
  const events = await admin.list<KubeObject & { reason?: string; type?: string; message?: string; involvedObject?: { name?: string } }>('v1', 'Event', teamNs);
  return events.find((e) => e.involvedObject?.name === name && e.reason === 'ChildConflict' && e.type === 'Warning')?.message;
}

beforeAll(async () => {
  await installAgentryCrds();
  await ensureHelm();
  const operatorNs = await namespaces.create('agentry-system');
  teamNs = await namespaces.create('team');
  gatewayNs = await namespaces.create('gateway');
  const release = `agentry-${randomBytes(3).toString('hex')}`;
  render = await renderChart({
    release,
    namespace: operatorNs,
    setJson: {
      'config.watchNamespaces': [teamNs],
      'config.gateway.parentRefs': [{ name: 'agentgateway', namespace: gatewayNs }],
      'config.gateway.routeNamespace': gatewayNs,
      // Only Secrets labelled for Agents may be referenced: the chart grants Secrets' metadata.
      'config.pods.secretReferences.requiredLabel': { key: 'agentry.dev/agent-readable', value: 'true' },
    },
  });
  await applyChartRbac(admin, render);
  await waitForChartRbac(admin, render);
  // The chart's fence too: every test below runs the operator inside it.
  await applyChartFence(admin, render, teamNs);
  // The tenant: the chart's agentry-edit role in its namespace, nothing else.
  const editRole = render.rbac.find((o) => o.kind === 'ClusterRole' && o.metadata.name.endsWith('-edit'));
  if (!editRole) throw new Error('the chart rendered no agentry-edit ClusterRole');
  await admin.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'tenant-agentry-edit', namespace: teamNs },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: editRole.metadata.name },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: TENANT }],
  });
  await eventually(async () => (await tenant.list(AGENT, 'Agent', teamNs)) !== undefined, 20_000, 200);
  // What the chart's Deployment sets from the downward API: the Lease lives in the release namespace.
  process.env.POD_NAMESPACE = operatorNs;
  const saConnection = await serviceAccountConnection(admin, render.serviceAccount);
  op = await startConfiguredOperator({ config: render.config, connection: saConnection, logger: pino({ level: process.env.AGENTRY_TEST_LOG_LEVEL ?? 'silent' }), leadingTimeoutMs: 60_000 });
}, 600_000);

afterAll(async () => {
  await op?.stop();
  delete process.env.POD_NAMESPACE;
  if (render) await deleteChartRbac(admin, render);
  await namespaces.deleteAll();
  tenant.close();
  admin.close();
}, 120_000);

describe('an Agent named like an object Agentry did not create', () => {
  /** The platform's objects, by the Agent name that would collide with them. */
  const platform = (): Record<string, KubeObject> => ({
    'default-deny': {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: teamNs },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    postgres: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'postgres', namespace: teamNs, labels: { app: 'postgres' } },
      spec: { selector: { app: 'postgres' }, ports: [{ name: 'pg', port: 5432 }] },
    },
    'ci-deployer': {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'ci-deployer', namespace: teamNs, annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/ci' } },
    },
    // Labelled as if Agentry made it: labels never make an object the Agent's.
    settings: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: teamNs, labels: { 'app.kubernetes.io/managed-by': 'agentry', 'agentry.dev/agent': 'settings' } },
      data: { 'database-url': 'postgres://postgres:5432/prod' },
    },
  });

  it('writes nothing over a NetworkPolicy, Service, ServiceAccount or ConfigMap, and reports ChildConflict', async () => {
    const objects = platform();
    for (const obj of Object.values(objects)) await admin.create(obj);
    const before = new Map<string, KubeObject>();
    for (const [name, obj] of Object.entries(objects)) before.set(name, await snapshot(obj.apiVersion, obj.kind, teamNs, obj.metadata.name));

    for (const name of Object.keys(objects)) await tenant.create(agent(name));
    for (const [name, obj] of Object.entries(objects)) {
      const refused = await eventually(async () => {
        const a = await agentOf(name);
        return condition(a, 'Accepted')?.reason === 'ChildConflict' ? a : undefined;
      }, 60_000);
      expect(condition(refused, 'Accepted')).toMatchObject({ status: 'False', message: expect.stringContaining(`${obj.kind} ${teamNs}/${name} already exists and is not this Agent's`) });
      expect(condition(refused, 'Ready')?.status).toBe('False');
      expect(await eventually(() => conflictEvent(name))).toContain(`${obj.kind} ${teamNs}/${name}`);
    }
    // Not one write: the platform's objects are exactly as they were, with no ownerReference added,
    // and none of the conflicting Agents got any child at all (no pod runs as ci-deployer, none
    // mounts the platform's ConfigMap, none is selected by the platform's Service).
    for (const [name, obj] of Object.entries(objects)) {
      const after = await snapshot(obj.apiVersion, obj.kind, teamNs, obj.metadata.name);
      expect(after).toEqual(before.get(name));
      expect(after.metadata.ownerReferences).toBeUndefined();
      expect(await admin.find('apps/v1', 'Deployment', teamNs, name)).toBeUndefined();
    }

    // The Agents are deleted by the tenant: the platform loses nothing.
    for (const name of Object.keys(objects)) await tenant.delete({ apiVersion: AGENT, kind: 'Agent', metadata: { name, namespace: teamNs } });
    await eventually(async () => (await Promise.all(Object.keys(objects).map(agentOf))).every((a) => a === undefined), 60_000);
    for (const [name, obj] of Object.entries(objects)) expect(await snapshot(obj.apiVersion, obj.kind, teamNs, obj.metadata.name)).toEqual(before.get(name));
  }, 240_000);

  it('gets its children once the object in the way is gone', async () => {
    await admin.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later', namespace: teamNs }, data: { a: '1' } });
    await tenant.create(agent('later'));
    await eventually(async () => condition(await agentOf('later'), 'Accepted')?.reason === 'ChildConflict', 60_000);
    await admin.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later', namespace: teamNs } });
    await eventually(async () => condition(await agentOf('later'), 'Accepted')?.status === 'True', 60_000);
    const ours = await eventually(() => admin.find('v1', 'ConfigMap', teamNs, 'later'));
    const uid = (await agentOf('later'))?.metadata.uid;
    expect(ours.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Agent', name: 'later', uid, controller: true })]);
    await eventually(() => admin.find('apps/v1', 'Deployment', teamNs, 'later'));
  }, 180_000);

  it('leaves a ReferenceGrant and an HTTPRoute beside the gateway alone, and runs without a route', async () => {
    // A grant in the team namespace named like an Agent's, and a route beside the gateway named like another's.
    const grant: KubeObject = {
      apiVersion: `${GW}/v1beta1`,
      kind: 'ReferenceGrant',
      metadata: { name: 'billing', namespace: teamNs },
      spec: { from: [{ group: GW, kind: 'HTTPRoute', namespace: gatewayNs }], to: [{ group: '', kind: 'Service' }] },
    };
    const route: KubeObject = {
      apiVersion: `${GW}/v1`,
      kind: 'HTTPRoute',
      metadata: { name: `web.${teamNs}`, namespace: gatewayNs, labels: { 'app.kubernetes.io/managed-by': 'agentry', 'agentry.dev/agent': 'web', 'agentry.dev/agent-namespace': teamNs } },
      spec: { parentRefs: [{ name: 'agentgateway' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/platform' } }], backendRefs: [{ name: 'platform-api', port: 80 }] }] },
    };
    await admin.create(grant);
    await admin.create(route);
    const grantBefore = await snapshot(grant.apiVersion, grant.kind, teamNs, 'billing');
    const routeBefore = await snapshot(route.apiVersion, route.kind, gatewayNs, route.metadata.name);

    await tenant.create(agent('billing'));
    await tenant.create(agent('web'));
    for (const [name, kind, ns, object] of [['billing', 'ReferenceGrant', teamNs, 'billing'], ['web', 'HTTPRoute', gatewayNs, `web.${teamNs}`]] as const) {
      const a = await eventually(async () => {
        const found = await agentOf(name);
        return condition(found, 'Routed')?.reason === 'ChildConflict' ? found : undefined;
      }, 60_000);
      expect(condition(a, 'Routed')).toMatchObject({ status: 'False', message: expect.stringContaining(`${kind} ${ns}/${object} already exists`) });
      // Only the route is lost: the agent itself runs.
      expect(condition(a, 'Accepted')?.status).toBe('True');
      await eventually(() => admin.find('apps/v1', 'Deployment', teamNs, name), 30_000);
      expect(await eventually(() => conflictEvent(name))).toContain(kind);
    }
    // No route for billing (its grant is not its own), no grant for web (its route is not its own).
    expect(await admin.find(`${GW}/v1`, 'HTTPRoute', gatewayNs, `billing.${teamNs}`)).toBeUndefined();
    expect(await admin.find(`${GW}/v1beta1`, 'ReferenceGrant', teamNs, 'web')).toBeUndefined();
    expect(await snapshot(grant.apiVersion, grant.kind, teamNs, 'billing')).toEqual(grantBefore);
    expect(await snapshot(route.apiVersion, route.kind, gatewayNs, route.metadata.name)).toEqual(routeBefore);

    for (const name of ['billing', 'web']) await tenant.delete({ apiVersion: AGENT, kind: 'Agent', metadata: { name, namespace: teamNs } });
    // The finalizer cleans up what is the Agent's beside the gateway, and only that.
    await eventually(async () => (await agentOf('billing')) === undefined && (await agentOf('web')) === undefined, 60_000);
    expect(await snapshot(grant.apiVersion, grant.kind, teamNs, 'billing')).toEqual(grantBefore);
    expect(await snapshot(route.apiVersion, route.kind, gatewayNs, route.metadata.name)).toEqual(routeBefore);
  }, 240_000);
});

describe("a platform's route on the same Gateway", () => {
  it('keeps its paths: an Agent at or below them gets no route (PathConflict), and gets it once the route is gone', async () => {
    const platformRoute: KubeObject = {
      apiVersion: `${GW}/v1`,
      kind: 'HTTPRoute',
      metadata: { name: 'platform-docs', namespace: gatewayNs },
      spec: { parentRefs: [{ name: 'agentgateway' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: `/agents/${teamNs}/docs` } }], backendRefs: [{ name: 'docs', port: 80 }] }] },
    };
    await admin.create(platformRoute);
    const before = await snapshot(platformRoute.apiVersion, platformRoute.kind, gatewayNs, 'platform-docs');
    await tenant.create(agent('docs'));
    const beaten = await eventually(async () => {
      const a = await agentOf('docs');
      return condition(a, 'Routed')?.reason === 'PathConflict' ? a : undefined;
    }, 60_000);
    expect(condition(beaten, 'Routed')?.message).toBe(`path /agents/${teamNs}/docs is served by the HTTPRoute ${gatewayNs}/platform-docs on the same Gateway, which Agentry does not own: an Agent may not take part of a platform route's traffic`);
    expect(await admin.find(`${GW}/v1`, 'HTTPRoute', gatewayNs, `docs.${teamNs}`)).toBeUndefined();
    expect(await snapshot(platformRoute.apiVersion, platformRoute.kind, gatewayNs, 'platform-docs')).toEqual(before);
    await admin.delete(platformRoute);
    await eventually(() => admin.find(`${GW}/v1`, 'HTTPRoute', gatewayNs, `docs.${teamNs}`), 60_000);
  }, 120_000);
});

describe("the admin's guardrails on pod fields", () => {
  it('refuse a ServiceAccount, root, a toleration and an unlabelled Secret, naming the field, and follow the Secret label', async () => {
    const withDeployment = (name: string, deployment: Record<string, unknown>): KubeObject => {
      const a = agent(name);
      return { ...a, spec: { ...(a.spec as Record<string, unknown>), deployment } };
    };
    const refusals: [string, Record<string, unknown>, string][] = [
      ['as-ci', { serviceAccountName: 'ci-deployer' }, 'spec.deployment.serviceAccountName: "ci-deployer" is not a ServiceAccount Agents may run as'],
      ['as-root', { securityContext: { runAsNonRoot: false } }, 'spec.deployment.securityContext.runAsNonRoot: false is not allowed'],
      ['on-gpus', { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] }, 'spec.deployment.tolerations[0]: a toleration of the taint "nvidia.com/gpu"'],
      ['reads-db', { env: [{ name: 'DB', valueFrom: { secretKeyRef: { name: 'db-password', key: 'password' } } }] }, 'spec.deployment.env[0].valueFrom.secretKeyRef: the Secret "db-password" does not carry the label agentry.dev/agent-readable=true'],
    ];
    await admin.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-password', namespace: teamNs }, stringData: { password: 'hunter2' } });
    for (const [name, deployment] of refusals) await tenant.create(withDeployment(name, deployment));
    for (const [name, , message] of refusals) {
      const a = await eventually(async () => {
        const found = await agentOf(name);
        return condition(found, 'Accepted')?.reason === 'InvalidDeployment' ? found : undefined;
      }, 60_000);
      expect(condition(a, 'Accepted')?.message).toContain(message);
      expect(await admin.find('apps/v1', 'Deployment', teamNs, name)).toBeUndefined();
    }
    // The platform labels the Secret for Agents: the Agent that references it is reconciled again.
    await admin.patch({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-password', namespace: teamNs } }, { metadata: { labels: { 'agentry.dev/agent-readable': 'true' } } }, 'merge');
    await eventually(async () => condition(await agentOf('reads-db'), 'Accepted')?.status === 'True', 60_000);
    await eventually(() => admin.find('apps/v1', 'Deployment', teamNs, 'reads-db'), 30_000);
  }, 180_000);
});

describe('an Agent larger than the operator caches', () => {
  it('is refused with its size, and gets no children', async () => {
    // 64 skills of 4 KiB each: every field within the schema, the whole over the 256 KiB bound.
    const skills = Array.from({ length: 64 }, (_, i) => ({ id: `skill-${i}`, name: `Skill ${i}`, description: 'd'.repeat(4096) }));
    const big = agent('oversized');
    await tenant.create({ ...big, spec: { ...(big.spec as Record<string, unknown>), a2aConfig: { skills } } });
    const refused = await eventually(async () => {
      const a = await agentOf('oversized');
      return condition(a, 'Accepted')?.reason === 'InvalidSpec' ? a : undefined;
    }, 60_000);
    expect(condition(refused, 'Accepted')?.message).toMatch(/^the Agent is \d+ KiB \(its metadata and spec as JSON\); the operator accepts at most 256 KiB$/);
    expect(await admin.find('v1', 'ConfigMap', teamNs, 'oversized')).toBeUndefined();
  }, 120_000);
});

describe('the fields Agentry sets for security', () => {
  interface PodSpec {
    automountServiceAccountToken?: boolean;
    securityContext?: Record<string, unknown>;
    containers: { name: string; securityContext?: Record<string, unknown> }[];
  }
  const deployment = async () => (await admin.get<KubeObject & { spec: { template: { spec: PodSpec } } }>('apps/v1', 'Deployment', teamNs, 'guarded')).spec.template.spec;
  const patch = (apiVersion: string, kind: string, ops: unknown[]) => admin.patch({ apiVersion, kind, metadata: { name: 'guarded', namespace: teamNs } }, ops, 'json', { fieldManager: 'kubectl-patch' });

  it('are put back when removed or widened, false included', async () => {
    await tenant.create(agent('guarded'));
    await eventually(async () => condition(await agentOf('guarded'), 'Accepted')?.status === 'True', 60_000);
    await eventually(() => admin.find('networking.k8s.io/v1', 'NetworkPolicy', teamNs, 'guarded'), 30_000);
    const pod = await eventually(async () => (await admin.find('apps/v1', 'Deployment', teamNs, 'guarded')) && deployment(), 30_000);
    const original = structuredClone(pod);
    expect(original.automountServiceAccountToken).toBe(false);
    expect(original.containers[0]?.securityContext?.allowPrivilegeEscalation).toBe(false);

    const cases: [string, string, string, unknown[], () => Promise<boolean>][] = [
      ['allowPrivilegeEscalation: false removed', 'apps/v1', 'Deployment', [{ op: 'remove', path: '/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation' }], async () => (await deployment()).containers[0]?.securityContext?.allowPrivilegeEscalation === false],
      ['automountServiceAccountToken: false removed from the pod', 'apps/v1', 'Deployment', [{ op: 'remove', path: '/spec/template/spec/automountServiceAccountToken' }], async () => (await deployment()).automountServiceAccountToken === false],
      ['the pod runAsNonRoot removed', 'apps/v1', 'Deployment', [{ op: 'remove', path: '/spec/template/spec/securityContext/runAsNonRoot' }], async () => (await deployment()).securityContext?.runAsNonRoot === true],
      [
        'a capability added to the container',
        'apps/v1',
        'Deployment',
        [{ op: 'add', path: '/spec/template/spec/containers/0/securityContext/capabilities/add', value: ['NET_ADMIN'] }],
        async () => JSON.stringify((await deployment()).containers[0]?.securityContext?.capabilities) === JSON.stringify({ drop: ['ALL'] }),
      ],
      [
        'automountServiceAccountToken: false removed from the ServiceAccount',
        'v1',
        'ServiceAccount',
        [{ op: 'remove', path: '/automountServiceAccountToken' }],
        async () => (await admin.get<KubeObject & { automountServiceAccountToken?: boolean }>('v1', 'ServiceAccount', teamNs, 'guarded')).automountServiceAccountToken === false,
      ],
    ];
    const policy = async () => (await admin.get<KubeObject & { spec: { ingress?: unknown[]; egress?: unknown[] } }>('networking.k8s.io/v1', 'NetworkPolicy', teamNs, 'guarded')).spec;
    const rules = structuredClone(await policy());
    cases.push(
      ['the NetworkPolicy egress rules removed', 'networking.k8s.io/v1', 'NetworkPolicy', [{ op: 'remove', path: '/spec/egress' }], async () => JSON.stringify((await policy()).egress) === JSON.stringify(rules.egress)],
      ['an allow-all ingress rule added to the NetworkPolicy', 'networking.k8s.io/v1', 'NetworkPolicy', [{ op: 'add', path: '/spec/ingress/-', value: {} }], async () => JSON.stringify((await policy()).ingress) === JSON.stringify(rules.ingress)],
    );
    for (const [what, apiVersion, kind, ops, restored] of cases) {
      const started = Date.now();
      await patch(apiVersion, kind, ops);
      try {
        await eventually(restored, 20_000, 50);
      } catch (err) {
        throw new Error(`${what}: not put back`, { cause: err });
      }
      process.stderr.write(`${what}: put back in ${Date.now() - started} ms\n`);
    }
    expect(await deployment()).toEqual(original);
  }, 240_000);
});

describe("the operator's fence", () => {
  it('refuses its ServiceAccount any write outside it, even where RBAC allows it', async () => {
    if (!render) throw new Error('no chart');
    const sa = render.serviceAccount;
    const operatorNs = sa.namespace;
    // RBAC that would let the operator's ServiceAccount write ConfigMaps in kube-system and in its
    // own namespace: the fence must refuse those anyway.
    const widened: KubeObject[] = [];
    for (const namespace of ['kube-system', operatorNs]) {
      const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: `widened-${sa.name}`, namespace }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'patch'] }] };
      const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `widened-${sa.name}`, namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name }, subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace }] };
      widened.push(role, binding);
    }
    for (const obj of widened) await admin.create(obj);
    const asOperator = new KubeClient(await serviceAccountConnection(admin, sa));
    const refusal = (request: Promise<unknown>) => request.then(() => 'allowed', (err: unknown) => (err instanceof Error ? err.message : String(err)));
    const labelled = { 'app.kubernetes.io/managed-by': 'agentry' };
    try {
      const platform = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'platform-settings', namespace: teamNs }, data: { a: '1' } };
      await admin.create(platform);
      // RBAC allows all of these once the Roles above are in force (the authorizer sees them a
      // moment later): until then a dry run is refused by RBAC, afterwards by the fence.
      for (const namespace of ['kube-system', operatorNs]) {
        const dryRun = () => refusal(asOperator.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace, labels: labelled } }, { dryRun: true }));
        await eventually(async () => (await dryRun()).includes('ValidatingAdmissionPolicy'), 20_000, 200);
      }
      const attempts: [string, Promise<unknown>, string][] = [
        ['an unlabelled ConfigMap in a watched namespace', asOperator.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unlabelled', namespace: teamNs } }), 'writes only objects it made'],
        ["an apply over the platform's ConfigMap, labels and all", asOperator.apply({ ...platform, metadata: { ...platform.metadata, labels: labelled } }, { fieldManager: 'agentry', force: true }), 'writes only objects it made'],
        ["a delete of the platform's ConfigMap", asOperator.delete(platform), 'writes only objects it made'],
        ['a labelled ConfigMap in kube-system', asOperator.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kube-system', labels: labelled } }), 'never writes in kube-system'],
        ['a labelled ConfigMap in its own namespace', asOperator.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: operatorNs, labels: labelled } }), 'in its own namespace the Agentry operator writes only its Lease and Events'],
      ];
      for (const [what, request, message] of attempts) {
        const outcome = await refusal(request);
        expect({ what, refusedByTheFence: outcome.includes('ValidatingAdmissionPolicy') && outcome.includes(message) }).toEqual({ what, refusedByTheFence: true });
      }
      expect((await admin.get<KubeObject & { data?: Record<string, string> }>('v1', 'ConfigMap', teamNs, 'platform-settings')).metadata.labels).toBeUndefined();
    } finally {
      asOperator.close();
      for (const obj of widened.reverse()) await admin.delete(obj).catch(() => undefined);
    }
  }, 120_000);
});
