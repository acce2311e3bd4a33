// RemoteAgents on a real control plane, their cards served by a real A2A server (test-a2a-server.ts)
// bound to the ClusterIP of a Service (the control plane's Service range is loopback, 127.96.0.0/16),
// as the card fetch connects to it: the card in status and its changes, unreachable, invalid,
// oversized and redirected cards with the right condition and no hot loop, the operator
// configuration's refusals, headers from a Secret, `kubectl get remoteagents`, no status write for an
// unchanged card, the route through the gateway, path conflicts with Agents, and deletion cleaning
// up a route in another namespace.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';

import { freePort } from '../../hack/control-plane/free-port.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import { isRecord, type KubeObject } from '../../src/kube/kube-object.js';
import { auditEvents } from '../harness/audit-log.js';
import { connection, eventually, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { counterValue, installAgentryCrds, startTestOperator, type ConfigOverrides, type TestOperator } from '../harness/operator.js';
import { defaultCard, startTestA2AServer, type TestA2AServer } from '../harness/test-a2a-server.js';
import { createTestCa } from '../harness/test-tls.js';

const run = promisify(execFile);
const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const client = new KubeClient(connection());
const namespaces = new TestNamespaces(core);
const API = 'agentry.dev/v1alpha1';
const GW = 'gateway.networking.k8s.io';
const FETCHES = 'agentry_remote_agent_card_fetches_total';
let op: TestOperator | undefined;
const servers: TestA2AServer[] = [];

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
interface RemoteAgentObject extends KubeObject {
  status?: {
    conditions?: Condition[];
    url?: string;
    publicUrl?: string;
    skillCount?: number;
    card?: { name: string; description?: string; version?: string; protocolVersions: string[]; skills: { id: string; name: string; tags?: string[] }[] };
  };
}
interface Route extends KubeObject {
  spec: { rules: { matches: { path: { value: string } }[]; filters?: unknown[]; backendRefs: { kind: string; name: string; namespace?: string; port: number }[] }[] };
}

/** A refresh every 10 s (the least the configuration allows), no jitter: a card change shows within one. */
const quickRefresh = (extra: Partial<NonNullable<ConfigOverrides['remoteAgents']>> = {}): ConfigOverrides => ({ remoteAgents: { refreshPeriodSeconds: 10, refreshJitterPercent: 0, ...extra } });

async function start(watch: string[], overrides: ConfigOverrides = {}): Promise<TestOperator> {
  await op?.stop();
  op = await startTestOperator(watch, { ...quickRefresh(), ...overrides });
  return op;
}

/** A Service with a port and no selector, and the test A2A server listening on its ClusterIP and port. */
async function serviceWithServer(ns: string, name: string, card?: (url: string) => unknown): Promise<{ server: TestA2AServer; port: number; clusterIP: string }> {
  const port = await freePort();
  const body: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports: [{ name: 'a2a', port, protocol: 'TCP' }] } };
  const svc = await client.create(body);
  const clusterIP = isRecord(svc.spec) && typeof svc.spec.clusterIP === 'string' ? svc.spec.clusterIP : '';
  if (!clusterIP.startsWith('127.')) throw new Error(`the Service ${ns}/${name} has no loopback ClusterIP: ${clusterIP}`);
  const url = `http://${name}.${ns}.svc:${port}/`;
  const server = await startTestA2AServer({ host: clusterIP, port, name, card: card ? card(url) : defaultCard(name, url) });
  servers.push(server);
  return { server, port, clusterIP };
}

function remoteAgent(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: API, kind: 'RemoteAgent', metadata: { name, namespace: ns }, spec };
}

const get = (ns: string, name: string) => client.find<RemoteAgentObject>(API, 'RemoteAgent', ns, name);
const condition = (ra: RemoteAgentObject | undefined, type: string) => ra?.status?.conditions?.find((c) => c.type === type);
const merge = (ns: string, name: string, patch: unknown) => client.patch({ apiVersion: API, kind: 'RemoteAgent', metadata: { name, namespace: ns } }, patch, 'merge', { fieldManager: 'kubectl-edit' });

/** Waits until the RemoteAgent's condition `type` has this status (and reason, when given). */
async function conditionIs(ns: string, name: string, type: string, status: string, reason?: string, timeoutMs = 30_000): Promise<RemoteAgentObject> {
  try {
    return await eventually(async () => {
      const ra = await get(ns, name);
      const c = condition(ra, type);
      return c?.status === status && (reason === undefined || c.reason === reason) && ra;
    }, timeoutMs);
  } catch (err) {
    const ra = await get(ns, name);
    throw new Error(`${type} of RemoteAgent ${ns}/${name} is not ${status}${reason ? `/${reason}` : ''}: ${JSON.stringify(ra?.status?.conditions)}`, { cause: err });
  }
}

beforeAll(async () => {
  await installAgentryCrds();
}, 60_000);

afterEach(async () => {
  await op?.stop();
  op = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await namespaces.deleteAll();
  client.close();
});

describe('a RemoteAgent behind a Service', () => {
  it('publishes its card in status, follows card changes, and shows skills and reachability in kubectl get', async () => {
    const ns = await namespaces.create('remote');
    const { server, port } = await serviceWithServer(ns, 'echo-server');
    await start([ns]);
    await client.create(remoteAgent(ns, 'echo', { service: { name: 'echo-server', port } }));

    const ready = await conditionIs(ns, 'echo', 'Ready', 'True');
    expect(condition(ready, 'Reachable')).toMatchObject({ status: 'True', reason: 'CardFetched' });
    expect(condition(ready, 'CardValid')).toMatchObject({ status: 'True', reason: 'CardParsed' });
    // No gateway in this operator's configuration: not routed, and Ready does not wait for it.
    expect(condition(ready, 'Routed')).toMatchObject({ status: 'False', reason: 'ExposureDisabled' });
    expect(ready.status?.url).toBe(`http://echo-server.${ns}.svc:${port}/`);
    expect(ready.status?.skillCount).toBe(1);
    expect(ready.status?.card).toEqual({
      name: 'echo-server',
      description: expect.stringContaining('The test A2A server echo-server') as unknown,
      version: '1.0.0',
      protocolVersions: ['1.0', '0.3'],
      skills: [{ id: 'echo', name: 'Echo', tags: ['test', 'echo'] }],
    });
    // Counted by condition from the cache (this operator watches this namespace only).
    expect(await counterValue(op!.registry, 'agentry_remote_agents', { condition: 'Reachable', status: 'True' })).toBe(1);
    expect(await counterValue(op!.registry, 'agentry_remote_agents', { condition: 'Ready', status: 'False' })).toBe(0);
    // The request named the Service, and reached it at its ClusterIP.
    expect(server.cardRequestHeaders()[0]?.host).toBe(`echo-server.${ns}.svc:${port}`);

    const { stdout } = await run('kubectl', ['get', 'remoteagents', '-n', ns, '--kubeconfig', process.env.KUBECONFIG ?? '']);
    const [header, row] = stdout.trim().split('\n');
    expect(header?.split(/\s+/)).toEqual(['NAME', 'SKILLS', 'REACHABLE', 'READY', 'URL', 'AGE']);
    expect(row?.split(/\s+/).slice(0, 5)).toEqual(['echo', '1', 'True', 'True', `http://echo-server.${ns}.svc:${port}/`]);
    // The short name works too.
    expect((await run('kubectl', ['get', 'ra', 'echo', '-n', ns, '--kubeconfig', process.env.KUBECONFIG ?? ''])).stdout).toContain('echo');

    // The card changes: the next refresh (10 s) puts it in status.
    const url = `http://echo-server.${ns}.svc:${port}/`;
    const card = defaultCard('echo-server', url) as { skills: unknown[] };
    server.setCard({ ...card, version: '2.0.0', skills: [...card.skills, { id: 'shout', name: 'Shout', description: 'Louder.', tags: ['loud'] }] });
    const changed = await eventually(async () => {
      const ra = await get(ns, 'echo');
      return ra?.status?.skillCount === 2 && ra;
    }, 40_000);
    expect(changed.status?.card?.version).toBe('2.0.0');
    expect(changed.status?.card?.skills.map((s) => s.id)).toEqual(['echo', 'shout']);

    // Refreshes that read the same card write no status (watched in the API server's audit log).
    const since = new Date();
    const fetched = await counterValue(op!.registry, FETCHES, { result: 'ok' });
    await eventually(async () => (await counterValue(op!.registry, FETCHES, { result: 'ok' })) >= fetched + 1, 40_000);
    await eventually(async () => (await counterValue(op!.registry, 'controller_runtime_active_workers')) === 0, 20_000);
    const writes = await auditEvents({ since, userAgent: op!.userAgent });
    expect(writes.filter((e) => e.objectRef?.resource === 'remoteagents')).toEqual([]);
  }, 180_000);

  it('reports an unreachable card on Reachable and retries with a backoff, not in a loop', async () => {
    const ns = await namespaces.create('remote');
    const port = await freePort();
    // A Service nothing listens behind.
    await client.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'nobody', namespace: ns }, spec: { ports: [{ port, protocol: 'TCP' }] } });
    await start([ns]);
    await client.create(remoteAgent(ns, 'gone', { service: { name: 'nobody', port } }));

    const ra = await conditionIs(ns, 'gone', 'Reachable', 'False', 'ConnectionFailed');
    expect(condition(ra, 'Ready')).toMatchObject({ status: 'False', reason: 'CardUnavailable' });
    expect(condition(ra, 'CardValid')).toMatchObject({ status: 'Unknown' });
    expect(await counterValue(op!.registry, 'agentry_remote_agents', { condition: 'Reachable', status: 'False' })).toBe(1);

    // Retries 5 s, then 10 s after a failure (capped at the period): two more fetches take at least
    // 15 s less a little, and only a few reconciles happen meanwhile.
    const first = await counterValue(op!.registry, FETCHES, { result: 'ConnectionFailed' });
    const reconciles = await counterValue(op!.registry, 'controller_runtime_reconcile_total', { controller: 'remoteagent' });
    const started = Date.now();
    await eventually(async () => (await counterValue(op!.registry, FETCHES, { result: 'ConnectionFailed' })) >= first + 2, 60_000, 200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
    expect((await counterValue(op!.registry, 'controller_runtime_reconcile_total', { controller: 'remoteagent' })) - reconciles).toBeLessThan(10);
    expect(await counterValue(op!.registry, FETCHES, { result: 'ConnectionFailed' })).toBeLessThanOrEqual(first + 3);
  }, 120_000);

  it('refuses an invalid card, one over the size limit and a redirect to another host, each on its condition', async () => {
    const ns = await namespaces.create('remote');
    const { server, port } = await serviceWithServer(ns, 'odd-server', () => ({ name: 'odd', skills: 'none' }));
    await start([ns], quickRefresh({ maxCardBytes: 4096 }));
    await client.create(remoteAgent(ns, 'odd', { service: { name: 'odd-server', port } }));

    const invalid = await conditionIs(ns, 'odd', 'CardValid', 'False', 'InvalidCard');
    expect(condition(invalid, 'Reachable')).toMatchObject({ status: 'True' });
    expect(condition(invalid, 'Ready')).toMatchObject({ status: 'False', reason: 'CardUnavailable' });

    // A spec change reads the card at once (the path moves; the server serves the card under any path).
    server.setCard(defaultCard('odd', `http://odd-server.${ns}.svc:${port}/`));
    server.setMode({ oversizeBytes: 8192 });
    await merge(ns, 'odd', { spec: { service: { path: '/v2' } } });
    const big = await conditionIs(ns, 'odd', 'Reachable', 'False', 'TooLarge');
    expect(big.status?.url).toBe(`http://odd-server.${ns}.svc:${port}/v2`);

    server.setMode({ redirectTo: 'http://169.254.169.254/latest/meta-data/.well-known/agent-card.json' });
    const before = server.cardRequests();
    await merge(ns, 'odd', { spec: { service: { path: '/v3' } } });
    const redirected = await conditionIs(ns, 'odd', 'Reachable', 'False', 'RedirectRefused');
    expect(condition(redirected, 'Reachable')?.message).toContain('169.254.169.254');
    // The redirect was not followed: the only requests are the server's own.
    expect(server.cardRequests()).toBeGreaterThan(before);

    server.setMode({});
    await merge(ns, 'odd', { spec: { service: { path: '/' } } });
    await conditionIs(ns, 'odd', 'Ready', 'True');
  }, 120_000);

  it('is not accepted while its Service, its port, or (by default) Secrets for its headers are missing, naming the field', async () => {
    const ns = await namespaces.create('remote');
    await start([ns]);
    await client.create(remoteAgent(ns, 'lost', { service: { name: 'no-such-service', port: 8080 } }));
    const lost = await conditionIs(ns, 'lost', 'Accepted', 'False', 'ServiceNotFound');
    expect(condition(lost, 'Accepted')?.message).toContain('spec.service.name');
    expect(condition(lost, 'Ready')).toMatchObject({ status: 'False', reason: 'NotAccepted' });

    const { port } = await serviceWithServer(ns, 'late-server');
    await merge(ns, 'lost', { spec: { service: { name: 'late-server', port: port + 1 } } });
    const wrongPort = await conditionIs(ns, 'lost', 'Accepted', 'False', 'ServicePortNotFound');
    expect(condition(wrongPort, 'Accepted')?.message).toContain('spec.service.port');

    await merge(ns, 'lost', { spec: { service: { port }, headersFrom: [{ name: 'Authorization', secretKeyRef: { name: 'token', key: 'value' } }] } });
    const headers = await conditionIs(ns, 'lost', 'Accepted', 'False', 'HeadersFromNotAllowed');
    expect(condition(headers, 'Accepted')?.message).toContain('remoteAgents.headersFromSecrets');

    await merge(ns, 'lost', { spec: { headersFrom: null } });
    await conditionIs(ns, 'lost', 'Ready', 'True');
  }, 120_000);

  it('sends headers from a Secret of its namespace when the configuration allows it, and never shows their values', async () => {
    const ns = await namespaces.create('remote');
    const { server, port } = await serviceWithServer(ns, 'guarded-server');
    await start([ns], quickRefresh({ headersFromSecrets: true }));
    await client.create(remoteAgent(ns, 'guarded', { service: { name: 'guarded-server', port }, headersFrom: [{ name: 'Authorization', secretKeyRef: { name: 'token', key: 'value' } }] }));
    const missing = await conditionIs(ns, 'guarded', 'Accepted', 'False', 'SecretNotFound');
    expect(condition(missing, 'Accepted')?.message).toContain('spec.headersFrom[0].secretKeyRef');

    await client.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token', namespace: ns }, stringData: { value: 'Bearer s3cr3t-value' } });
    // The Secret is not watched: a spec change (or the next retry) reads it.
    await merge(ns, 'guarded', { metadata: { annotations: { touched: 'yes' } }, spec: { service: { path: '/a2a' } } });
    const ready = await conditionIs(ns, 'guarded', 'Ready', 'True', undefined, 40_000);
    expect(server.cardRequestHeaders().at(-1)?.authorization).toBe('Bearer s3cr3t-value');
    expect(JSON.stringify(ready.status)).not.toContain('s3cr3t');
  }, 120_000);
});

describe('a RemoteAgent at a URL', () => {
  it('is refused unless its host is allowed, and over http unless http is allowed', async () => {
    const ns = await namespaces.create('remote');
    await start([ns]);
    await client.create(remoteAgent(ns, 'far', { url: 'https://agents.example.com/a2a' }));
    const refused = await conditionIs(ns, 'far', 'Accepted', 'False', 'HostNotAllowed');
    expect(condition(refused, 'Accepted')?.message).toContain('spec.url');

    await start([ns], quickRefresh({ allowedHosts: ['*.example.com'] }));
    await merge(ns, 'far', { spec: { url: 'http://agents.example.com/a2a' } });
    const insecure = await conditionIs(ns, 'far', 'Accepted', 'False', 'InsecureScheme');
    expect(condition(insecure, 'Accepted')?.message).toContain('remoteAgents.allowHttp');
  }, 60_000);

  it('reads a card from an allowed loopback address (a CIDR admits it) and is not routed without external backends', async () => {
    const ns = await namespaces.create('remote');
    const server = await startTestA2AServer({ name: 'outside' });
    servers.push(server);
    await start([ns], { ...quickRefresh({ allowHttp: true, allowedHosts: ['127.0.0.1/32'] }) });
    await client.create(remoteAgent(ns, 'outside', { url: server.url }));
    const ready = await conditionIs(ns, 'outside', 'Ready', 'True');
    expect(ready.status?.url).toBe(server.url);
    expect(ready.status?.card?.name).toBe('outside');
  }, 60_000);
});

describe('a RemoteAgent at an https URL', () => {
  it('verifies TLS: an unknown CA is TLSError, the CA bundle from a ConfigMap of its namespace makes it Ready', async () => {
    const ns = await namespaces.create('remote');
    const ca = await createTestCa();
    try {
      const server = await startTestA2AServer({ name: 'secure', tls: await ca.issue(['127.0.0.1']) });
      servers.push(server);
      expect(server.url.startsWith('https://127.0.0.1:')).toBe(true);
      await start([ns], quickRefresh({ allowedHosts: ['127.0.0.1/32'] }));
      await client.create(remoteAgent(ns, 'secure', { url: server.url }));
      const untrusted = await conditionIs(ns, 'secure', 'Reachable', 'False', 'TLSError');
      expect(condition(untrusted, 'Accepted')).toMatchObject({ status: 'True' });

      await merge(ns, 'secure', { spec: { tls: { caBundle: { configMapKeyRef: { name: 'partner-ca', key: 'ca.crt' } } } } });
      const missing = await conditionIs(ns, 'secure', 'Accepted', 'False', 'ConfigMapNotFound');
      expect(condition(missing, 'Accepted')?.message).toContain('spec.tls.caBundle.configMapKeyRef');
      await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'partner-ca', namespace: ns }, data: { 'ca.crt': ca.caPem } });
      await merge(ns, 'secure', { metadata: { annotations: { retry: 'now' } }, spec: { url: `${server.url}a2a` } });
      const ready = await conditionIs(ns, 'secure', 'Ready', 'True');
      expect(ready.status?.card?.name).toBe('secure');
    } finally {
      await ca.dispose();
    }
  }, 60_000);
});

describe('a RemoteAgent through the gateway', () => {
  let gwNs = '';
  const gatewayConfig = (extra: Record<string, unknown> = {}): ConfigOverrides => ({
    ...quickRefresh(),
    gateway: { parentRefs: [{ name: 'gw', namespace: gwNs }], publicBaseUrl: 'https://agents.example.com', ...extra },
    networkPolicy: { gatewayNamespace: gwNs },
  });
  const route = (ns: string, name: string) => client.find<Route>(`${GW}/v1`, 'HTTPRoute', ns, name);

  async function reportRouteStatus(ns: string, name: string): Promise<void> {
    const live = await route(ns, name);
    await client.patch(
      { apiVersion: `${GW}/v1`, kind: 'HTTPRoute', metadata: { name, namespace: ns } },
      {
        status: {
          parents: [{
            parentRef: { group: GW, kind: 'Gateway', name: 'gw', namespace: gwNs },
            controllerName: 'example.com/gateway',
            conditions: ['Accepted', 'ResolvedRefs'].map((type) => ({ type, status: 'True', reason: type, message: '', lastTransitionTime: '2026-12-01T00:00:00Z', observedGeneration: live?.metadata.generation ?? 1 })),
          }],
        },
      },
      'merge',
      { subresource: 'status', fieldManager: 'gateway' },
    );
  }

  beforeAll(async () => {
    gwNs = await namespaces.create('gateway');
    await client.create({ apiVersion: `${GW}/v1`, kind: 'GatewayClass', metadata: { name: `gw-${gwNs}` }, spec: { controllerName: 'example.com/gateway' } });
    await client.create({
      apiVersion: `${GW}/v1`,
      kind: 'Gateway',
      metadata: { name: 'gw', namespace: gwNs },
      spec: { gatewayClassName: `gw-${gwNs}`, listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] },
    });
  }, 60_000);

  afterAll(async () => {
    await client.delete({ apiVersion: `${GW}/v1`, kind: 'GatewayClass', metadata: { name: `gw-${gwNs}` } });
  });

  it('routes to the tenant Service, is Routed from the route status, and holds its path against a younger Agent of the same name', async () => {
    const ns = await namespaces.create('remote');
    const { port } = await serviceWithServer(ns, 'echo-server');
    await start([ns, gwNs], gatewayConfig());
    await client.create(remoteAgent(ns, 'echo', { service: { name: 'echo-server', port, path: '/a2a' } }));

    const routeName = `echo.${ns}.remoteagent`;
    const r = await eventually(() => route(ns, routeName));
    expect(r.spec.rules).toEqual([
      expect.objectContaining({
        matches: [{ path: { type: 'PathPrefix', value: `/agents/${ns}/echo` } }],
        filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/a2a' } } }],
        backendRefs: [expect.objectContaining({ kind: 'Service', name: 'echo-server', port })],
      }),
    ]);
    expect(r.metadata.labels).toMatchObject({ 'agentry.dev/owner-kind': 'RemoteAgent', 'agentry.dev/owner-name': 'echo' });
    await conditionIs(ns, 'echo', 'Routed', 'Unknown', 'GatewayNotReporting');
    await reportRouteStatus(ns, routeName);
    const routed = await conditionIs(ns, 'echo', 'Ready', 'True');
    expect(condition(routed, 'Routed')).toMatchObject({ status: 'True', reason: 'RouteAccepted' });
    expect(routed.status?.publicUrl).toBe(`https://agents.example.com/agents/${ns}/echo/`);
    // The tenant's Service is not Agentry's to change.
    const svc = await client.get('v1', 'Service', ns, 'echo-server');
    expect(svc.metadata.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();

    // An Agent named alike claims the same path, later (a second at least: claims are by creation time).
    const created = Date.parse(routed.metadata.creationTimestamp ?? '');
    await eventually(() => Promise.resolve(Date.now() > created + 1_500));
    await client.create({
      apiVersion: API,
      kind: 'Agent',
      metadata: { name: 'echo', namespace: ns },
      spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/agent:1.0.0' }, a2aConfig: { skills: [{ id: 'answer', name: 'Answer' }] } },
    });
    const agent = await eventually(async () => {
      const a = await client.find<RemoteAgentObject>(API, 'Agent', ns, 'echo');
      const c = condition(a, 'Routed');
      return c?.reason === 'PathConflict' && c;
    }, 30_000);
    expect(agent.message).toContain(`older RemoteAgent ${ns}/echo`);
    expect(await route(ns, 'echo')).toBeUndefined();
    expect(condition(await get(ns, 'echo'), 'Routed')).toMatchObject({ status: 'True' });

    // A field of its route changed by another writer is put back.
    await client.patch({ apiVersion: `${GW}/v1`, kind: 'HTTPRoute', metadata: { name: routeName, namespace: ns } }, [{ op: 'replace', path: '/spec/rules/0/backendRefs/0/port', value: 1 }], 'json', { fieldManager: 'kubectl-patch' });
    await eventually(async () => (await route(ns, routeName))?.spec.rules[0]?.backendRefs[0]?.port === port);
  }, 120_000);

  it('writes nothing over an object named like its route that is not its own, and says so on Routed', async () => {
    const ns = await namespaces.create('remote');
    const { port } = await serviceWithServer(ns, 'echo-server');
    const foreign = `taken.${ns}.remoteagent`;
    await client.create({
      apiVersion: `${GW}/v1`,
      kind: 'HTTPRoute',
      metadata: { name: foreign, namespace: ns },
      spec: { parentRefs: [{ name: 'elsewhere' }], rules: [{ backendRefs: [{ name: 'echo-server', port }] }] },
    });
    await start([ns, gwNs], gatewayConfig());
    await client.create(remoteAgent(ns, 'taken', { service: { name: 'echo-server', port } }));
    const refused = await conditionIs(ns, 'taken', 'Routed', 'False', 'ChildConflict');
    expect(condition(refused, 'Routed')?.message).toContain(`HTTPRoute ${ns}/${foreign} already exists and is not this RemoteAgent's`);
    // The card is still read: only the route is given up.
    expect(condition(refused, 'Reachable')).toMatchObject({ status: 'True' });
    expect((await route(ns, foreign))?.spec.rules[0]?.backendRefs).toEqual([expect.objectContaining({ name: 'echo-server', port })]);
    expect((await route(ns, foreign))?.metadata.labels).toBeUndefined();
  }, 60_000);

  it('routes a URL only with external backends, through an ExternalName Service it owns', async () => {
    const ns = await namespaces.create('remote');
    const server = await startTestA2AServer({ name: 'outside' });
    servers.push(server);
    const remote = quickRefresh({ allowHttp: true, allowedHosts: ['127.0.0.1/32'] }).remoteAgents;
    await start([ns, gwNs], { ...gatewayConfig(), remoteAgents: remote });
    await client.create(remoteAgent(ns, 'outside', { url: `${server.url}a2a` }));
    const local = await conditionIs(ns, 'outside', 'Ready', 'True');
    expect(condition(local, 'Routed')).toMatchObject({ status: 'False', reason: 'ExternalBackendsNotAllowed' });
    expect(await route(ns, `outside.${ns}.remoteagent`)).toBeUndefined();

    await start([ns, gwNs], { ...gatewayConfig(), remoteAgents: { ...remote, allowExternalBackends: true } });
    const r = await eventually(() => route(ns, `outside.${ns}.remoteagent`));
    const port = Number(new URL(server.url).port);
    expect(r.spec.rules[0]?.backendRefs).toEqual([expect.objectContaining({ kind: 'Service', name: 'outside', port })]);
    const svc = await client.get('v1', 'Service', ns, 'outside');
    expect(svc.spec).toMatchObject({ type: 'ExternalName', externalName: '127.0.0.1', ports: [expect.objectContaining({ port })] });
    expect(svc.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'RemoteAgent', name: 'outside', controller: true })]);
    await conditionIs(ns, 'outside', 'Routed', 'Unknown', 'GatewayNotReporting');
  }, 90_000);

  it('puts its route beside the gateway with a ReferenceGrant, and deleting it deletes the route there', async () => {
    const ns = await namespaces.create('remote');
    const { port } = await serviceWithServer(ns, 'echo-server');
    await start([ns, gwNs], gatewayConfig({ routeNamespace: gwNs }));
    await client.create(remoteAgent(ns, 'echo', { service: { name: 'echo-server', port } }));

    const routeName = `echo.${ns}.remoteagent`;
    const r = await eventually(() => route(gwNs, routeName));
    expect(r.spec.rules[0]?.backendRefs).toEqual([expect.objectContaining({ name: 'echo-server', namespace: ns, port })]);
    const grant = await eventually(() => client.find(`${GW}/v1beta1`, 'ReferenceGrant', ns, 'echo.remoteagent'));
    expect(grant.spec).toEqual({ from: [{ group: GW, kind: 'HTTPRoute', namespace: gwNs }], to: [{ group: '', kind: 'Service', name: 'echo-server' }] });
    const ra = await eventually(async () => {
      const live = await get(ns, 'echo');
      return live?.metadata.finalizers?.includes('agentry.dev/cleanup') && live;
    });
    expect(ra.metadata.finalizers).toEqual(['agentry.dev/cleanup']);

    await client.delete({ apiVersion: API, kind: 'RemoteAgent', metadata: { name: 'echo', namespace: ns } });
    await eventually(async () => (await route(gwNs, routeName)) === undefined && (await get(ns, 'echo')) === undefined);
    // The Service is still there: it was never the RemoteAgent's.
    expect(await client.find('v1', 'Service', ns, 'echo-server')).toBeDefined();
  }, 120_000);
});
