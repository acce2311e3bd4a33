// /metrics of a running agent: tokens in and out as the model reported them (streaming and not,
// summed over a tool loop), A2A requests by method and result, task duration by final state, model
// calls by provider and outcome, tool calls by tool and outcome, and the process's own metrics.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@a2a-js/sdk/client';

import { FakeMcpServer } from '../harness/fake-mcp-server.js';
import { FakeModelServer } from '../harness/fake-model.js';
import { RuntimeProcess, agentConfig, waitFor } from '../harness/runtime-process.js';
import { rpc, sendText, stateName, userText } from '../harness/a2a-wire.js';

// The fake counts words: the prompt is "Count me." + "one two three" = 5 words in.
const SYSTEM = 'Count me.';

let model: FakeModelServer;
let mcp: FakeMcpServer;
const runtimes = new Map<'streaming' | 'non-streaming', { runtime: RuntimeProcess; client: Client }>();

beforeAll(async () => {
  [model, mcp] = await Promise.all([FakeModelServer.start(), FakeMcpServer.start({ transport: 'streamable-http' })]);
  await Promise.all(
    (['streaming', 'non-streaming'] as const).map(async (kind) => {
      const runtime = await RuntimeProcess.start({
        config: agentConfig(model.url, { stream: kind === 'streaming', systemMessage: SYSTEM, tools: { mcpServers: [{ id: 'mcp-0', url: mcp.url, toolNames: ['add', 'fail'] }] } }),
        args: ['--model-max-retries', '0'],
      });
      runtimes.set(kind, { runtime, client: await runtime.client() });
    }),
  );
  for (const { runtime } of runtimes.values()) await waitFor(async () => (await runtime.metric('agentry_runtime_mcp_server_up')) === 1, 15_000, 50, 'the MCP server up');
}, 30_000);

afterAll(async () => {
  await Promise.all([...runtimes.values()].map(({ runtime }) => runtime.kill()));
  await Promise.all([model?.close(), mcp?.close()]);
});

function agent(kind: 'streaming' | 'non-streaming'): { runtime: RuntimeProcess; client: Client } {
  const found = runtimes.get(kind);
  if (found === undefined) throw new Error(`the ${kind} agent did not start`);
  return found;
}

describe.each(['non-streaming', 'streaming'] as const)('%s agent', (kind) => {
  it('counts the tokens the model reported, in and out', async () => {
    const { runtime, client } = agent(kind);
    model.reset();
    model.script({ text: 'alpha beta gamma' });
    const before = { input: await runtime.metric('agentry_runtime_model_tokens_total', { direction: 'input' }), output: await runtime.metric('agentry_runtime_model_tokens_total', { direction: 'output' }) };
    await sendText(client, 'one two three');
    expect((await runtime.metric('agentry_runtime_model_tokens_total', { direction: 'input' })) - before.input).toBe(5);
    expect((await runtime.metric('agentry_runtime_model_tokens_total', { direction: 'output' })) - before.output).toBe(3);
  });

  it('sums the tokens of every step of a tool loop', async () => {
    const { runtime, client } = agent(kind);
    model.reset();
    model.script({ toolCalls: [{ name: 'add', arguments: { a: 1, b: 2 } }] }, { text: 'three' });
    const before = await runtime.metric('agentry_runtime_model_tokens_total', { direction: 'output' });
    await sendText(client, 'add');
    // "add {"a":1,"b":2}" is 2 words for the call, "three" 1 for the answer.
    expect((await runtime.metric('agentry_runtime_model_tokens_total', { direction: 'output' })) - before).toBe(3);
  });
});

describe('request, task, model and tool metrics', () => {
  it('A2A requests by method and result', async () => {
    const { runtime, client } = agent('non-streaming');
    model.reset();
    const task = await sendText(client, 'hello');
    await client.getTask({ tenant: '', id: task.id });
    await rpc(runtime.url, 'GetTask', { id: 'no-such-task' });
    expect(await runtime.metric('agentry_runtime_a2a_requests_total', { method: 'SendMessage', result: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(await runtime.metric('agentry_runtime_a2a_requests_total', { method: 'GetTask', result: 'ok' })).toBe(1);
    expect(await runtime.metric('agentry_runtime_a2a_requests_total', { method: 'GetTask', result: '-32001' })).toBe(1);
  });

  it('a streamed request is counted under its method', async () => {
    const { runtime, client } = agent('streaming');
    model.reset();
    for await (const _event of client.sendMessageStream({ tenant: '', message: userText('stream me'), configuration: undefined, metadata: undefined })) {
      // drain
    }
    await waitFor(async () => (await runtime.metric('agentry_runtime_a2a_requests_total', { method: 'SendStreamingMessage', result: 'ok' })) === 1, 5000);
  });

  it('task duration by final state: completed, failed, canceled', async () => {
    const { runtime, client } = agent('non-streaming');
    model.reset();
    model.script({ text: 'fine' }, { error: { status: 500 } }, { hang: true });
    expect(stateName(await sendText(client, 'ok'))).toBe('TASK_STATE_COMPLETED');
    expect(stateName(await sendText(client, 'fail'))).toBe('TASK_STATE_FAILED');
    const hanging = await client.sendMessage({
      tenant: '',
      message: userText('hang'),
      configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately: true },
      metadata: undefined,
    });
    if (!('id' in hanging)) throw new Error('expected a task');
    await model.waitFor((m) => m.inFlight() === 1);
    expect(await runtime.metric('agentry_runtime_tasks_in_flight')).toBe(1);
    await client.cancelTask({ tenant: '', id: hanging.id, metadata: undefined });
    const count = (state: string) => runtime.metric('agentry_runtime_task_duration_seconds_count', { state });
    await waitFor(async () => (await count('TASK_STATE_CANCELED')) === 1, 5000, 25, 'the canceled task observed');
    expect(await count('TASK_STATE_COMPLETED')).toBeGreaterThanOrEqual(1);
    expect(await count('TASK_STATE_FAILED')).toBe(1);
    expect(await runtime.metric('agentry_runtime_tasks_in_flight')).toBe(0);
  });

  it('model calls by provider and outcome', async () => {
    const { runtime } = agent('non-streaming');
    expect(await runtime.metric('agentry_runtime_model_request_duration_seconds_count', { provider: 'OpenAI', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(await runtime.metric('agentry_runtime_model_request_duration_seconds_count', { provider: 'OpenAI', outcome: 'http_500' })).toBe(1);
  });

  it('tool calls by tool and outcome', async () => {
    const { runtime, client } = agent('non-streaming');
    model.reset();
    model.script({ toolCalls: [{ name: 'add', arguments: { a: 2, b: 2 } }] }, { text: 'four' }, { toolCalls: [{ name: 'fail', arguments: {} }] }, { text: 'failed' });
    const ok = await runtime.metric('agentry_runtime_tool_calls_total', { tool: 'add', outcome: 'ok' });
    await sendText(client, 'add');
    await sendText(client, 'fail');
    expect((await runtime.metric('agentry_runtime_tool_calls_total', { tool: 'add', outcome: 'ok' })) - ok).toBe(1);
    expect(await runtime.metric('agentry_runtime_tool_calls_total', { tool: 'fail', outcome: 'error' })).toBe(1);
  });

  it('stored tasks and contexts, and the process’s own metrics', async () => {
    const { runtime } = agent('non-streaming');
    expect(await runtime.metric('agentry_runtime_stored_tasks')).toBeGreaterThanOrEqual(4);
    expect(await runtime.metric('agentry_runtime_stored_contexts')).toBeGreaterThanOrEqual(1);
    expect(await runtime.metric('process_resident_memory_bytes')).toBeGreaterThan(0);
    const { headers } = await runtime.get('/metrics');
    expect(headers.get('content-type')).toMatch(/^text\/plain/);
  });
});
