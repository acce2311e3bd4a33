// Tasks and conversations live in bounded memory: with --max-tasks 3, the first of five tasks is
// gone (GetTask answers TaskNotFound) and /metrics counts the evictions; with --max-contexts 2 the
// oldest conversation is forgotten; with --task-ttl/--context-ttl 1 both expire by age.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@a2a-js/sdk/client';

import { FakeModelServer } from '../harness/fake-model.js';
import { RuntimeProcess, agentConfig, waitFor } from '../harness/runtime-process.js';
import { answerOf, errorCode, rpc, sendText } from '../harness/a2a-wire.js';

const TASK_NOT_FOUND = -32001;

let model: FakeModelServer;
let bounded: RuntimeProcess;
let expiring: RuntimeProcess;
let client: Client;

beforeAll(async () => {
  model = await FakeModelServer.start();
  [bounded, expiring] = await Promise.all([
    RuntimeProcess.start({ config: agentConfig(model.url), args: ['--max-tasks', '3', '--max-contexts', '2'] }),
    RuntimeProcess.start({ config: agentConfig(model.url), args: ['--task-ttl', '1', '--context-ttl', '1'] }),
  ]);
  client = await bounded.client();
}, 30_000);

afterAll(async () => {
  await Promise.all([bounded?.kill(), expiring?.kill()]);
  await model?.close();
});

describe('bounded memory', () => {
  it('with --max-tasks 3, the first of five tasks is evicted and /metrics counts it', async () => {
    const tasks = [];
    for (let i = 1; i <= 5; i++) tasks.push(await sendText(client, `task ${i}`));
    const first = tasks[0]!;
    await expect(client.getTask({ tenant: '', id: first.id })).rejects.toThrow(/not found/i);
    expect(errorCode(await rpc(bounded.url, 'GetTask', { id: first.id }))).toBe(TASK_NOT_FOUND);
    // The last three are still there.
    for (const task of tasks.slice(2)) expect((await client.getTask({ tenant: '', id: task.id })).id).toBe(task.id);
    expect(await bounded.metric('agentry_runtime_evictions_total', { store: 'tasks', reason: 'count' })).toBeGreaterThanOrEqual(2);
    expect(await bounded.metric('agentry_runtime_stored_tasks')).toBe(3);
  });

  it('with --max-contexts 2, the oldest conversation is forgotten', async () => {
    const a = await sendText(client, 'context a, turn 1');
    await sendText(client, 'context b, turn 1');
    await sendText(client, 'context c, turn 1');
    // Context a was evicted by b and c (and by the contexts of the tasks above): it starts afresh.
    const again = await sendText(client, 'context a, turn 2', { contextId: a.contextId });
    expect(answerOf(again)).toContain('turns=1');
    expect(await bounded.metric('agentry_runtime_evictions_total', { store: 'contexts', reason: 'count' })).toBeGreaterThanOrEqual(1);
    expect(await bounded.metric('agentry_runtime_stored_contexts')).toBeLessThanOrEqual(2);
  });

  it('with --task-ttl 1 and --context-ttl 1, tasks and conversations expire by age', async () => {
    const expiringClient = await expiring.client();
    const first = await sendText(expiringClient, 'short-lived');
    const task = await sendText(expiringClient, 'same context, soon after', { contextId: first.contextId });
    expect(answerOf(task)).toContain('turns=2');
    // The conversation was last written before this task's final state was stored: once the task
    // has expired, so has the conversation.
    await waitFor(async () => errorCode(await rpc(expiring.url, 'GetTask', { id: task.id })) === TASK_NOT_FOUND, 5000, 100, 'the task to expire');
    expect(await expiring.metric('agentry_runtime_evictions_total', { store: 'tasks', reason: 'age' })).toBeGreaterThanOrEqual(1);
    // What /metrics says is held counts live entries only, not expired ones not yet touched.
    expect(await expiring.metric('agentry_runtime_stored_tasks')).toBe(0);
    expect(await expiring.metric('agentry_runtime_stored_contexts')).toBe(0);
    expect(answerOf(await sendText(expiringClient, 'same context, much later', { contextId: task.contextId }))).toContain('turns=1');
    expect(await expiring.metric('agentry_runtime_evictions_total', { store: 'contexts', reason: 'age' })).toBeGreaterThanOrEqual(1);
  });
});
