// The approval step: a task whose model wants a tool listed in requireApproval stops in
// TASK_STATE_INPUT_REQUIRED, naming the call; the user's next message in that task approves or
// declines it. A plain "approve"/"yes" approves; a data part {"approved": true|false} is the
// machine-readable form; anything else declines, and its text is given to the model as the reason.
import type { Message } from '@a2a-js/sdk';

import { messageText } from './a2a-messages.js';

export interface PendingToolCall {
  approvalId: string;
  toolName: string;
  input: unknown;
}

export interface ApprovalDecision {
  approved: boolean;
  reason: string | undefined;
}

const APPROVING_WORDS = new Set(['approve', 'approved', 'yes', 'y', 'ok', 'allow', 'go ahead']);

export function approvalDecision(message: Message): ApprovalDecision {
  for (const part of message.parts) {
    const value: unknown = part.content?.$case === 'data' ? part.content.value : undefined;
    if (typeof value === 'object' && value !== null && 'approved' in value && typeof value.approved === 'boolean') {
      return { approved: value.approved, reason: undefined };
    }
  }
  const text = messageText(message).trim();
  const normalized = text.toLowerCase().replace(/[.!]+$/, '');
  if (APPROVING_WORDS.has(normalized)) return { approved: true, reason: undefined };
  return { approved: false, reason: text === '' ? 'declined by the user' : `declined by the user: ${text}` };
}

export function approvalQuestion(calls: readonly PendingToolCall[]): string {
  const listed = calls.map((c) => `${c.toolName}(${JSON.stringify(c.input)})`).join(', ');
  return `Approval required before calling ${listed}. Reply "approve" to run it, or anything else to decline.`;
}
