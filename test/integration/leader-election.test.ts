// Leader election between operator processes on a real coordination.k8s.io Lease (short timings:
// lease 4 s, renew deadline 3 s, retry 1 s): only the leader writes (the API server's audit log,
// told apart by each process's User-Agent), the standby is healthy and ready, a SIGKILLed leader is
// replaced after its lease runs out, a SIGTERMed one drains, then hands the Lease over at once.
// Handover times are printed, not asserted: they depend on the machine.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { samplesOf, sumOf } from '../../hack/metrics/prometheus-text.js';
import { auditEvents, type AuditEvent } from '../harness/audit-log.js';
import { eventually, connection, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { installAgentryCrds } from '../harness/operator.js';
import { OperatorProcess } from '../harness/operator-process.js';
import { logLines, probeServing, waitForExit, waitForLog, type LogLine } from '../harness/operator-process-waits.js';

const kc = kubeConfig();
const client = new KubeClient(connection());
const namespaces = new TestNamespaces(kc.makeApiClient(k8s.CoreV1Api));
const AGENT = 'agentry.dev/v1alpha1';
const LEASE = { leaseDurationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 };
const run = randomBytes(3).toString('hex');
const operators: OperatorProcess[] = [];
let ns = '';
let leaseNs = '';
let leaseName = '';

interface LeaseObject extends KubeObject {
  spec: { holderIdentity?: string; leaseTransitions?: number };
}

const userAgent = (identity: string) => `agentry-le-${run}/${identity}`;

/** An operator process campaigning for the test's Lease, in the namespace POD_NAMESPACE names. */
async function candidate(identity: string, extra: { config?: Record<string, unknown>; env?: Record<string, string | undefined>; watch?: string } = {}): Promise<OperatorProcess> {
  const op = await OperatorProcess.start({
    kubeconfig: String(process.env.KUBECONFIG),
    config: { watchNamespaces: [extra.watch ?? ns], workers: 2, leaderElection: { leaseName, ...LEASE }, ...extra.config },
    args: ['--leader-elect', '--identity', identity, '--user-agent', userAgent(identity), '--log-level', 'debug'],
    env: { POD_NAMESPACE: leaseNs, ...extra.env },
  });
  operators.push(op);
  await probeServing(op);
  return op;
}

const acquired = (op: OperatorProcess, timeoutMs = 30_000) => waitForLog(op, (l) => l.msg === 'acquired leadership', timeoutMs, '"acquired leadership"');
const lease = (namespace = leaseNs, name = leaseName) => client.find<LeaseObject>('coordination.k8s.io/v1', 'Lease', namespace, name);
const byoAgent = (name: string): KubeObject => ({ apiVersion: AGENT, kind: 'Agent', metadata: { name, namespace: ns }, spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/agent:1.0.0' }, a2aConfig: { skills: [{ id: 'x', name: 'X' }] } } });
const service = (name: string) => client.find('v1', 'Service', ns, name);
const writesBy = (identity: string, since: Date) => auditEvents({ since, userAgent: userAgent(identity) });
const described = (events: AuditEvent[]) => events.map((e) => `${e.verb} ${e.requestURI}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const indexOf = (lines: LogLine[], msg: string) => lines.findIndex((l) => l.msg === msg);

beforeAll(async () => {
  await installAgentryCrds();
  ns = await namespaces.create('le');
  leaseNs = await namespaces.create('le-lease');
  leaseName = `agentry-le-${run}`;
}, 60_000);

afterAll(async () => {
  await Promise.all(operators.map((op) => op.kill()));
  await namespaces.deleteAll();
  client.close();
});

describe('leader election between operator processes', () => {
  let a: OperatorProcess;
  let b: OperatorProcess;

  it('lets only the leader write, while the standby is healthy, ready and silent', async () => {
    const since = new Date();
    a = await candidate('a');
    await acquired(a);
    b = await candidate('b');
    // The Lease is in the namespace POD_NAMESPACE names (leaseNamespace is not set), held by a.
    await eventually(async () => (await lease())?.spec.holderIdentity === 'a');

    await client.create(byoAgent('one'));
    await eventually(() => service('one'));
    // Several of b's retry periods pass: it keeps asking for the Lease, and must not take it or write.
    await sleep(3 * LEASE.retryPeriodSeconds * 1000);

    for (const op of [a, b]) {
      expect((await op.probe('/healthz')).status).toBe(200);
      expect((await op.probe('/readyz')).status).toBe(200);
    }
    expect(logLines(b).some((l) => l.msg === 'acquired leadership')).toBe(false);
    expect(described(await writesBy('b', since))).toEqual([]);
    const writesOfA = await writesBy('a', since);
    const resources = new Set(writesOfA.map((e) => e.objectRef?.resource));
    expect(resources).toContain('leases'); // acquired and renewed under its own User-Agent
    expect(resources).toContain('services');

    // The standby's controller never ran, and it reports no Agents it does not have in cache.
    const metrics = await b.scrape();
    expect(sumOf(metrics, 'controller_runtime_reconcile_total')).toBe(0);
    expect(samplesOf(metrics, 'agentry_agents')).toEqual([]);
    expect(sumOf(await a.scrape(), 'agentry_agents', { condition: 'Accepted', status: 'True' })).toBe(1);
  }, 120_000);

  it('hands over to the standby within about a lease duration when the leader is killed', async () => {
    const before = await lease();
    const killedAt = Date.now();
    await a.kill(); // SIGKILL: no release, the Lease must run out
    await client.create(byoAgent('two'));

    const took = await acquired(b, 60_000);
    await eventually(() => service('two'), 60_000);
    const reconciledAt = Date.now();
    process.stderr.write(
      `[leader-election] SIGKILL: standby took the lease ${took.time - killedAt} ms after the kill (lease ${LEASE.leaseDurationSeconds} s), ` +
        `and reconciled an Agent created after the kill ${reconciledAt - killedAt} ms after it\n`,
    );
    const after = await lease();
    expect(after?.spec.holderIdentity).toBe('b');
    expect(after?.spec.leaseTransitions).toBe((before?.spec.leaseTransitions ?? 0) + 1);
    const sinceKill = new Date(killedAt);
    expect(described(await writesBy('a', sinceKill))).toEqual([]);
    expect((await writesBy('b', sinceKill)).some((e) => e.objectRef?.resource === 'services' && e.objectRef.name === 'two')).toBe(true);
  }, 120_000);

  it('drains, then releases the Lease on SIGTERM, so the standby takes over without waiting it out', async () => {
    const c = await candidate('c');
    await sleep(2 * LEASE.retryPeriodSeconds * 1000); // c is campaigning
    // Work in flight when the signal comes: reconciles b must finish (or leave to c), not cut off.
    const names = ['three', 'four', 'five', 'six', 'seven', 'eight'];
    await Promise.all(names.map((n) => client.create(byoAgent(n))));
    await waitForLog(b, (l) => l.msg === 'reconcile started' && names.includes(String(l.name)), 30_000, 'a reconcile of a new Agent');

    const termAt = Date.now();
    b.signal('SIGTERM');
    const exit = await waitForExit(b, 45_000);
    expect(exit).toEqual({ code: 0, signal: null });
    // Right after b exits the Lease is no longer b's: released, or already c's. (Unreleased, it
    // would stay b's for the 4 s lease duration.)
    expect((await lease())?.spec.holderIdentity).not.toBe('b');

    const lines = logLines(b);
    // The order of a clean handover: every reconcile ended, the controller stopped, then the release.
    const released = indexOf(lines, 'released leadership');
    expect(released).toBeGreaterThan(indexOf(lines, 'controller stopped'));
    expect(indexOf(lines, 'controller stopped')).toBeGreaterThan(-1);
    const started = lines.filter((l) => l.msg === 'reconcile started').map((l) => String(l.reconcileID));
    const ended = new Set(lines.filter((l) => l.msg === 'reconcile finished' || l.msg === 'reconcile failed').map((l) => String(l.reconcileID)));
    expect(started.filter((id) => !ended.has(id))).toEqual([]);
    expect(lines.at(-1)?.msg).toBe('stopped');

    const took = await acquired(c, 30_000);
    process.stderr.write(`[leader-election] SIGTERM: standby took the lease ${took.time - termAt} ms after the signal (lease ${LEASE.leaseDurationSeconds} s)\n`);
    for (const n of names) await eventually(() => service(n), 60_000);

    // No overlap: every write of b precedes c's first (its Lease acquisition included).
    const since = new Date(termAt - 60_000);
    const lastOfB = Math.max(...(await writesBy('b', since)).map((e) => Date.parse(e.stageTimestamp)));
    const firstOfC = Math.min(...(await writesBy('c', since)).map((e) => Date.parse(e.stageTimestamp)));
    expect(lastOfB).toBeLessThan(firstOfC);
  }, 150_000);

  it('puts the Lease in POD_NAMESPACE, else the service-account namespace or default, unless leaseNamespace is set', async () => {
    const idle = await namespaces.create('le-idle'); // no Agents: these two lead without writing any
    const configured = await namespaces.create('le-configured');
    const saNamespaceFile = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
    const fallback = existsSync(saNamespaceFile) ? readFileSync(saNamespaceFile, 'utf8').trim() : 'default';
    const bare = await candidate('bare', { watch: idle, env: { POD_NAMESPACE: undefined }, config: { leaderElection: { leaseName: `${leaseName}-bare`, ...LEASE } } });
    const explicit = await candidate('explicit', { watch: idle, config: { leaderElection: { leaseName: `${leaseName}-explicit`, leaseNamespace: configured, ...LEASE } } });
    try {
      await acquired(bare);
      await acquired(explicit);
      expect((await lease(fallback, `${leaseName}-bare`))?.spec.holderIdentity).toBe('bare');
      expect((await lease(configured, `${leaseName}-explicit`))?.spec.holderIdentity).toBe('explicit');
      expect(await lease(leaseNs, `${leaseName}-explicit`)).toBeUndefined();
    } finally {
      await Promise.all([bare, explicit].map(async (op) => {
        op.signal('SIGTERM');
        await waitForExit(op, 30_000);
      }));
      await client.delete({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: `${leaseName}-bare`, namespace: fallback } });
    }
  }, 120_000);
});
