// A streaming client that goes away mid-stream does not leak the model call: the runtime aborts the
// model request (the fake sees it aborted, nothing left in flight) and the task is stored CANCELED,
// for a 1.0 client (the SDK's, aborted by its signal) and a 0.3 one (raw SSE). A subscriber that
// goes away only stops watching: the task it followed runs on to COMPLETED.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@a2a-js/sdk/client';

import { FakeModelServer } from '../harness/fake-model.js';
import { RuntimeProcess, agentConfig, waitFor } from '../harness/runtime-process.js';
import { legacyMessage, rpc, rpcStream, stateName, userText } from '../harness/a2a-wire.js';

let model: FakeModelServer;
let runtime: RuntimeProcess;
let client: Client;

beforeAll(async () => {
  model = await FakeModelServer.start();
  runtime = await RuntimeProcess.start({ config: agentConfig(model.url, { stream: true }) });
  client = await runtime.client();
}, 30_000);

afterAll(async () => {
  await runtime?.kill();
  await model?.close();
});

async function taskState(id: string): Promise<string> {
  return stateName(await client.getTask({ tenant: '', id }));
}

describe('a streaming client that disconnects', () => {
  it.each([
    ['hangs after a first piece', { hang: true as const, partialText: 'the first words of an answer' }],
    ['is still streaming slowly', { text: 'a long answer streamed one slow piece at a time', chunks: 10, chunkDelayMs: 300 }],
  ])('1.0: the model request is aborted when the model %s, and the task ends CANCELED', async (_what, turn) => {
    model.reset();
    model.script(turn);
    const abort = new AbortController();
    let taskId: string | undefined;
    await expect(
      (async () => {
        for await (const event of client.sendMessageStream(
          { tenant: '', message: userText('stream, then I leave'), configuration: undefined, metadata: undefined },
          { signal: abort.signal },
        )) {
          if (event.payload?.$case === 'task') taskId = event.payload.value.id;
          if (event.payload?.$case === 'artifactUpdate') {
            taskId ??= event.payload.value.taskId;
            abort.abort();
          }
        }
      })(),
    ).rejects.toThrow();
    expect(taskId).toBeDefined();
    await model.waitFor((m) => m.requests.length === 1 && m.inFlight() === 0, 5000, 'the model request to end');
    expect(model.requests[0]?.aborted).toBe(true);
    await waitFor(async () => (await taskState(taskId ?? '')) === 'TASK_STATE_CANCELED', 5000, 50, 'the task to be CANCELED');
    expect(await runtime.metric('agentry_runtime_tasks_in_flight')).toBe(0);
    await waitFor(async () => (await runtime.metric('agentry_runtime_a2a_requests_total', { method: 'SendStreamingMessage', result: 'client_gone' })) >= 1, 5000, 50, 'the request counted');
  });

  it('0.3: the model request is aborted and the task ends canceled', async () => {
    model.reset();
    model.script({ hang: true, partialText: 'partial words for an old client' });
    const abort = new AbortController();
    let taskId: string | undefined;
    await expect(
      (async () => {
        for await (const event of rpcStream(runtime.url, 'message/stream', { message: legacyMessage('0.3 stream, then I leave') }, { signal: abort.signal })) {
          const result = event.result as Record<string, unknown> | undefined;
          if (result?.kind === 'task' && typeof result.id === 'string') taskId = result.id;
          if (result?.kind === 'artifact-update') {
            if (typeof result.taskId === 'string') taskId ??= result.taskId;
            abort.abort();
          }
        }
      })(),
    ).rejects.toThrow();
    await model.waitFor((m) => m.requests.length === 1 && m.inFlight() === 0, 5000, 'the model request to end');
    expect(model.requests[0]?.aborted).toBe(true);
    await waitFor(
      async () => {
        const res = await rpc(runtime.url, 'tasks/get', { id: taskId });
        const status = (res.json?.result as { status?: { state?: string } } | undefined)?.status;
        return status?.state === 'canceled';
      },
      5000,
      50,
      'the task to be canceled',
    );
  });

  it('a SubscribeToTask subscriber that leaves does not cancel the task', async () => {
    model.reset();
    model.script({ text: 'an answer that takes a while to stream', chunks: 6, chunkDelayMs: 150 });
    const started = await client.sendMessage({
      tenant: '',
      message: userText('run on without me'),
      configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately: true },
      metadata: undefined,
    });
    if (!('id' in started)) throw new Error('expected a task');
    await model.waitForRequests(1);
    const abort = new AbortController();
    await expect(
      (async () => {
        for await (const event of client.resubscribeTask({ tenant: '', id: started.id }, { signal: abort.signal })) {
          if (event.payload?.$case === 'artifactUpdate') abort.abort();
        }
      })(),
    ).rejects.toThrow();
    await waitFor(async () => (await taskState(started.id)) === 'TASK_STATE_COMPLETED', 5000, 50, 'the task to complete');
    expect(model.requests[0]?.aborted).toBe(false);
    expect(model.requests[0]?.finished).toBe(true);
  });
});
