// A model that fails: 401 is not retried and fails the task naming the status, never the key (even
// when the provider's error echoes it); 429 is retried after the provider's retry-after-ms and the
// task completes; 500 is retried a bounded number of times, then the task fails naming 500 and the
// attempts; a model that never answers fails the task after --model-timeout, its request aborted.
// Both with a streaming and a non-streaming agent; and a model that cannot be reached at all.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@a2a-js/sdk/client';

import { FakeModelServer } from '../harness/fake-model.js';
import { FakeMcpServer } from '../harness/fake-mcp-server.js';
import { RuntimeProcess, TEST_API_KEY, agentConfig } from '../harness/runtime-process.js';
import { answerOf, sendText, stateName, statusText } from '../harness/a2a-wire.js';

const SYSTEM = 'Fault-test system message 91c4.';
const fast = { 'retry-after-ms': '20' };

type Kind = 'streaming' | 'non-streaming';
interface Agent {
  model: FakeModelServer;
  runtime: RuntimeProcess;
  client: Client;
}
const models = new Map<Kind, FakeModelServer>();
const agents = new Map<Kind, Agent>();

beforeAll(async () => {
  for (const kind of ['streaming', 'non-streaming'] as const) models.set(kind, await FakeModelServer.start());
  await Promise.all(
    [...models].map(async ([kind, model]) => {
      const runtime = await RuntimeProcess.start({
        config: agentConfig(model.url, { stream: kind === 'streaming', systemMessage: SYSTEM }),
        args: ['--model-timeout', '1', '--model-max-retries', '2'],
      });
      agents.set(kind, { model, runtime, client: await runtime.client() });
    }),
  );
}, 30_000);

afterAll(async () => {
  await Promise.all([...agents.values()].map((a) => a.runtime.kill()));
  await Promise.all([...models.values()].map((m) => m.close()));
});

describe.each(['non-streaming', 'streaming'] as const)('%s agent', (kind) => {
  const agent = (): Agent => {
    const a = agents.get(kind);
    if (a === undefined) throw new Error(`${kind} agent did not start`);
    a.model.reset();
    return a;
  };

  it('401: FAILED at once, naming 401, without the key the provider echoed', async () => {
    const { model, client } = agent();
    model.script({ error: { status: 401, message: `Incorrect API key provided: ${TEST_API_KEY}. Find your key at ...` } });
    const task = await sendText(client, 'hello');
    expect(stateName(task)).toBe('TASK_STATE_FAILED');
    const message = statusText(task);
    expect(message).toMatch(/\b401\b/);
    expect(message).not.toContain(TEST_API_KEY);
    expect(message).not.toContain(SYSTEM);
    expect(model.requests).toHaveLength(1);
  });

  it('429 then success: COMPLETED after one retry', async () => {
    const { model, client } = agent();
    model.script({ error: { status: 429, headers: fast } }, { text: 'recovered after a 429' });
    const task = await sendText(client, 'hello');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(task)).toBe('recovered after a 429');
    expect(model.requests).toHaveLength(2);
  });

  it('500 three times: FAILED naming 500 and the attempts, no more requests than the retries allow', async () => {
    const { model, client } = agent();
    model.script({ error: { status: 500, headers: fast } }, { error: { status: 500, headers: fast } }, { error: { status: 500, headers: fast } });
    const task = await sendText(client, 'hello');
    expect(stateName(task)).toBe('TASK_STATE_FAILED');
    expect(statusText(task)).toMatch(/\b500\b/);
    expect(statusText(task)).toMatch(/3 attempts/);
    expect(model.requests).toHaveLength(3);
  });

  it('a model that never answers: FAILED after --model-timeout, the request aborted, not retried', async () => {
    const { model, client } = agent();
    model.script({ hang: true, partialText: 'I am thinking' });
    const started = Date.now();
    const task = await sendText(client, 'hello');
    expect(stateName(task)).toBe('TASK_STATE_FAILED');
    expect(statusText(task)).toMatch(/within 1s/);
    expect(Date.now() - started).toBeLessThan(5000);
    await model.waitFor((m) => m.inFlight() === 0, 5000, 'the timed-out request to be aborted');
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]?.aborted).toBe(true);
  });

  it('the runtime serves on after the failures', async () => {
    const { client } = agent();
    const task = await sendText(client, 'still there?');
    expect(answerOf(task)).toBe(`echo: system=${SYSTEM}; user=still there?; turns=1`);
  });
});

describe('a model that cannot be reached', () => {
  let unreachable: RuntimeProcess | undefined;

  afterAll(async () => {
    await unreachable?.kill();
  });

  it('FAILED after the retries, saying the connection failed', async () => {
    const closedPort = await FakeMcpServer.freePort();
    unreachable = await RuntimeProcess.start({ config: agentConfig(`http://127.0.0.1:${closedPort}`), args: ['--model-max-retries', '1'] });
    const task = await sendText(await unreachable.client(), 'anyone there?');
    expect(stateName(task)).toBe('TASK_STATE_FAILED');
    expect(statusText(task)).toMatch(/after 2 attempts/);
    expect(statusText(task)).toMatch(/ECONNREFUSED|connect/i);
    expect(await unreachable.metric('agentry_runtime_model_request_duration_seconds_count', { outcome: 'network_error' })).toBe(2);
  });
});
