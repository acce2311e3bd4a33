// A RemoteAgent as a tool: an A2A server that is not an Agentry runtime (test-a2a-server.ts) is the
// caller's `tools.agents[]` entry as render writes it for a RemoteAgent: its URL, the headers of its
// headersFrom (values from env vars, as the pod's secretKeyRefs give them), and the protocol version
// its card offers. The remote's reply reaches the caller's model as the tool result; header values
// never reach the caller's logs or answers.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@a2a-js/sdk/client';

import { FakeModelServer, toolNames, toolResults } from '../harness/fake-model.js';
import { RuntimeProcess, agentConfig } from '../harness/runtime-process.js';
import { answerOf, sendText, stateName } from '../harness/a2a-wire.js';
import { startTestA2AServer, type TestA2AServer } from '../harness/test-a2a-server.js';

const TOKEN = 'Bearer remote-secret-token-1234';

let model: FakeModelServer;
let fx: TestA2AServer;
let legacy: TestA2AServer;
let caller: RuntimeProcess;
let client: Client;

beforeAll(async () => {
  [model, fx, legacy] = await Promise.all([FakeModelServer.start(), startTestA2AServer({ name: 'fx' }), startTestA2AServer({ name: 'legacy' })]);
  caller = await RuntimeProcess.start({
    config: agentConfig(model.url, {
      tools: {
        agents: [
          { toolName: 'fx', name: 'fx', namespace: 'default', url: fx.url, description: 'Converts currencies', headers: [{ name: 'Authorization', env: 'AGENTRY_TOOL_0_HEADER_0' }] },
          { toolName: 'legacy', name: 'legacy', namespace: 'default', url: legacy.url, protocolVersion: '0.3' },
        ],
      },
    }),
    env: { AGENTRY_TOOL_0_HEADER_0: TOKEN },
  });
  client = await caller.client();
}, 30_000);

afterAll(async () => {
  await caller?.kill();
  await Promise.all([model?.close(), fx?.close(), legacy?.close()]);
});

describe('a RemoteAgent as a tool', () => {
  it('is offered to the model under its tool name', async () => {
    model.reset();
    await sendText(client, 'hello');
    expect(toolNames(model.requests[0]!)).toEqual(['fx', 'legacy']);
  });

  it('is called at its URL over A2A 1.0 with its headers, and its reply reaches the model', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'fx', arguments: { message: 'Convert 50 EUR to USD' } }] }, { text: 'About 54 USD.' });
    const task = await sendText(client, 'What is 50 EUR in USD?');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(task)).toBe('About 54 USD.');
    expect(fx.messages()).toEqual(['Convert 50 EUR to USD']);
    const headers = fx.messageRequestHeaders().at(-1);
    expect(headers?.authorization).toBe(TOKEN);
    expect(headers?.['a2a-version']).toBe('1.0');
    const [result] = toolResults(model.requests[1]!);
    expect(result).toMatchObject({ name: 'fx', content: expect.stringContaining('remote fx: Convert 50 EUR to USD') });
  });

  it('is called over A2A 0.3 when that is all its card offers, without another tool’s headers', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'legacy', arguments: { message: 'Book a train' } }] }, { text: 'Booked.' });
    const task = await sendText(client, 'Book me a train');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(legacy.messages()).toEqual(['Book a train']);
    const headers = legacy.messageRequestHeaders().at(-1);
    expect(headers?.authorization).toBeUndefined();
    expect(headers?.['a2a-version']).not.toBe('1.0');
    expect(toolResults(model.requests[1]!)[0]?.content).toContain('remote legacy: Book a train');
  });

  it('never logs the header value', () => {
    expect(caller.stdout + caller.stderr).not.toContain('remote-secret-token-1234');
  });
});
