import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Informer } from '../../../src/controller/informer.js';
import type { InformerEventHandler } from '../../../src/controller/informer.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { ResourceExpiredError } from '../../../src/controller/list-watch.js';
import { objectKey } from '../../../src/controller/object-key.js';
import { FakeListWatch } from './fakes/fake-list-watch.js';
import { configMap } from './fakes/objects.js';
import { CapturingLogger } from '../../harness/capturing-logger.js';

type Recorded = { type: 'add' | 'update' | 'delete'; key: string; rv?: string; oldRv?: string; same?: boolean };

function recorder(): { events: Recorded[]; handler: InformerEventHandler<KubeObject> } {
  const events: Recorded[] = [];
  return {
    events,
    handler: {
      onAdd: (obj) => events.push({ type: 'add', key: objectKey(obj), rv: obj.metadata.resourceVersion }),
      onUpdate: (oldObj, newObj) =>
        events.push({
          type: 'update',
          key: objectKey(newObj),
          rv: newObj.metadata.resourceVersion,
          oldRv: oldObj.metadata.resourceVersion,
          same: oldObj === newObj,
        }),
      onDelete: (obj) => events.push({ type: 'delete', key: objectKey(obj), rv: obj.metadata.resourceVersion }),
    },
  };
}

const noJitter = { jitter: 0 };

/** Starts the informer and lets it get past the initial list into its first watch. */
async function startAndSync(informer: Informer): Promise<void> {
  informer.start();
  expect(await informer.waitForSync()).toBe(true);
  expect(informer.hasSynced()).toBe(true);
  await jest.advanceTimersByTimeAsync(0);
}

describe('Informer', () => {
  let informer: Informer | undefined;

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
  });

  afterEach(async () => {
    await informer?.stop();
    informer = undefined;
    jest.useRealTimers();
  });

  it('lists into the cache, then delivers watched adds, updates and deletes', async () => {
    const server = new FakeListWatch([configMap('a'), configMap('b', 'other')]);
    informer = new Informer({ listWatch: server, resyncPeriodMs: 0 });
    const { events, handler } = recorder();
    informer.addEventHandler(handler);
    await startAndSync(informer);

    expect(events).toEqual([
      { type: 'add', key: 'default/a', rv: '1' },
      { type: 'add', key: 'other/b', rv: '2' },
    ]);
    expect(server.watchCalls.map((c) => c.resourceVersion)).toEqual(['2']);

    server.create(configMap('c'));
    server.update(configMap('a', 'default', { k: 'v' }));
    server.delete('other', 'b');

    expect(events.slice(2)).toEqual([
      { type: 'add', key: 'default/c', rv: '3' },
      { type: 'update', key: 'default/a', rv: '4', oldRv: '1', same: false },
      { type: 'delete', key: 'other/b', rv: '5' },
    ]);
    expect(informer.get('default', 'a')?.['data']).toEqual({ k: 'v' });
    expect(informer.get('other', 'b')).toBeUndefined();
    expect(informer.list().map(objectKey).sort()).toEqual(['default/a', 'default/c']);
    expect(informer.list('other')).toEqual([]);
    expect(informer.list(undefined, (o) => o.metadata.name === 'c').map(objectKey)).toEqual(['default/c']);
    expect(informer.lastSyncResourceVersion()).toBe('5');
  });

  it('restarts a failing watch with exponentially growing, capped, jittered delays', async () => {
    const server = new FakeListWatch([configMap('a')]);
    server.watchFailures.push(...Array.from({ length: 7 }, () => new Error('connection reset')));
    informer = new Informer({
      listWatch: server,
      resyncPeriodMs: 0,
      backoff: { initialMs: 100, maxMs: 1000, jitter: 0.5 },
      random: () => 0.5, // every delay becomes 75 % of its nominal value
    });
    await startAndSync(informer);

    await jest.advanceTimersByTimeAsync(10_000);
    const times = server.watchCalls.map((c) => c.atMs);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(gaps).toEqual([75, 150, 300, 600, 750, 750, 750]);
    // The 8th watch succeeded: no further restarts, and it resumed from the listed version.
    expect(server.watchCalls).toHaveLength(8);
    expect(server.watchCalls.every((c) => c.resourceVersion === '1')).toBe(true);
    expect(server.listCalls).toBe(1);
  });

  it('resets the backoff after a healthy watch period', async () => {
    const server = new FakeListWatch([configMap('a')]);
    server.watchFailures.push(new Error('e1'), new Error('e2'), new Error('e3'));
    informer = new Informer({
      listWatch: server,
      resyncPeriodMs: 0,
      backoff: { initialMs: 100, maxMs: 10_000, resetAfterMs: 5_000, ...noJitter },
    });
    await startAndSync(informer);
    await jest.advanceTimersByTimeAsync(1_000); // 100 + 200 + 400, then a healthy watch
    expect(server.watchCalls).toHaveLength(4);

    await jest.advanceTimersByTimeAsync(6_000);
    const before = Date.now();
    server.endWatches(new Error('network blip'));
    await jest.advanceTimersByTimeAsync(99);
    expect(server.watchCalls).toHaveLength(4);
    await jest.advanceTimersByTimeAsync(1);
    expect(server.watchCalls).toHaveLength(5);
    expect((server.watchCalls[4]?.atMs ?? 0) - before).toBe(100);
  });

  it('re-watches at once from the last version after a clean close of a long-lived watch', async () => {
    const server = new FakeListWatch([configMap('a')]);
    informer = new Informer({ listWatch: server, resyncPeriodMs: 0, backoff: { initialMs: 500, ...noJitter } });
    await startAndSync(informer);
    server.create(configMap('b'));
    await jest.advanceTimersByTimeAsync(60_000);
    server.endWatches();
    await jest.advanceTimersByTimeAsync(0);
    expect(server.watchCalls.map((c) => c.resourceVersion)).toEqual(['1', '2']);
  });

  it('relists on 410 Gone and emits what changed during the gap, including deletions', async () => {
    const server = new FakeListWatch([configMap('keep'), configMap('change'), configMap('remove')]);
    informer = new Informer({ listWatch: server, resyncPeriodMs: 0, backoff: { initialMs: 1_000, ...noJitter } });
    const { events, handler } = recorder();
    informer.addEventHandler(handler);
    await startAndSync(informer);
    events.length = 0;

    // The watch drops; while the informer backs off, the collection changes and history is compacted.
    server.endWatches(new Error('connection reset'));
    server.update(configMap('change', 'default', { v: '2' }));
    server.delete('default', 'remove');
    server.create(configMap('new'));
    server.compact();
    await jest.advanceTimersByTimeAsync(1_000);

    expect(server.listCalls).toBe(2);
    expect(events).toEqual([
      { type: 'delete', key: 'default/remove', rv: '3' }, // the last state the cache knew
      { type: 'update', key: 'default/change', rv: '4', oldRv: '2', same: false },
      { type: 'add', key: 'default/new', rv: '6' },
    ]);
    expect(informer.list().map(objectKey).sort()).toEqual(['default/change', 'default/keep', 'default/new']);
    // Watching resumes from the relisted version.
    expect(server.watchCalls.at(-1)?.resourceVersion).toBe('6');
    expect(server.openWatches()).toBe(1);
  });

  it('tracks bookmarks so a restarted watch resumes from the bookmarked version', async () => {
    const server = new FakeListWatch([configMap('a')]);
    informer = new Informer({ listWatch: server, resyncPeriodMs: 0 });
    const { events, handler } = recorder();
    informer.addEventHandler(handler);
    await startAndSync(informer);
    events.length = 0;

    const bookmarked = server.bookmark();
    expect(informer.lastSyncResourceVersion()).toBe(bookmarked);
    await jest.advanceTimersByTimeAsync(5_000);
    server.endWatches();
    await jest.advanceTimersByTimeAsync(0);
    expect(server.watchCalls.map((c) => c.resourceVersion)).toEqual(['1', bookmarked]);
    expect(events).toEqual([]);
  });

  it('re-delivers every cached object as an update with old === new on each resync', async () => {
    const server = new FakeListWatch([configMap('a'), configMap('b')]);
    informer = new Informer({ listWatch: server, resyncPeriodMs: 60_000 });
    const { events, handler } = recorder();
    informer.addEventHandler(handler);
    await startAndSync(informer);
    events.length = 0;

    await jest.advanceTimersByTimeAsync(59_999);
    expect(events).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(events).toEqual([
      { type: 'update', key: 'default/a', rv: '1', oldRv: '1', same: true },
      { type: 'update', key: 'default/b', rv: '2', oldRv: '2', same: true },
    ]);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(events).toHaveLength(4);
  });

  it('never resyncs when the period is 0', async () => {
    const server = new FakeListWatch([configMap('a')]);
    informer = new Informer({ listWatch: server, resyncPeriodMs: 0 });
    const { events, handler } = recorder();
    informer.addEventHandler(handler);
    await startAndSync(informer);
    await jest.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(events.filter((e) => e.type === 'update')).toEqual([]);
  });

  it('applies transform before caching and delivering', async () => {
    const withManagedFields = configMap('a');
    withManagedFields.metadata.managedFields = [{ manager: 'kubectl' }];
    const server = new FakeListWatch([withManagedFields]);
    const seen: KubeObject[] = [];
    informer = new Informer({
      listWatch: server,
      resyncPeriodMs: 0,
      transform: (obj) => {
        const { managedFields: _dropped, ...metadata } = obj.metadata;
        return { ...obj, metadata };
      },
    });
    informer.addEventHandler({ onAdd: (o) => seen.push(o), onUpdate: (_o, n) => seen.push(n) });
    await startAndSync(informer);
    const updated = configMap('a', 'default', { x: '1' });
    updated.metadata.managedFields = [{ manager: 'agentry' }];
    server.update(updated);

    expect(seen).toHaveLength(2);
    expect(seen.every((o) => !('managedFields' in o.metadata))).toBe(true);
    expect(informer.get('default', 'a')?.metadata).not.toHaveProperty('managedFields');
    expect(informer.get('default', 'a')?.['data']).toEqual({ x: '1' });
  });

  it('hands its transform to a ListWatch that applies it while listing, and does not apply it twice', async () => {
    const server = new FakeListWatch([configMap('a'), configMap('b')]);
    let calls = 0;
    const transform = (obj: KubeObject): KubeObject => {
      calls += 1;
      return { ...obj, metadata: { ...obj.metadata, labels: { seen: String(calls) } } };
    };
    // A ListWatch that transforms as it parses (KubeListWatch does, page by page).
    const transforming = Object.assign(Object.create(server) as FakeListWatch, {
      list: async (t?: (obj: KubeObject) => KubeObject | undefined) => {
        const listed = await server.list();
        return { ...listed, items: listed.items.flatMap((o) => t?.(o) ?? []), transformed: true };
      },
    });
    informer = new Informer({ listWatch: transforming, resyncPeriodMs: 0, transform });
    await startAndSync(informer);
    expect(calls).toBe(2);
    expect(informer.list().map((o) => o.metadata.labels?.seen).sort()).toEqual(['1', '2']);
  });

  it('removes a deleted object from the cache even when the transform throws on its final state', async () => {
    const server = new FakeListWatch([configMap('a')]);
    informer = new Informer({
      listWatch: server,
      resyncPeriodMs: 0,
      // Takes the object while it is live; its final state (as a finalizer-free delete may send) breaks it.
      transform: (obj) => {
        if (obj.metadata.labels?.['broken'] === 'yes') throw new Error('cannot read this object');
        return obj;
      },
    });
    const { events, handler } = recorder();
    informer.addEventHandler(handler);
    await startAndSync(informer);
    const finalState = configMap('a');
    finalState.metadata.labels = { broken: 'yes' };
    server.update(finalState); // the update is refused by the transform: the cache keeps the old state
    expect(informer.get('default', 'a')).toBeDefined();
    server.delete('default', 'a');

    expect(informer.get('default', 'a')).toBeUndefined();
    expect(informer.list()).toEqual([]);
    // Handlers hear of the delete, with the last state the cache had.
    expect(events.filter((e) => e.type === 'delete').map((e) => e.key)).toEqual(['default/a']);
  });

  it('keeps an index of the transformed objects current through list, watch and delete', async () => {
    const server = new FakeListWatch([configMap('a', 'n1', { owner: 'x' }), configMap('b', 'n2', { owner: 'y' })]);
    const indexed = new Informer<KubeObject>({
      listWatch: server,
      resyncPeriodMs: 0,
      // The index sees what the cache holds: the owner moved from data to a label by the transform.
      transform: (obj): KubeObject => ({ ...obj, metadata: { ...obj.metadata, labels: { owner: String((obj['data'] as Record<string, string>)['owner']) } } }),
    });
    informer = indexed;
    indexed.addIndex('owner', (obj) => [obj.metadata.labels?.['owner'] ?? '']);
    await startAndSync(indexed);
    expect(indexed.byIndex('owner', 'x').map((o) => o.metadata.name)).toEqual(['a']);
    server.update(configMap('b', 'n2', { owner: 'x' }));
    expect(indexed.byIndex('owner', 'x').map((o) => o.metadata.name).sort()).toEqual(['a', 'b']);
    expect(indexed.byIndex('owner', 'y')).toEqual([]);
    server.delete('n1', 'a');
    expect(indexed.byIndex('owner', 'x').map((o) => o.metadata.name)).toEqual(['b']);
    expect(indexed.hasIndex('owner')).toBe(true);
  });

  it('keeps delivering when a handler throws, and logs the failure', async () => {
    const server = new FakeListWatch([configMap('a')]);
    const logger = new CapturingLogger();
    informer = new Informer({ listWatch: server, resyncPeriodMs: 0, logger, name: 'configmaps' });
    informer.addEventHandler({
      onAdd: () => {
        throw new Error('handler bug');
      },
    });
    const { events, handler } = recorder();
    informer.addEventHandler(handler);
    await startAndSync(informer);
    server.create(configMap('b'));
    server.delete('default', 'a');

    expect(events.map((e) => `${e.type} ${e.key}`)).toEqual(['add default/a', 'add default/b', 'delete default/a']);
    const errors = logger.records.filter((e) => e.level === 'error');
    expect(errors).toHaveLength(2);
    expect(errors[0]?.fields).toMatchObject({ informer: 'configmaps', event: 'add', object: 'default/a' });
    expect(informer.get('default', 'b')).toBeDefined();
  });

  it('replays the cache as adds to a handler registered after sync', async () => {
    const server = new FakeListWatch([configMap('a'), configMap('b')]);
    informer = new Informer({ listWatch: server, resyncPeriodMs: 0 });
    await startAndSync(informer);
    const { events, handler } = recorder();
    const unregister = informer.addEventHandler(handler);
    expect(events.map((e) => `${e.type} ${e.key}`)).toEqual(['add default/a', 'add default/b']);
    unregister();
    server.create(configMap('c'));
    expect(events).toHaveLength(2);
  });

  it('retries a failing initial list with backoff and only then reports synced', async () => {
    const server = new FakeListWatch([configMap('a')]);
    server.listFailures.push(new Error('503'), new Error('503'));
    informer = new Informer({ listWatch: server, resyncPeriodMs: 0, backoff: { initialMs: 100, ...noJitter } });
    informer.start();
    const synced = informer.waitForSync();
    await jest.advanceTimersByTimeAsync(299);
    expect(informer.hasSynced()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await synced).toBe(true);
    expect(server.listCalls).toBe(3);
  });

  it('waitForSync gives up when its signal aborts or the informer stops', async () => {
    const server = new FakeListWatch();
    server.listGate = new Promise(() => undefined); // the list never answers
    informer = new Informer({ listWatch: server });
    informer.start();
    const abort = new AbortController();
    const bySignal = informer.waitForSync(abort.signal);
    const byStop = informer.waitForSync();
    abort.abort();
    expect(await bySignal).toBe(false);
    await informer.stop(); // does not wait for the hung list
    expect(await byStop).toBe(false);
    expect(informer.hasSynced()).toBe(false);
  });

  it('backs off instead of relisting in a loop when a fresh list is already expired', async () => {
    const server = new FakeListWatch([configMap('a')]);
    server.watchFailures.push(new ResourceExpiredError('gone'), new ResourceExpiredError('gone'));
    informer = new Informer({ listWatch: server, resyncPeriodMs: 0, backoff: { initialMs: 100, ...noJitter } });
    informer.start();
    await informer.waitForSync();
    await jest.advanceTimersByTimeAsync(99);
    expect(server.listCalls).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(server.listCalls).toBe(2);
    await jest.advanceTimersByTimeAsync(200);
    expect(server.listCalls).toBe(3);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(server.listCalls).toBe(3);
    expect(server.openWatches()).toBe(1);
  });

  it('treats a watch that cannot be established like a failed one', async () => {
    const server = new FakeListWatch([configMap('a')]);
    const realWatch = server.watch.bind(server);
    let rejections = 1;
    server.watch = (rv, onEvent, onDone) =>
      rejections-- > 0 ? Promise.reject(new Error('no current cluster')) : realWatch(rv, onEvent, onDone);
    const logger = new CapturingLogger();
    informer = new Informer({ listWatch: server, resyncPeriodMs: 0, logger, backoff: { initialMs: 100, ...noJitter } });
    await startAndSync(informer);
    await jest.advanceTimersByTimeAsync(100);
    expect(server.openWatches()).toBe(1);
    expect(logger.records.some((e) => e.level === 'warn' && e.msg === 'watch failed, restarting')).toBe(true);
  });

  it('stops watching on stop()', async () => {
    const server = new FakeListWatch([configMap('a')]);
    informer = new Informer({ listWatch: server, resyncPeriodMs: 1_000 });
    const { events, handler } = recorder();
    informer.addEventHandler(handler);
    await startAndSync(informer);
    await informer.stop();
    expect(server.openWatches()).toBe(0);
    server.create(configMap('b'));
    await jest.advanceTimersByTimeAsync(10_000);
    expect(events.map((e) => `${e.type} ${e.key}`)).toEqual(['add default/a']);
    expect(server.watchCalls).toHaveLength(1);
  });
});
