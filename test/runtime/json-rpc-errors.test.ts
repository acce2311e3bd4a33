// Bad JSON-RPC input gets the JSON-RPC error codes (-32700 parse error, -32601 unknown method,
// -32602 invalid params), and a body over the limit is refused with 413 before anything reaches the
// model: with the default 1 MiB limit, with a lowered --max-body-bytes, declared or chunked.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { FakeModelServer } from '../harness/fake-model.js';
import { RuntimeProcess, agentConfig } from '../harness/runtime-process.js';
import { errorCode, legacyMessage, postRpc, rpc } from '../harness/a2a-wire.js';

const SMALL_LIMIT = 4096;

let model: FakeModelServer;
let runtime: RuntimeProcess;
let small: RuntimeProcess;

beforeAll(async () => {
  model = await FakeModelServer.start();
  [runtime, small] = await Promise.all([
    RuntimeProcess.start({ config: agentConfig(model.url) }),
    RuntimeProcess.start({ config: agentConfig(model.url), args: ['--max-body-bytes', String(SMALL_LIMIT)] }),
  ]);
}, 30_000);

afterAll(async () => {
  await Promise.all([runtime?.kill(), small?.kill()]);
  await model?.close();
});

/** A 1.0 SendMessage body whose text makes it `size` bytes long (ASCII). */
function sendMessageBody(size: number): string {
  const shell = (text: string) =>
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'SendMessage', params: { message: { messageId: 'm-1', role: 'ROLE_USER', parts: [{ text }] } } });
  return shell('x'.repeat(size - shell('').length));
}

/** Sends `body` chunked (no Content-Length), as a client streaming its request would. */
async function postChunked(url: string, body: string): Promise<number> {
  const bytes = Buffer.from(body);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 16 * 1024) controller.enqueue(bytes.subarray(i, i + 16 * 1024));
      controller.close();
    },
  });
  const init: RequestInit & { duplex: 'half' } = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: stream, duplex: 'half' };
  const res = await fetch(url, init).catch((err: unknown) => {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw new Error(`chunked POST failed (the connection was dropped before the 413 was read?): ${String(err)}${cause}`);
  });
  await res.arrayBuffer();
  return res.status;
}

describe('JSON-RPC error codes', () => {
  it('malformed JSON is -32700', async () => {
    const res = await postRpc(runtime.url, '{"jsonrpc": "2.0", "method": "SendMessage", ');
    expect(res.status).toBe(200);
    expect(errorCode(res)).toBe(-32700);
    expect(res.json?.id).toBeNull();
  });

  it('an unknown method is -32601 (1.0 and 0.3 spellings)', async () => {
    expect(errorCode(await rpc(runtime.url, 'DoSomethingElse', {}))).toBe(-32601);
    expect(errorCode(await rpc(runtime.url, 'tasks/explode', {}))).toBe(-32601);
  });

  it('invalid params are -32602', async () => {
    model.reset();
    // SendMessage without a message; a 0.3 message/send whose message is not one.
    expect(errorCode(await rpc(runtime.url, 'SendMessage', {}))).toBe(-32602);
    expect(errorCode(await rpc(runtime.url, 'message/send', { message: 'not a message' }))).toBe(-32602);
    expect(model.requests).toHaveLength(0);
  });

  it('a request that is not JSON-RPC 2.0 is -32600', async () => {
    expect(errorCode(await postRpc(runtime.url, { id: 1, method: 'SendMessage' }))).toBe(-32600);
    expect(errorCode(await postRpc(runtime.url, [1, 2, 3]))).toBe(-32600);
  });

  it('the A2A request counter has the error codes by method', async () => {
    const samples = await runtime.scrape();
    const codes = samples.filter((s) => s.name === 'agentry_runtime_a2a_requests_total' && s.value > 0).map((s) => `${s.labels.method} ${s.labels.result}`);
    expect(codes).toEqual(expect.arrayContaining(['(unparsed) -32700', 'DoSomethingElse -32601', 'SendMessage -32602']));
  });
});

describe('request body limit', () => {
  it('a body over the default 1 MiB is 413 and the model gets no request', async () => {
    model.reset();
    const res = await postRpc(runtime.url, sendMessageBody(1024 * 1024 + 1));
    expect(res.status).toBe(413);
    expect(model.requests).toHaveLength(0);
  });

  it('a body just under the limit is served', async () => {
    model.reset();
    const res = await postRpc(small.url, sendMessageBody(SMALL_LIMIT - 100));
    expect(res.status).toBe(200);
    expect(res.json?.error).toBeUndefined();
    expect(model.requests).toHaveLength(1);
  });

  it('with --max-body-bytes lowered, a body over it is 413, declared or chunked', async () => {
    model.reset();
    expect((await postRpc(small.url, sendMessageBody(SMALL_LIMIT + 1))).status).toBe(413);
    // A client still sending when the 413 comes must read it, not a reset connection (a race: a few tries).
    for (let i = 0; i < 5; i++) expect(await postChunked(small.url, sendMessageBody(SMALL_LIMIT * 20))).toBe(413);
    expect(model.requests).toHaveLength(0);
    expect(await small.metric('agentry_runtime_a2a_requests_total', { result: 'http_413' })).toBe(6);
  });

  it('a 0.3 request over the limit is 413 too', async () => {
    model.reset();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'message/send', params: { message: legacyMessage('y'.repeat(SMALL_LIMIT)) } });
    expect((await postRpc(small.url, body)).status).toBe(413);
    expect(model.requests).toHaveLength(0);
  });

  it('the runtime keeps serving after refusing bodies', async () => {
    const res = await postRpc(small.url, sendMessageBody(500));
    expect(res.status).toBe(200);
    expect(res.json?.error).toBeUndefined();
  });
});
