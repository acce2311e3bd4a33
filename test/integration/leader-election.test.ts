// Leader election between operator processes on a real coordination.k8s.io Lease (short timings:
// lease 4 s, renew deadline 3 s, retry 1 s): only the leader writes (the API server's audit log,
// told apart by each process's User-Agent), the standby is healthy and ready, a SIGKILLed leader is
// replaced after its lease runs out, a SIGTERMed one drains, then hands the Lease over at once.
// Handover times are printed, not asserted: they depend on the machine. Each test has a Lease, a
// namespace and operators of its own; what a standby did not do is asserted once it has been seen
// asking for the Lease again and again (its own request metrics), not after a pause.
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
let leaseNs = '';

/** One test's election: the Lease its candidates campaign for, and the namespace they watch. */
interface Election {
  leaseName: string;
  ns: string;
}

async function election(name: string): Promise<Election> {
  return { leaseName: `agentry-le-${run}-${name}`, ns: await namespaces.create(`le-${name}`) };
}

interface LeaseObject extends KubeObject {
  spec: { holderIdentity?: string; leaseTransitions?: number };
}

const userAgent = (identity: string) => `agentry-le-${run}/${identity}`;

/** An operator process campaigning for the election's Lease, in the namespace POD_NAMESPACE names. */
async function candidate(e: Election, identity: string, extra: { config?: Record<string, unknown>; env?: Record<string, string | undefined> } = {}): Promise<OperatorProcess> {
  const op = await OperatorProcess.start({
    kubeconfig: String(process.env.KUBECONFIG),
    config: { watchNamespaces: [e.ns], workers: 2, leaderElection: { leaseName: e.leaseName, ...LEASE }, ...extra.config },
    args: ['--leader-elect', '--identity', identity, '--user-agent', userAgent(identity), '--log-level', 'debug'],
    env: { POD_NAMESPACE: leaseNs, ...extra.env },
  });
  operators.push(op);
  await probeServing(op);
  return op;
}

const acquired = (op: OperatorProcess, timeoutMs = 30_000) => waitForLog(op, (l) => l.msg === 'acquired leadership', timeoutMs, '"acquired leadership"');
const lease = (name: string, namespace = leaseNs) => client.find<LeaseObject>('coordination.k8s.io/v1', 'Lease', namespace, name);
const byoAgent = (ns: string, name: string): KubeObject => ({ apiVersion: AGENT, kind: 'Agent', metadata: { name, namespace: ns }, spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/agent:1.0.0' }, a2aConfig: { skills: [{ id: 'x', name: 'X' }] } } });
const service = (ns: string, name: string) => client.find('v1', 'Service', ns, name);
const writesBy = (identity: string, since: Date) => auditEvents({ since, userAgent: userAgent(identity) });
const described = (events: AuditEvent[]) => events.map((e) => `${e.verb} ${e.requestURI}`);

/**
 * Resolves once `op` has made `rounds` more GET requests: a standby's only requests are its reads of
 * the Lease, one per retry period, so this is the standby seen campaigning that many times.
 */
async function campaigned(op: OperatorProcess, rounds: number): Promise<void> {
  const gets = () => op.counter('rest_client_requests_total', { method: 'GET' });
  const before = await gets();
  await eventually(async () => (await gets()) >= before + rounds, 10 * rounds * LEASE.retryPeriodSeconds * 1000);
}

const indexOf = (lines: LogLine[], msg: string) => lines.findIndex((l) => l.msg === msg);

beforeAll(async () => {
  await installAgentryCrds();
  leaseNs = await namespaces.create('le-lease');
}, 60_000);

afterAll(async () => {
  await Promise.all(operators.map((op) => op.kill()));
  await namespaces.deleteAll();
  client.close();
});

describe('leader election between operator processes', () => {
  it('lets only the leader write, while the standby is healthy, ready and silent', async () => {
    const e = await election('silent');
    const since = new Date();
    const a = await candidate(e, 'silent-a');
    await acquired(a);
    const b = await candidate(e, 'silent-b');
    // The Lease is in the namespace POD_NAMESPACE names (leaseNamespace is not set), held by a.
    await eventually(async () => (await lease(e.leaseName))?.spec.holderIdentity === 'silent-a');

    await client.create(byoAgent(e.ns, 'one'));
    await eventually(() => service(e.ns, 'one'));
    // b keeps asking for the Lease, several retry periods over: it must not take it or write.
    await campaigned(b, 3);

    for (const op of [a, b]) {
      expect((await op.probe('/healthz')).status).toBe(200);
      expect((await op.probe('/readyz')).status).toBe(200);
    }
    expect(logLines(b).some((l) => l.msg === 'acquired leadership')).toBe(false);
    expect((await lease(e.leaseName))?.spec.holderIdentity).toBe('silent-a');
    expect(described(await writesBy('silent-b', since))).toEqual([]);
    const writesOfA = await writesBy('silent-a', since);
    const resources = new Set(writesOfA.map((w) => w.objectRef?.resource));
    expect(resources).toContain('leases'); // acquired and renewed under its own User-Agent
    expect(resources).toContain('services');

    // The standby's controller never ran, and it reports no Agents it does not have in cache.
    const metrics = await b.scrape();
    expect(sumOf(metrics, 'controller_runtime_reconcile_total')).toBe(0);
    expect(samplesOf(metrics, 'agentry_agents')).toEqual([]);
    expect(sumOf(await a.scrape(), 'agentry_agents', { condition: 'Accepted', status: 'True' })).toBe(1);
  }, 120_000);

  it('hands over to the standby within about a lease duration when the leader is killed', async () => {
    const e = await election('killed');
    const a = await candidate(e, 'killed-a');
    await acquired(a);
    const b = await candidate(e, 'killed-b');
    await campaigned(b, 1); // a standby, not still starting
    const before = await lease(e.leaseName);
    const killedAt = Date.now();
    await a.kill(); // SIGKILL: no release, the Lease must run out
    await client.create(byoAgent(e.ns, 'two'));

    const took = await acquired(b, 60_000);
    await eventually(() => service(e.ns, 'two'), 60_000);
    const reconciledAt = Date.now();
    process.stderr.write(
      `[leader-election] SIGKILL: standby took the lease ${took.time - killedAt} ms after the kill (lease ${LEASE.leaseDurationSeconds} s), ` +
        `and reconciled an Agent created after the kill ${reconciledAt - killedAt} ms after it\n`,
    );
    const after = await lease(e.leaseName);
    expect(after?.spec.holderIdentity).toBe('killed-b');
    expect(after?.spec.leaseTransitions).toBe((before?.spec.leaseTransitions ?? 0) + 1);
    const sinceKill = new Date(killedAt);
    expect(described(await writesBy('killed-a', sinceKill))).toEqual([]);
    expect((await writesBy('killed-b', sinceKill)).some((w) => w.objectRef?.resource === 'services' && w.objectRef.name === 'two')).toBe(true);
  }, 120_000);

  it('drains, then releases the Lease on SIGTERM, so the standby takes over without waiting it out', async () => {
    const e = await election('drained');
    const b = await candidate(e, 'drained-b');
    await acquired(b);
    const c = await candidate(e, 'drained-c');
    await campaigned(c, 2); // c is campaigning
    // Work in flight when the signal comes: reconciles b must finish (or leave to c), not cut off.
    const names = ['three', 'four', 'five', 'six', 'seven', 'eight'];
    await Promise.all(names.map((n) => client.create(byoAgent(e.ns, n))));
    await waitForLog(b, (l) => l.msg === 'reconcile started' && names.includes(String(l.name)), 30_000, 'a reconcile of a new Agent');

    const termAt = Date.now();
    b.signal('SIGTERM');
    const exit = await waitForExit(b, 45_000);
    expect(exit).toEqual({ code: 0, signal: null });
    // Right after b exits the Lease is no longer b's: released, or already c's. (Unreleased, it
    // would stay b's for the 4 s lease duration.)
    expect((await lease(e.leaseName))?.spec.holderIdentity).not.toBe('drained-b');

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
    for (const n of names) await eventually(() => service(e.ns, n), 60_000);

    // No overlap: every write of b precedes c's first (its Lease acquisition included).
    const since = new Date(termAt - 60_000);
    const lastOfB = Math.max(...(await writesBy('drained-b', since)).map((w) => Date.parse(w.stageTimestamp)));
    const firstOfC = Math.min(...(await writesBy('drained-c', since)).map((w) => Date.parse(w.stageTimestamp)));
    expect(lastOfB).toBeLessThan(firstOfC);
  }, 150_000);

  it('puts the Lease in POD_NAMESPACE, else the service-account namespace or default, unless leaseNamespace is set', async () => {
    const bareElection = await election('bare'); // no Agents: these two lead without writing any
    const explicitElection = await election('explicit');
    const configured = await namespaces.create('le-configured');
    const saNamespaceFile = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
    const fallback = existsSync(saNamespaceFile) ? readFileSync(saNamespaceFile, 'utf8').trim() : 'default';
    const bare = await candidate(bareElection, 'bare', { env: { POD_NAMESPACE: undefined } });
    const explicit = await candidate(explicitElection, 'explicit', { config: { leaderElection: { leaseName: explicitElection.leaseName, leaseNamespace: configured, ...LEASE } } });
    try {
      await acquired(bare);
      await acquired(explicit);
      expect((await lease(bareElection.leaseName, fallback))?.spec.holderIdentity).toBe('bare');
      expect((await lease(explicitElection.leaseName, configured))?.spec.holderIdentity).toBe('explicit');
      expect(await lease(explicitElection.leaseName, leaseNs)).toBeUndefined();
    } finally {
      await Promise.all(
        [bare, explicit].map(async (op) => {
          op.signal('SIGTERM');
          await waitForExit(op, 30_000);
        }),
      );
      await client.delete({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: bareElection.leaseName, namespace: fallback } });
    }
  }, 120_000);
});
