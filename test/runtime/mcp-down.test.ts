// An MCP server that is down when the agent starts does not keep it from serving: /readyz is 200,
// a task whose model calls the declared tool gets an "unavailable" tool error and still completes,
// and once the server listens (the runtime retries with backoff) the tool works. The same after the
// server goes away and comes back while the agent runs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@a2a-js/sdk/client';

import { FakeMcpServer } from '../harness/fake-mcp-server.js';
import { FakeModelServer, systemMessage, toolNames, toolResults } from '../harness/fake-model.js';
import { RuntimeProcess, agentConfig, waitFor } from '../harness/runtime-process.js';
import { answerOf, sendText, stateName } from '../harness/a2a-wire.js';

let model: FakeModelServer;
let mcp: FakeMcpServer | undefined;
let port: number;
let runtime: RuntimeProcess;
let client: Client;

const mcpUp = async (): Promise<number> => runtime.metric('agentry_runtime_mcp_server_up', { server: 'mcp-0' });

beforeAll(async () => {
  model = await FakeModelServer.start();
  port = await FakeMcpServer.freePort();
  runtime = await RuntimeProcess.start({
    config: agentConfig(model.url, { tools: { mcpServers: [{ id: 'mcp-0', url: `http://127.0.0.1:${port}/mcp`, toolNames: ['get_exchange_rate'] }] } }),
  });
  client = await runtime.client();
}, 30_000);

afterAll(async () => {
  await runtime?.kill();
  await Promise.all([model?.close(), mcp?.close()]);
});

describe('an MCP server that is down at start-up', () => {
  it('does not keep the agent from serving', async () => {
    expect((await runtime.get('/readyz')).status).toBe(200);
    expect(await mcpUp()).toBe(0);
  });

  it('a call of its tool is an "unavailable" tool error, and the task completes', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'get_exchange_rate', arguments: { from: 'USD', to: 'EUR' } }] }, { text: 'The rate service is down.' });
    const task = await sendText(client, 'How many euros is a dollar?');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(task)).toBe('The rate service is down.');
    // The declared tool is offered (so the model can ask, and learn why it fails) and the model is told.
    expect(toolNames(model.requests[0]!)).toEqual(['get_exchange_rate']);
    expect(systemMessage(model.requests[0]!)).toContain('Unavailable tools right now: MCP server mcp-0');
    const [result] = toolResults(model.requests[1]!);
    expect(result?.name).toBe('get_exchange_rate');
    expect(result?.content).toMatch(/unavailable/);
    expect(await runtime.metric('agentry_runtime_tool_calls_total', { tool: 'get_exchange_rate', outcome: 'unavailable' })).toBe(1);
  });

  it('once the server listens, the tool works', async () => {
    mcp = await FakeMcpServer.start({ port, transport: 'streamable-http' });
    await waitFor(async () => (await mcpUp()) === 1, 30_000, 100, 'the runtime to connect to the MCP server');
    model.reset();
    model.script({ toolCalls: [{ name: 'get_exchange_rate', arguments: { from: 'GBP', to: 'USD' } }] }, { text: 'About 1.27 dollars.' });
    const task = await sendText(client, 'And a pound?');
    expect(answerOf(task)).toBe('About 1.27 dollars.');
    expect(mcp.calls).toHaveLength(1);
    expect(toolResults(model.requests[1]!)[0]?.content).toContain('1 GBP = 1.27 USD');
    expect(systemMessage(model.requests[0]!)).not.toContain('Unavailable tools');
  });

  it('a server that goes away and comes back: an error while it is gone, the tool again after', async () => {
    if (mcp === undefined) throw new Error('the MCP server did not start');
    await mcp.stop();
    model.reset();
    model.script({ toolCalls: [{ name: 'get_exchange_rate', arguments: { from: 'USD', to: 'JPY' } }] }, { text: 'Cannot tell right now.' });
    const during = await sendText(client, 'And yen?');
    expect(stateName(during)).toBe('TASK_STATE_COMPLETED');
    expect(toolResults(model.requests[1]!)[0]?.content).toMatch(/MCP server mcp-0/);
    await mcp.listen();
    await waitFor(async () => (await mcpUp()) === 1, 30_000, 100, 'the runtime to reconnect');
    model.reset();
    model.script({ toolCalls: [{ name: 'get_exchange_rate', arguments: { from: 'USD', to: 'JPY' } }] }, { text: '151 yen.' });
    expect(answerOf(await sendText(client, 'And yen, now?'))).toBe('151 yen.');
    expect(toolResults(model.requests[1]!)[0]?.content).toContain('1 USD = 151.2 JPY');
  });
});
