// The A2A SDK's TaskStore, in bounded memory: the SDK's InMemoryTaskStore never forgets a task.
// The runtime serves one agent with no per-user identity, so tasks are not scoped by owner.
import { randomUUID } from 'node:crypto';

import { TaskState, type ListTasksRequest, type ListTasksResponse, type Task } from '@a2a-js/sdk';
import type { TaskStore } from '@a2a-js/sdk/server';

import { BoundedLru, type BoundedLruOptions } from './bounded-lru.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

export class BoundedTaskStore implements TaskStore {
  private readonly tasks: BoundedLru<string, Task>;

  /** Page tokens are opaque: a random key for the (timestamp, id) of the last task of a page. */
  private readonly cursors = new BoundedLru<string, { timestamp: string; id: string }>({ maxEntries: 1000, maxAgeMs: 10 * 60_000 });

  constructor(options: BoundedLruOptions) {
    this.tasks = new BoundedLru(options);
  }

  get size(): number {
    return this.tasks.size;
  }

  load(taskId: string): Promise<Task | undefined> {
    const task = this.tasks.get(taskId);
    return Promise.resolve(task === undefined ? undefined : structuredClone(task));
  }

  save(task: Task): Promise<void> {
    this.tasks.set(task.id, structuredClone(task));
    return Promise.resolve();
  }

  list(params: ListTasksRequest): Promise<ListTasksResponse> {
    const pageSize = Math.min(params.pageSize !== undefined && params.pageSize > 0 ? params.pageSize : DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const after = params.statusTimestampAfter !== undefined ? Date.parse(params.statusTimestampAfter) : undefined;
    let tasks = this.tasks
      .values()
      .filter((t) => !params.contextId || t.contextId === params.contextId)
      .filter((t) => params.status === undefined || params.status === TaskState.TASK_STATE_UNSPECIFIED || t.status?.state === params.status)
      .filter((t) => after === undefined || (t.status?.timestamp !== undefined && Date.parse(t.status.timestamp) > after));
    // Newest first, ties by id, as the SDK's own store.
    const order = (a: { timestamp: string; id: string }, b: { timestamp: string; id: string }) => b.timestamp.localeCompare(a.timestamp) || b.id.localeCompare(a.id);
    const key = (t: Task) => ({ timestamp: t.status?.timestamp ?? '', id: t.id });
    tasks.sort((a, b) => order(key(a), key(b)));
    const totalSize = tasks.length;
    // A page token names the cursor it was handed out with (an unknown or expired one yields no
    // tasks); the next page is what sorts after the cursor's (timestamp, id), so a task that changed
    // since, the cursor's own included, does not lose the reader its place.
    if (params.pageToken) {
      const cursor = this.cursors.get(params.pageToken);
      tasks = cursor === undefined ? [] : tasks.filter((t) => order(cursor, key(t)) < 0);
    }
    const page = tasks.slice(0, pageSize).map((task) => {
      const copy = structuredClone(task);
      if (params.includeArtifacts !== true) copy.artifacts = [];
      if (params.historyLength !== undefined && params.historyLength >= 0) copy.history = params.historyLength === 0 ? [] : copy.history.slice(-params.historyLength);
      return copy;
    });
    let nextPageToken = '';
    const last = page[page.length - 1];
    if (last !== undefined && tasks.length > page.length) {
      nextPageToken = randomUUID();
      this.cursors.set(nextPageToken, { timestamp: last.status?.timestamp ?? '', id: last.id });
    }
    return Promise.resolve({ tasks: page, nextPageToken, pageSize, totalSize });
  }
}
