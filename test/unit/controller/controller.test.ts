import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Controller } from '../../../src/controller/controller.js';
import { TerminalError } from '../../../src/controller/errors.js';
import { enqueueForObject, enqueueForOwner } from '../../../src/controller/event-mappers.js';
import { Informer } from '../../../src/controller/informer.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { objectRefKey } from '../../../src/controller/object-key.js';
import { ItemExponentialRateLimiter } from '../../../src/controller/rate-limiter.js';
import { Priority } from '../../../src/controller/work-queue.js';
import type { ReconcileContext, ReconcileOutcome, ReconcileRequest } from '../../../src/controller/reconciler.js';
import { currentRequestSignal } from '../../../src/kube/request-signal.js';
import { FakeListWatch } from './fakes/fake-list-watch.js';
import { agentOwner, owned } from './fakes/objects.js';
import { CapturingLogger } from '../../harness/capturing-logger.js';

function agent(name: string, namespace = 'team', modelConfig?: string): KubeObject {
  return { apiVersion: 'agentry.dev/v1alpha1', kind: 'Agent', metadata: { name, namespace }, spec: { modelConfig } };
}

function modelConfig(name: string, namespace = 'team'): KubeObject {
  return { apiVersion: 'agentry.dev/v1alpha1', kind: 'ModelConfig', metadata: { name, namespace } };
}

interface Harness {
  agents: FakeListWatch;
  services: FakeListWatch;
  models: FakeListWatch;
  agentInformer: Informer;
  calls: { key: string; atMs: number }[];
  controller: Controller;
  /** Starts the informers (the owner of an informer starts it, here the test), then the controller. */
  start(): Promise<void>;
  /** Stops the controller, then the informers. */
  stop(): Promise<void>;
}

type ReconcileImpl = (request: ReconcileRequest, ctx: ReconcileContext) => Promise<ReconcileOutcome | void>;

function harness(options: {
  reconcile?: ReconcileImpl;
  initialAgents?: KubeObject[];
  workers?: number;
  shutdownTimeoutMs?: number;
  cacheSyncTimeoutMs?: number;
  logger?: CapturingLogger;
}): Harness {
  const agents = new FakeListWatch(options.initialAgents ?? []);
  const services = new FakeListWatch();
  const models = new FakeListWatch();
  const agentInformer = new Informer({ listWatch: agents, name: 'agents', resyncPeriodMs: 0 });
  const serviceInformer = new Informer({ listWatch: services, name: 'services', resyncPeriodMs: 0 });
  const modelInformer = new Informer({ listWatch: models, name: 'modelconfigs', resyncPeriodMs: 0 });
  const calls: { key: string; atMs: number }[] = [];
  const controller = new Controller({
    name: 'agent',
    maxConcurrentReconciles: options.workers ?? 1,
    rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: 100, maxDelayMs: 1_000, jitter: 0 }),
    shutdownTimeoutMs: options.shutdownTimeoutMs,
    cacheSyncTimeoutMs: options.cacheSyncTimeoutMs,
    logger: options.logger,
    reconcile: (request, ctx) => {
      calls.push({ key: objectRefKey(request), atMs: Date.now() });
      return options.reconcile ? options.reconcile(request, ctx) : Promise.resolve();
    },
  });
  controller
    .watch(agentInformer, enqueueForObject())
    .watch(serviceInformer, enqueueForOwner('Agent', 'agentry.dev'))
    .watch(modelInformer, (mc) =>
      agentInformer
        .list(mc.metadata.namespace, (a) => (a['spec'] as { modelConfig?: string }).modelConfig === mc.metadata.name)
        .map((a) => ({ namespace: a.metadata.namespace, name: a.metadata.name })),
    );
  const informers = [agentInformer, serviceInformer, modelInformer];
  return {
    agents,
    services,
    models,
    agentInformer,
    calls,
    controller,
    start: async () => {
      for (const informer of informers) informer.start();
      await controller.start();
    },
    stop: async () => {
      await controller.stop();
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
}

async function settle(ms = 0): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

describe('Controller', () => {
  let h: Harness | undefined;

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
  });

  afterEach(async () => {
    await h?.stop();
    h = undefined;
    jest.useRealTimers();
  });

  it('reconciles every primary object once its informers have synced', async () => {
    h = harness({ initialAgents: [agent('a'), agent('b')] });
    await h.start();
    await settle();
    expect(h.calls.map((c) => c.key).sort()).toEqual(['team/a', 'team/b']);

    h.agents.update(agent('a', 'team', 'gpt'));
    await settle();
    expect(h.calls.map((c) => c.key)).toHaveLength(3);
    expect(h.calls.at(-1)?.key).toBe('team/a');
  });

  it('reconciles changes before the initial list, and a high-priority source before both', async () => {
    const agents = new FakeListWatch([agent('a'), agent('b'), agent('c')]);
    const children = new FakeListWatch();
    const agentInformer = new Informer({ listWatch: agents, resyncPeriodMs: 0 });
    const childInformer = new Informer({ listWatch: children, resyncPeriodMs: 0 });
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const controller = new Controller({
      name: 'prio',
      reconcile: async (request) => {
        order.push(objectRefKey(request));
        if (order.length === 1) await gate; // hold the only worker while events arrive
      },
    });
    controller.watch(agentInformer, enqueueForObject()).watch(childInformer, enqueueForOwner('Agent', 'agentry.dev'), { priority: Priority.High });
    try {
      agentInformer.start();
      childInformer.start();
      await controller.start();
      await settle();
      expect(order).toEqual(['team/a']);
      agents.create(agent('d')); // a change: Normal
      children.create(owned('Service', 'svc-c', 'team', [agentOwner('c')])); // c's child: High, raised from Low
      release();
      await settle();
      expect(order).toEqual(['team/a', 'team/c', 'team/d', 'team/b']);
    } finally {
      await controller.stop();
      await Promise.all([agentInformer.stop(), childInformer.stop()]);
    }
  });

  it('drops the events its predicates reject before mapping them, never a resync or a delete', async () => {
    const children = new FakeListWatch();
    const childInformer = new Informer({ listWatch: children, resyncPeriodMs: 60_000 });
    const agentInformer = new Informer({ listWatch: new FakeListWatch([]), resyncPeriodMs: 0 });
    const order: string[] = [];
    const controller = new Controller({ name: 'pred', reconcile: (request) => Promise.resolve(void order.push(objectRefKey(request))) });
    const echo = (obj: KubeObject) => obj.metadata.labels?.echo === 'true';
    controller.watch(agentInformer, enqueueForObject()).watch(childInformer, enqueueForOwner('Agent', 'agentry.dev'), {
      predicates: { add: (obj) => !echo(obj), update: (_old, obj) => !echo(obj) },
    });
    const child = (name: string, owner: string, echoed: boolean): KubeObject => {
      const obj = owned('Service', name, 'team', [agentOwner(owner)]);
      return { ...obj, metadata: { ...obj.metadata, labels: { echo: String(echoed) } } };
    };
    try {
      agentInformer.start();
      childInformer.start();
      await controller.start();
      children.create(child('svc-a', 'a', true));
      await settle();
      expect(order).toEqual([]); // an add the predicate rejects
      children.update(child('svc-a', 'a', false));
      await settle();
      expect(order).toEqual(['team/a']); // an update it accepts
      children.update(child('svc-a', 'a', true));
      await settle();
      expect(order).toEqual(['team/a']); // an update it rejects
      await settle(60_000);
      expect(order).toEqual(['team/a', 'team/a']); // the resync passes
      children.delete('team', 'svc-a');
      await settle();
      expect(order).toEqual(['team/a', 'team/a', 'team/a']); // and the delete
    } finally {
      await controller.stop();
      await Promise.all([agentInformer.stop(), childInformer.stop()]);
    }
  });

  it('starts no worker before every informer has synced', async () => {
    h = harness({ initialAgents: [agent('a')] });
    let releaseServices!: () => void;
    h.services.listGate = new Promise((r) => (releaseServices = r));
    const started = h.start();
    await settle(1_000);
    expect(h.calls).toEqual([]);
    releaseServices();
    await started;
    await settle();
    expect(h.calls.map((c) => c.key)).toEqual(['team/a']);
  });

  it('maps owned objects to their controller owner, ignoring other owners', async () => {
    h = harness({});
    await h.start();
    h.services.create(owned('Service', 'svc-a', 'team', [agentOwner('a')]));
    h.services.create(owned('Service', 'not-controller', 'team', [agentOwner('b', false)]));
    h.services.create(owned('Service', 'other-group', 'team', [agentOwner('c', true, 'example.com/v1')]));
    h.services.create(owned('Service', 'unowned', 'team', []));
    await settle();
    expect(h.calls.map((c) => c.key)).toEqual(['team/a']);

    h.services.delete('team', 'svc-a'); // a deleted child must be recreated
    await settle();
    expect(h.calls.map((c) => c.key)).toEqual(['team/a', 'team/a']);
  });

  it('on an ownership change reconciles both the previous and the new owner, once each', async () => {
    h = harness({});
    await h.start();
    h.services.create(owned('Service', 'svc', 'team', [agentOwner('old')]));
    await settle();
    h.calls.length = 0;
    h.services.update(owned('Service', 'svc', 'team', [agentOwner('new')]));
    await settle();
    expect(h.calls.map((c) => c.key).sort()).toEqual(['team/new', 'team/old']);
  });

  it('maps a changed ModelConfig to every Agent that references it', async () => {
    h = harness({ initialAgents: [agent('x', 'team', 'm1'), agent('y', 'team', 'm1'), agent('z', 'team', 'm2')] });
    await h.start();
    await settle();
    h.calls.length = 0;
    h.models.create(modelConfig('m1'));
    await settle();
    expect(h.calls.map((c) => c.key).sort()).toEqual(['team/x', 'team/y']);
  });

  it('requeues failures with growing per-key backoff, then forgets them on success', async () => {
    let failures = 3;
    h = harness({
      initialAgents: [agent('a')],
      reconcile: () => (failures-- > 0 ? Promise.reject(new Error('apply failed')) : Promise.resolve()),
    });
    await h.start();
    await settle(10_000);
    const times = h.calls.map((c) => c.atMs);
    expect(times.slice(1).map((t, i) => t - (times[i] ?? 0))).toEqual([100, 200, 400]);
    expect(h.controller.queue.numRequeues('team/a')).toBe(0);
  });

  it('honours requeueAfterMs without counting it as a failure', async () => {
    let first = true;
    h = harness({
      initialAgents: [agent('a')],
      reconcile: () => {
        if (first) {
          first = false;
          return Promise.resolve({ requeueAfterMs: 5_000 });
        }
        return Promise.resolve();
      },
    });
    await h.start();
    await settle(4_999);
    expect(h.calls).toHaveLength(1);
    await settle(1);
    expect(h.calls).toHaveLength(2);
    expect(h.controller.queue.numRequeues('team/a')).toBe(0);
    await settle(60_000);
    expect(h.calls).toHaveLength(2);
  });

  it('requeue: true retries with backoff', async () => {
    let asks = 2;
    h = harness({ initialAgents: [agent('a')], reconcile: () => Promise.resolve({ requeue: asks-- > 0 }) });
    await h.start();
    await settle(10_000);
    const times = h.calls.map((c) => c.atMs);
    expect(times.slice(1).map((t, i) => t - (times[i] ?? 0))).toEqual([100, 200]);
  });

  it('hands each reconcile a logger bound to the request', async () => {
    const logger = new CapturingLogger();
    h = harness({
      initialAgents: [agent('a')],
      logger,
      reconcile: (_req, ctx) => {
        ctx.logger.info('reconciling');
        return Promise.reject(new Error('nope'));
      },
    });
    await h.start();
    await settle();
    const line = logger.records.find((e) => e.msg === 'reconciling');
    expect(line?.fields).toMatchObject({ controller: 'agent', namespace: 'team', name: 'a' });
    expect(typeof line?.fields['reconcileID']).toBe('string');
    const failure = logger.records.find((e) => e.msg === 'reconcile failed');
    expect(failure?.level).toBe('error');
    expect(failure?.fields['err']).toBeInstanceOf(Error);
  });

  it('stop() waits for in-flight reconciles, takes no new work, and leaves the (shared) informers running', async () => {
    let finish!: () => void;
    h = harness({
      initialAgents: [agent('a')],
      reconcile: (req) => (req.name === 'a' ? new Promise<void>((r) => (finish = r)) : Promise.resolve()),
    });
    await h.start();
    await settle();
    let stopped = false;
    const stopping = h.controller.stop().then(() => (stopped = true));
    h.agents.create(agent('b'));
    await settle(1_000);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(h.calls.map((c) => c.key)).toEqual(['team/a']);
    // The informers belong to whoever started them (the Manager's cache): they still watch, and
    // still serve their other handlers, but no longer queue anything for this controller.
    expect(h.agents.openWatches()).toBe(1);
    expect(h.services.openWatches()).toBe(1);
    const seen: string[] = [];
    h.agentInformer.addEventHandler({ onAdd: (a) => seen.push(a.metadata.name) });
    h.agents.create(agent('c'));
    await settle(1_000);
    expect(seen).toContain('c');
    expect(h.calls.map((c) => c.key)).toEqual(['team/a']);
  });

  it('a TerminalError is logged and counted, and the key is not retried until it changes', async () => {
    const logger = new CapturingLogger();
    h = harness({
      initialAgents: [agent('a')],
      logger,
      reconcile: () => Promise.reject(new Error('wrapped', { cause: new TerminalError('the input can never work') })),
    });
    await h.start();
    await settle(60_000);
    expect(h.calls.map((c) => c.key)).toEqual(['team/a']);
    expect(h.controller.queue.numRequeues('team/a')).toBe(0);
    const line = logger.records.find((e) => e.msg === 'reconcile failed with a terminal error, not retried');
    expect(line?.level).toBe('error');
    h.agents.update(agent('a', 'team', 'fixed'));
    await settle();
    expect(h.calls.map((c) => c.key)).toEqual(['team/a', 'team/a']);
  });

  it('retries a failed key at the priority it was taken at', async () => {
    const agents = new FakeListWatch([agent('bulk-1'), agent('bulk-2')]);
    const children = new FakeListWatch();
    const agentInformer = new Informer({ listWatch: agents, resyncPeriodMs: 0 });
    const childInformer = new Informer({ listWatch: children, resyncPeriodMs: 0 });
    const order: string[] = [];
    let failedOnce = false;
    const gates = new Map<string, () => void>();
    const controller = new Controller({
      name: 'retry-prio',
      rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: 100, maxDelayMs: 1_000, jitter: 0 }),
      reconcile: async (request) => {
        const key = objectRefKey(request);
        order.push(key);
        // The bulk keys hold the only worker until released.
        if (key.startsWith('team/bulk')) await new Promise<void>((r) => gates.set(key, r));
        if (key === 'team/urgent' && !failedOnce) {
          failedOnce = true;
          throw new Error('conflict');
        }
      },
    });
    controller.watch(agentInformer, enqueueForObject()).watch(childInformer, enqueueForOwner('Agent', 'agentry.dev'), { priority: Priority.High });
    try {
      agentInformer.start();
      childInformer.start();
      await controller.start();
      await settle();
      children.create(owned('Service', 'svc', 'team', [agentOwner('urgent')])); // High
      gates.get('team/bulk-1')?.();
      await settle(); // urgent runs and fails; bulk-2 takes the worker while urgent backs off
      expect(order).toEqual(['team/bulk-1', 'team/urgent', 'team/bulk-2']);
      for (let i = 0; i < 3; i++) agents.create(agent(`new-${i}`)); // changes: Normal
      await settle(100); // urgent's backoff is over: it is queued again
      gates.get('team/bulk-2')?.();
      await settle();
      // The retry kept its High priority: it goes before the Normal keys queued earlier.
      expect(order.slice(3)).toEqual(['team/urgent', 'team/new-0', 'team/new-1', 'team/new-2']);
    } finally {
      await controller.stop();
      await Promise.all([agentInformer.stop(), childInformer.stop()]);
    }
  });

  it('reports a cache sync wait that timed out, naming the informers, and starts once they sync', async () => {
    h = harness({ initialAgents: [agent('a')], cacheSyncTimeoutMs: 5_000 });
    let releaseServices!: () => void;
    h.services.listGate = new Promise((r) => (releaseServices = r));
    const started = h.start();
    await settle(4_999);
    expect(h.controller.ready()).toEqual({ ok: false, message: 'waiting for caches to sync' });
    await settle(1);
    expect(h.controller.ready()).toEqual({ ok: false, message: 'timed out after 5s waiting for caches to sync: services' });
    expect(h.calls).toEqual([]);
    releaseServices();
    await started;
    await settle();
    expect(h.controller.ready()).toEqual({ ok: true });
    expect(h.calls.map((c) => c.key)).toEqual(['team/a']);
  });

  it('runs each reconcile with its signal as the signal of every API request it makes', async () => {
    const seen: (AbortSignal | undefined)[] = [];
    h = harness({
      initialAgents: [agent('a')],
      shutdownTimeoutMs: 1_000,
      reconcile: async (_req, ctx) => {
        await Promise.resolve();
        seen.push(currentRequestSignal(), ctx.signal);
        await new Promise(() => undefined); // hangs, as a request to an API server that never answers
      },
    });
    await h.start();
    await settle();
    const [ambient, own] = seen;
    expect(ambient).toBe(own);
    expect(ambient?.aborted).toBe(false);
    void h.controller.stop();
    await settle(1_000);
    expect(ambient?.aborted).toBe(true);
    expect(currentRequestSignal()).toBeUndefined();
  });

  it('aborts reconciles that outlive the shutdown timeout', async () => {
    let signal: AbortSignal | undefined;
    h = harness({
      initialAgents: [agent('a')],
      shutdownTimeoutMs: 2_000,
      reconcile: (_req, ctx) => {
        signal = ctx.signal;
        return new Promise(() => undefined); // hangs forever
      },
    });
    await h.start();
    await settle();
    let stopped = false;
    void h.controller.stop().then(() => (stopped = true));
    await settle(1_999);
    expect(stopped).toBe(false);
    expect(signal?.aborted).toBe(false);
    await settle(1);
    expect(stopped).toBe(true);
    expect(signal?.aborted).toBe(true);
  });

  it('runs up to maxConcurrentReconciles keys in parallel', async () => {
    let running = 0;
    let peak = 0;
    h = harness({
      initialAgents: ['a', 'b', 'c', 'd', 'e'].map((n) => agent(n)),
      workers: 2,
      reconcile: async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 100));
        running -= 1;
      },
    });
    await h.start();
    await settle(1_000);
    expect(h.calls).toHaveLength(5);
    expect(peak).toBe(2);
  });

  it('start() on an aborted signal stops instead of starting', async () => {
    h = harness({ initialAgents: [agent('a')] });
    const abort = new AbortController();
    abort.abort();
    await h.controller.start(abort.signal);
    await settle(1_000);
    expect(h.calls).toEqual([]);
    expect(h.agents.listCalls).toBe(0);
  });
});
