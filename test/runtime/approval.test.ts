// The approval step: a tool in requireApproval (an MCP tool by name, an agent tool with
// requireApproval: true) stops the task in TASK_STATE_INPUT_REQUIRED with a message naming the call;
// "approve" in that task runs the tool and completes the task; anything else declines: the tool is
// not called and the model is told it was denied.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@a2a-js/sdk/client';

import { FakeMcpServer } from '../harness/fake-mcp-server.js';
import { FakeModelServer, toolResults } from '../harness/fake-model.js';
import { RuntimeProcess, agentConfig, waitFor } from '../harness/runtime-process.js';
import { answerOf, sendText, stateName, stateText, statusText, userText } from '../harness/a2a-wire.js';

let model: FakeModelServer;
let peerModel: FakeModelServer;
let mcp: FakeMcpServer;
let peer: RuntimeProcess;
let runtime: RuntimeProcess;
let client: Client;
/** The same agent, streaming. */
let streaming: RuntimeProcess;

beforeAll(async () => {
  [model, peerModel, mcp] = await Promise.all([FakeModelServer.start(), FakeModelServer.start(), FakeMcpServer.start({ transport: 'streamable-http' })]);
  peer = await RuntimeProcess.start({ config: agentConfig(peerModel.url, { agent: { name: 'payments', namespace: 'default' }, systemMessage: 'You pay.' }) });
  const tools = {
    mcpServers: [{ id: 'mcp-0', url: mcp.url, toolNames: ['delete_everything', 'add'], requireApproval: ['delete_everything'] }],
    agents: [{ toolName: 'payments', name: 'payments', namespace: 'default', url: peer.url, requireApproval: true }],
  };
  [runtime, streaming] = await Promise.all([
    RuntimeProcess.start({ config: agentConfig(model.url, { tools }) }),
    RuntimeProcess.start({ config: agentConfig(model.url, { tools, stream: true }) }),
  ]);
  for (const r of [runtime, streaming]) await waitFor(async () => (await r.metric('agentry_runtime_mcp_server_up')) === 1, 15_000, 50, 'the MCP server up');
  client = await runtime.client();
}, 30_000);

afterAll(async () => {
  await Promise.all([runtime?.kill(), streaming?.kill(), peer?.kill()]);
  await Promise.all([model?.close(), peerModel?.close(), mcp?.close()]);
});

describe('a tool that needs approval', () => {
  it('stops the task in INPUT_REQUIRED, naming the call, without calling the tool', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'delete_everything', arguments: {} }] });
    const before = mcp.calls.length;
    const task = await sendText(client, 'Delete everything, please');
    expect(stateName(task)).toBe('TASK_STATE_INPUT_REQUIRED');
    expect(statusText(task)).toContain('delete_everything');
    expect(mcp.calls).toHaveLength(before);
    expect(model.requests).toHaveLength(1);
  });

  it('"approve" in that task runs the tool and completes the task', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'delete_everything', arguments: {} }] }, { text: 'Everything is gone.' });
    const before = mcp.calls.length;
    const asked = await sendText(client, 'Delete everything');
    expect(stateName(asked)).toBe('TASK_STATE_INPUT_REQUIRED');
    const done = await sendText(client, 'approve', { taskId: asked.id, contextId: asked.contextId });
    expect(done.id).toBe(asked.id);
    expect(stateName(done)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(done)).toBe('Everything is gone.');
    expect(mcp.calls.slice(before).map((c) => c.tool)).toEqual(['delete_everything']);
    const [result] = toolResults(model.requests[1]!);
    expect(result?.name).toBe('delete_everything');
    expect(result?.content).toContain('deleted');
  });

  it('anything else declines: the tool is not called and the model hears it was denied', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'delete_everything', arguments: {} }] }, { text: 'Understood, nothing was deleted.' });
    const before = mcp.calls.length;
    const asked = await sendText(client, 'Delete everything');
    expect(stateName(asked)).toBe('TASK_STATE_INPUT_REQUIRED');
    const done = await sendText(client, 'no, keep my files', { taskId: asked.id, contextId: asked.contextId });
    expect(stateName(done)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(done)).toBe('Understood, nothing was deleted.');
    expect(mcp.calls).toHaveLength(before);
    const [result] = toolResults(model.requests[1]!);
    expect(result?.name).toBe('delete_everything');
    expect(result?.content).toMatch(/denied|declined/i);
    expect(result?.content).toContain('keep my files');
    expect(await runtime.metric('agentry_runtime_tool_calls_total', { tool: 'delete_everything', outcome: 'denied' })).toBe(1);
  });

  it('a tool without approval in the same server runs at once', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'add', arguments: { a: 1, b: 1 } }] }, { text: 'Two.' });
    const task = await sendText(client, 'One plus one?');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(mcp.calls[mcp.calls.length - 1]?.tool).toBe('add');
  });

  it('an agent tool with requireApproval: asks, then calls the peer once approved', async () => {
    model.reset();
    peerModel.reset();
    model.script({ toolCalls: [{ name: 'payments', arguments: { message: 'Pay invoice 7' } }] }, { text: 'Invoice 7 is paid.' });
    const asked = await sendText(client, 'Pay invoice 7');
    expect(stateName(asked)).toBe('TASK_STATE_INPUT_REQUIRED');
    expect(statusText(asked)).toContain('payments');
    expect(peerModel.requests).toHaveLength(0);
    const done = await sendText(client, 'yes', { taskId: asked.id, contextId: asked.contextId });
    expect(stateName(done)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(done)).toBe('Invoice 7 is paid.');
    expect(peerModel.requests).toHaveLength(1);
    expect(toolResults(model.requests[1]!)[0]?.content).toContain('user=Pay invoice 7');
  });

  it('an agent tool with requireApproval, declined: the peer is never asked', async () => {
    model.reset();
    peerModel.reset();
    model.script({ toolCalls: [{ name: 'payments', arguments: { message: 'Pay invoice 8' } }] }, { text: 'Not paid.' });
    const asked = await sendText(client, 'Pay invoice 8');
    expect(stateName(asked)).toBe('TASK_STATE_INPUT_REQUIRED');
    const done = await sendText(client, 'stop', { taskId: asked.id, contextId: asked.contextId });
    expect(stateName(done)).toBe('TASK_STATE_COMPLETED');
    expect(peerModel.requests).toHaveLength(0);
    expect(toolResults(model.requests[1]!)[0]?.content).toMatch(/denied|declined/i);
  });

  it('the conversation goes on in the context after an approved task', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'delete_everything', arguments: {} }] }, { text: 'Deleted it all.' });
    const asked = await sendText(client, 'Wipe it');
    await sendText(client, 'ok', { taskId: asked.id, contextId: asked.contextId });
    const next = await sendText(client, 'What did you do?', { contextId: asked.contextId });
    expect(answerOf(next)).toContain('user=What did you do?; turns=2');
  });

  it('a streaming agent: the stream ends in INPUT_REQUIRED, and the approving stream runs the tool', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'delete_everything', arguments: {} }] }, { text: 'Streamed: all gone.' });
    const streamed = await streaming.client();
    const before = mcp.calls.length;
    const follow = async (text: string, ids: { taskId?: string; contextId?: string }) => {
      const states: string[] = [];
      let taskId: string | undefined;
      let contextId: string | undefined;
      let said = '';
      for await (const event of streamed.sendMessageStream({ tenant: '', message: userText(text, ids), configuration: undefined, metadata: undefined })) {
        const payload = event.payload;
        if (payload?.$case === 'task') ({ id: taskId, contextId } = payload.value);
        if (payload?.$case === 'statusUpdate') {
          ({ taskId, contextId } = payload.value);
          states.push(stateText(payload.value.status?.state));
          const content = payload.value.status?.message?.parts[0]?.content;
          if (content?.$case === 'text') said = content.value;
        }
      }
      return { states, taskId, contextId, said };
    };
    const asked = await follow('Delete everything, streaming', {});
    expect(asked.states[asked.states.length - 1]).toBe('TASK_STATE_INPUT_REQUIRED');
    expect(asked.said).toContain('delete_everything');
    expect(mcp.calls).toHaveLength(before);
    const done = await follow('approve', { taskId: asked.taskId, contextId: asked.contextId });
    expect(done.states[done.states.length - 1]).toBe('TASK_STATE_COMPLETED');
    expect(mcp.calls.slice(before).map((c) => c.tool)).toEqual(['delete_everything']);
    const task = await streamed.getTask({ tenant: '', id: asked.taskId ?? '' });
    expect(answerOf(task)).toBe('Streamed: all gone.');
  });

  it('CancelTask of a task waiting for approval cancels it; the tool is never called', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'delete_everything', arguments: {} }] }, { text: 'should not be reached' });
    const before = mcp.calls.length;
    const asked = await sendText(client, 'Delete everything, then I change my mind');
    expect(stateName(asked)).toBe('TASK_STATE_INPUT_REQUIRED');
    const canceled = await client.cancelTask({ tenant: '', id: asked.id, metadata: undefined });
    expect(stateName(canceled)).toBe('TASK_STATE_CANCELED');
    expect(canceled.contextId).toBe(asked.contextId);
    // The task is over: an "approve" in it is refused, and runs nothing.
    await expect(sendText(client, 'approve', { taskId: asked.id, contextId: asked.contextId })).rejects.toThrow();
    expect(mcp.calls).toHaveLength(before);
    expect(model.requests).toHaveLength(1);
  });
});
