// The limit: the same objects the operator would apply for the same Agents (rendered with render()
// and annotated exactly as the operator applies them), sent by a maximally parallel server-side-apply
// client with no operator, no cache and no status writes, at most `concurrency` requests in flight.
// The Agents are created first, in one burst, as in the operator phase (their children carry an
// ownerReference to their uid, which the garbage collector checks); each Agent's children queue up
// behind them as it is created. So each Agent's latency counts the same queueing an operator's work
// queue would impose, and the two phases' per-Agent latencies compare like for like.
import type { OperatorConfig } from '../../src/config/operator-config.js';
import { objectRefKey } from '../../src/controller/object-key.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { FIELD_MANAGER, withAppliedHash } from '../../src/operator/apply/write-decision.js';
import { renderInput } from '../../src/render/render-input.js';
import { deploymentAvailable, FirstSeen } from './first-seen.js';
import { TaskPool } from './pool.js';
import { summarize, type Summary } from './stats.js';
import { every, withTimeout } from './timeout.js';
import { agent, agentRefs, modelConfig, type WorkloadOptions } from './workload.js';

export const DIRECT_USER_AGENT = 'agentry-bench-direct';

export interface LimitResult {
  concurrency: number;
  objects: number;
  requests: number;
  /** From the first Agent create to the last child applied. */
  appliedSeconds: number;
  /** From the first Agent create to the last Deployment Available. */
  availableSeconds: number;
  /** Per Agent: its create to its Deployment Available. */
  latencySeconds: Summary;
  /** Per Agent: its create to its last child applied. */
  appliedLatencySeconds: Summary;
}

export async function measureLimit(
  connection: KubeConnection,
  workload: WorkloadOptions,
  config: OperatorConfig,
  opts: { concurrency: number; timeoutMs: number; log: (m: string) => void },
): Promise<LimitResult> {
  const client = new KubeClient(connection, { userAgent: DIRECT_USER_AGENT, maxSockets: opts.concurrency });
  const available = new FirstSeen(connection, '/apis/apps/v1/deployments', deploymentAvailable, 'app.kubernetes.io/managed-by=agentry');
  await available.start();
  const refs = agentRefs(workload);
  const keys = refs.map(objectRefKey);
  const createdAt = new Map<string, number>();
  const appliedAt = new Map<string, number>();
  let requests = 0;
  let objects = 0;
  let applied = 0;
  const stopProgress = every(10_000, () => opts.log(`[limit] ${applied}/${objects} objects applied, ${available.count(keys)}/${refs.length} Deployments available`));
  try {
    const started = Date.now();
    const pool = new TaskPool(opts.concurrency);
    for (const ref of refs) {
      pool.push(async () => {
        const key = objectRefKey(ref);
        const created = await client.create(agent(ref, workload.kind));
        requests++;
        createdAt.set(key, Date.now());
        const result = renderInput(created, { modelConfig: modelConfig(ref.namespace) }, config);
        if (!result.ok) throw new Error(`render ${key}: ${result.reason}: ${result.message}`);
        let left = result.objects.length;
        objects += left;
        for (const child of result.objects) {
          pool.push(async () => {
            await client.apply(withAppliedHash(child), { fieldManager: FIELD_MANAGER, force: true });
            requests++;
            applied++;
            if (--left === 0) appliedAt.set(key, Date.now());
          });
        }
      });
    }
    await withTimeout(pool.drain(), opts.timeoutMs, 'the direct apply');
    const appliedSeconds = (Date.now() - started) / 1000;
    opts.log(`[limit] all ${objects} objects applied in ${appliedSeconds.toFixed(1)} s; waiting for the Deployments`);
    await withTimeout(available.waitFor(keys), opts.timeoutMs, 'the Deployments to be Available');
    const lastAvailable = Math.max(...keys.map((k) => available.at.get(k) ?? 0));
    return {
      concurrency: opts.concurrency,
      objects,
      requests,
      appliedSeconds,
      availableSeconds: (lastAvailable - started) / 1000,
      latencySeconds: summarize(keys.map((k) => ((available.at.get(k) ?? 0) - (createdAt.get(k) ?? 0)) / 1000)),
      appliedLatencySeconds: summarize(keys.map((k) => ((appliedAt.get(k) ?? 0) - (createdAt.get(k) ?? 0)) / 1000)),
    };
  } finally {
    stopProgress();
    await available.stop();
    client.close();
  }
}
