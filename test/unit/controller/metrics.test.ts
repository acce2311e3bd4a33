import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Registry } from 'prom-client';
import { Controller } from '../../../src/controller/controller.js';
import { TerminalError } from '../../../src/controller/errors.js';
import { enqueueForObject } from '../../../src/controller/event-mappers.js';
import { Informer } from '../../../src/controller/informer.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { ControllerMetrics } from '../../../src/controller/metrics.js';
import { ItemExponentialRateLimiter } from '../../../src/controller/rate-limiter.js';
import { WorkQueue } from '../../../src/controller/work-queue.js';
import { FakeListWatch } from './fakes/fake-list-watch.js';

function agent(name: string): KubeObject {
  return { apiVersion: 'agentry.dev/v1alpha1', kind: 'Agent', metadata: { name, namespace: 'team' } };
}

/** The value of one sample of `metric` (for histograms e.g. `x_count`) whose labels include `labels`. */
async function sample(registry: Registry, metric: string, labels: Record<string, string>): Promise<number | undefined> {
  const familyName = metric.replace(/_(count|sum|bucket)$/, '');
  const family = (await registry.getMetricsAsJSON()).find((m) => m.name === metric || m.name === familyName);
  const values = (family?.values ?? []) as { value: number; labels: Record<string, string | number>; metricName?: string }[];
  const match = values.find(
    (v) => (v.metricName ?? family?.name) === metric && Object.entries(labels).every(([k, val]) => v.labels[k] === val),
  );
  return match?.value;
}

describe('ControllerMetrics', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it("registers controller-runtime's metric names in the given registry only", async () => {
    const registry = new Registry();
    new ControllerMetrics(registry);
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(names).toEqual([
      'controller_runtime_active_workers',
      'controller_runtime_max_concurrent_reconciles',
      'controller_runtime_reconcile_errors_total',
      'controller_runtime_reconcile_time_seconds',
      'controller_runtime_reconcile_total',
      'controller_runtime_terminal_reconcile_errors_total',
      'workqueue_adds_total',
      'workqueue_depth',
      'workqueue_longest_running_processor_seconds',
      'workqueue_queue_duration_seconds',
      'workqueue_retries_total',
      'workqueue_unfinished_work_seconds',
      'workqueue_work_duration_seconds',
    ]);
  });

  it('records reconcile results, errors, durations and worker gauges per controller', async () => {
    const registry = new Registry();
    const metrics = new ControllerMetrics(registry);
    const outcomes = [
      () => Promise.reject(new Error('boom')),
      () => Promise.resolve({ requeue: true }),
      () => Promise.resolve({ requeueAfterMs: 1_000 }),
      () => Promise.resolve(),
    ];
    let call = 0;
    let activeDuringReconcile: number | undefined;
    const informer = new Informer({ listWatch: new FakeListWatch([agent('a')]), resyncPeriodMs: 0 });
    const controller = new Controller({
      name: 'agent',
      metrics,
      maxConcurrentReconciles: 3,
      rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: 10, jitter: 0 }),
      reconcile: async () => {
        activeDuringReconcile = await sample(registry, 'controller_runtime_active_workers', { controller: 'agent' });
        await new Promise((r) => setTimeout(r, 250));
        const outcome = outcomes[call++];
        return outcome ? outcome() : undefined;
      },
    });
    controller.watch(informer, enqueueForObject());
    informer.start();
    await controller.start();
    await jest.advanceTimersByTimeAsync(10_000);
    await controller.stop();
    await informer.stop();

    const total = (result: string): Promise<number | undefined> =>
      sample(registry, 'controller_runtime_reconcile_total', { controller: 'agent', result });
    expect(await total('error')).toBe(1);
    expect(await total('requeue')).toBe(1);
    expect(await total('requeue_after')).toBe(1);
    expect(await total('success')).toBe(1);
    expect(await sample(registry, 'controller_runtime_reconcile_errors_total', { controller: 'agent' })).toBe(1);
    expect(await sample(registry, 'controller_runtime_reconcile_time_seconds_count', { controller: 'agent' })).toBe(4);
    expect(await sample(registry, 'controller_runtime_reconcile_time_seconds_sum', { controller: 'agent' })).toBeCloseTo(1.0);
    expect(activeDuringReconcile).toBe(1);
    expect(await sample(registry, 'controller_runtime_active_workers', { controller: 'agent' })).toBe(0);
    expect(await sample(registry, 'controller_runtime_max_concurrent_reconciles', { controller: 'agent' })).toBe(3);
    // One add from the informer plus three re-adds; two of those went through the rate limiter.
    expect(await sample(registry, 'workqueue_adds_total', { name: 'agent' })).toBe(4);
    expect(await sample(registry, 'workqueue_retries_total', { name: 'agent' })).toBe(2);
    expect(await sample(registry, 'workqueue_work_duration_seconds_count', { name: 'agent' })).toBe(4);
    expect(await sample(registry, 'workqueue_work_duration_seconds_sum', { name: 'agent' })).toBeCloseTo(1.0);
  });

  it('counts a terminal error as an error and as terminal', async () => {
    const registry = new Registry();
    const metrics = new ControllerMetrics(registry);
    const informer = new Informer({ listWatch: new FakeListWatch([agent('a')]), resyncPeriodMs: 0 });
    const controller = new Controller({
      name: 'agent',
      metrics,
      reconcile: () => Promise.reject(new TerminalError('cannot be fixed by retrying')),
    });
    controller.watch(informer, enqueueForObject());
    informer.start();
    await controller.start();
    await jest.advanceTimersByTimeAsync(10_000);
    await controller.stop();
    await informer.stop();
    expect(await sample(registry, 'controller_runtime_reconcile_total', { controller: 'agent', result: 'error' })).toBe(1);
    expect(await sample(registry, 'controller_runtime_reconcile_errors_total', { controller: 'agent' })).toBe(1);
    expect(await sample(registry, 'controller_runtime_terminal_reconcile_errors_total', { controller: 'agent' })).toBe(1);
    expect(await sample(registry, 'workqueue_retries_total', { name: 'agent' })).toBe(0);
  });

  it('reports depth, queue latency and in-flight work of a queue', async () => {
    const registry = new Registry();
    const metrics = new ControllerMetrics(registry);
    const queue = new WorkQueue({ name: 'q', metrics: metrics.forQueue('q') });
    queue.add('a');
    queue.add('b');
    queue.add('a');
    expect(await sample(registry, 'workqueue_depth', { name: 'q' })).toBe(2);
    expect(await sample(registry, 'workqueue_adds_total', { name: 'q' })).toBe(2);

    jest.advanceTimersByTime(1_500);
    await queue.get();
    expect(await sample(registry, 'workqueue_depth', { name: 'q' })).toBe(1);
    expect(await sample(registry, 'workqueue_queue_duration_seconds_sum', { name: 'q' })).toBeCloseTo(1.5);
    jest.advanceTimersByTime(1_000);
    await queue.get();
    jest.advanceTimersByTime(2_000);
    // 'a' has run for 3 s and 'b' for 2 s.
    expect(await sample(registry, 'workqueue_unfinished_work_seconds', { name: 'q' })).toBeCloseTo(5);
    expect(await sample(registry, 'workqueue_longest_running_processor_seconds', { name: 'q' })).toBeCloseTo(3);
    queue.done('a');
    queue.done('b');
    expect(await sample(registry, 'workqueue_unfinished_work_seconds', { name: 'q' })).toBe(0);
  });

  it('lets a queue and controller run without metrics', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    expect(await queue.get()).toBe('a');
  });
});
