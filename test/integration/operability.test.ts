// What an operator of the operator sees, with `agentry run` as a real process: /metrics under
// controller-runtime's names with values that add up, Agents by condition, /healthz and /readyz
// (not ready until the caches sync), pino JSON logs at the configured level with every reconcile
// line identifiable, a SIGTERM that lets in-flight reconciles finish and exits 0, and a bad config
// file refused with the field named.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WATCHED_NAMESPACE_RULES } from '../../src/operator/rbac-requirements.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { samplesOf, sumOf } from '../../hack/metrics/prometheus-text.js';
import { eventually, connection, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { installAgentryCrds } from '../harness/operator.js';
import { OperatorProcess } from '../harness/operator-process.js';
import { LEVEL, logLines, probeServing, waitForExit, waitForLog } from '../harness/operator-process-waits.js';
import { requestToken, tokenKubeConfig, writeKubeconfig } from '../harness/service-account-token.js';

const kc = kubeConfig();
const client = new KubeClient(connection());
const namespaces = new TestNamespaces(kc.makeApiClient(k8s.CoreV1Api));
const AGENT = 'agentry.dev/v1alpha1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const operators: OperatorProcess[] = [];
let scratch = '';

interface AgentObject extends KubeObject {
  status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] };
}

async function operator(ns: string, args: string[] = [], kubeconfig = String(process.env.KUBECONFIG), env: NodeJS.ProcessEnv = {}): Promise<OperatorProcess> {
  const op = await OperatorProcess.start({ kubeconfig, config: { watchNamespaces: [ns], workers: 2, leaderElection: { enabled: false } }, args, env });
  operators.push(op);
  return op;
}

const byoAgent = (ns: string, name: string): KubeObject => ({ apiVersion: AGENT, kind: 'Agent', metadata: { name, namespace: ns }, spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/agent:1.0.0' } } });
const condition = (a: AgentObject | undefined, type: string) => a?.status?.conditions?.find((c) => c.type === type)?.status;

beforeAll(async () => {
  await installAgentryCrds();
  scratch = await mkdtemp(join(tmpdir(), 'agentry-operability-'));
}, 60_000);

afterAll(async () => {
  await Promise.all(operators.map((op) => op.kill()));
  await namespaces.deleteAll();
  await rm(scratch, { recursive: true, force: true });
  client.close();
});

describe('a running operator (debug logs)', () => {
  let ns = '';
  let op: OperatorProcess;
  const good = ['alpha', 'beta', 'gamma'];

  beforeAll(async () => {
    ns = await namespaces.create('ops');
    // With Node's process warnings on: 'nothing but JSON lines' below then also means no warning
    // (two controllers' sync waits on one stop signal once printed MaxListenersExceededWarning).
    op = await operator(ns, ['--log-level', 'debug'], undefined, { NODE_NO_WARNINGS: '0' });
    await op.ready();
    for (const name of good) await client.create(byoAgent(ns, name));
    // Not acceptable: its ModelConfig does not exist (Accepted=False and a Warning Event).
    await client.create({ apiVersion: AGENT, kind: 'Agent', metadata: { name: 'orphan', namespace: ns }, spec: { type: 'Declarative', declarative: { systemMessage: 'hi', modelConfig: 'missing' } } });
    for (const name of good) await eventually(async () => condition(await client.find<AgentObject>(AGENT, 'Agent', ns, name), 'Ready') === 'True', 60_000);
  }, 120_000);

  it('serves controller-runtime metrics whose values add up, and Agents by condition', async () => {
    // The gauge is computed from the cache on scrape: it follows the Agents' status.
    const samples = await eventually(async () => {
      const s = await op.scrape();
      return sumOf(s, 'agentry_agents', { condition: 'Ready', status: 'True' }) === 3 && sumOf(s, 'agentry_agents', { condition: 'Accepted', status: 'False' }) === 1 ? s : undefined;
    }, 30_000, 250);
    for (const type of ['Accepted', 'Ready', 'Routed']) {
      // Every Agent is counted once per condition type (an absent condition as Unknown).
      expect({ type, agents: sumOf(samples, 'agentry_agents', { condition: type }) }).toEqual({ type, agents: 4 });
    }
    expect(sumOf(samples, 'agentry_agents', { condition: 'Accepted', status: 'True' })).toBe(3);

    const agent = { controller: 'agent' };
    const reconciles = sumOf(samples, 'controller_runtime_reconcile_total', agent);
    expect(sumOf(samples, 'controller_runtime_reconcile_total', { ...agent, result: 'success' })).toBeGreaterThanOrEqual(4);
    // One observation per reconcile, every one within the +Inf bucket, taking some time.
    expect(sumOf(samples, 'controller_runtime_reconcile_time_seconds_count', agent)).toBe(reconciles);
    expect(sumOf(samples, 'controller_runtime_reconcile_time_seconds_bucket', { ...agent, le: '+Inf' })).toBe(reconciles);
    expect(sumOf(samples, 'controller_runtime_reconcile_time_seconds_sum', agent)).toBeGreaterThan(0);
    expect(sumOf(samples, 'controller_runtime_max_concurrent_reconciles', agent)).toBe(2);
    // Each Agent was queued at least once; every reconcile took a key from the queue.
    const adds = sumOf(samples, 'workqueue_adds_total', { name: 'agent' });
    expect(adds).toBeGreaterThanOrEqual(4);
    expect(reconciles).toBeGreaterThanOrEqual(adds - 1); // at most one key can be in flight right now
    expect(samplesOf(samples, 'workqueue_depth', { name: 'agent' })).toHaveLength(1);
    await eventually(async () => sumOf(await op.scrape(), 'workqueue_depth', { name: 'agent' }) === 0, 10_000, 250);

    // API requests by code and method: the children's creates and the Event (POST 201), status applies
    // (PATCH 200); none refused or failed. 429 is the API server's "storage is (re)initializing" right
    // after a CRD install, which the informers retry with backoff: transient, not a failure of the operator.
    const requests = samplesOf(samples, 'rest_client_requests_total');
    expect(sumOf(samples, 'rest_client_requests_total', { method: 'POST', code: '201' })).toBeGreaterThanOrEqual(good.length * 5 + 1);
    expect(sumOf(samples, 'rest_client_requests_total', { method: 'PATCH' })).toBeGreaterThanOrEqual(good.length);
    expect(requests.filter((s) => !/^2\d\d$/.test(s.labels.code ?? '') && !['404', '429'].includes(s.labels.code ?? '')).map((s) => s.labels)).toEqual([]);
    // The Node.js process metrics too.
    expect(sumOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('logs pino JSON at the configured level, every reconcile line with namespace, name and reconcileID', () => {
    const lines = logLines(op);
    expect(op.logs.length).toBe(lines.length); // nothing but JSON lines
    expect(lines.every((l) => l.component === 'agentry')).toBe(true);
    expect(lines.some((l) => l.level === LEVEL.debug && l.msg === 'reconcile started')).toBe(true);
    const reconciled = lines.filter((l) => l.msg === 'reconciled');
    expect(new Set(reconciled.map((l) => l.name))).toEqual(new Set([...good, 'orphan']));
    const perReconcile = lines.filter((l) => l.reconcileID !== undefined);
    expect(perReconcile.length).toBeGreaterThan(reconciled.length);
    for (const l of perReconcile) {
      expect({ msg: l.msg, namespace: l.namespace, controller: l.controller, id: UUID.test(String(l.reconcileID)), named: typeof l.name === 'string' }).toEqual({ msg: l.msg, namespace: ns, controller: 'agent', id: true, named: true });
    }
  });

  it('answers /healthz and /readyz with 200 once synced, and 404 elsewhere', async () => {
    expect(await op.probe('/healthz')).toEqual({ status: 200, body: 'ok\n' });
    expect(await op.probe('/readyz')).toEqual({ status: 200, body: 'ok\n' });
    expect((await op.probe('/metrics')).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${op.probePort}/nope`)).status).toBe(404);
  });
});

describe('operator lifecycle', () => {
  it('hides info lines at --log-level warn', async () => {
    const ns = await namespaces.create('ops-warn');
    const op = await operator(ns, ['--log-level', 'warn']);
    await op.ready();
    await client.create(byoAgent(ns, 'quiet'));
    await eventually(() => client.find('v1', 'Service', ns, 'quiet')); // it did work worth an info line
    op.signal('SIGTERM');
    expect(await waitForExit(op, 30_000)).toEqual({ code: 0, signal: null });
    expect(logLines(op).filter((l) => l.level < LEVEL.warn).map((l) => l.msg)).toEqual([]);
  }, 90_000);

  it('is live but not ready until its caches sync (here: until it may list), then ready', async () => {
    const ns = await namespaces.create('ops-ready');
    // A ServiceAccount with no permissions yet: every list is refused, so no cache can sync.
    await client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'operator', namespace: ns } });
    const token = await requestToken(client, { namespace: ns, name: 'operator' });
    const kubeconfig = join(scratch, `${ns}.kubeconfig`);
    await writeKubeconfig(tokenKubeConfig(kc, token, 'operator'), kubeconfig);
    const op = await operator(ns, [], kubeconfig);
    await probeServing(op);

    await waitForLog(op, (l) => l.msg === 'list failed' && JSON.stringify(l.err).includes('forbidden'), 30_000, 'a refused list');
    for (let i = 0; i < 5; i++) {
      expect((await op.probe('/healthz')).status).toBe(200);
      expect((await op.probe('/readyz')).status).toBe(503);
      await new Promise((r) => setTimeout(r, 200));
    }
    // And says why.
    expect((await op.probe('/readyz')).body).toBe('[-]controllers failed: agent: waiting for caches to sync; remoteagent: waiting for caches to sync\n');

    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'operator', namespace: ns }, rules: WATCHED_NAMESPACE_RULES.map((r) => ({ ...r })) };
    await client.create(role);
    await client.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'operator', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'operator' }, subjects: [{ kind: 'ServiceAccount', name: 'operator', namespace: ns }] });
    // The informers retry with backoff (0.8 s doubling): ready at the next attempt after the grant.
    await eventually(async () => (await op.probe('/readyz')).status === 200, 60_000, 250);
    expect((await op.probe('/healthz')).status).toBe(200);
  }, 120_000);

  it('drains on SIGTERM: in-flight reconciles finish, it exits 0, and a new operator completes the rest', async () => {
    const ns = await namespaces.create('ops-drain');
    const op = await operator(ns, ['--log-level', 'debug']);
    await op.ready();
    const names = Array.from({ length: 8 }, (_, i) => `agent-${i}`);
    await Promise.all(names.map((n) => client.create(byoAgent(ns, n))));
    await waitForLog(op, (l) => l.msg === 'reconcile started', 30_000, 'a reconcile in flight');
    op.signal('SIGTERM');
    expect(await waitForExit(op, 45_000)).toEqual({ code: 0, signal: null });

    const lines = logLines(op);
    const stoppedAt = lines.findIndex((l) => l.msg === 'stopped');
    expect(stoppedAt).toBe(lines.length - 1);
    // Every reconcile that started also ended (finished or failed) before "stopped": none cut off.
    const started = lines.filter((l) => l.msg === 'reconcile started');
    expect(started.length).toBeGreaterThan(0);
    const ended = new Set(lines.slice(0, stoppedAt).filter((l) => l.msg === 'reconcile finished' || l.msg === 'reconcile failed').map((l) => l.reconcileID));
    expect(started.filter((l) => !ended.has(l.reconcileID)).map((l) => l.name)).toEqual([]);
    // None was abandoned at the shutdown deadline. One that failed (and would have been retried) is
    // fine: the next operator picks it up like any queued key, as checked below.
    expect(lines.filter((l) => /shutdown deadline/.test(l.msg)).map((l) => l.msg)).toEqual([]);
    const failed = lines.filter((l) => l.msg === 'reconcile failed');
    if (failed.length > 0) process.stderr.write(`[operability] reconciles that failed while draining:\n${failed.map((l) => `  ${String(l.name)}: ${JSON.stringify(l.err)}`).join('\n')}\n`);
    const finishedBeforeStop = new Set(lines.filter((l) => l.msg === 'reconcile finished').map((l) => l.name));
    process.stderr.write(`[operability] SIGTERM after ${started.length} reconcile(s) started; ${finishedBeforeStop.size} of ${names.length} Agents reconciled before exit\n`);

    // Whatever was still queued was dropped, not lost: a new operator converges every Agent.
    const next = await operator(ns);
    await next.ready();
    for (const name of names) {
      await eventually(async () => {
        const a = await client.find<AgentObject>(AGENT, 'Agent', ns, name);
        return a?.status?.observedGeneration === a?.metadata.generation && condition(a, 'Accepted') === 'True' && (await client.find('apps/v1', 'Deployment', ns, name)) !== undefined;
      }, 60_000);
    }
  }, 180_000);

  it('refuses a bad config file with a non-zero exit and a message naming the file and each field', async () => {
    const op = await OperatorProcess.start({
      kubeconfig: String(process.env.KUBECONFIG),
      config: { workers: 0, wrokers: 2, leaderElection: { leaseDurationSeconds: 5, renewDeadlineSeconds: 10 } },
    });
    operators.push(op);
    const exit = await waitForExit(op, 60_000);
    expect(exit).toEqual({ code: 1, signal: null });
    const message = op.logs.map((l) => String(l.msg)).join('\n');
    expect(message).toMatch(/^agentry run: invalid operator configuration \(\/.*config\.yaml\):/m);
    expect(message).toContain('workers: Too small: expected number to be >=1');
    expect(message).toContain('Unrecognized key: "wrokers"');
    expect(message).toContain('leaderElection.renewDeadlineSeconds: renewDeadlineSeconds (10) must be less than leaseDurationSeconds (5)');
    expect(logLines(op)).toEqual([]); // it never started: no operator log line
  }, 90_000);
});
