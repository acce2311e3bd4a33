// Faults, on a control plane of this file's own (killing the shared API server would break the test
// files running beside this one): the API server or the operator killed mid-convergence, a watch
// that comes back to 410 Gone after an etcd compaction (with a deletion made during the gap), and
// another writer fighting the operator over a field it owns.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAuditLog, type AuditEvent } from '../../hack/bench/audit-log.js';
import { ControlPlane, installCrds } from '../../hack/control-plane/control-plane.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { DRIFT_GUARD_DEFAULTS } from '../../src/operator/drift-guard.js';
import { eventually } from '../harness/cluster.js';
import { OperatorProcess } from '../harness/operator-process.js';

const AGENT = 'agentry.dev/v1alpha1';
const GW = 'gateway.networking.k8s.io';
const GATEWAY_NS = 'gateway-system';
const CHILD_KINDS: [string, string][] = [['v1', 'ServiceAccount'], ['v1', 'ConfigMap'], ['v1', 'Service'], ['apps/v1', 'Deployment'], ['networking.k8s.io/v1', 'NetworkPolicy'], [`${GW}/v1beta1`, 'ReferenceGrant']];

let cp: ControlPlane;
let client: KubeClient;
let kubeconfig = '';
const operators: OperatorProcess[] = [];

const config = {
  workers: 4,
  resyncPeriodSeconds: 600,
  logLevel: 'info',
  leaderElection: { enabled: false },
  gateway: { parentRefs: [{ name: 'gw', namespace: GATEWAY_NS }], routeNamespace: GATEWAY_NS },
  networkPolicy: { gatewayNamespace: GATEWAY_NS },
};

async function startOperator(args: string[] = []): Promise<OperatorProcess> {
  const op = await OperatorProcess.start({ kubeconfig, config, args });
  operators.push(op);
  await op.ready();
  return op;
}

async function namespace(name: string): Promise<string> {
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'test', force: true });
  return name;
}

const agent = (ns: string, name: string): KubeObject => ({
  apiVersion: AGENT,
  kind: 'Agent',
  metadata: { name, namespace: ns },
  spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/agent:1.0.0' }, a2aConfig: { skills: [{ id: 'answer', name: 'Answer' }] } },
});

interface AgentObject extends KubeObject {
  status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] };
}

/** Every Agent Ready at its latest generation, each child present exactly once, no child without its Agent. */
async function converged(ns: string): Promise<boolean> {
  const agents = await client.list<AgentObject>(AGENT, 'Agent', ns);
  const names = new Set(agents.map((a) => a.metadata.name));
  const ready = agents.every((a) => a.status?.observedGeneration === a.metadata.generation && a.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  if (!ready) return false;
  for (const [apiVersion, kind] of CHILD_KINDS) {
    const children = await client.list(apiVersion, kind, ns, 'app.kubernetes.io/managed-by=agentry');
    const owners = children.map((c) => c.metadata.labels?.['agentry.dev/agent'] ?? '');
    if (owners.length !== names.size || new Set(owners).size !== owners.length || owners.some((o) => !names.has(o))) return false;
  }
  const routes = await client.list(`${GW}/v1`, 'HTTPRoute', GATEWAY_NS, `agentry.dev/agent-namespace=${ns}`);
  const routed = routes.map((r) => r.metadata.labels?.['agentry.dev/agent'] ?? '');
  return routed.length === names.size && routed.every((o) => names.has(o));
}

async function etcd(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${cp.describe().etcdUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`etcd ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  cp = await ControlPlane.start({ nodes: 1, controllers: true });
  kubeconfig = cp.describe().kubeconfig;
  client = new KubeClient(KubeConnection.fromKubeconfigFile(kubeconfig), { userAgent: 'fault-test' });
  await installCrds(client, fileURLToPath(new URL('../../crds', import.meta.url)));
  await namespace(GATEWAY_NS);
}, 180_000);

afterAll(async () => {
  await Promise.all(operators.map((o) => o.kill()));
  client?.close();
  await cp?.stop();
}, 60_000);

describe('faults', () => {
  it('converges when the API server is killed -9 mid-convergence', async () => {
    const ns = await namespace('fault-apiserver');
    const op = await startOperator();
    await Promise.all(Array.from({ length: 20 }, (_, i) => client.create(agent(ns, `a${i}`))));
    await eventually(async () => (await op.counter('rest_client_requests_total', { method: 'PATCH' })) > 10, 30_000, 50);
    await cp.restartApiserver(2_000);
    await eventually(() => converged(ns), 120_000, 500);
    await op.kill();
  }, 180_000);

  it('converges when the operator is killed -9 mid-reconcile and started again', async () => {
    const ns = await namespace('fault-operator');
    const first = await startOperator();
    await Promise.all(Array.from({ length: 20 }, (_, i) => client.create(agent(ns, `b${i}`))));
    await eventually(async () => (await first.counter('rest_client_requests_total', { method: 'PATCH' })) > 5, 30_000, 20);
    await first.kill();
    expect(await converged(ns)).toBe(false); // it really was cut off mid-way
    const second = await startOperator();
    await eventually(() => converged(ns), 120_000, 500);
    await second.kill();
  }, 180_000);

  it('relists after 410 Gone and misses nothing, including a deletion made during the gap', async () => {
    const ns = await namespace('fault-gone');
    const op = await startOperator();
    for (const name of ['keep', 'doomed']) await client.create(agent(ns, name));
    await eventually(() => converged(ns), 60_000, 500);

    // Freeze the operator, then change the world behind its back.
    op.signal('SIGSTOP');
    try {
      await client.delete({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'keep', namespace: ns } });
      await client.delete({ apiVersion: AGENT, kind: 'Agent', metadata: { name: 'doomed', namespace: ns } }); // held by its finalizer
      await client.create(agent(ns, 'newcomer'));
      // Compact etcd past everything the operator has seen, and restart the API server so the
      // frozen operator's watches are cut: they can only resume from a revision that is gone.
      const status = await etcd('/v3/maintenance/status', {});
      const revision = (status.header as { revision: string }).revision;
      await etcd('/v3/kv/compaction', { revision, physical: true });
      await cp.restartApiserver();
    } finally {
      op.signal('SIGCONT');
    }

    await eventually(async () => (await client.find('v1', 'Service', ns, 'keep')) !== undefined, 60_000, 200);
    await eventually(async () => (await client.find(AGENT, 'Agent', ns, 'doomed')) === undefined, 60_000, 200);
    await eventually(() => converged(ns), 60_000, 500);
    expect(await client.find(`${GW}/v1`, 'HTTPRoute', GATEWAY_NS, `doomed.${ns}`)).toBeUndefined();
    // The path under test really ran: a watch came back expired and the informer relisted.
    expect(op.logsMatching(/watch resourceVersion expired, relisting/).length).toBeGreaterThan(0);
    await op.kill();
  }, 180_000);

  it('restores a field another writer keeps changing, with the drift guard’s backoff between its corrections', async () => {
    const { freeCorrections, baseDelayMs, maxDelayMs, windowMs } = DRIFT_GUARD_DEFAULTS;
    // Long enough for the guard to double its delay three times once the free corrections are spent,
    // and short enough that no correction leaves the guard's window (which would forgive).
    const fightMs = baseDelayMs * 2 ** 3;
    expect(fightMs).toBeLessThan(windowMs);
    const ns = await namespace('fault-fight');
    const operatorAgent = 'agentry-fault/fight';
    const op = await startOperator(['--user-agent', operatorAgent]);
    await client.create(agent(ns, 'contested'));
    await eventually(() => converged(ns), 60_000, 500);

    const since = Date.now();
    const fighter = new KubeClient(client.connection, { userAgent: 'fighter' });
    const contested = async () => (await client.list<KubeObject & { reason?: string }>('v1', 'Event', ns)).some((e) => e.reason === 'DriftContested');
    // Another controller that insists on its own value for a field the operator owns, ten times per
    // base delay of the guard (its pace, not a wait), until the fight has lasted fightMs and the
    // operator has reported it contested (it has spent its free corrections).
    let reported = false;
    try {
      for (let round = 1; !reported || Date.now() - since < fightMs; round++) {
        if (Date.now() - since > 120_000) throw new Error('the operator never reported DriftContested');
        await fighter.apply(
          { apiVersion: 'v1', kind: 'Service', metadata: { name: 'contested', namespace: ns }, spec: { ports: [{ port: 8080, protocol: 'TCP', appProtocol: 'fighter.dev/http' }] } },
          { fieldManager: 'fighter', force: true },
        );
        if (round % 10 === 0) reported ||= await contested();
        await new Promise((r) => setTimeout(r, baseDelayMs / 10));
      }
    } finally {
      fighter.close();
    }
    // The operator has the last word once the fight stops, after its current backoff (at most twice the fight).
    const foughtMs = Date.now() - since;
    await eventually(async () => (await client.get<KubeObject & { spec: { ports: { appProtocol?: string }[] } }>('v1', 'Service', ns, 'contested')).spec.ports[0]?.appProtocol === 'kgateway.dev/a2a', 2 * foughtMs + 10_000, 200);

    const log = join(cp.describe().dir, 'audit.log');
    const onTheService = (e: AuditEvent) => e.objectRef?.resource === 'services' && e.objectRef.namespace === ns && e.objectRef.name === 'contested' && !e.objectRef.subresource;
    const received = (e: AuditEvent) => Date.parse(e.requestReceivedTimestamp);
    const fighterWrites = (await readAuditLog(log, { contains: 'fighter', from: since })).filter((e) => e.userAgent === 'fighter' && onTheService(e)).map(received);
    const corrections = (await readAuditLog(log, { contains: operatorAgent, from: since })).filter((e) => e.userAgent === operatorAgent && onTheService(e)).map(received).sort((a, b) => a - b);
    const fightLasted = Math.max(...fighterWrites) - Math.min(...fighterWrites);
    process.stderr.write(`the fighter wrote the Service ${fighterWrites.length} times in ${fightLasted} ms; the operator corrected it ${corrections.length} times\n`);

    // The free corrections, the first contested one, and the last word after the fight.
    expect(corrections.length).toBeGreaterThanOrEqual(freeCorrections + 2);
    // After those, each correction waits at least twice as long as the last (90 %: the guard decides
    // on the operator's clock, the timestamps are the API server's on arrival).
    const gaps = corrections.slice(freeCorrections + 1).map((t, k) => ({ k, gapMs: t - (corrections[freeCorrections + k] ?? t), atLeastMs: Math.min(maxDelayMs, baseDelayMs * 2 ** k) }));
    for (const { k, gapMs, atLeastMs } of gaps) expect({ k, enough: gapMs >= 0.9 * atLeastMs }).toEqual({ k, enough: true });
    // So within a fight of T, after the first contested correction come at most log2(T / base + 1)
    // more, and the last word: never one correction per write of the fighter.
    const backedOff = Math.floor(Math.log2(fightLasted / (0.9 * baseDelayMs) + 1));
    expect(corrections.length).toBeLessThanOrEqual(freeCorrections + 1 + backedOff + 1);
    expect(fighterWrites.length).toBeGreaterThan(corrections.length);
    await op.kill();
  }, 240_000);
});
