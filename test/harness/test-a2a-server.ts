// A real A2A server that is not an Agentry agent, for RemoteAgent tests: @a2a-js/sdk's request
// handler behind the runtime's JSON-RPC endpoint (1.0 `SendMessage` and 0.3 `message/send`, as the
// SDK does them), answering every message with a fixed reply, and an agent card at any path ending
// in /.well-known/agent-card.json whose bytes and misbehaviour (status, redirect, delay, size,
// broken JSON) a test sets. Binds to the host a test asks for, e.g. a Service's loopback ClusterIP.
import http from 'node:http';
import https from 'node:https';

import { AgentCard } from '@a2a-js/sdk';
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor } from '@a2a-js/sdk/server';
import { pino } from 'pino';

import { agentMessage, messageText } from '../../src/runtime/a2a-messages.js';
import { JsonRpcEndpoint } from '../../src/runtime/json-rpc-endpoint.js';
import { RuntimeMetrics } from '../../src/runtime/runtime-metrics.js';

const CARD_SUFFIX = '/.well-known/agent-card.json';
const MAX_BODY_BYTES = 1024 * 1024;

export interface TestA2AServerOptions {
  /** Where to listen; 127.0.0.1 by default. */
  host?: string;
  /** 0 (any free port) by default. */
  port?: number;
  /** Serve https with this certificate (see test-tls.ts). */
  tls?: { cert: string; key: string };
  /** The agent's name: in the default card and the default reply. 'test-remote' by default. */
  name?: string;
  /** The card served, as JSON (anything: tests serve invalid and 0.3-shaped cards); defaultCard() otherwise. */
  card?: unknown;
  /** The answer to a message's text; `remote <name>: <text>` by default. */
  reply?: (text: string) => string;
}

/** How the card endpoint misbehaves; setMode({}) makes it behave. */
export interface CardMode {
  /** Answer with this status (and a short text body) instead of the card. */
  status?: number;
  /** Answer 302 with this Location. */
  redirectTo?: string;
  /** Wait this long before answering (the wait ends early when the client goes away). */
  delayMs?: number;
  /** Serve the card padded to at least this many bytes (with an honest Content-Length). */
  oversizeBytes?: number;
  /** Serve bytes that are not JSON. */
  invalidJson?: boolean;
}

export interface TestA2AServer {
  /** The A2A endpoint, with a trailing slash: http(s)://host:port/ */
  readonly url: string;
  readonly port: number;
  setCard(card: unknown): void;
  setMode(mode: CardMode): void;
  /** Card GETs received, whatever was answered. */
  cardRequests(): number;
  /** The headers of each card GET, lower-cased names, in order. */
  cardRequestHeaders(): ReadonlyArray<Readonly<Record<string, string>>>;
  /** The text of every message received, in order. */
  messages(): readonly string[];
  /** The headers of each JSON-RPC POST, lower-cased names, in order. */
  messageRequestHeaders(): ReadonlyArray<Readonly<Record<string, string>>>;
  close(): Promise<void>;
}

/** A valid A2A 1.0 card for an agent at `url`, with both protocol versions the SDK serves. */
export function defaultCard(name: string, url: string): Record<string, unknown> {
  return {
    name,
    description: `The test A2A server ${name}: it answers every message with "remote ${name}: <the text>".`,
    version: '1.0.0',
    supportedInterfaces: [
      { url, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
    ],
    capabilities: { streaming: true },
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [{ id: 'echo', name: 'Echo', description: 'Repeats the message after its own name.', tags: ['test', 'echo'] }],
  };
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** Resolves after ms, or as soon as the client is gone. */
function pause(ms: number, res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}

export async function startTestA2AServer(options: TestA2AServerOptions = {}): Promise<TestA2AServer> {
  const name = options.name ?? 'test-remote';
  const reply = options.reply ?? ((text: string) => `remote ${name}: ${text}`);
  const host = options.host ?? '127.0.0.1';
  const received: string[] = [];
  const messageHeaders: Array<Record<string, string>> = [];
  const cardHeaders: Array<Record<string, string>> = [];
  let mode: CardMode = {};

  const executor: AgentExecutor = {
    execute: (context, bus) => {
      const text = messageText(context.userMessage);
      received.push(text);
      bus.publish(AgentEvent.message(agentMessage(reply(text), context.contextId, context.taskId)));
      bus.finished();
      return Promise.resolve();
    },
    cancelTask: (_taskId, bus) => {
      bus.finished();
      return Promise.resolve();
    },
  };

  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }) : http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('test A2A server: no TCP address');
  const url = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${address.port}/`;
  let card: unknown = options.card ?? defaultCard(name, url);

  // The handler's own card only decides what it serves (both protocol versions); the card endpoint
  // serves whatever a test set.
  const requestHandler = new DefaultRequestHandler(AgentCard.fromJSON(defaultCard(name, url)), new InMemoryTaskStore(), executor);
  const endpoint = new JsonRpcEndpoint({
    requestHandler,
    maxBodyBytes: MAX_BODY_BYTES,
    metrics: new RuntimeMetrics(),
    logger: pino({ level: 'silent' }),
    onStreamAbandoned: () => undefined,
    scrub: (text) => text,
  });

  async function serveCard(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    cardHeaders.push(flatHeaders(req.headers));
    const current = mode;
    if (current.delayMs !== undefined) await pause(current.delayMs, res);
    if (res.destroyed) return;
    if (current.redirectTo !== undefined) {
      res.writeHead(302, { Location: current.redirectTo, 'Content-Length': 0 });
      res.end();
      return;
    }
    if (current.status !== undefined) {
      const text = `test A2A server: status ${current.status} as set\n`;
      res.writeHead(current.status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    let body = current.invalidJson === true ? '{"name": "not json' : JSON.stringify(card);
    if (current.oversizeBytes !== undefined && current.invalidJson !== true) {
      const plain = card !== null && typeof card === 'object' && !Array.isArray(card) ? card : {};
      const padding = Math.max(0, current.oversizeBytes - Buffer.byteLength(body));
      body = JSON.stringify({ ...plain, padding: 'x'.repeat(padding) });
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const answer = async () => {
      if ((req.method === 'GET' || req.method === 'HEAD') && path.endsWith(CARD_SUFFIX)) return serveCard(req, res);
      if (req.method === 'POST') {
        messageHeaders.push(flatHeaders(req.headers));
        return endpoint.handle(req, res);
      }
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
    };
    answer().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  return {
    url,
    port: address.port,
    setCard: (next) => {
      card = next;
    },
    setMode: (next) => {
      mode = { ...next };
    },
    cardRequests: () => cardHeaders.length,
    cardRequestHeaders: () => cardHeaders,
    messages: () => received,
    messageRequestHeaders: () => messageHeaders,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
