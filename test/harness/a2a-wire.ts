// A2A on the wire for runtime tests: 1.0 messages for @a2a-js/sdk's client, and raw JSON-RPC over
// fetch (the 0.3 path without an A2A-Version header, error codes, bodies no client would send) with
// a small server-sent-events reader for streamed answers.
import { randomUUID } from 'node:crypto';

import { Message, TaskState, type Part, type Task } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';

export { TaskState };

export function userText(text: string, ids: { contextId?: string; taskId?: string } = {}): Message {
  return Message.fromJSON({
    messageId: randomUUID(),
    role: 'ROLE_USER',
    ...(ids.contextId !== undefined && { contextId: ids.contextId }),
    ...(ids.taskId !== undefined && { taskId: ids.taskId }),
    parts: [{ text }],
  });
}

/** SendMessage (blocking) with the 1.0 client; the runtime always answers with a task. */
export async function sendText(client: Client, text: string, ids: { contextId?: string; taskId?: string } = {}): Promise<Task> {
  const result = await client.sendMessage({ tenant: '', message: userText(text, ids), configuration: undefined, metadata: undefined });
  if (!('id' in result) || !('status' in result)) throw new Error(`expected a task, got a message: ${JSON.stringify(result)}`);
  return result;
}

export function partsText(parts: readonly Part[]): string {
  return parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('');
}

/** The answer of a task: its artifacts' text. */
export function answerOf(task: Task): string {
  return task.artifacts.map((a) => partsText(a.parts)).join('\n');
}

/** The text of the task's status message (why it failed, what it asks for). */
export function statusText(task: Task): string {
  return task.status?.message === undefined ? '' : partsText(task.status.message.parts);
}

/** A state's SCREAMING_SNAKE name, as the 1.0 wire spells it. */
export const stateText = (state: TaskState | undefined): string => TaskState[state ?? TaskState.TASK_STATE_UNSPECIFIED] ?? `unknown state ${state}`;

export const stateName = (task: Task): string => stateText(task.status?.state);

export interface RpcResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body (undefined when it is not JSON). */
  json: Record<string, unknown> | undefined;
}

/** POSTs `body` (an object is JSON-encoded, a string sent as is) to the runtime's JSON-RPC endpoint. */
export async function postRpc(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RpcResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) json = parsed as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function rpc(url: string, method: string, params: unknown, headers: Record<string, string> = {}): Promise<RpcResponse> {
  return postRpc(url, { jsonrpc: '2.0', id: randomUUID(), method, params }, headers);
}

/** The `error.code` of a JSON-RPC response, or undefined. */
export function errorCode(response: RpcResponse): number | undefined {
  const error = response.json?.error;
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number' ? error.code : undefined;
}

/** A JSON-RPC request whose answer is server-sent events: each `data:` payload, parsed, as it arrives. */
export async function* rpcStream(
  url: string,
  method: string,
  params: unknown,
  options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): AsyncGenerator<Record<string, unknown>, void, undefined> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', ...options.headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: randomUUID(), method, params }),
    ...(options.signal !== undefined && { signal: options.signal }),
  });
  if (res.body === null) throw new Error(`no body (HTTP ${res.status})`);
  if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) throw new Error(`not an event stream (HTTP ${res.status}): ${await res.text()}`);
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  let buffered = '';
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    const bytes: unknown = read.value;
    if (!(bytes instanceof Uint8Array)) throw new Error('the event stream yielded something other than bytes');
    buffered += decoder.decode(bytes, { stream: true });
    for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data !== '') yield JSON.parse(data) as Record<string, unknown>;
    }
  }
}

/** A 0.3 message (kind-tagged parts), as a 0.3 client sends it. */
export function legacyMessage(text: string, ids: { contextId?: string; taskId?: string } = {}): Record<string, unknown> {
  return { kind: 'message', messageId: randomUUID(), role: 'user', parts: [{ kind: 'text', text }], ...ids };
}
