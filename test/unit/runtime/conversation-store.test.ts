// The conversation of each context: appended exchange by exchange, trimmed to a cap by dropping
// whole turns from the front, so what the model is sent always starts with a user message and a
// tool result always follows its call.
import { describe, expect, it } from '@jest/globals';

import type { ModelMessage } from 'ai';

import { ConversationStore } from '../../../src/runtime/conversation-store.js';

const user = (text: string): ModelMessage => ({ role: 'user', content: text });
const answer = (text: string): ModelMessage => ({ role: 'assistant', content: text });
const call = (id: string): ModelMessage => ({ role: 'assistant', content: [{ type: 'tool-call', toolCallId: id, toolName: 't', input: {} }] });
const result = (id: string): ModelMessage => ({ role: 'tool', content: [{ type: 'tool-result', toolCallId: id, toolName: 't', output: { type: 'text', value: 'r' } }] });

/** A turn: the user's message, `tools` tool calls each with its result, the answer. */
const turn = (name: string, tools = 0): ModelMessage[] => [
  user(name),
  ...Array.from({ length: tools }, (_, i) => [call(`${name}-${i}`), result(`${name}-${i}`)]).flat(),
  answer(`answer to ${name}`),
];

/** Every tool result's call is earlier in the history; the history starts with a user message. */
function wellFormed(history: ModelMessage[]): boolean {
  if (history.length > 0 && history[0]?.role !== 'user') return false;
  const calls = new Set<string>();
  for (const message of history) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content) {
      if (part.type === 'tool-call') calls.add(part.toolCallId);
      if (part.type === 'tool-result' && !calls.has(part.toolCallId)) return false;
    }
  }
  return true;
}

const store = (maxMessages: number, maxEntries = 10) => new ConversationStore({ maxEntries, maxAgeMs: 0 }, maxMessages);

describe('ConversationStore', () => {
  it('appends exchanges per context; history is a copy', () => {
    const s = store(100);
    s.append('c1', turn('one'));
    s.append('c1', turn('two'));
    s.append('c2', turn('other'));
    expect(s.history('c1').filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['one', 'two']);
    s.history('c1').push(user('mutation'));
    expect(s.history('c1')).toHaveLength(4);
    expect(s.history('unknown')).toEqual([]);
    expect(s.size).toBe(2);
  });

  it('drops whole turns from the front to stay within the cap', () => {
    const s = store(5);
    s.append('c', turn('one', 1)); // 4 messages
    s.append('c', turn('two')); // 2 more: 6 > 5, turn one goes
    expect(s.history('c')).toEqual(turn('two'));
  });

  it('never splits a tool call from its result, whatever the cap', () => {
    for (let cap = 1; cap <= 12; cap++) {
      const s = store(cap);
      for (const [i, tools] of [2, 0, 3, 1, 4, 0].entries()) {
        s.append('c', turn(`t${i}`, tools));
        const history = s.history('c');
        expect({ cap, i, ok: wellFormed(history) }).toEqual({ cap, i, ok: true });
        expect(history.length).toBeGreaterThan(0);
      }
    }
  });

  it('a single turn longer than the cap is kept whole (bounded by the tool loop’s step limit)', () => {
    const s = store(3);
    s.append('c', turn('short'));
    s.append('c', turn('long', 3)); // 8 messages
    expect(s.history('c')).toEqual(turn('long', 3));
  });

  it('keeps at most maxEntries contexts', () => {
    const s = store(100, 2);
    s.append('a', turn('a'));
    s.append('b', turn('b'));
    s.append('c', turn('c'));
    expect(s.history('a')).toEqual([]);
    expect(s.size).toBe(2);
  });
});
