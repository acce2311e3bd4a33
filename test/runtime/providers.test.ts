// Every ModelConfig provider through its real AI SDK provider against the fake model's wire format:
// the answer comes back, the base URL is completed the provider's way (Azure's /openai, Ollama's
// /v1), the parameters reach the request body, the API key travels as that provider's auth header
// (and an Ollama without a key sends none), and a system message from the environment reaches the model.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@a2a-js/sdk/client';

import type { DeclarativeAgentConfig } from '../../src/contract/agent-config.js';
import { FakeModelServer, systemMessage, type RecordedRequest } from '../harness/fake-model.js';
import { RuntimeProcess, TEST_API_KEY, agentConfig } from '../harness/runtime-process.js';
import { answerOf, sendText, stateName } from '../harness/a2a-wire.js';

type Model = DeclarativeAgentConfig['model'];
const parameters = { temperature: 0.25, maxTokens: 321, topP: 0.75 };

interface ProviderCase {
  name: string;
  model: (fakeUrl: string) => Model;
  /** Where the request must land (path and query). */
  path: RegExp;
  /** The auth header the key must arrive in, with its value; undefined: no key configured. */
  auth: { header: string; value: string } | undefined;
  /** The parameters as they appear in that provider's request body. */
  bodyParameters: (body: Record<string, unknown>) => unknown;
  /** What reaches the body, when the provider drops a setting (default: all three). */
  expected?: { temperature: number; maxTokens: number; topP: number | undefined };
  /** A setting the provider drops, which the runtime must log as a JSON warning. */
  droppedSetting?: string;
}

const obj = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});
const openAiBody = (body: Record<string, unknown>) => ({ temperature: body.temperature, maxTokens: body.max_tokens, topP: body.top_p });

const cases: ProviderCase[] = [
  {
    name: 'OpenAI',
    model: (url) => ({ provider: 'OpenAI', model: 'gpt-4o', baseUrl: `${url}/v1`, apiKeyEnv: 'AGENTRY_MODEL_API_KEY', parameters }),
    path: /^\/v1\/chat\/completions$/,
    auth: { header: 'authorization', value: `Bearer ${TEST_API_KEY}` },
    bodyParameters: openAiBody,
  },
  {
    name: 'Anthropic',
    model: (url) => ({ provider: 'Anthropic', model: 'claude-sonnet-4-5', baseUrl: `${url}/v1`, apiKeyEnv: 'AGENTRY_MODEL_API_KEY', parameters }),
    path: /^\/v1\/messages$/,
    auth: { header: 'x-api-key', value: TEST_API_KEY },
    bodyParameters: (body) => ({ temperature: body.temperature, maxTokens: body.max_tokens, topP: body.top_p }),
    // Claude models refuse temperature and top_p together: the provider drops topP and warns.
    expected: { temperature: 0.25, maxTokens: 321, topP: undefined },
    droppedSetting: 'topP',
  },
  {
    name: 'AzureOpenAI',
    model: (url) => ({
      provider: 'AzureOpenAI',
      model: 'gpt-4o',
      baseUrl: url,
      apiKeyEnv: 'AGENTRY_MODEL_API_KEY',
      azure: { apiVersion: '2024-10-21', deployment: 'my-deployment' },
      parameters,
    }),
    path: /^\/openai\/deployments\/my-deployment\/chat\/completions\?api-version=2024-10-21$/,
    auth: { header: 'api-key', value: TEST_API_KEY },
    bodyParameters: openAiBody,
  },
  {
    name: 'Gemini',
    model: (url) => ({ provider: 'Gemini', model: 'gemini-2.5-flash', baseUrl: `${url}/v1beta`, apiKeyEnv: 'AGENTRY_MODEL_API_KEY', parameters }),
    path: /^\/v1beta\/models\/gemini-2\.5-flash:generateContent$/,
    auth: { header: 'x-goog-api-key', value: TEST_API_KEY },
    bodyParameters: (body) => {
      const config = obj(body.generationConfig);
      return { temperature: config.temperature, maxTokens: config.maxOutputTokens, topP: config.topP };
    },
  },
  {
    name: 'Ollama (no key)',
    model: (url) => ({ provider: 'Ollama', model: 'llama3.2', baseUrl: url, parameters }),
    path: /^\/v1\/chat\/completions$/,
    auth: undefined,
    bodyParameters: openAiBody,
  },
  {
    name: 'OpenAICompatible',
    model: (url) => ({ provider: 'OpenAICompatible', model: 'local-model', baseUrl: `${url}/v1`, apiKeyEnv: 'AGENTRY_MODEL_API_KEY', parameters }),
    path: /^\/v1\/chat\/completions$/,
    auth: { header: 'authorization', value: `Bearer ${TEST_API_KEY}` },
    bodyParameters: openAiBody,
  },
];

const SECRET_SYSTEM = 'You are the secret-sourced system message, 7b1e.';

interface Running {
  runtime: RuntimeProcess;
  client: Client;
}
const models = new Map<string, FakeModelServer>();
const running = new Map<string, Running>();

beforeAll(async () => {
  // One fake and one runtime per provider, started side by side.
  for (const c of cases) models.set(c.name, await FakeModelServer.start());
  await Promise.all(
    cases.map(async (c) => {
      const model = models.get(c.name)!;
      const runtime = await RuntimeProcess.start({
        config: agentConfig(model.url, { model: c.model(model.url), systemMessage: undefined, systemMessageEnv: 'AGENTRY_SYSTEM_MESSAGE' }),
        env: { AGENTRY_SYSTEM_MESSAGE: SECRET_SYSTEM, ...(c.auth === undefined && { AGENTRY_MODEL_API_KEY: undefined }) },
      });
      running.set(c.name, { runtime, client: await runtime.client() });
    }),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([...running.values()].map(({ runtime }) => runtime.kill()));
  await Promise.all([...models.values()].map((model) => model.close()));
});

describe.each(cases)('$name', (c) => {
  let request: RecordedRequest;
  let answer: string;

  beforeAll(async () => {
    const model = models.get(c.name);
    const client = running.get(c.name)?.client;
    if (model === undefined || client === undefined) throw new Error(`${c.name} did not start`);
    const task = await sendText(client, `hello ${c.name}`);
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    answer = answerOf(task);
    const [first] = await model.waitForRequests(1);
    if (first === undefined) throw new Error('no model request');
    request = first;
  });

  it('answers from the model, with the system message from the environment', () => {
    expect(systemMessage(request)).toBe(SECRET_SYSTEM);
    // The echo repeats the system message; a Secret-sourced one is redacted from what clients get.
    expect(answer).toBe(`echo: system=[redacted]; user=hello ${c.name}; turns=1`);
  });

  it('sends the request to the provider’s endpoint under the base URL', () => {
    expect(request.path).toMatch(c.path);
  });

  it('puts temperature, maxTokens and topP into the request body', () => {
    expect(c.bodyParameters(obj(request.body))).toEqual(c.expected ?? { temperature: 0.25, maxTokens: 321, topP: 0.75 });
  });

  it('writes only JSON log lines, a dropped setting as a warning among them', async () => {
    const runtime = running.get(c.name)?.runtime;
    if (runtime === undefined) throw new Error(`${c.name} did not start`);
    if (c.droppedSetting !== undefined) {
      const line = await runtime.waitForLog(/"event":"model_warning"/);
      expect(line.level).toBe(40);
      expect(String(line.warning)).toContain(c.droppedSetting);
    }
    for (const line of runtime.stdout.split('\n').filter((l) => l !== '')) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(runtime.stderr).toBe('');
  });

  it(c.auth === undefined ? 'sends no Authorization header without a key' : 'sends the API key as the provider’s auth header', () => {
    if (c.auth === undefined) {
      expect(request.headers.authorization).toBeUndefined();
      expect(JSON.stringify(request.headers)).not.toContain(TEST_API_KEY);
    } else {
      expect(request.headers[c.auth.header]).toBe(c.auth.value);
    }
  });
});
