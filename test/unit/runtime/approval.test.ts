// The user's answer to an approval question: a plain approving word (any case, trailing . or !) or
// a data part {approved: true} approves; {approved: false} and anything else decline, the text
// becoming the reason the model is given. The question names each call with its input.
import { describe, expect, it } from '@jest/globals';

import { Message } from '@a2a-js/sdk';

import { approvalDecision, approvalQuestion } from '../../../src/runtime/approval.js';

const text = (t: string): Message => Message.fromJSON({ messageId: 'm', role: 'ROLE_USER', parts: [{ text: t }] });
const data = (value: unknown): Message => Message.fromJSON({ messageId: 'm', role: 'ROLE_USER', parts: [{ data: value }] });

describe('approvalDecision', () => {
  it.each(['approve', 'Approve', 'APPROVED', 'yes', 'Yes!', 'y', ' ok. ', 'allow', 'go ahead', 'Go ahead!!'])('%j approves', (answer) => {
    expect(approvalDecision(text(answer))).toEqual({ approved: true, reason: undefined });
  });

  it.each(['no', 'nope', 'approve everything but the deletion', 'yes, but only the logs', 'don’t', 'okay maybe later'])('%j declines, with the text as the reason', (answer) => {
    expect(approvalDecision(text(answer))).toEqual({ approved: false, reason: `declined by the user: ${answer.trim()}` });
  });

  it('an empty answer declines', () => {
    expect(approvalDecision(text('   '))).toEqual({ approved: false, reason: 'declined by the user' });
  });

  it('a data part {approved} decides, whatever the text says', () => {
    expect(approvalDecision(data({ approved: true }))).toEqual({ approved: true, reason: undefined });
    expect(approvalDecision(data({ approved: false }))).toEqual({ approved: false, reason: undefined });
    const both = Message.fromJSON({ messageId: 'm', role: 'ROLE_USER', parts: [{ text: 'yes' }, { data: { approved: false } }] });
    expect(approvalDecision(both).approved).toBe(false);
  });

  it('a data part without a boolean approved is read as text', () => {
    expect(approvalDecision(data({ approved: 'yes' })).approved).toBe(false);
  });
});

describe('approvalQuestion', () => {
  it('names every call with its input and how to answer', () => {
    const question = approvalQuestion([
      { approvalId: 'a1', toolName: 'delete_everything', input: {} },
      { approvalId: 'a2', toolName: 'pay', input: { invoice: 7 } },
    ]);
    expect(question).toContain('delete_everything({})');
    expect(question).toContain('pay({"invoice":7})');
    expect(question).toMatch(/approve/);
  });
});
