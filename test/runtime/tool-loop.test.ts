// The tool loop: several tool calls in one model turn all run and all results go back; a model that
// never stops calling tools is stopped at limits.maxSteps model calls, and the task fails saying so
// (it used to complete with no answer and no word why).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@a2a-js/sdk/client';

import { FakeMcpServer } from '../harness/fake-mcp-server.js';
import { FakeModelServer, toolResults } from '../harness/fake-model.js';
import { RuntimeProcess, agentConfig, waitFor } from '../harness/runtime-process.js';
import { answerOf, sendText, stateName, statusText } from '../harness/a2a-wire.js';

let model: FakeModelServer;
let mcp: FakeMcpServer;
let runtime: RuntimeProcess;
let client: Client;

beforeAll(async () => {
  [model, mcp] = await Promise.all([FakeModelServer.start(), FakeMcpServer.start({ transport: 'streamable-http' })]);
  runtime = await RuntimeProcess.start({
    config: agentConfig(model.url, { limits: { maxSteps: 3 }, tools: { mcpServers: [{ id: 'mcp-0', url: mcp.url, toolNames: ['add', 'get_exchange_rate'] }] } }),
  });
  await waitFor(async () => (await runtime.metric('agentry_runtime_mcp_server_up')) === 1, 15_000, 50, 'the MCP server up');
  client = await runtime.client();
}, 30_000);

afterAll(async () => {
  await runtime?.kill();
  await Promise.all([model?.close(), mcp?.close()]);
});

describe('the tool loop', () => {
  it('runs every tool call of one turn and sends back every result', async () => {
    model.reset();
    model.script(
      {
        toolCalls: [
          { name: 'add', arguments: { a: 1, b: 2 } },
          { name: 'get_exchange_rate', arguments: { from: 'USD', to: 'GBP' } },
        ],
      },
      { text: 'Both done.' },
    );
    const task = await sendText(client, 'two things at once');
    expect(answerOf(task)).toBe('Both done.');
    const results = toolResults(model.requests[1]!);
    expect(results.map((r) => r.name).sort()).toEqual(['add', 'get_exchange_rate']);
    expect(results.find((r) => r.name === 'add')?.content).toContain('3');
    expect(results.find((r) => r.name === 'get_exchange_rate')?.content).toContain('0.79');
  });

  it('a model that keeps calling tools is stopped after limits.maxSteps model calls, the task FAILED saying so', async () => {
    model.reset();
    const forever = { toolCalls: [{ name: 'add', arguments: { a: 1, b: 1 } }] };
    model.script(forever, forever, forever, forever, forever);
    const task = await sendText(client, 'loop');
    expect(model.requests).toHaveLength(3);
    expect(stateName(task)).toBe('TASK_STATE_FAILED');
    expect(statusText(task)).toMatch(/after 3 steps \(limits\.maxSteps\)/);
    // The steps so far stay in the conversation: "go on" continues from them.
    model.reset();
    model.script({ text: 'Done at last.' });
    const next = await sendText(client, 'go on', { contextId: task.contextId });
    expect(answerOf(next)).toBe('Done at last.');
    expect(toolResults(model.requests[0]!)).toHaveLength(3);
  });

  it('an answer in the last allowed step completes the task', async () => {
    model.reset();
    const once = { toolCalls: [{ name: 'add', arguments: { a: 2, b: 2 } }] };
    model.script(once, once, { text: 'Four, twice.' });
    const task = await sendText(client, 'exactly three steps');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(task)).toBe('Four, twice.');
  });
});
