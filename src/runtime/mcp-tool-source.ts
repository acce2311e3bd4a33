// One MCP server an agent may use: a client connected over Streamable HTTP (falling back to the
// legacy SSE transport), its tool list, and calls. A server that is down does not keep the agent
// from serving: it is retried in the background with capped exponential backoff, and until it
// answers its tools are reported as unavailable to the model rather than silently missing.
// The MCP SDK (and its JSON Schema validator) is loaded with the first server: an agent without MCP
// tools does not pay ~11 MB of RSS for it.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Logger } from 'pino';

import type { McpServerConfig } from '../contract/agent-config.js';

export interface McpTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface McpCallResult {
  isError: boolean;
  text: string;
}

export interface McpToolSourceOptions {
  config: McpServerConfig;
  headers: Readonly<Record<string, string>>;
  logger: Logger;
  clientVersion: string;
  /** Delay before the first retry; doubles up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

type State = { kind: 'connecting' } | { kind: 'ready'; client: Client; tools: McpTool[] } | { kind: 'unavailable'; reason: string } | { kind: 'closed' };

export class McpToolSource {
  readonly id: string;

  private state: State = { kind: 'connecting' };

  private retryTimer: NodeJS.Timeout | undefined;

  private attempt = 0;

  private readonly firstConnect: Promise<void>;

  constructor(private readonly options: McpToolSourceOptions) {
    this.id = options.config.id;
    this.firstConnect = this.connect();
  }

  /** Resolves once the first connection attempt has ended, either way (for tests and readiness). */
  settled(): Promise<void> {
    return this.firstConnect;
  }

  get ready(): boolean {
    return this.state.kind === 'ready';
  }

  /** Why the tools are missing, when they are. */
  get unavailableReason(): string | undefined {
    if (this.state.kind === 'unavailable') return this.state.reason;
    if (this.state.kind === 'connecting') return 'still connecting';
    return undefined;
  }

  /** The tools offered to the model: the server's, filtered by toolNames. */
  tools(): McpTool[] {
    return this.state.kind === 'ready' ? this.state.tools : [];
  }

  /** Tool names the Agent declared (toolNames), known even while the server is down. */
  declaredToolNames(): readonly string[] {
    return this.options.config.toolNames ?? [];
  }

  requiresApproval(toolName: string): boolean {
    return this.options.config.requireApproval?.includes(toolName) === true;
  }

  async call(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<McpCallResult> {
    if (this.state.kind !== 'ready') throw new Error(`MCP server ${this.id} is unavailable: ${this.unavailableReason ?? 'closed'}`);
    const { client } = this.state;
    try {
      const result = await client.callTool({ name, arguments: args }, undefined, { signal });
      return { isError: result.isError === true, text: contentText(result.content) };
    } catch (err) {
      if (signal.aborted) throw err;
      // A transport failure: the session may be gone. Reconnect in the background; this call fails.
      this.reconnect(`call failed: ${errorText(err)}`);
      throw new Error(`MCP server ${this.id}: ${errorText(err)}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.retryTimer);
    const previous = this.state;
    this.state = { kind: 'closed' };
    if (previous.kind === 'ready') await previous.client.close().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const log = this.options.logger.child({ mcpServer: this.id });
    try {
      const { client, tools } = await this.open();
      if (this.state.kind === 'closed') {
        await client.close().catch(() => undefined);
        return;
      }
      const allowed = this.options.config.toolNames;
      const offered = allowed === undefined ? tools : tools.filter((t) => allowed.includes(t.name));
      this.state = { kind: 'ready', client, tools: offered };
      this.attempt = 0;
      client.onclose = () => this.reconnect('connection closed');
      log.info({ tools: offered.map((t) => t.name) }, 'MCP server connected');
    } catch (err) {
      if (this.state.kind === 'closed') return;
      this.state = { kind: 'unavailable', reason: errorText(err) };
      const delay = this.nextDelay();
      log.warn({ retryInMs: delay, reason: errorText(err) }, 'MCP server unavailable; retrying');
      this.retryTimer = setTimeout(() => void this.connect(), delay);
      this.retryTimer.unref();
    }
  }

  private reconnect(reason: string): void {
    if (this.state.kind !== 'ready') return;
    const { client } = this.state;
    client.onclose = undefined;
    void client.close().catch(() => undefined);
    this.state = { kind: 'unavailable', reason };
    this.retryTimer = setTimeout(() => void this.connect(), this.nextDelay());
    this.retryTimer.unref();
  }

  private nextDelay(): number {
    const base = this.options.retryDelayMs ?? 1000;
    const max = this.options.maxRetryDelayMs ?? 30_000;
    const delay = Math.min(max, base * 2 ** this.attempt);
    this.attempt += 1;
    return Math.round(delay * (0.8 + Math.random() * 0.4));
  }

  /** Streamable HTTP first; a server that refuses it with a 4xx gets the legacy SSE transport. */
  private async open(): Promise<{ client: Client; tools: McpTool[] }> {
    const url = new URL(this.options.config.url);
    const headers = this.options.headers;
    const fetchWithHeaders: typeof fetch = (input, init) => {
      const merged = new Headers(init?.headers);
      for (const [name, value] of Object.entries(headers)) merged.set(name, value);
      return fetch(input, { ...init, headers: merged });
    };
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    try {
      return await this.openWith(new StreamableHTTPClientTransport(url, { fetch: fetchWithHeaders }));
    } catch (err) {
      if (!isHttpClientError(err)) throw err;
      const { SSEClientTransport } = await import('@modelcontextprotocol/sdk/client/sse.js');
      return await this.openWith(new SSEClientTransport(url, { fetch: fetchWithHeaders }));
    }
  }

  private async openWith(transport: Transport): Promise<{ client: Client; tools: McpTool[] }> {
    const { Client: McpClient } = await import('@modelcontextprotocol/sdk/client/index.js');
    const client = new McpClient({ name: 'agentry-runtime', version: this.options.clientVersion });
    await client.connect(transport, { timeout: 10_000 });
    try {
      const listed = await client.listTools(undefined, { timeout: 10_000 });
      const tools = listed.tools.map((t) => ({ name: t.name, description: t.description ?? '', inputSchema: t.inputSchema }));
      return { client, tools };
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
  }
}

function contentText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const item of content as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const record = item as { type?: unknown; text?: unknown };
    if (record.type === 'text' && typeof record.text === 'string') parts.push(record.text);
    else parts.push(JSON.stringify(item));
  }
  return parts.join('\n');
}

function isHttpClientError(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return typeof code === 'number' && code >= 400 && code < 500;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
