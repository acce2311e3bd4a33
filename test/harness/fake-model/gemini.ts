// The Google Gemini (Generative Language API) wire format: reads `systemInstruction`/`contents`/
// `tools` and answers a GenerateContentResponse JSON, or for `:streamGenerateContent?alt=sse` one
// GenerateContentResponse per SSE event, as generativelanguage.googleapis.com does.
import { z } from 'zod';
import type { Conversation, ParsedRequest, Reply, StreamFrames, ToolResult, Usage, Wire } from './types.js';

const partSchema = z.looseObject({
  text: z.string().optional(),
  thought: z.boolean().nullish(),
  functionResponse: z
    .looseObject({
      id: z.string().nullish(),
      name: z.string(),
      response: z.looseObject({ content: z.unknown().optional() }).nullish(),
    })
    .optional(),
});

const bodySchema = z.looseObject({
  systemInstruction: z.looseObject({ parts: z.array(partSchema) }).nullish(),
  contents: z.array(z.looseObject({ role: z.string().optional(), parts: z.array(partSchema) })).optional(),
  tools: z.array(z.looseObject({ functionDeclarations: z.array(z.looseObject({ name: z.string() })).optional() })).nullish(),
});

const textsOf = (parts: Array<z.infer<typeof partSchema>>): string[] =>
  parts.flatMap((part) => (part.text !== undefined && part.thought !== true ? [part.text] : []));

/** `…/models/gemini-2.5-flash:streamGenerateContent` → gemini-2.5-flash. */
function modelFromPath(pathname: string): string {
  const match = /\/([^/]+):(?:stream)?generateContent$/i.exec(pathname);
  return match?.[1] ?? '';
}

function read(body: unknown, url: URL): ParsedRequest {
  const parsed = bodySchema.safeParse(body);
  const data = parsed.success ? parsed.data : {};
  const systemTexts = textsOf(data.systemInstruction?.parts ?? []);
  const system = systemTexts.length > 0 ? systemTexts.join('\n') : undefined;
  const conversation: Conversation = { system, users: [], toolResults: [], tools: [], texts: [...systemTexts] };
  for (const content of data.contents ?? []) {
    const texts = textsOf(content.parts);
    conversation.texts.push(...texts);
    // Function responses travel in user contents; only a user content with text is a user turn.
    if (content.role === 'user' && texts.length > 0) conversation.users.push(texts.join('\n'));
    for (const part of content.parts) {
      const response = part.functionResponse;
      if (response === undefined) continue;
      const raw = response.response?.content;
      const text = typeof raw === 'string' ? raw : JSON.stringify(raw ?? null);
      const result: ToolResult = { id: response.id ?? undefined, name: response.name, content: text };
      conversation.toolResults.push(result);
      conversation.texts.push(text);
    }
  }
  conversation.tools = (data.tools ?? []).flatMap((tool) => (tool.functionDeclarations ?? []).map((fn) => fn.name));
  return {
    conversation,
    model: modelFromPath(url.pathname),
    stream: /:streamGenerateContent$/i.test(url.pathname),
    includeUsage: true,
  };
}

const usageMetadata = (usage: Usage) => ({
  promptTokenCount: usage.input,
  candidatesTokenCount: usage.output,
  totalTokenCount: usage.input + usage.output,
});

function response(parts: unknown[], reply: Reply, request: ParsedRequest, responseId: string, finished: boolean) {
  return {
    candidates: [{ content: { parts, role: 'model' }, ...(finished ? { finishReason: 'STOP' } : {}), index: 0 }],
    usageMetadata: usageMetadata(reply.usage),
    modelVersion: request.model,
    responseId,
  };
}

// Gemini has no separate tool-call finish reason: a function call answer also ends with STOP.
const callParts = (reply: Reply): unknown[] =>
  reply.kind === 'text' ? [] : reply.calls.map((call) => ({ functionCall: { id: call.id, name: call.name, args: call.arguments } }));

function json(reply: Reply, request: ParsedRequest, responseId: string): unknown {
  const parts = reply.kind === 'text' ? [{ text: reply.chunks.join('') }] : callParts(reply);
  return response(parts, reply, request, responseId, true);
}

const frame = (data: unknown): string => `data: ${JSON.stringify(data)}\r\n\r\n`;

function stream(reply: Reply, request: ParsedRequest, responseId: string): StreamFrames {
  if (reply.kind === 'tool-calls') {
    return { opening: [], content: [frame(response(callParts(reply), reply, request, responseId, true))], closing: [] };
  }
  return {
    opening: [],
    content: reply.chunks.map((piece) => frame(response([{ text: piece }], reply, request, responseId, false))),
    // The last event carries the finish reason, with an empty text as the real API sends it.
    closing: [frame(response([{ text: '' }], reply, request, responseId, true))],
  };
}

function errorStatus(status: number): string {
  const statuses: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    409: 'ABORTED',
    429: 'RESOURCE_EXHAUSTED',
    499: 'CANCELLED',
    500: 'INTERNAL',
    501: 'NOT_IMPLEMENTED',
    503: 'UNAVAILABLE',
    504: 'DEADLINE_EXCEEDED',
  };
  return statuses[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
}

export const geminiWire: Wire = {
  provider: 'gemini',
  read,
  json,
  stream,
  errorBody: (status, message) => ({ error: { code: status, message, status: errorStatus(status) } }),
};
