// `npm run bench -- [N] [flags]`: how fast Agentry converges N Agents compared with the fastest
// possible client, what it costs (API requests, memory, CPU), and whether it is silent at steady
// state. Each phase gets a fresh local control plane of its own; results go to .bench/.
//
//   npm run bench                      # 100 Agents
//   npm run bench -- 1000 --idle 120   # 1,000 Agents, a 2-minute idle window
//   npm run bench -- 200 --workload byo-minimal   # BYO Agents, no gateway, no NetworkPolicy
//
// Flags: --workload full|byo-minimal (what each Agent is, see workload.ts; default full),
// --idle SECONDS (steady-state window, default 120), --resync SECONDS (the operator's
// resyncPeriodSeconds, default half the window), --workers N (the operator's workers, default its
// config default), --concurrency N (the direct client's requests in flight, default 64),
// --per-namespace N (Agents per namespace, default 100), --routes gateway|agent (HTTPRoutes beside
// the gateway with ReferenceGrants, the default, or beside each Agent), --no-limit (skip the
// direct-apply phase), --no-restart (skip restarting the operator over the converged Agents, which
// is timed until every Agent was reconciled once), --timeout SECONDS (per phase), --out DIR (default
// .bench, inside the repository: the compiled operator finds its packages there), --runtime dist|tsx
// (the operator compiled, as it ships, the default; or its sources through tsx), --dist DIR (an
// already compiled operator, e.g. an older revision to compare with), --node-flags="..." (the
// operator's node flags; default: the image's, IMAGE_NODE_FLAGS in operator-build.ts; "" for none).
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measureLimit } from './direct-apply.js';
import { IMAGE_NODE_FLAGS, buildOperator, operatorCommand } from './operator-build.js';
import { measureOperator } from './operator-phase.js';
import { prepareNamespaces, startBenchCluster } from './bench-cluster.js';
import { formatReport, type BenchResult } from './report.js';
import { WORKLOADS, isWorkloadKind, namespacesOf, operatorConfig, operatorConfigYaml, type WorkloadOptions } from './workload.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    agents: { type: 'string' },
    workload: { type: 'string', default: 'full' },
    idle: { type: 'string', default: '120' },
    resync: { type: 'string' },
    workers: { type: 'string' },
    concurrency: { type: 'string', default: '64' },
    'per-namespace': { type: 'string', default: '100' },
    routes: { type: 'string', default: 'gateway' },
    'no-limit': { type: 'boolean', default: false },
    'no-restart': { type: 'boolean', default: false },
    timeout: { type: 'string' },
    out: { type: 'string', default: '.bench' },
    runtime: { type: 'string', default: 'dist' },
    dist: { type: 'string' },
    'node-flags': { type: 'string' },
  },
});

function positiveInt(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a positive integer, got ${text}`);
  return n;
}

const agents = positiveInt('agents', values.agents ?? positionals[0] ?? '100');
if (!isWorkloadKind(values.workload)) throw new Error(`--workload: one of ${WORKLOADS.join(', ')}, got ${values.workload}`);
const workloadKind = values.workload;
const idleSeconds = positiveInt('--idle', values.idle);
const resyncPeriodSeconds = positiveInt('--resync', values.resync ?? String(Math.max(1, Math.floor(idleSeconds / 2))));
if (resyncPeriodSeconds >= idleSeconds) throw new Error('--resync must be shorter than --idle, so the window holds a full resync');
const workers = values.workers === undefined ? undefined : positiveInt('--workers', values.workers);
const concurrency = positiveInt('--concurrency', values.concurrency);
const perNamespace = positiveInt('--per-namespace', values['per-namespace']);
if (values.routes !== 'gateway' && values.routes !== 'agent') throw new Error('--routes: gateway or agent');
const routesBesideGateway = values.routes === 'gateway';
if (values.runtime !== 'dist' && values.runtime !== 'tsx') throw new Error('--runtime: dist or tsx');
const nodeFlags = values['node-flags'] === undefined ? IMAGE_NODE_FLAGS : values['node-flags'].split(/\s+/).filter(Boolean);
const timeoutMs = positiveInt('--timeout', values.timeout ?? String(600 + Math.ceil(agents * 0.5))) * 1000;

const started = new Date();
const runName = `${started.toISOString().replace(/[:.]/g, '-')}-n${agents}${workloadKind === 'full' ? '' : `-${workloadKind}`}`;
const outDir = resolve(values.out);
const runDir = join(outDir, runName);
await mkdir(runDir, { recursive: true });
const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

const command =
  values.runtime === 'tsx'
    ? operatorCommand({ kind: 'tsx' }, nodeFlags)
    : operatorCommand({ kind: 'dist', main: values.dist ? join(resolve(values.dist), 'cli/main.js') : await buildOperator(join(outDir, 'dist')) }, nodeFlags);
const configYaml = operatorConfigYaml({ kind: workloadKind, routesBesideGateway, resyncPeriodSeconds, ...(workers !== undefined ? { workers } : {}) });
const config = operatorConfig(configYaml);
const workloadFor = (namespacePrefix: string): WorkloadOptions => ({ kind: workloadKind, agents, perNamespace, namespacePrefix, routesBesideGateway });

const result: BenchResult = {
  agents,
  startedAt: started.toISOString(),
  durationSeconds: 0,
  machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverageAtStart: loadavg(), loadAverageAtEnd: [] },
  settings: {
    workload: workloadKind,
    namespaces: namespacesOf(workloadFor('x')).length,
    perNamespace,
    routesBesideGateway,
    kwokNodes: 0,
    workers: workers ?? 'default',
    resyncPeriodSeconds,
    idleSeconds,
    concurrency,
    operator: command.join(' '),
  },
};
log(`benchmark ${runName}: ${agents} Agents; logs in ${runDir} (free memory ${Math.round(freemem() / 2 ** 30)} GiB)`);

async function phase<T>(name: string, run: (cluster: Awaited<ReturnType<typeof startBenchCluster>>) => Promise<T>): Promise<T> {
  log(`[${name}] starting a control plane`);
  const cluster = await startBenchCluster(agents, log);
  result.settings.kwokNodes = cluster.nodes;
  try {
    return await run(cluster);
  } finally {
    await cluster.stop();
  }
}

let failed = false;
try {
  if (!values['no-limit']) {
    result.limit = await phase('limit', async (cluster) => {
      const workload = workloadFor('bench-direct');
      await prepareNamespaces(cluster.connection, workload);
      return measureLimit(cluster.connection, workload, config, { concurrency, timeoutMs, log });
    });
  }
  result.operator = await phase('operator', async (cluster) => {
    const workload = workloadFor('bench-op');
    await prepareNamespaces(cluster.connection, workload);
    return measureOperator(cluster, workload, { command, configYaml, resyncPeriodSeconds, idleSeconds, timeoutMs, logDir: runDir, log, restart: !values['no-restart'] });
  });
  if (result.limit && result.operator) {
    result.ratio = {
      readyToAvailable: result.operator.readySeconds / result.limit.availableSeconds,
      appliedToApplied: result.operator.appliedSeconds / result.limit.appliedSeconds,
      p50: result.operator.latencySeconds.p50 / result.limit.latencySeconds.p50,
      p99: result.operator.latencySeconds.p99 / result.limit.latencySeconds.p99,
    };
  }
} catch (err) {
  failed = true;
  log(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  result.durationSeconds = (Date.now() - started.getTime()) / 1000;
  result.machine.loadAverageAtEnd = loadavg();
  const file = join(outDir, `${runName}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\n${formatReport(result)}\n\nresults: ${file}\n`);
}
const steadyWrites = (result.operator?.steadyState.writeCount ?? 0) + (result.operator?.restart?.writeCount ?? 0);
if (steadyWrites > 0) log(`FAIL: the operator made ${steadyWrites} write(s) at steady state or on restart`);
process.exit(failed || steadyWrites > 0 ? 1 : 0);
