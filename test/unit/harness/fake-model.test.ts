// Proves the fake model server speaks each provider's wire format well enough for the official AI
// SDK providers: if a field the SDK needs goes missing or changes shape, these tests fail before
// any runtime test is misled by a fake that no real client would accept.
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createAzure } from '@ai-sdk/azure';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import type { LanguageModel } from 'ai';
import { APICallError, generateText, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';
import {
  FakeModelServer,
  echoText,
  systemMessage,
  toolNames,
  toolResults,
  userMessages,
} from '../../harness/fake-model.js';
import type { Provider } from '../../harness/fake-model.js';

// A broken stream format can leave a read pending forever: fail fast instead of at jest's 60 s.
jest.setTimeout(10_000);

let fake: FakeModelServer;

beforeAll(async () => {
  fake = await FakeModelServer.start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

interface ProviderCase {
  name: string;
  provider: Provider;
  model: () => LanguageModel;
  /** The request path the SDK is expected to call, for a non-streaming and a streaming call. */
  paths: { json: string; stream: string };
}

const cases: ProviderCase[] = [
  {
    name: 'OpenAI chat',
    provider: 'openai',
    model: () => createOpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'sk-test' }).chat('gpt-4o-mini'),
    paths: { json: '/v1/chat/completions', stream: '/v1/chat/completions' },
  },
  {
    name: 'Anthropic',
    provider: 'anthropic',
    model: () => createAnthropic({ baseURL: `${fake.url}/v1`, apiKey: 'sk-ant-test' })('claude-sonnet-4-5'),
    paths: { json: '/v1/messages', stream: '/v1/messages' },
  },
  {
    name: 'Azure OpenAI (deployment URLs)',
    provider: 'openai',
    model: () =>
      createAzure({ baseURL: `${fake.url}/openai`, apiKey: 'azure-key', apiVersion: '2024-10-21', useDeploymentBasedUrls: true }).chat(
        'my-deployment',
      ),
    paths: {
      json: '/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21',
      stream: '/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21',
    },
  },
  {
    name: 'Gemini',
    provider: 'gemini',
    model: () => createGoogleGenerativeAI({ baseURL: `${fake.url}/v1beta`, apiKey: 'google-key' })('gemini-2.5-flash'),
    paths: {
      json: '/v1beta/models/gemini-2.5-flash:generateContent',
      stream: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    },
  },
];

describe.each(cases)('$name', ({ provider, model, paths }) => {
  it('answers a scripted text, reports deterministic usage and records the request', async () => {
    fake.script({ text: 'The rate is 0.92 today.' });
    const result = await generateText({ model: model(), system: 'You convert currencies.', prompt: 'Convert 10 USD to EUR please', maxRetries: 0 });

    expect(result.text).toBe('The rate is 0.92 today.');
    // Input: the words of the system message (3) and of the prompt (6); output: the answer's words (5).
    expect(result.usage.inputTokens).toBe(9);
    expect(result.usage.outputTokens).toBe(5);
    const [request] = await fake.waitForRequests(1);
    expect(request).toMatchObject({ provider, path: paths.json, stream: false, finished: true, aborted: false });
    expect(systemMessage(request!)).toBe('You convert currencies.');
    expect(userMessages(request!)).toEqual(['Convert 10 USD to EUR please']);
  });

  it('echoes what reached the model when nothing is scripted', async () => {
    const result = await generateText({
      model: model(),
      system: 'Be\nbrief.',
      messages: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'user', content: 'second question' },
      ],
      maxRetries: 0,
    });
    expect(result.text).toBe('echo: system=Be brief.; user=second question; turns=2');
  });

  it('streams a scripted text in several chunks, with usage', async () => {
    fake.script({ text: 'one two three four five six', chunks: 3 });
    const result = streamText({ model: model(), prompt: 'count to six', maxRetries: 0 });
    const pieces: string[] = [];
    for await (const piece of result.textStream) pieces.push(piece);

    expect(pieces).toEqual(['one two t', 'hree four', ' five six']);
    expect((await result.usage).outputTokens).toBe(6);
    const [request] = await fake.waitForRequests(1);
    expect(request).toMatchObject({ provider, path: paths.stream, stream: true, finished: true });
  });

  it('lets the SDK tool loop run a scripted tool call and sends the result back', async () => {
    fake.script({ toolCalls: [{ name: 'get_exchange_rate', arguments: { from: 'USD', to: 'EUR' } }] }, { text: 'It is 0.92.' });
    const executed: unknown[] = [];
    const result = await generateText({
      model: model(),
      prompt: 'What is USD in EUR?',
      tools: {
        get_exchange_rate: tool({
          description: 'Exchange rate between two currencies',
          inputSchema: z.object({ from: z.string(), to: z.string() }),
          execute: ({ from, to }) => {
            executed.push({ from, to });
            return Promise.resolve(`1 ${from} = 0.92 ${to}`);
          },
        }),
      },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });

    expect(executed).toEqual([{ from: 'USD', to: 'EUR' }]);
    expect(result.text).toBe('It is 0.92.');
    const requests = await fake.waitForRequests(2);
    expect(toolNames(requests[0]!)).toEqual(['get_exchange_rate']);
    expect(toolResults(requests[0]!)).toEqual([]);
    const [toolResult] = toolResults(requests[1]!);
    expect(toolResult?.name).toBe('get_exchange_rate');
    expect(toolResult?.content).toContain('1 USD = 0.92 EUR');
    expect(toolResult?.id).toBe(result.steps[0]?.toolCalls[0]?.toolCallId);
  });

  it('streams a scripted tool call that the SDK executes', async () => {
    fake.script({ toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] }, { text: 'Five.' });
    const result = streamText({
      model: model(),
      prompt: 'add 2 and 3',
      tools: {
        add: tool({
          inputSchema: z.object({ a: z.number(), b: z.number() }),
          execute: ({ a, b }) => Promise.resolve(String(a + b)),
        }),
      },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(await result.text).toBe('Five.');
    const requests = await fake.waitForRequests(2);
    expect(toolResults(requests[1]!).map((r) => r.content)).toEqual([expect.stringContaining('5')]);
  });

  it('turns a scripted error into an APICallError with its status and retry-after', async () => {
    fake.script({ error: { status: 429, message: 'slow down', headers: { 'retry-after': '7' } } });
    const failure = await generateText({ model: model(), prompt: 'hi', maxRetries: 0 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(APICallError.isInstance(failure)).toBe(true);
    if (!APICallError.isInstance(failure)) return;
    expect(failure.statusCode).toBe(429);
    expect(failure.message).toBe('slow down');
    expect(failure.isRetryable).toBe(true);
    expect(failure.responseHeaders?.['retry-after']).toBe('7');
  });

  it('records a hanging call the client aborted as aborted, and no longer in flight', async () => {
    fake.script({ hang: true });
    const controller = new AbortController();
    const call = generateText({ model: model(), prompt: 'hang', abortSignal: controller.signal, maxRetries: 0 });
    await fake.waitForRequests(1);
    expect(fake.inFlight()).toBe(1);
    controller.abort();
    await expect(call).rejects.toThrow();
    await fake.waitFor((f) => f.requests[0]?.aborted === true, 5000, 'an aborted request');
    expect(fake.inFlight()).toBe(0);
    expect(fake.requests[0]?.finished).toBe(false);
  });
});

describe('fake model specifics', () => {
  const openai = () => createOpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'sk-test' }).chat('gpt-4o-mini');
  const anthropic = () => createAnthropic({ baseURL: `${fake.url}/v1`, apiKey: 'sk-ant-test' })('claude-sonnet-4-5');

  it('uses each provider’s real error body shape', async () => {
    fake.script({ error: { status: 401, message: 'bad key' } }, { error: { status: 529, message: 'busy' } });
    const openaiError = await generateText({ model: openai(), prompt: 'x', maxRetries: 0 }).catch((error: unknown) => error);
    const anthropicError = await generateText({ model: anthropic(), prompt: 'x', maxRetries: 0 }).catch((error: unknown) => error);
    expect(APICallError.isInstance(openaiError) && JSON.parse(openaiError.responseBody ?? '')).toEqual({
      error: { message: 'bad key', type: 'invalid_request_error', code: 'invalid_api_key', param: null },
    });
    expect(APICallError.isInstance(anthropicError) && JSON.parse(anthropicError.responseBody ?? '')).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'busy' },
    });
  });

  it('records the headers the provider sent (auth included)', async () => {
    await generateText({ model: openai(), prompt: 'x', maxRetries: 0, headers: { 'X-Trace': 'abc' } });
    await generateText({ model: anthropic(), prompt: 'x', maxRetries: 0 });
    const [openaiRequest, anthropicRequest] = await fake.waitForRequests(2);
    expect(openaiRequest?.headers).toMatchObject({ authorization: 'Bearer sk-test', 'x-trace': 'abc' });
    expect(anthropicRequest?.headers).toMatchObject({ 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' });
  });

  it('aborts a stream that hangs after partial text', async () => {
    fake.script({ hang: true, partialText: 'Thinking about' });
    const controller = new AbortController();
    const result = streamText({ model: anthropic(), prompt: 'x', abortSignal: controller.signal, maxRetries: 0 });
    const reader = result.textStream[Symbol.asyncIterator]();
    const first = await reader.next();
    expect(first.value).toBe('Thinking');
    controller.abort();
    await fake.waitFor((f) => f.requests[0]?.aborted === true, 5000, 'an aborted stream');
    expect(fake.inFlight()).toBe(0);
  });

  it('answers scripted turns in order, then echoes, and the delay holds the answer back', async () => {
    fake.script({ text: 'first', delayMs: 50 }, { text: 'second' });
    const started = Date.now();
    expect((await generateText({ model: openai(), prompt: 'a', maxRetries: 0 })).text).toBe('first');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect((await generateText({ model: openai(), prompt: 'b', maxRetries: 0 })).text).toBe('second');
    expect(fake.turnsLeft).toBe(0);
    expect((await generateText({ model: openai(), prompt: 'c', maxRetries: 0 })).text).toBe(
      echoText({ system: undefined, users: ['c'], toolResults: [], tools: [], texts: ['c'] }),
    );
  });

  it('answers an unknown path with 404', async () => {
    const response = await fetch(`${fake.url}/v1/responses`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(fake.requests).toHaveLength(0);
  });
});
