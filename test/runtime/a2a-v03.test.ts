// A2A 0.3 clients, as raw JSON-RPC without an A2A-Version header (what a 0.3 client sends): the
// SDK's legacy compatibility answers message/send, message/stream and tasks/get in 0.3's shapes
// (kind-tagged objects, lower-case states) on the same URL as 1.0.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { FakeModelServer, userMessages } from '../harness/fake-model.js';
import { RuntimeProcess, agentConfig } from '../harness/runtime-process.js';
import { legacyMessage, rpc, rpcStream } from '../harness/a2a-wire.js';

let model: FakeModelServer;
let runtime: RuntimeProcess;

beforeAll(async () => {
  model = await FakeModelServer.start();
  runtime = await RuntimeProcess.start({ config: agentConfig(model.url, { stream: true, systemMessage: 'Legacy.' }) });
}, 30_000);

afterAll(async () => {
  await runtime?.kill();
  await model?.close();
});

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const artifactText = (task: Json): string =>
  arr(task.artifacts)
    .flatMap((a) => arr(obj(a).parts))
    .map((p) => str(obj(p).text))
    .join('');

describe('A2A 0.3 without an A2A-Version header', () => {
  it('message/send answers with a 0.3 task', async () => {
    model.reset();
    const res = await rpc(runtime.url, 'message/send', { message: legacyMessage('hello from 0.3') });
    expect(res.status).toBe(200);
    expect(res.json?.error).toBeUndefined();
    const task = obj(res.json?.result);
    expect(task.kind).toBe('task');
    expect(obj(task.status).state).toBe('completed');
    expect(artifactText(task)).toBe('echo: system=Legacy.; user=hello from 0.3; turns=1');
  });

  it('tasks/get returns the task in 0.3 shape', async () => {
    model.reset();
    const sent = obj((await rpc(runtime.url, 'message/send', { message: legacyMessage('keep me') })).json?.result);
    const res = await rpc(runtime.url, 'tasks/get', { id: sent.id });
    const task = obj(res.json?.result);
    expect(task.id).toBe(sent.id);
    expect(task.kind).toBe('task');
    expect(obj(task.status).state).toBe('completed');
    expect(artifactText(task)).toContain('user=keep me');
  });

  it('message/stream streams 0.3 artifact updates and ends completed', async () => {
    model.reset();
    model.script({ text: 'streamed to an old client', chunks: 4, chunkDelayMs: 100 });
    const kinds: string[] = [];
    const appended: string[] = [];
    let finalState: unknown;
    for await (const event of rpcStream(runtime.url, 'message/stream', { message: legacyMessage('stream to 0.3') })) {
      expect(event.error).toBeUndefined();
      const result = obj(event.result);
      kinds.push(String(result.kind));
      if (result.kind === 'artifact-update' && result.lastChunk !== true) {
        appended.push(arr(obj(result.artifact).parts).map((p) => str(obj(p).text)).join(''));
      }
      if (result.kind === 'status-update') finalState = obj(result.status).state;
    }
    expect(kinds).toContain('artifact-update');
    expect(appended.length).toBeGreaterThanOrEqual(3);
    expect(appended.join('')).toBe('streamed to an old client');
    expect(finalState).toBe('completed');
  });

  it('a 0.3 contextId carries the conversation', async () => {
    model.reset();
    const first = obj((await rpc(runtime.url, 'message/send', { message: legacyMessage('first 0.3 turn') })).json?.result);
    const contextId = String(first.contextId);
    const second = obj((await rpc(runtime.url, 'message/send', { message: legacyMessage('second 0.3 turn', { contextId }) })).json?.result);
    expect(second.contextId).toBe(contextId);
    expect(artifactText(second)).toContain('turns=2');
    expect(userMessages(model.requests[1]!)).toEqual(['first 0.3 turn', 'second 0.3 turn']);
  });
});
