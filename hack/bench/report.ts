// The benchmark's results: one JSON document (kept under .bench/) and a table for the terminal.
import type { LimitResult } from './direct-apply.js';
import type { OperatorResult } from './operator-phase.js';
import { round } from './stats.js';

export interface BenchResult {
  agents: number;
  startedAt: string;
  durationSeconds: number;
  machine: { cpus: number; memoryGiB: number; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  settings: {
    workload: string;
    namespaces: number;
    perNamespace: number;
    routesBesideGateway: boolean;
    kwokNodes: number;
    workers: number | 'default';
    resyncPeriodSeconds: number;
    idleSeconds: number;
    concurrency: number;
    /** The operator's node command line (up to `run`). */
    operator: string;
  };
  operator?: OperatorResult;
  limit?: LimitResult;
  ratio?: { readyToAvailable: number; appliedToApplied: number; p50: number; p99: number };
}

const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${round(bytes / 1024 / 1024, 1)} MiB`);
const s = (seconds: number | undefined) => (seconds === undefined || Number.isNaN(seconds) ? 'n/a' : `${round(seconds, 2)} s`);
const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .filter(([, v]) => v !== 0)
    .map(([k, v]) => `${k} ${round(v, 0)}`)
    .join(', ') || 'none';

const sumValues = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export function formatReport(r: BenchResult): string {
  const op = r.operator;
  const lim = r.limit;
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? `${round(a / b, 2)}x` : 'n/a');
  const lines = [
    `Agentry benchmark: ${r.agents} Agents (workload ${r.settings.workload}) in ${r.settings.namespaces} namespace(s), routes ${r.settings.routesBesideGateway ? 'beside the gateway' : 'beside each Agent'}, ${r.settings.kwokNodes} kwok node(s), workers ${r.settings.workers}`,
    `operator: node ${r.settings.operator}`,
    `machine: ${r.machine.cpus} CPUs, ${r.machine.memoryGiB} GiB, load ${r.machine.loadAverageAtStart.map((l) => round(l, 1)).join('/')} at start, ${r.machine.loadAverageAtEnd.map((l) => round(l, 1)).join('/')} at end`,
    '',
    table([
      ['', 'operator', `limit (direct SSA, ${r.settings.concurrency} in flight)`, 'operator/limit'],
      ['all children applied', s(op?.appliedSeconds), s(lim?.appliedSeconds), ratio(op?.appliedSeconds, lim?.appliedSeconds)],
      ['all Ready / Deployments Available', s(op?.readySeconds), s(lim?.availableSeconds), ratio(op?.readySeconds, lim?.availableSeconds)],
      ['per-Agent latency p50', s(op?.latencySeconds.p50), s(lim?.latencySeconds.p50), ratio(op?.latencySeconds.p50, lim?.latencySeconds.p50)],
      ['per-Agent latency p99', s(op?.latencySeconds.p99), s(lim?.latencySeconds.p99), ratio(op?.latencySeconds.p99, lim?.latencySeconds.p99)],
      ['per-Agent latency max', s(op?.latencySeconds.max), s(lim?.latencySeconds.max), ''],
    ]),
  ];
  if (op) {
    const perAgent = (n: number, digits = 2) => round(n / r.agents, digits);
    lines.push(
      '',
      table([
        ['per Agent, to convergence', 'reconciles', 'status writes', 'writes', 'operator CPU'],
        ['', String(perAgent(op.reconciles)), String(perAgent(op.statusWrites)), String(perAgent(sumValues(op.writes))), `${perAgent(op.convergeCpuSeconds * 1000, 1)} ms`],
      ]),
      '',
      `operator API requests (to convergence): ${counts(op.requestsByMethod)}`,
      `operator writes (audit log): ${counts(op.writes)}`,
      `operator reconciles: ${op.reconciles}`,
      `operator at convergence: RSS ${mb(op.atConvergence.rssBytes)}, heap used ${mb(op.atConvergence.heapUsedBytes)}, CPU ${s(op.atConvergence.cpuSeconds)}`,
      `operator at the end: RSS ${mb(op.final.rssBytes)} (peak ${mb(op.final.peakRssBytes)}), heap used ${mb(op.final.heapUsedBytes)}, CPU ${s(op.final.cpuSeconds)}`,
      '',
      `steady state (${s(op.steadyState.windowSeconds)} idle, resync every ${op.steadyState.resyncPeriodSeconds} s): ${op.steadyState.reconciles} reconciles, ` +
        `${op.steadyState.writeCount} writes (audit log: ${counts(op.steadyState.writes)}), requests ${counts(op.steadyState.requestsByMethod)}, CPU ${s(op.steadyState.cpuSeconds)}`,
    );
  }
  if (op?.restart) {
    const re = op.restart;
    lines.push(
      `restart over ${r.agents} converged Agents: every Agent reconciled once ${s(re.reconciledOnceSeconds)} after the start, CPU ${s(re.cpuSeconds)}, ` +
        `${re.reconciles} reconciles, ${re.writeCount} writes (audit log: ${counts(re.writes)}), RSS ${mb(re.rssBytes)}`,
    );
  }
  if (lim) lines.push(`limit: ${lim.objects} objects, ${lim.requests} requests`);
  return lines.join('\n');
}
