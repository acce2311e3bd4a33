// Runs the operator in-process against the test control plane, scoped to a test file's namespaces
// (test files run in parallel, each with an operator of its own), each with a User-Agent of its own
// so that the API server's audit log (./audit-log.ts) shows exactly which writes it made.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { installCrds } from '../../hack/control-plane/control-plane.js';
import { defaultOperatorConfig, type OperatorConfig } from '../../src/config/operator-config.js';
import type { Logger } from '../../src/controller/logger.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import { startOperator, type RunningOperator } from '../../src/operator/operator.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { connection, eventually } from './cluster.js';

const crdDir = fileURLToPath(new URL('../../crds', import.meta.url));

export async function installAgentryCrds(): Promise<void> {
  const client = new KubeClient(connection());
  try {
    await installCrds(client, crdDir);
  } finally {
    client.close();
  }
}

export interface TestOperator {
  operator: RunningOperator;
  userAgent: string;
  registry: Registry;
  stop(): Promise<void>;
}

export type ConfigOverrides = { [K in keyof OperatorConfig]?: OperatorConfig[K] extends object ? Partial<OperatorConfig[K]> : OperatorConfig[K] };

/** The taint of the nodes whose pods run as local processes (e2e.ts pinToNode): tests' Agents may tolerate it. */
const LOCAL_PODS_TAINT = 'agentry.dev/local-pods';

export function testConfig(namespaces: string[], overrides: ConfigOverrides = {}): OperatorConfig {
  const defaults = defaultOperatorConfig();
  const base: OperatorConfig = { ...defaults, pods: { ...defaults.pods, allowedTolerations: [{ key: LOCAL_PODS_TAINT, effect: 'NoSchedule' }] } };
  const merged = { ...base, ...overrides } as OperatorConfig;
  for (const key of Object.keys(overrides) as (keyof OperatorConfig)[]) {
    const b = base[key];
    const o = overrides[key];
    if (b && o && typeof b === 'object' && !Array.isArray(b) && typeof o === 'object' && !Array.isArray(o)) {
      (merged as Record<string, unknown>)[key] = { ...b, ...o };
    }
  }
  return { ...merged, watchNamespaces: namespaces, leaderElection: { ...merged.leaderElection, enabled: false } };
}

export async function startTestOperator(namespaces: string[], overrides: ConfigOverrides = {}, options: Omit<ConfiguredOperatorOptions, 'config'> = {}): Promise<TestOperator> {
  return startConfiguredOperator({ ...options, config: testConfig(namespaces, { resyncPeriodSeconds: 600, workers: 2, ...overrides }) });
}

export interface ConfiguredOperatorOptions {
  /** Used as it is: leader election and watched namespaces included. */
  config: OperatorConfig;
  /** Default: the test cluster's admin. RBAC tests pass a ServiceAccount's credentials. */
  connection?: KubeConnection;
  /** Default: pino at $AGENTRY_TEST_LOG_LEVEL (silent). */
  logger?: Logger;
  /** Fail (and stop the operator) when it does not lead with synced caches within this time. */
  leadingTimeoutMs?: number;
}

/** Starts an operator with `config` as given and waits until it leads with synced caches. */
export async function startConfiguredOperator(options: ConfiguredOperatorOptions): Promise<TestOperator> {
  const userAgent = `agentry-test/${randomBytes(4).toString('hex')}`;
  const registry = new Registry();
  const operator = await startOperator({
    connection: options.connection ?? connection(),
    config: options.config,
    logger: options.logger ?? pino({ level: process.env.AGENTRY_TEST_LOG_LEVEL ?? 'silent' }),
    identity: userAgent,
    registry,
    userAgent,
  });
  if (options.leadingTimeoutMs === undefined) {
    await operator.leading;
  } else {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), options.leadingTimeoutMs)));
    const led = await Promise.race([operator.leading.then(() => true), timedOut]);
    clearTimeout(timer);
    if (!led) {
      await operator.stop();
      throw new Error(`the operator did not lead with synced caches within ${options.leadingTimeoutMs} ms`);
    }
  }
  return { operator, userAgent, registry, stop: () => operator.stop() };
}

/** Sum of a counter in a prom-client registry (all label sets matching `labels`). */
export async function counterValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/**
 * Waits for a full resync that begins now, as the operator's own metrics show it: a resync period
 * has passed (so the Agent informers have re-delivered every Agent), the reconcile counter has grown
 * by at least `agents`, and the work queue has drained (nothing queued, no reconcile running).
 */
export async function afterAResync(op: TestOperator, agents: number, resyncPeriodMs: number, timeoutMs = 60_000): Promise<void> {
  const startedAt = Date.now();
  const before = await counterValue(op.registry, 'controller_runtime_reconcile_total');
  try {
    await eventually(
      async () =>
        Date.now() - startedAt >= resyncPeriodMs &&
        (await counterValue(op.registry, 'controller_runtime_reconcile_total')) - before >= agents &&
        (await counterValue(op.registry, 'workqueue_depth')) === 0 &&
        (await counterValue(op.registry, 'controller_runtime_active_workers')) === 0,
      timeoutMs,
      50,
    );
  } catch (err) {
    const reconciles = (await counterValue(op.registry, 'controller_runtime_reconcile_total')) - before;
    throw new Error(`no full resync of ${agents} Agents within ${timeoutMs} ms (${reconciles} reconciles since)`, { cause: err });
  }
}
