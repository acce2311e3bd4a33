// The A2A task store in bounded memory: newest first, filtered by context, state and time, paged
// with opaque tokens that keep their place even when tasks change between pages, artifacts and
// history trimmed as asked, and copies out so a caller cannot change what is stored.
import { describe, expect, it } from '@jest/globals';

import { Task, TaskState, type ListTasksRequest } from '@a2a-js/sdk';

import { BoundedTaskStore } from '../../../src/runtime/bounded-task-store.js';

function task(id: string, contextId: string, timestamp: string, state = 'TASK_STATE_COMPLETED'): Task {
  return Task.fromJSON({
    id,
    contextId,
    status: { state, timestamp },
    artifacts: [{ artifactId: `${id}-a`, parts: [{ text: `answer ${id}` }] }],
    history: [
      { messageId: `${id}-1`, role: 'ROLE_USER', parts: [{ text: 'q' }] },
      { messageId: `${id}-2`, role: 'ROLE_AGENT', parts: [{ text: 'a' }] },
    ],
  });
}

const request = (overrides: Partial<ListTasksRequest> = {}): ListTasksRequest => ({
  tenant: '',
  contextId: '',
  status: TaskState.TASK_STATE_UNSPECIFIED,
  pageToken: '',
  statusTimestampAfter: undefined,
  ...overrides,
});

async function filled(): Promise<BoundedTaskStore> {
  const store = new BoundedTaskStore({ maxEntries: 100, maxAgeMs: 0 });
  await store.save(task('t1', 'c1', '2026-01-01T00:00:01Z'));
  await store.save(task('t2', 'c2', '2026-01-01T00:00:02Z', 'TASK_STATE_FAILED'));
  await store.save(task('t3', 'c1', '2026-01-01T00:00:03Z'));
  await store.save(task('t4', 'c1', '2026-01-01T00:00:04Z', 'TASK_STATE_WORKING'));
  return store;
}

describe('BoundedTaskStore', () => {
  it('lists newest first, without artifacts unless asked', async () => {
    const store = await filled();
    const all = await store.list(request());
    expect(all.tasks.map((t) => t.id)).toEqual(['t4', 't3', 't2', 't1']);
    expect(all.totalSize).toBe(4);
    expect(all.nextPageToken).toBe('');
    expect(all.tasks.every((t) => t.artifacts.length === 0)).toBe(true);
    expect((await store.list(request({ includeArtifacts: true }))).tasks[0]?.artifacts).toHaveLength(1);
  });

  it('filters by context, state and status time', async () => {
    const store = await filled();
    expect((await store.list(request({ contextId: 'c1' }))).tasks.map((t) => t.id)).toEqual(['t4', 't3', 't1']);
    expect((await store.list(request({ status: TaskState.TASK_STATE_FAILED }))).tasks.map((t) => t.id)).toEqual(['t2']);
    expect((await store.list(request({ statusTimestampAfter: '2026-01-01T00:00:02Z' }))).tasks.map((t) => t.id)).toEqual(['t4', 't3']);
  });

  it('trims history to historyLength', async () => {
    const store = await filled();
    expect((await store.list(request({ historyLength: 1 }))).tasks[0]?.history.map((m) => m.messageId)).toEqual(['t4-2']);
    expect((await store.list(request({ historyLength: 0 }))).tasks[0]?.history).toEqual([]);
  });

  it('pages with opaque tokens', async () => {
    const store = await filled();
    const first = await store.list(request({ pageSize: 3 }));
    expect(first.tasks.map((t) => t.id)).toEqual(['t4', 't3', 't2']);
    expect(first.nextPageToken).not.toBe('');
    expect(first.nextPageToken).not.toContain('t2');
    const second = await store.list(request({ pageSize: 3, pageToken: first.nextPageToken }));
    expect(second.tasks.map((t) => t.id)).toEqual(['t1']);
    expect(second.nextPageToken).toBe('');
  });

  it('a page token keeps its place when the task it ended on changes before the next page', async () => {
    const store = await filled();
    const first = await store.list(request({ pageSize: 2 }));
    expect(first.tasks.map((t) => t.id)).toEqual(['t4', 't3']);
    // t3 gets a new status (a follow-up message, a cancel) between the two pages.
    await store.save(task('t3', 'c1', '2026-01-01T00:00:09Z', 'TASK_STATE_CANCELED'));
    const second = await store.list(request({ pageSize: 2, pageToken: first.nextPageToken }));
    expect(second.tasks.map((t) => t.id)).toEqual(['t2', 't1']);
  });

  it('an unknown page token gives no tasks', async () => {
    const store = await filled();
    expect((await store.list(request({ pageToken: 'made-up' }))).tasks).toEqual([]);
  });

  it('stores and hands out copies', async () => {
    const store = await filled();
    const loaded = await store.load('t1');
    if (loaded === undefined) throw new Error('t1 missing');
    loaded.history.length = 0;
    expect((await store.load('t1'))?.history).toHaveLength(2);
    expect(await store.load('nope')).toBeUndefined();
  });

  it('is bounded like the LRU underneath', async () => {
    const evicted: string[] = [];
    const store = new BoundedTaskStore({ maxEntries: 2, maxAgeMs: 0, onEvict: (reason) => evicted.push(reason) });
    for (const id of ['a', 'b', 'c']) await store.save(task(id, 'c', `2026-01-01T00:00:0${id === 'a' ? 1 : id === 'b' ? 2 : 3}Z`));
    expect(await store.load('a')).toBeUndefined();
    expect(store.size).toBe(2);
    expect(evicted).toEqual(['count']);
  });
});
