// A real MCP server (the official SDK's McpServer) on loopback HTTP with a few deterministic tools,
// so agent runtime tests exercise real MCP clients and transports. It records every tool call with
// the HTTP headers that carried it, and can stop and listen again on the same port.
//
//   /mcp                    Streamable HTTP (stateful sessions: one McpServer and transport per session)
//   /sse + /messages        the legacy HTTP+SSE transport (GET opens the stream, POST carries messages)
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

export type McpTransportKind = 'streamable-http' | 'sse';

export interface RecordedToolCall {
  tool: string;
  /** The arguments as the tool received them (validated against its input schema). */
  arguments: Record<string, unknown>;
  /** The HTTP request that carried the call: names lower-cased, repeated headers joined with ', '. */
  headers: Record<string, string>;
  transport: McpTransportKind;
}

export interface FakeMcpServerOptions {
  /** Fixed port; default: a free one picked at the first listen and kept across stop/listen. */
  port?: number;
  /** Loopback address to listen on (default 127.0.0.1); end-to-end tests bind a Service's ClusterIP (127.96.x.y). */
  host?: string;
  transport?: McpTransportKind | 'both';
  /** Headers every request must carry (401 otherwise), to test Secret-sourced auth end to end. */
  requiredHeaders?: Record<string, string>;
}

/** Exchange rates get_exchange_rate knows; any other pair is 1.5. */
export const EXCHANGE_RATES: Readonly<Record<string, number>> = {
  'USD/EUR': 0.92,
  'EUR/USD': 1.09,
  'USD/GBP': 0.79,
  'GBP/USD': 1.27,
  'USD/JPY': 151.2,
};

type Session = { server: McpServer; transport: StreamableHTTPServerTransport | SSEServerTransport };
type HeaderBag = Record<string, string | string[] | undefined>;

function flatHeaders(headers: HeaderBag | undefined): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });

function jsonRpcError(res: http.ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/**
 * Every response closes its connection, even where the SDK transports ask for keep-alive: a client
 * that pooled a connection across stop() would send its next request on a dead socket and fail
 * with "fetch failed" instead of reaching the restarted server. Node routes writeHead's headers
 * through setHeader once one header was set, so the handler sets one first.
 */
class ConnectionClosingResponse extends http.ServerResponse {
  override setHeader(name: string, value: number | string | readonly string[]): this {
    return name.toLowerCase() === 'connection' ? super.setHeader(name, 'close') : super.setHeader(name, value);
  }
}

export class FakeMcpServer {
  readonly calls: RecordedToolCall[] = [];
  private http: http.Server | undefined;
  private readonly sessions = new Map<string, Session>();
  private readonly changes = new EventEmitter();
  /** Wakes the `slow` tool's waits, so stop() does not leave timers behind. */
  private readonly sleepers = new Set<() => void>();

  private constructor(
    private port: number,
    private readonly host: string,
    private readonly transports: McpTransportKind | 'both',
    private readonly requiredHeaders: Record<string, string>,
  ) {
    this.changes.setMaxListeners(0);
  }

  static async start(options: FakeMcpServerOptions = {}): Promise<FakeMcpServer> {
    const host = options.host ?? '127.0.0.1';
    if (!host.startsWith('127.')) throw new Error(`fake MCP server: ${host} is not a loopback address`);
    const fake = new FakeMcpServer(options.port ?? 0, host, options.transport ?? 'both', options.requiredHeaders ?? {});
    await fake.listen();
    return fake;
  }

  /** A port free right now on 127.0.0.1, for a server a test starts only later. */
  static async freePort(): Promise<number> {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    if (address === null || typeof address === 'string') throw new Error('fake MCP server: probe has no TCP address');
    return address.port;
  }

  /** The Streamable HTTP endpoint (404 when only the SSE transport is served). */
  get url(): string {
    return `http://${this.host}:${this.port}/mcp`;
  }

  /** The legacy SSE endpoint, when served. */
  get sseUrl(): string | undefined {
    return this.serves('sse') ? `http://${this.host}:${this.port}/sse` : undefined;
  }

  get listening(): boolean {
    return this.http !== undefined;
  }

  /** Open MCP sessions of both transports. */
  get openSessions(): number {
    return this.sessions.size;
  }

  /** Listens (again) on this server's port. */
  async listen(): Promise<void> {
    if (this.http !== undefined) return;
    const server = http.createServer({ ServerResponse: ConnectionClosingResponse }, (req, res) => {
      res.setHeader('connection', 'close');
      void this.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('fake MCP server: no TCP address');
    this.port = address.port;
    this.http = server;
  }

  /** Ends every session and connection and stops listening; the port is kept for listen(). */
  async stop(): Promise<void> {
    const server = this.http;
    if (server === undefined) return;
    this.http = undefined;
    for (const wake of this.sleepers) wake();
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(sessions.map((session) => session.server.close()));
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.listen();
  }

  async close(): Promise<void> {
    await this.stop();
  }

  /** Resolves with the recorded calls once at least n have been made. */
  async waitForCalls(n: number, timeoutMs = 5000): Promise<RecordedToolCall[]> {
    if (this.calls.length < n) {
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (this.calls.length < n) return;
          stop();
          resolve();
        };
        const timer = setTimeout(() => {
          stop();
          reject(new Error(`fake MCP server: ${this.calls.length} of ${n} tool calls within ${timeoutMs} ms`));
        }, timeoutMs);
        const stop = () => {
          clearTimeout(timer);
          this.changes.off('call', check);
        };
        this.changes.on('call', check);
      });
    }
    return [...this.calls];
  }

  private serves(kind: McpTransportKind): boolean {
    return this.transports === 'both' || this.transports === kind;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const headers = flatHeaders(req.headers);
      const missing = Object.entries(this.requiredHeaders).find(([name, value]) => headers[name.toLowerCase()] !== value);
      if (missing !== undefined) return jsonRpcError(res, 401, -32001, `Unauthorized: header ${missing[0]} missing or wrong`);
      if (url.pathname === '/mcp' && this.serves('streamable-http')) return await this.streamable(req, res);
      if (url.pathname === '/sse' && req.method === 'GET' && this.serves('sse')) return await this.openSse(res);
      if (url.pathname === '/messages' && req.method === 'POST' && this.serves('sse')) return await this.postSse(req, res, url);
      res.writeHead(404).end();
    } catch (error) {
      if (!res.headersSent) jsonRpcError(res, 500, -32603, `Internal error: ${String(error)}`);
      else res.end();
    }
  }

  private async streamable(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = this.sessions.get(sessionId);
      // An unknown session (e.g. one from before a restart) is 404: the client must initialize anew.
      if (session === undefined || !(session.transport instanceof StreamableHTTPServerTransport)) {
        return jsonRpcError(res, 404, -32001, 'Session not found');
      }
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) return jsonRpcError(res, 400, -32000, 'Bad Request: No valid session ID provided');
    const server = this.mcpServer('streamable-http');
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void this.sessions.set(id, { server, transport }),
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  private async openSse(res: http.ServerResponse): Promise<void> {
    const transport = new SSEServerTransport('/messages', res);
    const server = this.mcpServer('sse');
    this.sessions.set(transport.sessionId, { server, transport });
    transport.onclose = () => void this.sessions.delete(transport.sessionId);
    // connect() starts the transport: it writes the SSE headers and the `endpoint` event.
    await server.connect(transport);
  }

  private async postSse(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const session = this.sessions.get(url.searchParams.get('sessionId') ?? '');
    if (session === undefined || !(session.transport instanceof SSEServerTransport)) {
      return jsonRpcError(res, 404, -32001, 'Session not found');
    }
    await session.transport.handlePostMessage(req, res, await readJson(req));
  }

  private record(tool: string, args: Record<string, unknown>, extra: { requestInfo?: { headers: HeaderBag } }, transport: McpTransportKind): void {
    this.calls.push({ tool, arguments: args, headers: flatHeaders(extra.requestInfo?.headers), transport });
    this.changes.emit('call');
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  /** A new McpServer per session, as the SDK documents for stateful servers. */
  private mcpServer(transport: McpTransportKind): McpServer {
    const server = new McpServer({ name: 'agentry-fake-mcp', version: '1.0.0' });
    server.registerTool(
      'get_exchange_rate',
      { description: 'The exchange rate between two currencies', inputSchema: { from: z.string(), to: z.string() } },
      (args, extra) => {
        this.record('get_exchange_rate', args, extra, transport);
        const from = args.from.toUpperCase();
        const to = args.to.toUpperCase();
        return text(`1 ${from} = ${EXCHANGE_RATES[`${from}/${to}`] ?? 1.5} ${to}`);
      },
    );
    server.registerTool(
      'add',
      { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } },
      (args, extra) => {
        this.record('add', args, extra, transport);
        return text(String(args.a + args.b));
      },
    );
    server.registerTool('fail', { description: 'Always fails', inputSchema: {} }, (args, extra) => {
      this.record('fail', args, extra, transport);
      return { isError: true, content: [{ type: 'text', text: 'fail: this tool always fails' }] };
    });
    server.registerTool(
      'slow',
      { description: 'Waits ms milliseconds, then answers', inputSchema: { ms: z.number().int().nonnegative() } },
      async (args, extra) => {
        this.record('slow', args, extra, transport);
        await this.sleep(args.ms, extra.signal);
        return text(`slept ${args.ms} ms`);
      },
    );
    server.registerTool(
      'delete_everything',
      { description: 'Deletes everything (a tool that needs approval)', inputSchema: {}, annotations: { destructiveHint: true } },
      (args, extra) => {
        this.record('delete_everything', args, extra, transport);
        return text('deleted');
      },
    );
    return server;
  }
}
