// The operator under test: started as its own process against a fresh control plane, then N Agents
// are created and the benchmark waits until each one reports Ready (its Deployment Available, every
// child applied). Then the steady state: an idle window with at least one full resync, in which the
// operator must make no write at all, as recorded by the API server's audit log. Last, a restart: a
// new operator process over the N converged Agents, which must make no write either, timed from its
// start until every Agent has been reconciled once.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { objectRefKey } from '../../src/controller/object-key.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import { freePort } from '../control-plane/free-port.js';
import { auditedWrites, countWrites } from './audit-log.js';
import type { BenchCluster } from './bench-cluster.js';
import { agentReady, FirstSeen } from './first-seen.js';
import { OperatorProcess } from './operator-process.js';
import { forEachLimit } from './pool.js';
import { delta, sumBy, sumOf, type Sample } from '../metrics/prometheus-text.js';
import { summarize, type Summary } from './stats.js';
import { every, sleep, withTimeout } from './timeout.js';
import { agent, agentRefs, type WorkloadOptions } from './workload.js';

/** `agentry run`'s default User-Agent: how its writes are told apart in the audit log. */
export const OPERATOR_USER_AGENT = 'agentry/0.1.0';
const CHILD_RESOURCES = new Set(['serviceaccounts', 'configmaps', 'services', 'deployments', 'networkpolicies', 'referencegrants', 'httproutes']);
const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

export interface ProcessSnapshot {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  cpuSeconds: number;
}

export interface OperatorResult {
  /** From the first Agent create to the last child the operator applied (audit log). */
  appliedSeconds: number;
  /** From the first Agent create to the last Agent Ready. */
  readySeconds: number;
  /** Per Agent: its create to its Ready. */
  latencySeconds: Summary;
  /** API requests by HTTP method, from the operator's start to convergence. */
  requestsByMethod: Record<string, number>;
  /** Writes the API server recorded for the operator until convergence, by verb and resource. */
  writes: Record<string, number>;
  reconciles: number;
  /** Writes to agents/status until convergence (audit log). */
  statusWrites: number;
  /** Operator CPU from the first Agent create to convergence (its start-up excluded). */
  convergeCpuSeconds: number;
  atConvergence: ProcessSnapshot;
  steadyState: SteadyStateResult;
  /** End of the idle window. */
  final: ProcessSnapshot & { peakRssBytes: number | undefined };
  restart?: RestartResult;
}

/** A second operator process started over the converged Agents. */
export interface RestartResult {
  /** From spawning the process until every Agent has been reconciled once (the queue empty). */
  reconciledOnceSeconds: number;
  /** Its CPU until then, start-up (list of every cache) included. */
  cpuSeconds: number;
  reconciles: number;
  /** Audit log: every write it made until then and for a few seconds after (must be empty). */
  writes: Record<string, number>;
  writeCount: number;
  rssBytes: number;
}

export interface SteadyStateResult {
  windowSeconds: number;
  resyncPeriodSeconds: number;
  reconciles: number;
  /** Audit log: every write the operator made in the window (must be empty). */
  writes: Record<string, number>;
  writeCount: number;
  requestsByMethod: Record<string, number>;
  cpuSeconds: number;
}

function snapshot(samples: readonly Sample[]): ProcessSnapshot {
  return {
    rssBytes: sumOf(samples, 'process_resident_memory_bytes'),
    heapUsedBytes: sumOf(samples, 'nodejs_heap_size_used_bytes'),
    heapTotalBytes: sumOf(samples, 'nodejs_heap_size_total_bytes'),
    cpuSeconds: sumOf(samples, 'process_cpu_seconds_total'),
  };
}

const requestsByMethod = (s: readonly Sample[]) => sumBy(s, 'rest_client_requests_total', 'method');
const reconciles = (s: readonly Sample[]) => sumOf(s, 'controller_runtime_reconcile_total');
const writeRequests = (s: readonly Sample[]) => WRITE_METHODS.reduce((n, m) => n + sumOf(s, 'rest_client_requests_total', { method: m }), 0);

export async function measureOperator(
  cluster: BenchCluster,
  workload: WorkloadOptions,
  opts: {
    /** How to start the operator (see operator-build.ts). */
    command: readonly string[];
    configYaml: string;
    resyncPeriodSeconds: number;
    idleSeconds: number;
    timeoutMs: number;
    logDir: string;
    log: (m: string) => void;
    /** Restart the operator once converged and time its start-up (default true). */
    restart?: boolean;
  },
): Promise<OperatorResult> {
  const configFile = join(opts.logDir, 'operator-config.yaml');
  await writeFile(configFile, opts.configYaml);
  const operator = await OperatorProcess.start({ command: opts.command, kubeconfig: cluster.kubeconfig, configFile, logDir: opts.logDir, port: await freePort() });
  const ready = new FirstSeen(cluster.connection, `/apis/agentry.dev/v1alpha1/agents`, agentReady);
  const creator = new KubeClient(cluster.connection, { userAgent: 'agentry-bench', maxSockets: 64 });
  try {
    await ready.start();
    const refs = agentRefs(workload);
    const keys = refs.map(objectRefKey);
    const createdAt = new Map<string, number>();
    let depth = 0;
    const stopProgress = every(10_000, () => {
      void operator.scrape().then((s) => (depth = sumOf(s, 'workqueue_depth')), () => undefined);
      opts.log(`[operator] ${createdAt.size}/${refs.length} created, ${ready.count(keys)} Ready, work queue depth ${depth}`);
    });
    const cpuAtStart = snapshot(await operator.scrape()).cpuSeconds;
    const started = Date.now();
    try {
      await forEachLimit(refs, 64, async (ref) => {
        await creator.create(agent(ref, workload.kind));
        createdAt.set(objectRefKey(ref), Date.now());
      });
      await withTimeout(ready.waitFor(keys), opts.timeoutMs, 'every Agent to be Ready');
    } finally {
      stopProgress();
    }
    const converged = Date.now();
    const lastReady = Math.max(...keys.map((k) => ready.at.get(k) ?? 0));
    const atConvergence = await operator.scrape();
    const convergeWrites = await auditedWrites(cluster.auditLog, OPERATOR_USER_AGENT, started, converged);
    const childWrites = convergeWrites.filter((w) => CHILD_RESOURCES.has(w.resource) && !w.subresource && (w.code ?? 0) < 300);
    const lastChild = Math.max(started, ...childWrites.map((w) => w.at));
    opts.log(`[operator] all ${refs.length} Agents Ready in ${((lastReady - started) / 1000).toFixed(1)} s`);

    const steadyState = await measureSteadyState(operator, cluster.auditLog, opts);
    const end = await operator.scrape();
    const final = { ...snapshot(end), peakRssBytes: await operator.peakRssBytes() };
    await operator.stop();
    const restart = opts.restart === false ? undefined : await measureRestart(cluster, refs.length, { ...opts, configFile });
    return {
      appliedSeconds: (lastChild - started) / 1000,
      readySeconds: (lastReady - started) / 1000,
      latencySeconds: summarize(keys.map((k) => ((ready.at.get(k) ?? 0) - (createdAt.get(k) ?? 0)) / 1000)),
      requestsByMethod: requestsByMethod(atConvergence),
      writes: countWrites(convergeWrites),
      reconciles: reconciles(atConvergence),
      statusWrites: convergeWrites.filter((w) => w.resource === 'agents' && w.subresource === 'status').length,
      convergeCpuSeconds: snapshot(atConvergence).cpuSeconds - cpuAtStart,
      atConvergence: snapshot(atConvergence),
      steadyState,
      final,
      ...(restart && { restart }),
    };
  } finally {
    creator.close();
    await ready.stop();
    await operator.stop();
  }
}

/**
 * Starts a second operator over `agents` converged Agents and waits until it has reconciled each one
 * once: at least `agents` reconciles and nothing queued or in flight. Then a few more seconds, for
 * any write it would make late; the audit log must show none.
 */
async function measureRestart(
  cluster: BenchCluster,
  agents: number,
  opts: { command: readonly string[]; configFile: string; logDir: string; timeoutMs: number; log: (m: string) => void },
): Promise<RestartResult> {
  opts.log(`[restart] a new operator over ${agents} converged Agents`);
  const spawned = Date.now();
  const operator = await OperatorProcess.start({ command: opts.command, kubeconfig: cluster.kubeconfig, configFile: opts.configFile, logDir: opts.logDir, port: await freePort(), name: 'operator-restarted' });
  try {
    const deadline = spawned + opts.timeoutMs;
    let samples = await operator.scrape();
    const busy = (s: readonly Sample[]) => sumOf(s, 'workqueue_depth') + sumOf(s, 'controller_runtime_active_workers');
    while (reconciles(samples) < agents || busy(samples) > 0) {
      if (Date.now() > deadline) throw new Error(`the restarted operator reconciled ${reconciles(samples)} of ${agents} Agents in ${opts.timeoutMs / 1000} s`);
      await sleep(200);
      samples = await operator.scrape();
    }
    const reconciledAt = Date.now();
    opts.log(`[restart] every Agent reconciled once after ${((reconciledAt - spawned) / 1000).toFixed(1)} s`);
    await sleep(5_000);
    const writes = await auditedWrites(cluster.auditLog, OPERATOR_USER_AGENT, spawned, Date.now());
    return {
      reconciledOnceSeconds: (reconciledAt - spawned) / 1000,
      cpuSeconds: snapshot(samples).cpuSeconds,
      reconciles: reconciles(samples),
      writes: countWrites(writes),
      writeCount: writes.length,
      rssBytes: snapshot(samples).rssBytes,
    };
  } finally {
    await operator.stop();
  }
}

/**
 * Waits until the operator has gone quiet (no reconcile and no write for a few seconds: the last
 * Deployment status updates trail the last Ready), then watches it idle for the window.
 */
async function measureSteadyState(
  operator: OperatorProcess,
  auditLog: string,
  opts: { resyncPeriodSeconds: number; idleSeconds: number; log: (m: string) => void },
): Promise<SteadyStateResult> {
  const quietFor = 5_000;
  const settleDeadline = Date.now() + 120_000;
  let previous = await operator.scrape();
  let quietSince = Date.now();
  while (Date.now() < settleDeadline && Date.now() - quietSince < quietFor) {
    await sleep(1_000);
    const now = await operator.scrape();
    if (reconciles(now) !== reconciles(previous) || writeRequests(now) !== writeRequests(previous)) quietSince = Date.now();
    previous = now;
  }
  opts.log(`[steady] idle window of ${opts.idleSeconds} s (resync every ${opts.resyncPeriodSeconds} s)`);
  const before = await operator.scrape();
  const from = Date.now();
  await sleep(opts.idleSeconds * 1000);
  const after = await operator.scrape();
  const to = Date.now();
  const writes = await auditedWrites(auditLog, OPERATOR_USER_AGENT, from, to);
  return {
    windowSeconds: (to - from) / 1000,
    resyncPeriodSeconds: opts.resyncPeriodSeconds,
    reconciles: reconciles(after) - reconciles(before),
    writes: countWrites(writes),
    writeCount: writes.length,
    requestsByMethod: delta(requestsByMethod(after), requestsByMethod(before)),
    cpuSeconds: snapshot(after).cpuSeconds - snapshot(before).cpuSeconds,
  };
}
