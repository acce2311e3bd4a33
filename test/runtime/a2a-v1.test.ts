// A2A 1.0 against the compiled runtime with @a2a-js/sdk's own client: the card byte for byte, every
// 1.0 method the card promises (SendMessage, SendStreamingMessage, GetTask, ListTasks, CancelTask,
// SubscribeToTask), conversation history by contextId, and a cancel that really aborts the model call.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@a2a-js/sdk/client';

import { FakeModelServer, userMessages } from '../harness/fake-model.js';
import { RuntimeProcess, agentCardText, agentConfig, waitFor } from '../harness/runtime-process.js';
import { TaskState, answerOf, rpc, sendText, stateName, stateText, userText } from '../harness/a2a-wire.js';

let model: FakeModelServer;
let runtime: RuntimeProcess;
let client: Client;

beforeAll(async () => {
  model = await FakeModelServer.start();
  runtime = await RuntimeProcess.start({ config: agentConfig(model.url, { stream: true, systemMessage: 'Be brief.' }) });
  client = await runtime.client();
}, 30_000);

afterAll(async () => {
  await runtime?.kill();
  await model?.close();
});

describe('the agent card', () => {
  it('is served byte for byte as the file was written', async () => {
    const res = await runtime.get('/.well-known/agent-card.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(runtime.cardBytes).toBeDefined();
    expect(res.bytes.equals(runtime.cardBytes ?? Buffer.alloc(0))).toBe(true);
  });
});

describe('A2A 1.0', () => {
  it('SendMessage is answered from the model, with the system message', async () => {
    model.reset();
    const task = await sendText(client, 'hello there');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(task)).toBe('echo: system=Be brief.; user=hello there; turns=1');
    expect(task.contextId).not.toBe('');
    expect(model.requests).toHaveLength(1);
  });

  it('SendStreamingMessage delivers several artifact chunks, the first while the model is still answering', async () => {
    model.reset();
    model.script({ text: 'one two three four five', chunks: 5, chunkDelayMs: 150 });
    const pieces: string[] = [];
    let firstChunkWhileModelBusy: boolean | undefined;
    let final: string | undefined;
    const states: string[] = [];
    for await (const event of client.sendMessageStream({ tenant: '', message: userText('stream please'), configuration: undefined, metadata: undefined })) {
      const payload = event.payload;
      if (payload?.$case === 'artifactUpdate') {
        const content = payload.value.artifact?.parts[0]?.content;
        const text = content?.$case === 'text' ? content.value : '';
        firstChunkWhileModelBusy ??= model.requests[0]?.finished === false;
        if (payload.value.lastChunk) final = text;
        else pieces.push(text);
      }
      if (payload?.$case === 'statusUpdate') states.push(stateText(payload.value.status?.state));
    }
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    expect(pieces.join('')).toBe('one two three four five');
    expect(firstChunkWhileModelBusy).toBe(true);
    // The last chunk replaces the pieces with the whole answer.
    expect(final).toBe('one two three four five');
    expect(states[states.length - 1]).toBe('TASK_STATE_COMPLETED');
    expect(model.requests[0]?.stream).toBe(true);
  });

  it('a second message in the same context reaches the model with the earlier turn', async () => {
    model.reset();
    const first = await sendText(client, 'my name is Ada');
    const second = await sendText(client, 'what is my name?', { contextId: first.contextId });
    expect(second.contextId).toBe(first.contextId);
    expect(answerOf(second)).toContain('turns=2');
    const [, request] = await model.waitForRequests(2);
    expect(userMessages(request ?? model.requests[1]!)).toEqual(['my name is Ada', 'what is my name?']);
    // Another context starts afresh.
    const other = await sendText(client, 'who am I?');
    expect(answerOf(other)).toContain('turns=1');
  });

  it('GetTask returns the finished task with its history and answer', async () => {
    model.reset();
    const sent = await sendText(client, 'remember this');
    const got = await client.getTask({ tenant: '', id: sent.id });
    expect(got.id).toBe(sent.id);
    expect(stateName(got)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(got)).toBe('echo: system=Be brief.; user=remember this; turns=1');
    expect(got.history.some((m) => m.parts.some((p) => p.content?.$case === 'text' && p.content.value === 'remember this'))).toBe(true);
  });

  it('ListTasks filters by contextId', async () => {
    model.reset();
    const contextId = randomUUID();
    const a = await sendText(client, 'first in context', { contextId });
    const b = await sendText(client, 'second in context', { contextId });
    await sendText(client, 'elsewhere');
    const listed = await client.listTasks({ tenant: '', contextId, status: TaskState.TASK_STATE_UNSPECIFIED, pageToken: '', statusTimestampAfter: undefined });
    expect(listed.tasks.map((t) => t.id).sort()).toEqual([a.id, b.id].sort());
    expect(listed.tasks.every((t) => t.contextId === contextId)).toBe(true);
  });

  it('CancelTask of a task waiting on the model ends it CANCELED and aborts the model request', async () => {
    model.reset();
    model.script({ hang: true });
    // returnImmediately: the task comes back while the model is still "thinking".
    const started = await client.sendMessage({
      tenant: '',
      message: userText('this will take forever'),
      configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately: true },
      metadata: undefined,
    });
    if (!('id' in started)) throw new Error('expected a task');
    await model.waitFor((m) => m.inFlight() === 1, 5000, 'the hanging model request');
    const canceled = await client.cancelTask({ tenant: '', id: started.id, metadata: undefined });
    expect(stateName(canceled)).toBe('TASK_STATE_CANCELED');
    await model.waitFor((m) => m.inFlight() === 0, 5000, 'the model request to be aborted');
    expect(model.requests[0]?.aborted).toBe(true);
    const got = await client.getTask({ tenant: '', id: started.id });
    expect(stateName(got)).toBe('TASK_STATE_CANCELED');
    expect(got.contextId).toBe(started.contextId);
    expect(got.status?.message?.contextId).toBe(started.contextId);
  });

  it('SubscribeToTask follows a running task to its end', async () => {
    model.reset();
    model.script({ text: 'slow answer in pieces', chunks: 4, chunkDelayMs: 200 });
    const started = await client.sendMessage({
      tenant: '',
      message: userText('subscribe to me'),
      configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately: true },
      metadata: undefined,
    });
    if (!('id' in started)) throw new Error('expected a task');
    await model.waitForRequests(1);
    const states: string[] = [];
    let sawArtifact = false;
    for await (const event of client.resubscribeTask({ tenant: '', id: started.id })) {
      if (event.payload?.$case === 'artifactUpdate') sawArtifact = true;
      if (event.payload?.$case === 'statusUpdate') states.push(stateText(event.payload.value.status?.state));
      if (event.payload?.$case === 'task') states.push(stateName(event.payload.value));
    }
    expect(sawArtifact).toBe(true);
    expect(states[states.length - 1]).toBe('TASK_STATE_COMPLETED');
    await waitFor(async () => stateName(await client.getTask({ tenant: '', id: started.id })) === 'TASK_STATE_COMPLETED', 5000);
  });

  it('logs one JSON line per task start and end, with its taskId and contextId', async () => {
    model.reset();
    const task = await sendText(client, 'log me');
    const ended = await runtime.waitForLog(new RegExp(`"taskId":"${task.id}".*"event":"task_ended"`));
    expect(ended).toMatchObject({ taskId: task.id, contextId: task.contextId, state: 'TASK_STATE_COMPLETED', component: 'agentry-runtime' });
    expect(runtime.logsMatching(new RegExp(`"taskId":"${task.id}".*"event":"task_started"`))).toHaveLength(1);
  });

  it('ten concurrent messages in ten contexts each get their own answer', async () => {
    model.reset();
    const tasks = await Promise.all(Array.from({ length: 10 }, (_, i) => sendText(client, `concurrent ${i}`)));
    tasks.forEach((task, i) => expect(answerOf(task)).toBe(`echo: system=Be brief.; user=concurrent ${i}; turns=1`));
    expect(new Set(tasks.map((t) => t.contextId)).size).toBe(10);
  });
});

describe('a card whose interface URL has a path', () => {
  let pathed: RuntimeProcess | undefined;

  afterAll(async () => {
    await pathed?.kill();
  });

  it('is served there (and at /), and the SDK client follows the card to it', async () => {
    pathed = await RuntimeProcess.start({ config: agentConfig(model.url), card: (url) => agentCardText(`${url}a2a/v1`) });
    model.reset();
    const task = await sendText(await pathed.client(), 'via the path');
    expect(answerOf(task)).toContain('user=via the path');
    expect((await rpc(`${pathed.url}a2a/v1`, 'GetTask', { id: task.id })).json?.error).toBeUndefined();
    expect((await rpc(pathed.url, 'GetTask', { id: task.id })).json?.error).toBeUndefined();
    expect((await rpc(`${pathed.url}elsewhere`, 'GetTask', { id: task.id })).status).toBe(404);
    expect((await rpc(`${pathed.url}metrics`, 'GetTask', { id: task.id })).status).toBe(405);
    expect((await pathed.get('/a2a/v1')).status).toBe(405);
  });
});
