// Another agent as a tool: a second runtime process (the peer, with its own fake model) is the
// caller's `tools.agents[]` entry; the caller's model asks it a question over A2A 1.0 and the peer's
// answer reaches the caller's model as the tool result. A peer that is gone is a tool error.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@a2a-js/sdk/client';

import { FakeModelServer, toolNames, toolResults, userMessages } from '../harness/fake-model.js';
import { RuntimeProcess, agentCardText, agentConfig } from '../harness/runtime-process.js';
import { answerOf, sendText, stateName } from '../harness/a2a-wire.js';

let callerModel: FakeModelServer;
let peerModel: FakeModelServer;
let peer: RuntimeProcess;
let caller: RuntimeProcess;
let client: Client;

beforeAll(async () => {
  [callerModel, peerModel] = await Promise.all([FakeModelServer.start(), FakeModelServer.start()]);
  peer = await RuntimeProcess.start({
    config: agentConfig(peerModel.url, { agent: { name: 'policy-checker', namespace: 'finance' }, systemMessage: 'You check policies.' }),
    // The peer's card names it; the caller reaches it by URL, not by this card.
    card: agentCardText('http://policy-checker.finance.svc:8080/', { name: 'policy-checker' }),
  });
  caller = await RuntimeProcess.start({
    config: agentConfig(callerModel.url, {
      tools: { agents: [{ toolName: 'policy_checker', name: 'policy-checker', namespace: 'finance', url: peer.url, description: 'Checks expenses against the policy' }] },
    }),
  });
  client = await caller.client();
}, 30_000);

afterAll(async () => {
  await Promise.all([caller?.kill(), peer?.kill()]);
  await Promise.all([callerModel?.close(), peerModel?.close()]);
});

describe('an agent as a tool', () => {
  it('is offered to the model under its tool name', async () => {
    callerModel.reset();
    await sendText(client, 'hello');
    expect(toolNames(callerModel.requests[0]!)).toEqual(['policy_checker']);
  });

  it('the peer answers the question the model passed, and the answer reaches the caller’s model', async () => {
    callerModel.reset();
    peerModel.reset();
    callerModel.script({ toolCalls: [{ name: 'policy_checker', arguments: { message: 'Is a 50 EUR dinner within policy?' } }] }, { text: 'The policy checker says yes.' });
    const task = await sendText(client, 'Check my dinner expense');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(task)).toBe('The policy checker says yes.');
    // The peer's own model got the question, as a user message, with the peer's system message.
    expect(userMessages(peerModel.requests[0]!)).toEqual(['Is a 50 EUR dinner within policy?']);
    const [result] = toolResults(callerModel.requests[1]!);
    expect(result?.name).toBe('policy_checker');
    expect(result?.content).toContain('echo: system=You check policies.; user=Is a 50 EUR dinner within policy?; turns=1');
    expect(await caller.metric('agentry_runtime_tool_calls_total', { tool: 'policy_checker', outcome: 'ok' })).toBe(1);
  });

  it('a peer whose task fails is a tool error for the model, and the caller’s task completes', async () => {
    callerModel.reset();
    peerModel.reset();
    peerModel.script({ error: { status: 400, message: 'bad request to the peer model' } });
    callerModel.script({ toolCalls: [{ name: 'policy_checker', arguments: { message: 'Anything?' } }] }, { text: 'The checker failed.' });
    const task = await sendText(client, 'Check again');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    const [result] = toolResults(callerModel.requests[1]!);
    expect(result?.content).toMatch(/TASK_STATE_FAILED/);
    expect(await caller.metric('agentry_runtime_tool_calls_total', { tool: 'policy_checker', outcome: 'error' })).toBe(1);
  });
});
