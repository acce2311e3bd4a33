// MCP tools through real MCP servers: one by its Streamable HTTP URL (with a header whose value
// comes from the environment, which that server requires), one by its legacy SSE endpoint. A tool
// call the model asks for reaches the right server and its result reaches the model's next request;
// toolNames limits what the model is offered; a tool's error goes back to the model as a tool error
// and the task still completes; tool calls are counted by tool and outcome.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@a2a-js/sdk/client';

import { FakeMcpServer } from '../harness/fake-mcp-server.js';
import { FakeModelServer, toolNames, toolResults } from '../harness/fake-model.js';
import { RuntimeProcess, agentConfig, waitFor } from '../harness/runtime-process.js';
import { answerOf, sendText, stateName } from '../harness/a2a-wire.js';

const MCP_TOKEN = 'mcp-token-5d8e1f0a93';

let model: FakeModelServer;
let http: FakeMcpServer;
let sse: FakeMcpServer;
let runtime: RuntimeProcess;
let client: Client;

beforeAll(async () => {
  model = await FakeModelServer.start();
  http = await FakeMcpServer.start({ transport: 'streamable-http', requiredHeaders: { 'x-api-token': MCP_TOKEN } });
  sse = await FakeMcpServer.start({ transport: 'sse' });
  runtime = await RuntimeProcess.start({
    config: agentConfig(model.url, {
      tools: {
        mcpServers: [
          { id: 'mcp-0', url: http.url, toolNames: ['get_exchange_rate', 'fail'], headers: [{ name: 'X-Api-Token', env: 'MCP_TOKEN' }] },
          { id: 'mcp-1', url: sse.sseUrl ?? '', toolNames: ['add'] },
        ],
      },
    }),
    env: { MCP_TOKEN },
  });
  // Connected (and tools listed) when /metrics says so: the condition, not a guess.
  await waitFor(async () => (await runtime.metric('agentry_runtime_mcp_server_up')) === 2, 15_000, 50, 'both MCP servers up');
  client = await runtime.client();
}, 30_000);

afterAll(async () => {
  await runtime?.kill();
  await Promise.all([model?.close(), http?.close(), sse?.close()]);
});

describe('MCP tools', () => {
  it('a Streamable HTTP tool call reaches the server with the env header, and its result the model', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'get_exchange_rate', arguments: { from: 'USD', to: 'EUR' } }] }, { text: 'One dollar is 0.92 euros.' });
    const before = http.calls.length;
    const task = await sendText(client, 'How many euros is a dollar?');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(task)).toBe('One dollar is 0.92 euros.');
    const call = http.calls[before];
    expect(call).toMatchObject({ tool: 'get_exchange_rate', arguments: { from: 'USD', to: 'EUR' }, transport: 'streamable-http' });
    expect(call?.headers['x-api-token']).toBe(MCP_TOKEN);
    const [, second] = await model.waitForRequests(2);
    expect(toolResults(second!)).toEqual([expect.objectContaining({ name: 'get_exchange_rate', content: expect.stringContaining('1 USD = 0.92 EUR') })]);
  });

  it('toolNames limits the tools the model is offered', async () => {
    model.reset();
    await sendText(client, 'what can you do?');
    expect(toolNames(model.requests[0]!).sort()).toEqual(['add', 'fail', 'get_exchange_rate']);
  });

  it('a tool on the SSE endpoint is called over SSE', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'add', arguments: { a: 2, b: 40 } }] }, { text: 'It is 42.' });
    const task = await sendText(client, 'What is 2 + 40?');
    expect(answerOf(task)).toBe('It is 42.');
    expect(sse.calls[sse.calls.length - 1]).toMatchObject({ tool: 'add', arguments: { a: 2, b: 40 }, transport: 'sse' });
    expect(toolResults(model.requests[1]!)).toEqual([expect.objectContaining({ name: 'add', content: expect.stringContaining('42') })]);
  });

  it('a tool that fails goes back to the model as a tool error, and the task completes', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'fail', arguments: {} }] }, { text: 'The tool failed, sorry.' });
    const task = await sendText(client, 'Try the failing tool');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(task)).toBe('The tool failed, sorry.');
    expect(http.calls[http.calls.length - 1]?.tool).toBe('fail');
    const [result] = toolResults(model.requests[1]!);
    expect(result?.name).toBe('fail');
    expect(result?.content).toContain('this tool always fails');
  });

  it('counts tool calls by tool and outcome', async () => {
    expect(await runtime.metric('agentry_runtime_tool_calls_total', { tool: 'get_exchange_rate', outcome: 'ok' })).toBe(1);
    expect(await runtime.metric('agentry_runtime_tool_calls_total', { tool: 'add', outcome: 'ok' })).toBe(1);
    expect(await runtime.metric('agentry_runtime_tool_calls_total', { tool: 'fail', outcome: 'error' })).toBe(1);
  });
});
