// Provider-independent questions about a recorded model request (what was the system message,
// which tool results came back, which tools were offered), so a test asserts what reached the
// model without knowing which provider's format carried it.
import type { Conversation, Provider, RecordedRequest, ToolResult, Wire } from './types.js';
import { anthropicWire } from './anthropic.js';
import { geminiWire } from './gemini.js';
import { openaiWire } from './openai.js';

export const wires: Record<Provider, Wire> = { openai: openaiWire, anthropic: anthropicWire, gemini: geminiWire };

export function conversationOf(request: RecordedRequest): Conversation {
  return wires[request.provider].read(request.body, new URL(request.path, 'http://fake-model')).conversation;
}

/** The system message(s) joined by newlines, or undefined. */
export const systemMessage = (request: RecordedRequest): string | undefined => conversationOf(request).system;

/** The text of each user message, oldest first. */
export const userMessages = (request: RecordedRequest): string[] => conversationOf(request).users;

/** The tool results sent back to the model, oldest first. */
export const toolResults = (request: RecordedRequest): ToolResult[] => conversationOf(request).toolResults;

/** The names of the tools offered to the model. */
export const toolNames = (request: RecordedRequest): string[] => conversationOf(request).tools;
