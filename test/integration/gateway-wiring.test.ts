// Gateway wiring on a real control plane with the Gateway API CRDs and a Gateway in its own
// namespace: HTTPRoutes, ReferenceGrants and NetworkPolicies created, updated and pruned; same- and
// cross-namespace route modes; finalizer cleanup (also when the operator was down); Routed following
// the status a gateway controller writes; path conflicts; tenant safety.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { KubeApiError } from '../../src/kube/kube-api-error.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { eventually, connection, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { installAgentryCrds, startTestOperator, type ConfigOverrides, type TestOperator } from '../harness/operator.js';

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const client = new KubeClient(connection());
const namespaces = new TestNamespaces(core);
const AGENT = 'agentry.dev/v1alpha1';
const GW = 'gateway.networking.k8s.io';
let gwNs = '';
let op: TestOperator | undefined;

interface Route extends KubeObject {
  spec: {
    parentRefs: { name: string; namespace?: string }[];
    hostnames?: string[];
    rules: { matches: { path: { type: string; value: string } }[]; filters?: unknown[]; backendRefs: { name: string; namespace?: string; port: number }[] }[];
  };
}
interface Grant extends KubeObject {
  spec: { from: { group: string; kind: string; namespace: string }[]; to: { group: string; kind: string; name?: string }[] };
}
interface AgentObject extends KubeObject {
  status?: { publicUrl?: string; conditions?: { type: string; status: string; reason: string; message: string }[] };
}

const gatewayConfig = (extra: Record<string, unknown> = {}): ConfigOverrides => ({
  gateway: { parentRefs: [{ name: 'agentgateway', namespace: gwNs }], ...extra },
  networkPolicy: { gatewayNamespace: gwNs, gatewayPodLabels: { app: 'agentgateway' } },
});

async function run(watch: string[], overrides: ConfigOverrides): Promise<TestOperator> {
  await op?.stop();
  op = await startTestOperator([...watch, gwNs], overrides);
  return op;
}

function a2aAgent(ns: string, name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: AGENT,
    kind: 'Agent',
    metadata: { name, namespace: ns },
    spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/agent:1.0.0' }, a2aConfig: { skills: [{ id: 'answer', name: 'Answer' }] }, ...spec },
  };
}

const find = <T extends KubeObject>(apiVersion: string, kind: string, ns: string, name: string) => client.find<T>(apiVersion, kind, ns, name);
const route = (ns: string, name: string) => find<Route>(`${GW}/v1`, 'HTTPRoute', ns, name);
const grant = (ns: string, name: string) => find<Grant>(`${GW}/v1beta1`, 'ReferenceGrant', ns, name);
const agentOf = (ns: string, name: string) => find<AgentObject>(AGENT, 'Agent', ns, name);
const condition = (a: AgentObject | undefined, type: string) => a?.status?.conditions?.find((c) => c.type === type);
const merge = (ns: string, name: string, patch: unknown) => client.patch({ apiVersion: AGENT, kind: 'Agent', metadata: { name, namespace: ns } }, patch, 'merge');

/** What a gateway controller does: report on the route's status.parents. */
async function reportRouteStatus(ns: string, name: string, conditions: { type: string; status: string; reason: string; message?: string }[]): Promise<void> {
  const live = await route(ns, name);
  await client.patch(
    { apiVersion: `${GW}/v1`, kind: 'HTTPRoute', metadata: { name, namespace: ns } },
    {
      status: {
        parents: [{
          parentRef: { group: GW, kind: 'Gateway', name: 'agentgateway', namespace: gwNs },
          controllerName: 'agentgateway.dev/agentgateway',
          conditions: conditions.map((c) => ({ ...c, message: c.message ?? '', lastTransitionTime: '2026-11-21T00:00:00Z', observedGeneration: live?.metadata.generation ?? 1 })),
        }],
      },
    },
    'merge',
    { subresource: 'status', fieldManager: 'agentgateway' },
  );
}

beforeAll(async () => {
  await installAgentryCrds();
  gwNs = await namespaces.create('gateway');
  await client.create({ apiVersion: `${GW}/v1`, kind: 'GatewayClass', metadata: { name: `agentgateway-${gwNs}` }, spec: { controllerName: 'agentgateway.dev/agentgateway' } });
  await client.create({
    apiVersion: `${GW}/v1`,
    kind: 'Gateway',
    metadata: { name: 'agentgateway', namespace: gwNs },
    spec: { gatewayClassName: `agentgateway-${gwNs}`, listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] },
  });
}, 60_000);

afterEach(async () => {
  await op?.stop();
  op = undefined;
});

afterAll(async () => {
  await client.delete({ apiVersion: `${GW}/v1`, kind: 'GatewayClass', metadata: { name: `agentgateway-${gwNs}` } });
  await namespaces.deleteAll();
  client.close();
});

describe('routes in the agent namespace', () => {
  it('routes A2A agents by default, others on request, and prunes a route whose exposure is turned off', async () => {
    const ns = await namespaces.create('team');
    await run([ns], gatewayConfig({ publicBaseUrl: 'https://agents.example.com' }));
    await client.create(a2aAgent(ns, 'expenses'));
    await client.create({ ...a2aAgent(ns, 'batch'), spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/batch:1.0.0' } } });

    const r = await eventually(() => route(ns, 'expenses'));
    expect(r.spec.parentRefs).toEqual([expect.objectContaining({ name: 'agentgateway', namespace: gwNs })]);
    expect(r.spec.rules).toEqual([
      expect.objectContaining({
        matches: [{ path: { type: 'PathPrefix', value: `/agents/${ns}/expenses` } }],
        filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }],
        backendRefs: [expect.objectContaining({ name: 'expenses', port: 8080, kind: 'Service' })],
      }),
    ]);
    expect(r.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Agent', name: 'expenses', controller: true })]);
    expect(await grant(ns, 'expenses')).toBeUndefined(); // same namespace: no grant needed

    const np = await eventually(() => find<KubeObject & { spec: Record<string, unknown> }>('networking.k8s.io/v1', 'NetworkPolicy', ns, 'expenses'));
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': gwNs } }, podSelector: { matchLabels: { app: 'agentgateway' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    }]);
    expect(JSON.stringify(np.spec.egress)).toContain('"port":53');

    const withUrl = await eventually(async () => {
      const a = await agentOf(ns, 'expenses');
      return a?.status?.publicUrl ? a : undefined;
    });
    expect(withUrl.status?.publicUrl).toBe(`https://agents.example.com/agents/${ns}/expenses/`);

    // Not A2A: routed only when asked.
    expect(await route(ns, 'batch')).toBeUndefined();
    expect(condition(await agentOf(ns, 'batch'), 'Routed')).toMatchObject({ status: 'False', reason: 'ExposureDisabled' });
    await merge(ns, 'batch', { spec: { exposure: { gateway: { enabled: true } } } });
    await eventually(() => route(ns, 'batch'));
    await merge(ns, 'batch', { spec: { exposure: { gateway: { enabled: false } } } });
    await eventually(async () => (await route(ns, 'batch')) === undefined);
  });

  it('mirrors the gateway controller on Routed, with its reason and message', async () => {
    const ns = await namespaces.create('routed');
    await run([ns], gatewayConfig({ controllerName: 'agentgateway.dev/agentgateway' }));
    await client.create(a2aAgent(ns, 'card'));
    await eventually(() => route(ns, 'card'));
    await eventually(async () => condition(await agentOf(ns, 'card'), 'Routed')?.reason === 'GatewayNotReporting');

    await reportRouteStatus(ns, 'card', [{ type: 'Accepted', status: 'True', reason: 'Accepted' }, { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' }]);
    await eventually(async () => condition(await agentOf(ns, 'card'), 'Routed')?.status === 'True');

    await reportRouteStatus(ns, 'card', [
      { type: 'Accepted', status: 'True', reason: 'Accepted' },
      { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound', message: 'service "card" not found' },
    ]);
    const refused = await eventually(async () => {
      const a = await agentOf(ns, 'card');
      return condition(a, 'Routed')?.status === 'False' ? a : undefined;
    });
    expect(condition(refused, 'Routed')).toMatchObject({ reason: 'BackendNotFound', message: expect.stringContaining('service "card" not found') });
  });
});

describe('routes in the gateway namespace', () => {
  it('puts the route beside the gateway with a ReferenceGrant naming only this Service, and cleans both up on delete', async () => {
    const ns = await namespaces.create('cross');
    await run([ns], gatewayConfig({ routeNamespace: gwNs }));
    await client.create(a2aAgent(ns, 'payroll'));

    const r = await eventually(() => route(gwNs, `payroll.${ns}`));
    expect(r.metadata.ownerReferences ?? []).toEqual([]); // cannot be owned across namespaces
    expect(r.spec.rules[0]?.backendRefs).toEqual([expect.objectContaining({ name: 'payroll', namespace: ns, port: 8080 })]);
    const g = await eventually(() => grant(ns, 'payroll'));
    expect(g.spec).toEqual({ from: [{ group: GW, kind: 'HTTPRoute', namespace: gwNs }], to: [{ group: '', kind: 'Service', name: 'payroll' }] });
    expect((await agentOf(ns, 'payroll'))?.metadata.finalizers).toContain('agentry.dev/cleanup');

    await client.delete({ apiVersion: AGENT, kind: 'Agent', metadata: { name: 'payroll', namespace: ns } });
    await eventually(async () => (await route(gwNs, `payroll.${ns}`)) === undefined && (await agentOf(ns, 'payroll')) === undefined);
    await eventually(async () => (await grant(ns, 'payroll')) === undefined, 60_000); // owned: garbage-collected
  });

  it('cleans up an Agent deleted while the operator was down', async () => {
    const ns = await namespaces.create('down');
    const overrides = gatewayConfig({ routeNamespace: gwNs });
    await run([ns], overrides);
    await client.create(a2aAgent(ns, 'ledger'));
    await eventually(() => route(gwNs, `ledger.${ns}`));
    await eventually(async () => (await agentOf(ns, 'ledger'))?.metadata.finalizers?.includes('agentry.dev/cleanup'));
    await op?.stop();
    op = undefined;

    await client.delete({ apiVersion: AGENT, kind: 'Agent', metadata: { name: 'ledger', namespace: ns } });
    const terminating = await agentOf(ns, 'ledger');
    expect(terminating?.metadata.deletionTimestamp).toBeDefined(); // held by the finalizer
    expect(await route(gwNs, `ledger.${ns}`)).toBeDefined();

    await run([ns], overrides);
    await eventually(async () => (await route(gwNs, `ledger.${ns}`)) === undefined && (await agentOf(ns, 'ledger')) === undefined);
  });

  it('moves the route when the config changes, and drops route, grant and finalizer when exposure is turned off', async () => {
    const ns = await namespaces.create('move');
    await run([ns], gatewayConfig());
    await client.create(a2aAgent(ns, 'mover'));
    await eventually(() => route(ns, 'mover'));

    await run([ns], gatewayConfig({ routeNamespace: gwNs }));
    await eventually(() => route(gwNs, `mover.${ns}`));
    await eventually(async () => (await route(ns, 'mover')) === undefined);
    await eventually(() => grant(ns, 'mover'));

    await merge(ns, 'mover', { spec: { exposure: { gateway: { enabled: false } } } });
    await eventually(async () => (await route(gwNs, `mover.${ns}`)) === undefined && (await grant(ns, 'mover')) === undefined);
    await eventually(async () => !(await agentOf(ns, 'mover'))?.metadata.finalizers?.includes('agentry.dev/cleanup'));
    expect(condition(await agentOf(ns, 'mover'), 'Routed')).toMatchObject({ status: 'False', reason: 'ExposureDisabled' });
  });
});

describe('path conflicts and tenant safety', () => {
  it('gives a contested path to the older Agent and reports PathConflict on the later one', async () => {
    const ns = await namespaces.create('conflict');
    await run([ns], gatewayConfig({ allowCustomPathPrefix: true, allowedPathPrefixes: ['/agents/{namespace}/'] }));
    await client.create(a2aAgent(ns, 'first'));
    await eventually(() => route(ns, 'first'));
    // Underneath the first agent's path: the gateway would send part of its traffic here.
    await new Promise((r) => setTimeout(r, 1_100)); // creationTimestamp has second precision
    await client.create(a2aAgent(ns, 'second', { exposure: { gateway: { pathPrefix: `/agents/${ns}/first/sub` } } }));
    const loser = await eventually(async () => {
      const a = await agentOf(ns, 'second');
      return condition(a, 'Routed')?.reason === 'PathConflict' ? a : undefined;
    });
    expect(condition(loser, 'Routed')?.message).toContain(`${ns}/first`);
    expect(await route(ns, 'second')).toBeUndefined();
    expect((await route(ns, 'first'))?.spec.rules[0]?.matches[0]?.path.value).toBe(`/agents/${ns}/first`);

    // The older Agent leaves: the later one gets its route.
    await client.delete({ apiVersion: AGENT, kind: 'Agent', metadata: { name: 'first', namespace: ns } });
    await eventually(() => route(ns, 'second'));
    await eventually(async () => condition(await agentOf(ns, 'second'), 'Routed')?.reason !== 'PathConflict');
  });

  it('lets a tenant who may only create Agents get nothing beyond what the config permits', async () => {
    const ns = await namespaces.create('tenant');
    const other = await namespaces.create('victim');
    await run([ns, other], gatewayConfig({ routeNamespace: gwNs, allowCustomPathPrefix: true, allowedPathPrefixes: ['/agents/{namespace}/'] }));
    // The tenant's RBAC: Agents in their namespace, nothing else.
    await client.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'agent-author', namespace: ns }, rules: [{ apiGroups: ['agentry.dev'], resources: ['agents'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }] });
    await client.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'agent-author', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'agent-author' }, subjects: [{ kind: 'User', name: 'tenant', apiGroup: 'rbac.authorization.k8s.io' }] });
    const tenant = new KubeClient(connection(), { impersonate: { user: 'tenant' } });
    try {
      // Writing Gateway API objects directly is not theirs to do...
      const direct = await tenant.create({ apiVersion: `${GW}/v1beta1`, kind: 'ReferenceGrant', metadata: { name: 'wide', namespace: other }, spec: { from: [{ group: GW, kind: 'HTTPRoute', namespace: gwNs }], to: [{ group: '', kind: 'Service' }] } }).then(() => undefined, (e: unknown) => e);
      expect(KubeApiError.isForbidden(direct)).toBe(true);

      // ...and through Agentry they get only their own agent's objects.
      await tenant.create(a2aAgent(ns, 'mine'));
      const g = await eventually(() => grant(ns, 'mine'));
      expect(g.spec.to).toEqual([{ group: '', kind: 'Service', name: 'mine' }]);

      const refused: [string, Record<string, unknown>, string][] = [
        ['squatter', { exposure: { gateway: { pathPrefix: `/agents/${other}/payroll` } } }, 'pathPrefix'],
        ['wide-egress', { exposure: { networkPolicy: { egressTo: [{ cidr: '0.0.0.0/0' }] } } }, 'egressTo[0].cidr'],
        ['hostname', { exposure: { gateway: { hostnames: ['payroll.example.com'] } } }, 'hostnames'],
        ['no-policy', { exposure: { networkPolicy: { enabled: false } } }, 'networkPolicy.enabled'],
        ['foreign-ingress', { exposure: { networkPolicy: { ingressFrom: [{ namespace: other }] } } }, 'ingressFrom[0].namespace'],
      ];
      for (const [name, spec] of refused) await tenant.create(a2aAgent(ns, name, spec));
      for (const [name, , field] of refused) {
        const a = await eventually(async () => {
          const x = await agentOf(ns, name);
          return condition(x, 'Accepted')?.status === 'False' ? x : undefined;
        });
        expect(condition(a, 'Accepted')).toMatchObject({ reason: 'InvalidExposure', message: expect.stringContaining(field) });
        expect(await find('apps/v1', 'Deployment', ns, name)).toBeUndefined(); // nothing half-applied
        expect(await route(gwNs, `${name}.${ns}`)).toBeUndefined();
      }
      // The path "/" never reaches the operator: the API server refuses it.
      const root = await tenant.create(a2aAgent(ns, 'root', { exposure: { gateway: { pathPrefix: '/' } } })).then(() => undefined, (e: unknown) => e);
      expect((root as KubeApiError).statusCode).toBe(422);
    } finally {
      tenant.close();
    }
  });
});
