// Proves the fake MCP server is a real MCP server for the official SDK client on both transports,
// records calls with their HTTP headers, and comes back on the same port after a stop, since the
// runtime's MCP tests rely on all of that.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FakeMcpServer } from '../../harness/fake-mcp-server.js';

jest.setTimeout(15_000);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options?: Parameters<typeof FakeMcpServer.start>[0]): Promise<FakeMcpServer> {
  const fake = await FakeMcpServer.start(options);
  cleanups.push(() => fake.close());
  return fake;
}

async function connect(transport: Transport): Promise<Client> {
  const client = new Client({ name: 'fake-mcp-test', version: '1.0.0' });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return client;
}

const headers = { Authorization: 'Bearer from-a-secret', 'X-Tenant': 'finance' };

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : `<${part.type}>`)).join('');
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return CallToolResultSchema.parse(await client.callTool({ name, arguments: args }));
}

const transports = [
  {
    name: 'Streamable HTTP',
    kind: 'streamable-http' as const,
    open: (fake: FakeMcpServer) => new StreamableHTTPClientTransport(new URL(fake.url), { requestInit: { headers } }),
  },
  {
    name: 'legacy SSE',
    kind: 'sse' as const,
    open: (fake: FakeMcpServer) => new SSEClientTransport(new URL(fake.sseUrl ?? 'http://127.0.0.1:1/sse'), { requestInit: { headers } }),
  },
];

describe.each(transports)('over $name', ({ kind, open }) => {
  it('lists the tools and calls them, recording arguments and headers', async () => {
    const fake = await server({ transport: kind });
    const client = await connect(open(fake));

    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['add', 'delete_everything', 'fail', 'get_exchange_rate', 'slow']);
    expect(tools.find((tool) => tool.name === 'add')?.inputSchema).toMatchObject({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
    });

    expect(textOf(await call(client, 'get_exchange_rate', { from: 'usd', to: 'eur' }))).toBe('1 USD = 0.92 EUR');
    expect(textOf(await call(client, 'get_exchange_rate', { from: 'AUD', to: 'NZD' }))).toBe('1 AUD = 1.5 NZD');
    expect(textOf(await call(client, 'add', { a: 2, b: 40 }))).toBe('42');
    expect(textOf(await call(client, 'slow', { ms: 20 }))).toBe('slept 20 ms');
    expect(textOf(await call(client, 'delete_everything'))).toBe('deleted');

    const calls = await fake.waitForCalls(5);
    expect(calls.map((c) => c.tool)).toEqual(['get_exchange_rate', 'get_exchange_rate', 'add', 'slow', 'delete_everything']);
    expect(calls[2]).toMatchObject({ arguments: { a: 2, b: 40 }, transport: kind });
    for (const recorded of calls) expect(recorded.headers).toMatchObject({ authorization: 'Bearer from-a-secret', 'x-tenant': 'finance' });
  });

  it('returns isError from the fail tool', async () => {
    const fake = await server({ transport: kind });
    const client = await connect(open(fake));
    const result = await call(client, 'fail');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('always fails');
  });

  it('rejects arguments that do not match the input schema without calling the tool', async () => {
    const fake = await server({ transport: kind });
    const client = await connect(open(fake));
    const result = await call(client, 'add', { a: 'two', b: 3 });
    expect(result.isError).toBe(true);
    expect(fake.calls).toHaveLength(0);
  });
});

describe('fake MCP server', () => {
  it('serves only the configured transport', async () => {
    const fake = await server({ transport: 'sse' });
    expect(fake.sseUrl).toBe(fake.url.replace(/\/mcp$/, '/sse'));
    const response = await fetch(fake.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(404);
    const streamableOnly = await server({ transport: 'streamable-http' });
    expect(streamableOnly.sseUrl).toBeUndefined();
  });

  it('refuses requests without the required headers', async () => {
    const fake = await server({ requiredHeaders: { authorization: 'Bearer from-a-secret' } });
    const anonymous = new Client({ name: 'anonymous', version: '1.0.0' });
    await expect(anonymous.connect(new StreamableHTTPClientTransport(new URL(fake.url)))).rejects.toThrow();
    const client = await connect(new StreamableHTTPClientTransport(new URL(fake.url), { requestInit: { headers } }));
    expect(textOf(await call(client, 'add', { a: 1, b: 1 }))).toBe('2');
  });

  it('can be reached on the same port after a client first failed to reach it', async () => {
    const fake = await server();
    await fake.stop();
    expect(fake.listening).toBe(false);
    const early = new Client({ name: 'early', version: '1.0.0' });
    await expect(early.connect(new StreamableHTTPClientTransport(new URL(fake.url)))).rejects.toThrow();

    await fake.listen();
    const client = await connect(new StreamableHTTPClientTransport(new URL(fake.url)));
    expect(textOf(await call(client, 'add', { a: 1, b: 2 }))).toBe('3');
  });

  it('restarts on the same port, ending the old sessions', async () => {
    const fake = await server();
    const url = fake.url;
    const before = await connect(new StreamableHTTPClientTransport(new URL(url)));
    expect(textOf(await call(before, 'add', { a: 1, b: 1 }))).toBe('2');
    expect(fake.openSessions).toBe(1);

    await fake.restart();
    expect(fake.url).toBe(url);
    expect(fake.openSessions).toBe(0);
    // The old session id is unknown now: the server answers 404 and the client must reconnect.
    await expect(call(before, 'add', { a: 1, b: 1 })).rejects.toThrow(/404|Session not found/);
    const after = await connect(new StreamableHTTPClientTransport(new URL(url)));
    expect(textOf(await call(after, 'add', { a: 2, b: 2 }))).toBe('4');
  });

  it('starts on a port chosen in advance', async () => {
    const port = await FakeMcpServer.freePort();
    const fake = await server({ port });
    expect(fake.url).toBe(`http://127.0.0.1:${port}/mcp`);
  });

  it('stops promptly while a slow call is running', async () => {
    const fake = await server();
    const client = await connect(new StreamableHTTPClientTransport(new URL(fake.url)));
    // The client only learns through its own request timeout that the answer will never come.
    const pending = client.callTool({ name: 'slow', arguments: { ms: 60_000 } }, undefined, { timeout: 1000 });
    await fake.waitForCalls(1);
    const started = Date.now();
    await fake.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });

  it('closes every connection after its response, SDK transports included', async () => {
    const fake = await server();
    const controller = new AbortController();
    const response = await fetch(fake.sseUrl ?? '', { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('connection')).toBe('close');
    controller.abort();
  });
});
