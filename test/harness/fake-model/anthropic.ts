// The Anthropic Messages wire format: reads `system`/`messages`/`tools` and answers a `message`
// JSON or the named SSE events (message_start, content_block_*, message_delta, message_stop) that
// api.anthropic.com streams.
import { z } from 'zod';
import type { Conversation, ParsedRequest, Reply, StreamFrames, ToolResult, Wire } from './types.js';
import { jsonFragments } from './replies.js';

const textBlocks = z.array(z.looseObject({ type: z.string(), text: z.string().optional() }));

const blockSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  tool_use_id: z.string().optional(),
  content: z.union([z.string(), textBlocks]).optional(),
});

const bodySchema = z.looseObject({
  model: z.string().optional(),
  system: z.union([z.string(), textBlocks]).optional(),
  messages: z
    .array(z.looseObject({ role: z.string(), content: z.union([z.string(), z.array(blockSchema)]) }))
    .optional(),
  stream: z.boolean().nullish(),
  tools: z.array(z.looseObject({ name: z.string() })).nullish(),
});

function joinText(content: string | z.infer<typeof textBlocks> | undefined): string | undefined {
  if (content === undefined) return undefined;
  if (typeof content === 'string') return content;
  const texts = content.flatMap((block) => (block.type === 'text' && block.text !== undefined ? [block.text] : []));
  return texts.length > 0 ? texts.join('\n') : undefined;
}

function read(body: unknown): ParsedRequest {
  const parsed = bodySchema.safeParse(body);
  const data = parsed.success ? parsed.data : {};
  const messages = (data.messages ?? []).map((message) => ({
    role: message.role,
    blocks: typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content,
  }));
  const callNames = new Map<string, string>();
  for (const message of messages) {
    for (const block of message.blocks) {
      if (block.type === 'tool_use' && block.id !== undefined && block.name !== undefined) callNames.set(block.id, block.name);
    }
  }

  const system = joinText(data.system);
  const conversation: Conversation = { system, users: [], toolResults: [], tools: [], texts: system === undefined ? [] : [system] };
  for (const message of messages) {
    const texts = message.blocks.flatMap((block) => (block.type === 'text' && block.text !== undefined ? [block.text] : []));
    conversation.texts.push(...texts);
    // Tool results travel in user messages; only a user message with text is a user turn.
    if (message.role === 'user' && texts.length > 0) conversation.users.push(texts.join('\n'));
    for (const block of message.blocks) {
      if (block.type !== 'tool_result') continue;
      const id = block.tool_use_id;
      const content = joinText(block.content) ?? '';
      const result: ToolResult = { id, name: id === undefined ? undefined : callNames.get(id), content };
      conversation.toolResults.push(result);
      conversation.texts.push(content);
    }
  }
  conversation.tools = (data.tools ?? []).map((tool) => tool.name);
  return { conversation, model: data.model ?? '', stream: data.stream === true, includeUsage: true };
}

const stopReason = (reply: Reply): string => (reply.kind === 'text' ? 'end_turn' : 'tool_use');

function json(reply: Reply, request: ParsedRequest, responseId: string): unknown {
  const content =
    reply.kind === 'text'
      ? [{ type: 'text', text: reply.chunks.join('') }]
      : reply.calls.map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments }));
  return {
    id: `msg_${responseId}`,
    type: 'message',
    role: 'assistant',
    model: request.model,
    content,
    stop_reason: stopReason(reply),
    stop_sequence: null,
    usage: { input_tokens: reply.usage.input, output_tokens: reply.usage.output },
  };
}

const event = (data: { type: string } & Record<string, unknown>): string =>
  `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;

function stream(reply: Reply, request: ParsedRequest, responseId: string): StreamFrames {
  const opening = [
    event({
      type: 'message_start',
      message: {
        id: `msg_${responseId}`,
        type: 'message',
        role: 'assistant',
        model: request.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // The real API reports the input here and a first output token; message_delta has the total.
        usage: { input_tokens: reply.usage.input, output_tokens: 1 },
      },
    }),
  ];
  const content: string[] = [];
  if (reply.kind === 'text') {
    opening.push(event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
    opening.push(event({ type: 'ping' }));
    for (const piece of reply.chunks) {
      content.push(event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } }));
    }
  } else {
    reply.calls.forEach((call, index) => {
      content.push(
        event({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }),
        // The real API opens every tool input with an empty fragment.
        ...['', ...jsonFragments(JSON.stringify(call.arguments))].map((partial) =>
          event({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partial } }),
        ),
        event({ type: 'content_block_stop', index }),
      );
    });
  }
  // A text block closes with the message, so a hang turn's partial text leaves it open.
  const closing = reply.kind === 'text' ? [event({ type: 'content_block_stop', index: 0 })] : [];
  closing.push(
    event({
      type: 'message_delta',
      delta: { stop_reason: stopReason(reply), stop_sequence: null },
      usage: { output_tokens: reply.usage.output },
    }),
    event({ type: 'message_stop' }),
  );
  return { opening, content, closing };
}

function errorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

export const anthropicWire: Wire = {
  provider: 'anthropic',
  read,
  json,
  stream,
  errorBody: (status, message) => ({ type: 'error', error: { type: errorType(status), message } }),
};
