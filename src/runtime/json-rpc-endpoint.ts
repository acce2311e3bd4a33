// The A2A JSON-RPC endpoint on plain node:http: the SDK's transport handlers do the protocol, this
// file does HTTP. A 1.0 method (`SendMessage`) goes to the 1.0 handler, a 0.3 one (`message/send`)
// to the SDK's legacy handler; bodies over the limit are refused with 413 before anything is parsed;
// malformed JSON is JSON-RPC -32700; streams are server-sent events, and a client that goes away
// mid-stream has its task's model call aborted rather than left running for no one (the task is
// then stored CANCELED); a subscriber that goes away leaves the task running.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { SSE_HEADERS, formatSSEErrorEvent, formatSSEEvent } from '@a2a-js/sdk';
import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server';
import { JsonRpcTransportHandler, ServerCallContext, UnauthenticatedUser, type A2ARequestHandler } from '@a2a-js/sdk/server';
import type { Logger } from 'pino';

import type { RuntimeMetrics } from './runtime-metrics.js';

export const JSON_RPC_PARSE_ERROR = -32700;
/** Streams that start a task (1.0 and 0.3 names), as opposed to following one. */
const SEND_STREAM_METHODS: ReadonlySet<string> = new Set(['SendStreamingMessage', 'message/stream']);
export const JSON_RPC_INVALID_REQUEST = -32600;

export interface JsonRpcEndpointOptions {
  requestHandler: A2ARequestHandler;
  maxBodyBytes: number;
  metrics: RuntimeMetrics;
  logger: Logger;
  /** Called when a streaming client disconnects before its stream ended. */
  onStreamAbandoned: (taskId: string) => void;
  /** Applied to every error message sent (an error may quote the request, and so a secret). */
  scrub: (text: string) => string;
}

interface JsonRpcRequestShape {
  method: string;
  id: string | number | null;
}

export class JsonRpcEndpoint {
  private readonly v1: JsonRpcTransportHandler;

  private readonly legacy: LegacyJsonRpcTransportHandler;

  constructor(private readonly options: JsonRpcEndpointOptions) {
    this.v1 = new JsonRpcTransportHandler(options.requestHandler);
    this.legacy = new LegacyJsonRpcTransportHandler(options.requestHandler);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, this.options.maxBodyBytes);
    if (body.kind === 'too-large') {
      this.count('(too large)', 'http_413');
      refuseTooLarge(req, res, this.options.maxBodyBytes);
      return;
    }
    if (body.kind === 'aborted') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.text);
    } catch (err) {
      this.count('(unparsed)', String(JSON_RPC_PARSE_ERROR));
      return this.send(res, { jsonrpc: '2.0', id: null, error: { code: JSON_RPC_PARSE_ERROR, message: `Parse error: ${err instanceof Error ? err.message : String(err)}` } });
    }
    const request = requestShape(parsed);
    if (request === undefined) {
      this.count('(invalid)', String(JSON_RPC_INVALID_REQUEST));
      return this.send(res, { jsonrpc: '2.0', id: null, error: { code: JSON_RPC_INVALID_REQUEST, message: 'Invalid Request: a JSON-RPC 2.0 request object is expected' } });
    }
    // 0.3 method names have a slash (message/send, tasks/get); 1.0's are PascalCase.
    const legacy = request.method.includes('/');
    const versionHeader = req.headers['a2a-version'];
    const context = new ServerCallContext({
      user: new UnauthenticatedUser(),
      requestedVersion: typeof versionHeader === 'string' && versionHeader !== '' ? versionHeader : legacy ? '0.3' : '1.0',
    });
    const handler = legacy ? this.legacy : this.v1;
    let result: Awaited<ReturnType<JsonRpcTransportHandler['handle']>>;
    try {
      result = await handler.handle(parsed as Record<string, unknown>, context);
    } catch (err) {
      const error = legacy ? LegacyJsonRpcTransportHandler.mapToLegacyJSONRPCError(err) : JsonRpcTransportHandler.mapToJSONRPCError(err);
      this.count(request.method, String(error.code));
      return this.send(res, { jsonrpc: '2.0', id: request.id, error });
    }
    if (!isAsyncIterable(result)) {
      this.count(request.method, errorCodeOf(result) ?? 'ok');
      return this.send(res, result);
    }
    await this.stream(res, request, legacy, result);
  }

  private async stream(res: ServerResponse, request: JsonRpcRequestShape, legacy: boolean, events: AsyncGenerator<unknown, void, undefined>): Promise<void> {
    const mapError = (err: unknown) => (legacy ? LegacyJsonRpcTransportHandler.mapToLegacyJSONRPCError(err) : JsonRpcTransportHandler.mapToJSONRPCError(err));
    const iterator = events[Symbol.asyncIterator]();
    let first: IteratorResult<unknown, void>;
    try {
      first = await iterator.next();
    } catch (err) {
      // Nothing was streamed yet: an ordinary JSON-RPC error.
      const error = mapError(err);
      this.count(request.method, String(error.code));
      return this.send(res, { jsonrpc: '2.0', id: request.id, error });
    }
    res.writeHead(200, SSE_HEADERS);
    // A send stream's client owns its task: when it goes away the task is aborted. A subscriber
    // (SubscribeToTask, tasks/resubscribe) only watches a task someone else started.
    const ownsTask = SEND_STREAM_METHODS.has(request.method);
    let taskId: string | undefined;
    let ended = false;
    let gone = false;
    res.on('close', () => {
      if (ended) return;
      gone = true;
      if (ownsTask && taskId !== undefined) {
        // The loop below goes on pulling (and dropping) events: the SDK stores the task's final
        // state (CANCELED) only from the events its stream hands out.
        this.options.onStreamAbandoned(taskId);
      } else {
        // Stop following a task no one is reading about.
        void iterator.return(undefined);
      }
    });
    try {
      for (let next = first; next.done !== true; next = await iterator.next()) {
        taskId ??= streamedTaskId(next.value);
        if (!gone) res.write(formatSSEEvent(next.value));
      }
      this.count(request.method, gone ? 'client_gone' : 'ok');
    } catch (err) {
      const error = mapError(err);
      this.count(request.method, String(error.code));
      this.options.logger.warn({ method: request.method, code: error.code, taskId }, 'stream ended with an error');
      if (!gone && !res.writableEnded) res.write(formatSSEErrorEvent({ jsonrpc: '2.0', id: request.id, error: { ...error, message: this.options.scrub(error.message) } }));
    } finally {
      ended = true;
      if (!res.writableEnded) res.end();
    }
  }

  private send(res: ServerResponse, response: unknown): void {
    sendJson(res, withScrubbedError(response, this.options.scrub));
  }

  private count(method: string, result: string): void {
    this.options.metrics.a2aRequests.inc({ method, result });
  }
}

/** How long, and how many more bytes, a refused body is read (and discarded) before its connection is dropped. */
const LINGER_MS = 2000;
const LINGER_BYTES = 4 * 1024 * 1024;

/**
 * 413, then a lingering close. Dropping the connection right after the answer would make a client
 * that is still sending its body fail with EPIPE or ECONNRESET and never read the 413; so the rest
 * is read and thrown away, up to LINGER_MS and LINGER_BYTES (Go's server does the same), and only
 * then is the connection dropped. A body that ends within the bounds leaves an ordinary keep-alive
 * connection.
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  res.writeHead(413, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ error: `request body over ${limit} bytes` }));
  if (req.complete) return;
  const drop = () => req.socket.destroy();
  const timer = setTimeout(drop, LINGER_MS);
  timer.unref();
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) drop();
  });
  req.once('end', () => clearTimeout(timer));
  req.socket.once('close', () => clearTimeout(timer));
  req.resume();
}

type Body = { kind: 'ok'; text: string } | { kind: 'too-large' } | { kind: 'aborted' };

/** Reads the body up to the limit; a declared Content-Length over it is refused unread. */
function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.pause();
        resolve({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve({ kind: 'ok', text: Buffer.concat(chunks).toString('utf8') });
      done = true;
    });
    req.on('error', () => {
      if (!done) resolve({ kind: 'aborted' });
      done = true;
    });
  });
}

function requestShape(value: unknown): JsonRpcRequestShape | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { jsonrpc, method, id } = value as Record<string, unknown>;
  if (jsonrpc !== '2.0' || typeof method !== 'string') return undefined;
  const validId = typeof id === 'string' || typeof id === 'number' || id === null || id === undefined;
  if (!validId) return undefined;
  return { method, id: id ?? null };
}

function isAsyncIterable(value: unknown): value is AsyncGenerator<unknown, void, undefined> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** The task id in a streamed JSON-RPC response: 1.0's `{result: {task: {id}}}`, 0.3's `{result: {kind: 'task', id}}`. */
function streamedTaskId(response: unknown): string | undefined {
  const result = typeof response === 'object' && response !== null && 'result' in response ? response.result : undefined;
  if (typeof result !== 'object' || result === null) return undefined;
  if ('task' in result && typeof result.task === 'object' && result.task !== null && 'id' in result.task && typeof result.task.id === 'string') return result.task.id;
  if ('kind' in result && result.kind === 'task' && 'id' in result && typeof result.id === 'string') return result.id;
  if ('taskId' in result && typeof result.taskId === 'string') return result.taskId;
  return undefined;
}

function errorCodeOf(response: unknown): string | undefined {
  if (typeof response !== 'object' || response === null || !('error' in response)) return undefined;
  const { error } = response;
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/** The response with its `error.message` scrubbed; any other response as it is. */
function withScrubbedError(response: unknown, scrub: (text: string) => string): unknown {
  if (typeof response !== 'object' || response === null || !('error' in response)) return response;
  const { error } = response;
  if (typeof error !== 'object' || error === null || !('message' in error) || typeof error.message !== 'string') return response;
  return { ...response, error: { ...error, message: scrub(error.message) } };
}

function sendJson(res: ServerResponse, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
