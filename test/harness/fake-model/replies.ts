// Turns a scripted text, tool-call or echo turn into a provider-independent Reply: the echo text,
// the deterministic token counts and the split into stream pieces live here, so all three wire
// formats answer the same thing for the same request.
import type { Conversation, Reply, Usage } from './types.js';

/** Whitespace-separated words: the fake's deterministic stand-in for a tokenizer. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => word.length > 0).length;
}

/** Prompt tokens: the words of every text in the prompt (system, user, assistant, tool results). */
export function promptTokens(conversation: Conversation): number {
  return conversation.texts.reduce((sum, text) => sum + countWords(text), 0);
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * The default answer, one line that shows what reached the model:
 *   `echo: system=<system message or ->; user=<last user message or ->; turns=<number of user messages>`
 * with every run of whitespace (newlines included) in the system and user text collapsed to one space.
 */
export function echoText(conversation: Conversation): string {
  const last = conversation.users[conversation.users.length - 1];
  const system = conversation.system === undefined ? '-' : oneLine(conversation.system);
  const user = last === undefined ? '-' : oneLine(last);
  return `echo: system=${system}; user=${user}; turns=${conversation.users.length}`;
}

/**
 * Stream pieces: `chunks` nearly equal pieces by characters when given (never more pieces than
 * characters), otherwise one piece per word with its leading space, as real models stream.
 */
export function splitText(text: string, chunks: number | undefined): string[] {
  if (text.length === 0) return [''];
  if (chunks === undefined) return text.match(/\s*\S+|\s+$/g) ?? [text];
  const count = Math.max(1, Math.min(Math.floor(chunks), text.length));
  const size = Math.ceil(text.length / count);
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

export function textReply(text: string, conversation: Conversation, chunks?: number): Reply {
  const usage: Usage = { input: promptTokens(conversation), output: countWords(text) };
  return { kind: 'text', chunks: splitText(text, chunks), usage };
}

/** Completion tokens of a tool call: the words of its name and JSON arguments (2 when no value has a space). */
export function toolCallsReply(
  calls: Array<{ name: string; arguments: Record<string, unknown> }>,
  conversation: Conversation,
  nextId: () => string,
): Reply {
  const withIds = calls.map((call) => ({ id: nextId(), name: call.name, arguments: call.arguments }));
  const output = withIds.reduce((sum, call) => sum + countWords(`${call.name} ${JSON.stringify(call.arguments)}`), 0);
  return { kind: 'tool-calls', calls: withIds, usage: { input: promptTokens(conversation), output } };
}

/** Cuts a JSON text in two, so streamed tool arguments arrive as real fragments, not one piece. */
export function jsonFragments(json: string): string[] {
  if (json.length < 2) return [json];
  const middle = Math.floor(json.length / 2);
  return [json.slice(0, middle), json.slice(middle)];
}
