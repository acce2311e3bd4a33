// The benchmark's clients, on plain fetch (keep-alive by default): A2A 1.0 JSON-RPC to the runtime
// (SendMessage, SendStreamingMessage read as server-sent events) and the same Chat Completions
// request the runtime makes, sent to the fake model directly. Every request has a timeout and every
// answer is checked, so a fast error is never counted as a fast answer.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

const REQUEST_TIMEOUT_MS = 30_000;

export const USER_TEXT = 'What is the capital of France? Answer in one word.';

function a2aBody(method: 'SendMessage' | 'SendStreamingMessage'): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method,
    params: { message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text: USER_TEXT }] } },
  });
}

const A2A_HEADERS = { 'content-type': 'application/json', 'A2A-Version': '1.0' };

/** One blocking SendMessage; resolves with its latency in ms once the task came back COMPLETED. */
export async function sendMessage(runtimeUrl: string): Promise<number> {
  const body = a2aBody('SendMessage');
  const started = performance.now();
  const res = await fetch(runtimeUrl, { method: 'POST', headers: A2A_HEADERS, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await res.text();
  const elapsed = performance.now() - started;
  if (!res.ok) throw new Error(`SendMessage: HTTP ${res.status}: ${text.slice(0, 200)}`);
  const state = taskState(JSON.parse(text) as unknown);
  if (state !== 'TASK_STATE_COMPLETED') throw new Error(`SendMessage: task ${state ?? 'missing'}: ${text.slice(0, 300)}`);
  return elapsed;
}

function taskState(reply: unknown): string | undefined {
  const result = (reply as { result?: { task?: { status?: { state?: string } } } } | null)?.result;
  return result?.task?.status?.state;
}

/** A model request as the runtime sent it (recorded by the fake), to replay against the fake directly. */
export interface ModelRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** One non-streaming Chat Completion straight to the fake model; latency in ms. */
export async function directCompletion(request: ModelRequest): Promise<number> {
  const started = performance.now();
  const res = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await res.text();
  const elapsed = performance.now() - started;
  if (!res.ok) throw new Error(`chat/completions: HTTP ${res.status}: ${text.slice(0, 200)}`);
  const reply = JSON.parse(text) as { choices?: Array<{ message?: { content?: string } }> };
  if (typeof reply.choices?.[0]?.message?.content !== 'string') throw new Error(`chat/completions: no answer: ${text.slice(0, 200)}`);
  return elapsed;
}

/** Server-sent events of a response body as their `data:` payloads, as they arrive. */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data !== '') yield data;
    }
  }
}

export interface StreamTiming {
  /** ms from sending the request to the first piece of the answer. */
  firstTokenMs: number;
  /** ms from sending the request to the end of the stream. */
  endMs: number;
}

/**
 * One SendStreamingMessage: time to the first artifact-update event (the first piece of the answer)
 * and to the end of the stream, which must have reported the task COMPLETED. `onFirst` runs when the
 * first piece arrives (the 100-streams phase counts open streams with it).
 */
export async function streamMessage(runtimeUrl: string, onFirst?: () => void): Promise<StreamTiming> {
  const started = performance.now();
  const res = await fetch(runtimeUrl, {
    method: 'POST',
    headers: { ...A2A_HEADERS, accept: 'text/event-stream' },
    body: a2aBody('SendStreamingMessage'),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS * 2),
  });
  if (!res.ok || res.body === null) throw new Error(`SendStreamingMessage: HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
  if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) throw new Error(`SendStreamingMessage: not a stream: ${(await res.text()).slice(0, 300)}`);
  let firstTokenMs: number | undefined;
  let finalState: string | undefined;
  for await (const data of sseData(res.body)) {
    const event = JSON.parse(data) as { result?: { artifactUpdate?: unknown; statusUpdate?: { status?: { state?: string } } }; error?: unknown };
    if (event.error !== undefined) throw new Error(`SendStreamingMessage: error event: ${data.slice(0, 300)}`);
    if (event.result?.artifactUpdate !== undefined && firstTokenMs === undefined) {
      firstTokenMs = performance.now() - started;
      onFirst?.();
    }
    finalState = event.result?.statusUpdate?.status?.state ?? finalState;
  }
  const endMs = performance.now() - started;
  if (firstTokenMs === undefined) throw new Error('SendStreamingMessage: the stream carried no artifact update');
  if (finalState !== 'TASK_STATE_COMPLETED') throw new Error(`SendStreamingMessage: the stream ended in ${finalState ?? 'no state'}`);
  return { firstTokenMs, endMs };
}

/** One streaming Chat Completion straight to the fake: time to the first content delta and to [DONE]. */
export async function directStream(request: ModelRequest): Promise<StreamTiming> {
  const started = performance.now();
  const res = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!res.ok || res.body === null) throw new Error(`chat/completions (stream): HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
  let firstTokenMs: number | undefined;
  let done = false;
  for await (const data of sseData(res.body)) {
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: string | null } }> };
    const content = chunk.choices?.[0]?.delta?.content;
    if (firstTokenMs === undefined && typeof content === 'string' && content !== '') firstTokenMs = performance.now() - started;
  }
  const endMs = performance.now() - started;
  if (firstTokenMs === undefined || !done) throw new Error('chat/completions (stream): no content, or no [DONE]');
  return { firstTokenMs, endMs };
}
