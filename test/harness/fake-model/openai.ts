// The OpenAI Chat Completions wire format (also Azure OpenAI, Ollama's /v1 and other compatible
// servers): reads `messages`/`tools` and answers a `chat.completion` JSON or the
// `chat.completion.chunk` SSE stream ending in `data: [DONE]`, as api.openai.com does.
import { z } from 'zod';
import type { Conversation, ParsedRequest, Reply, StreamFrames, ToolResult, Usage, Wire } from './types.js';
import { jsonFragments } from './replies.js';

const contentSchema = z
  .union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))])
  .nullish();

const messageSchema = z.looseObject({
  role: z.string(),
  content: contentSchema,
  tool_call_id: z.string().optional(),
  tool_calls: z
    .array(z.looseObject({ id: z.string(), function: z.looseObject({ name: z.string(), arguments: z.string() }) }))
    .nullish(),
});

const bodySchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(messageSchema).optional(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  tools: z.array(z.looseObject({ function: z.looseObject({ name: z.string() }) })).nullish(),
});

function contentText(content: z.infer<typeof contentSchema>): string | undefined {
  if (content == null) return undefined;
  if (typeof content === 'string') return content;
  const texts = content.flatMap((part) => (part.type === 'text' && part.text !== undefined ? [part.text] : []));
  return texts.length > 0 ? texts.join('\n') : undefined;
}

function read(body: unknown): ParsedRequest {
  const parsed = bodySchema.safeParse(body);
  const data = parsed.success ? parsed.data : {};
  const messages = data.messages ?? [];
  const callNames = new Map<string, string>();
  for (const message of messages) for (const call of message.tool_calls ?? []) callNames.set(call.id, call.function.name);

  const systems: string[] = [];
  const conversation: Conversation = { system: undefined, users: [], toolResults: [], tools: [], texts: [] };
  for (const message of messages) {
    const text = contentText(message.content);
    if (text !== undefined) conversation.texts.push(text);
    // Reasoning models get the system prompt as a 'developer' message.
    if ((message.role === 'system' || message.role === 'developer') && text !== undefined) systems.push(text);
    if (message.role === 'user' && text !== undefined) conversation.users.push(text);
    if (message.role === 'tool') {
      const id = message.tool_call_id;
      const result: ToolResult = { id, name: id === undefined ? undefined : callNames.get(id), content: text ?? '' };
      conversation.toolResults.push(result);
    }
  }
  conversation.system = systems.length > 0 ? systems.join('\n') : undefined;
  conversation.tools = (data.tools ?? []).map((tool) => tool.function.name);
  return {
    conversation,
    model: data.model ?? '',
    stream: data.stream === true,
    includeUsage: data.stream_options?.include_usage === true,
  };
}

const usageJson = (usage: Usage) => ({
  prompt_tokens: usage.input,
  completion_tokens: usage.output,
  total_tokens: usage.input + usage.output,
});

const finishReason = (reply: Reply): string => (reply.kind === 'text' ? 'stop' : 'tool_calls');

function json(reply: Reply, request: ParsedRequest, responseId: string): unknown {
  const message =
    reply.kind === 'text'
      ? { role: 'assistant', content: reply.chunks.join(''), refusal: null }
      : {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: reply.calls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: JSON.stringify(call.arguments) },
          })),
        };
  return {
    id: `chatcmpl-${responseId}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(reply) }],
    usage: usageJson(reply.usage),
    system_fingerprint: 'fp_fake',
  };
}

function stream(reply: Reply, request: ParsedRequest, responseId: string): StreamFrames {
  const created = Math.floor(Date.now() / 1000);
  // With include_usage every chunk carries `usage: null` and a last chunk with no choices has the counts.
  const withUsage = request.includeUsage ? { usage: null } : {};
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    frame({
      id: `chatcmpl-${responseId}`,
      object: 'chat.completion.chunk',
      created,
      model: request.model,
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...withUsage,
    });

  const opening = [chunk({ role: 'assistant', content: '', refusal: null })];
  const content =
    reply.kind === 'text'
      ? reply.chunks.map((piece) => chunk({ content: piece }))
      : reply.calls.flatMap((call, index) => [
          chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }),
          ...jsonFragments(JSON.stringify(call.arguments)).map((fragment) =>
            chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }),
          ),
        ]);
  const closing = [chunk({}, finishReason(reply))];
  if (request.includeUsage) {
    closing.push(
      frame({
        id: `chatcmpl-${responseId}`,
        object: 'chat.completion.chunk',
        created,
        model: request.model,
        system_fingerprint: 'fp_fake',
        choices: [],
        usage: usageJson(reply.usage),
      }),
    );
  }
  closing.push('data: [DONE]\n\n');
  return { opening, content, closing };
}

const frame = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;

function errorType(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 403) return { type: 'invalid_request_error', code: 'unsupported_country_region_territory' };
  if (status === 404) return { type: 'invalid_request_error', code: 'model_not_found' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

export const openaiWire: Wire = {
  provider: 'openai',
  read,
  json,
  stream,
  errorBody: (status, message) => ({ error: { message, ...errorType(status), param: null } }),
};
