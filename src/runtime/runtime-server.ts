// The runtime's one HTTP port (8080 in the pod): the agent card byte for byte at the well-known
// path, A2A JSON-RPC on POST at the root (where the Service and the gateway's rewrite deliver
// requests) and at the card's interface path, and /healthz, /readyz, /metrics beside them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import type { JsonRpcEndpoint } from './json-rpc-endpoint.js';

export const AGENT_CARD_PATH = '/.well-known/agent-card.json';

/** Served on GET (and HEAD). */
const GET_PATHS: ReadonlySet<string> = new Set([AGENT_CARD_PATH, '/healthz', '/livez', '/readyz', '/metrics']);

export interface RuntimeServerOptions {
  host: string;
  port: number;
  /** Undefined when the agent publishes no card (it has no a2aConfig). */
  cardBytes: Buffer | undefined;
  /** Paths JSON-RPC is served on, besides '/'. */
  rpcPaths: readonly string[];
  endpoint: JsonRpcEndpoint;
  registry: Registry;
  ready: () => boolean;
  logger: Logger;
}

export class RuntimeServer {
  private readonly server: Server;

  private readonly rpcPaths: Set<string>;

  /** Requests whose response has not ended yet, and who waits for there to be none. */
  private active = 0;

  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly options: RuntimeServerOptions) {
    this.rpcPaths = new Set(['/', ...options.rpcPaths]);
    this.server = createServer((req, res) => {
      this.active += 1;
      res.once('close', () => {
        this.active -= 1;
        if (this.active === 0) for (const wake of this.idleWaiters) wake();
      });
      this.route(req, res).catch((err: unknown) => {
        options.logger.error({ err, path: req.url }, 'request failed');
        if (!res.headersSent) reply(res, 500, 'internal error\n');
        else res.destroy();
      });
    });
    // Streams may stay open for as long as the model takes; the default request timeout would cut them.
    this.server.requestTimeout = 0;
    this.server.keepAliveTimeout = 65_000;
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('the runtime server has no TCP address');
    return address;
  }

  /** Stops accepting connections; open ones (in-flight tasks and their streams) are left to finish. */
  stopAccepting(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  /**
   * Resolves once no response is being written (or after timeoutMs): a task that has just ended
   * still has its answer on the way to its client, which closing the connections would cut off.
   */
  responsesSent(timeoutMs: number): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      this.idleWaiters.add(done);
    });
  }

  closeAll(): void {
    this.server.closeAllConnections();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    if (this.rpcPaths.has(path) && method === 'POST') return this.options.endpoint.handle(req, res);
    if (method !== 'GET' && method !== 'HEAD') {
      // 405 names what the path does allow; a path that is not served at all is 404 for any method.
      if (this.rpcPaths.has(path)) return reply(res, 405, 'method not allowed\n', { Allow: GET_PATHS.has(path) ? 'GET, HEAD, POST' : 'POST' });
      if (GET_PATHS.has(path)) return reply(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
      return reply(res, 404, 'not found\n');
    }
    switch (path) {
      case AGENT_CARD_PATH:
        if (this.options.cardBytes === undefined) return reply(res, 404, 'this agent publishes no agent card\n');
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': this.options.cardBytes.length, 'Cache-Control': 'no-cache' });
        res.end(method === 'HEAD' ? undefined : this.options.cardBytes);
        return;
      case '/healthz':
      case '/livez':
        return reply(res, 200, 'ok\n');
      case '/readyz':
        return this.options.ready() ? reply(res, 200, 'ok\n') : reply(res, 503, 'not ready\n');
      case '/metrics': {
        const text = await this.options.registry.metrics();
        res.writeHead(200, { 'Content-Type': this.options.registry.contentType });
        res.end(text);
        return;
      }
      default:
        return this.rpcPaths.has(path) ? reply(res, 405, 'A2A JSON-RPC: POST only\n', { Allow: 'POST' }) : reply(res, 404, 'not found\n');
    }
  }
}

function reply(res: ServerResponse, code: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}
