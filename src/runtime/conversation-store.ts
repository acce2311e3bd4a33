// The model messages of each A2A context, so that a second message in the same contextId reaches
// the model with the earlier turns. Bounded in contexts (count and age, via BoundedLru) and in
// messages per context (the oldest turns are dropped first, whole: a tool call is never separated
// from its result, and the latest turn is always kept).
import type { ModelMessage } from 'ai';

import { BoundedLru, type BoundedLruOptions } from './bounded-lru.js';

export class ConversationStore {
  private readonly contexts: BoundedLru<string, ModelMessage[]>;

  constructor(
    options: BoundedLruOptions,
    private readonly maxMessagesPerContext: number,
  ) {
    this.contexts = new BoundedLru(options);
  }

  get size(): number {
    return this.contexts.size;
  }

  history(contextId: string): ModelMessage[] {
    return [...(this.contexts.get(contextId) ?? [])];
  }

  /** Appends one completed exchange (the user's message and everything the model produced for it). */
  append(contextId: string, messages: readonly ModelMessage[]): void {
    const all = [...(this.contexts.get(contextId) ?? []), ...messages];
    this.contexts.set(contextId, trimToTurns(all, this.maxMessagesPerContext));
  }
}

/**
 * Drops whole turns (from a user message up to the next one) from the front until within the cap.
 * The latest turn is kept whole even when it alone is longer: cutting into it would send the model
 * a tool result without its call, or a conversation that does not start with the user (providers
 * refuse both). Its length is bounded by the tool loop's step limit.
 */
function trimToTurns(messages: ModelMessage[], max: number): ModelMessage[] {
  let start = 0;
  while (messages.length - start > max) {
    const next = messages.findIndex((m, i) => i > start && m.role === 'user');
    if (next < 0) break;
    start = next;
  }
  return start === 0 ? messages : messages.slice(start);
}
