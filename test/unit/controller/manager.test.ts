// The Manager: one shared informer cache for any number of controllers (started once, stopped once),
// probes whose readiness names what it waits for, leader election before the cache and the
// controllers, and one stop path. Real timers and a real probe server; every wait is on a condition.
import { afterEach, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { enqueueForObject } from '../../../src/controller/event-mappers.js';
import type { ListWatch } from '../../../src/controller/list-watch.js';
import { noopLogger } from '../../../src/controller/logger.js';
import { Manager, type ManagerOptions } from '../../../src/controller/manager.js';
import { objectRefKey } from '../../../src/controller/object-key.js';
import type { InformerSource } from '../../../src/controller/shared-cache.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { FakeLeaseClient } from './fakes/fake-lease-client.js';
import { FakeListWatch } from './fakes/fake-list-watch.js';
import { configMap } from './fakes/objects.js';

/** Polls `condition` until it holds (or fails the test after `timeoutMs`). */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A ListWatch per source (kind and namespace), made on first ask and kept, so a test can drive and count them. */
class FakeServer {
  readonly collections = new Map<string, FakeListWatch>();
  readonly asked: string[] = [];

  collection(kind: string, namespace?: string): FakeListWatch {
    const key = `${kind}/${namespace ?? '*'}`;
    let lw = this.collections.get(key);
    if (!lw) this.collections.set(key, (lw = new FakeListWatch()));
    return lw;
  }

  factory = (source: InformerSource): ListWatch => {
    this.asked.push(`${source.kind}/${source.namespace ?? '*'}`);
    return this.collection(source.kind, source.namespace);
  };
}

const managers: Manager[] = [];

function manager(server: FakeServer, extra: Partial<ManagerOptions> = {}): Manager {
  const m = new Manager({ logger: noopLogger, registry: new Registry(), listWatch: server.factory, probeAddress: { host: '127.0.0.1', port: 0 }, ...extra });
  managers.push(m);
  return m;
}

const configMaps = { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps' };

async function probe(m: Manager, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${m.probePort}${path}`);
  return { status: res.status, body: await res.text() };
}

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.stop()));
});

describe('Manager', () => {
  it('shares one informer between controllers: one list and one watch, stopped once by the manager', async () => {
    const server = new FakeServer();
    server.collection('ConfigMap').create(configMap('a'));
    const m = manager(server);
    const seen: Record<string, string[]> = { first: [], second: [] };
    for (const name of ['first', 'second'] as const) {
      m.controller(name)
        .for(m.informer(configMaps))
        .complete((req) => {
          seen[name]?.push(objectRefKey(req));
          return Promise.resolve();
        });
    }
    expect(m.informer(configMaps)).toBe(m.informer(configMaps));
    await m.start();
    await m.leading;
    await until(() => seen.first?.length === 1 && seen.second?.length === 1);
    const lw = server.collection('ConfigMap');
    expect(server.asked).toEqual(['ConfigMap/*']);
    expect(lw.listCalls).toBe(1);
    expect(lw.openWatches()).toBe(1);
    lw.create(configMap('b'));
    await until(() => seen.first?.includes('default/b') === true && seen.second?.includes('default/b') === true);
    await m.stop();
    expect(lw.openWatches()).toBe(0);
    expect(await m.done).toBe('stopped');
  });

  it('refuses a second ask for the same source with another transform', () => {
    const m = manager(new FakeServer());
    m.informer({ ...configMaps, transform: (o: KubeObject) => o });
    expect(() => m.informer({ ...configMaps, transform: (o: KubeObject) => ({ ...o }) })).toThrow(/another transform/);
  });

  it('starts an informer only after those it waits for have synced', async () => {
    const server = new FakeServer();
    let release!: () => void;
    server.collection('Agent').listGate = new Promise<void>((r) => (release = r));
    const m = manager(server);
    const agents = m.informer({ apiVersion: 'agentry.dev/v1alpha1', kind: 'Agent', plural: 'agents' });
    const children = m.informer({ ...configMaps, startAfter: [agents] });
    m.controller('c').for(agents).owns([children], enqueueForObject()).complete(() => Promise.resolve());
    await m.start();
    await until(() => server.collection('Agent').listCalls === 1);
    expect(server.collection('ConfigMap').listCalls).toBe(0);
    release();
    await m.leading;
    expect(server.collection('ConfigMap').listCalls).toBe(1);
  });

  it('is not ready until its controllers run; a cache sync wait that timed out fails /readyz with the informers it waits for', async () => {
    const server = new FakeServer();
    let release!: () => void;
    server.collection('ConfigMap', 'slow').listGate = new Promise<void>((r) => (release = r));
    const m = manager(server, { cacheSyncTimeoutMs: 200 });
    m.controller('agent')
      .for([m.informer(configMaps), m.informer({ ...configMaps, namespace: 'slow' })])
      .complete(() => Promise.resolve());
    await m.start();
    expect(await probe(m, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
    await until(async () => (await probe(m, '/readyz')).body.includes('timed out'));
    expect(await probe(m, '/readyz')).toEqual({
      status: 503,
      body: '[-]controllers failed: agent: timed out after 200ms waiting for caches to sync: ConfigMap/slow\n',
    });
    expect(m.isLeader()).toBe(false);
    release();
    await m.leading;
    expect(await probe(m, '/readyz')).toEqual({ status: 200, body: 'ok\n' });
    expect(m.isLeader()).toBe(true);
  });

  it('starts the cache and the controllers only on the replica that won the lease; a standby is ready and lists nothing', async () => {
    const leases = new FakeLeaseClient();
    const election = (identity: string) => ({
      leaderElection: { client: leases, namespace: 'ns', name: 'lease', identity, leaseDurationMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 100 },
    });
    const serverA = new FakeServer();
    const serverB = new FakeServer();
    const reconciled: string[] = [];
    const a = manager(serverA, election('a'));
    const b = manager(serverB, election('b'));
    for (const [m, name] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      m.controller('c')
        .for(m.informer(configMaps))
        .complete(() => {
          reconciled.push(name);
          return Promise.resolve();
        });
    }
    serverA.collection('ConfigMap').create(configMap('x'));
    serverB.collection('ConfigMap').create(configMap('x'));
    await a.start();
    await a.leading;
    await b.start();
    await until(() => leases.calls.filter((c) => c === 'get').length >= 4); // b has campaigned a few rounds
    expect(serverB.collection('ConfigMap').listCalls).toBe(0);
    expect(await probe(b, '/readyz')).toEqual({ status: 200, body: 'ok\n' });
    expect(b.isLeader()).toBe(false);
    expect(reconciled).toEqual(['a']);

    await a.stop(); // drains, then releases the lease
    await b.leading;
    expect(serverB.collection('ConfigMap').listCalls).toBe(1);
    await until(() => reconciled.includes('b'));
    expect(b.isLeader()).toBe(true);
  });

  it('starts runnables that need no leadership on a standby too, the others only once it leads; stops them all', async () => {
    const leases = new FakeLeaseClient();
    const election = (identity: string) => ({
      leaderElection: { client: leases, namespace: 'ns', name: 'lease', identity, leaseDurationMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 100 },
    });
    const events: string[] = [];
    const runnable = (m: Manager, who: string, needLeaderElection: boolean) =>
      m.add({
        name: `${who}-${needLeaderElection ? 'leader' : 'any'}`,
        needLeaderElection,
        start: () => Promise.resolve(void events.push(`start ${who} ${needLeaderElection ? 'leader' : 'any'}`)),
        stop: () => Promise.resolve(void events.push(`stop ${who} ${needLeaderElection ? 'leader' : 'any'}`)),
      });
    const a = manager(new FakeServer(), election('a'));
    const b = manager(new FakeServer(), election('b'));
    for (const [m, who] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      runnable(m, who, false);
      runnable(m, who, true);
    }
    await a.start();
    await a.leading;
    await b.start();
    await until(() => events.includes('start b any') && leases.calls.filter((c) => c === 'get').length >= 4);
    expect(events.sort()).toEqual(['start a any', 'start a leader', 'start b any']);
    await a.stop();
    expect(events).toEqual(expect.arrayContaining(['stop a any', 'stop a leader']));
    await b.leading;
    expect(events).toContain('start b leader');
  });

  it('stops on a lost lease, through the same path as a requested stop', async () => {
    const leases = new FakeLeaseClient();
    const server = new FakeServer();
    const m = manager(server, {
      leaderElection: { client: leases, namespace: 'ns', name: 'lease', identity: 'a', leaseDurationMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 100 },
    });
    m.controller('c').for(m.informer(configMaps)).complete(() => Promise.resolve());
    await m.start();
    await m.leading;
    leases.failing = true; // renewals fail until the renew deadline passes
    expect(await m.done).toBe('lost-lease');
    expect(server.collection('ConfigMap').openWatches()).toBe(0);
  });
});
