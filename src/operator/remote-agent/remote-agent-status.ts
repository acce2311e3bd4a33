// What a RemoteAgent's status should say, computed from what the reconcile saw: the acceptance of its
// spec, the last card fetch, and its route. Pure. Messages hold nothing that changes from one fetch
// to the next (no times, no durations), so an unchanged card and route compare equal to the live
// status and cause no write.
import { ConditionReason } from '../../api/condition.js';
import { RemoteAgentConditionType, RemoteAgentReason, type RemoteAgentCardStatus } from '../../api/remote-agent.js';
import { mergeConditions, type Condition, type ConditionInput } from '../conditions.js';
import type { Acceptance } from '../agent-status.js';
import type { CardSummary } from './card-summary.js';

export type { Acceptance };

type ConditionValue = Omit<ConditionInput, 'type' | 'observedGeneration'>;

/** The outcome of the last card fetch for the current spec; undefined while none has been made. */
export type FetchOutcome =
  | { ok: true; summary: CardSummary; digest: string; cardUrl: string }
  | { ok: false; condition: 'Reachable' | 'CardValid'; reason: string; message: string };

export interface RemoteAgentStatusInputs {
  generation: number | undefined;
  acceptance: Acceptance;
  fetch: FetchOutcome | undefined;
  /** Whether the RemoteAgent is to be routed: Ready then waits for Routed. */
  exposed: boolean;
  routed: ConditionValue | undefined;
  url: string | undefined;
  publicUrl: string | undefined;
  applyError: string | undefined;
}

export interface RemoteAgentStatusValue {
  observedGeneration?: number;
  conditions: Condition[];
  url?: string;
  publicUrl?: string;
  card?: RemoteAgentCardStatus;
  skillCount?: number;
  cardDigest?: string;
}

/** The card as last read, kept while a later fetch fails: what the agent said it can do, with Reachable=False beside it. */
export interface LastCard {
  card?: RemoteAgentCardStatus;
  skillCount?: number;
  cardDigest?: string;
}

function reachable(inputs: RemoteAgentStatusInputs): ConditionValue {
  if (!inputs.acceptance.accepted) return { status: 'Unknown', reason: RemoteAgentReason.NotFetched, message: 'the card is not read: the RemoteAgent is not accepted' };
  const f = inputs.fetch;
  if (!f) return { status: 'Unknown', reason: RemoteAgentReason.NotFetched, message: 'the card has not been read yet' };
  if (!f.ok) return f.condition === 'Reachable' ? { status: 'False', reason: f.reason, message: f.message } : { status: 'True', reason: RemoteAgentReason.CardFetched, message: 'the card was read; see CardValid' };
  return { status: 'True', reason: RemoteAgentReason.CardFetched, message: `read ${f.cardUrl}` };
}

function cardValid(inputs: RemoteAgentStatusInputs): ConditionValue {
  const f = inputs.fetch;
  if (!inputs.acceptance.accepted || !f) return { status: 'Unknown', reason: RemoteAgentReason.NotFetched, message: 'the card has not been read' };
  if (!f.ok) return f.condition === 'CardValid' ? { status: 'False', reason: f.reason, message: f.message } : { status: 'Unknown', reason: RemoteAgentReason.NotFetched, message: 'the card could not be read; see Reachable' };
  return { status: 'True', reason: RemoteAgentReason.CardParsed, message: `a valid A2A agent card (${JSON.stringify(f.summary.card.name)}, ${f.summary.skillCount} skill${f.summary.skillCount === 1 ? '' : 's'})` };
}

function readiness(inputs: RemoteAgentStatusInputs, reach: ConditionValue, valid: ConditionValue): ConditionValue {
  if (!inputs.acceptance.accepted) return { status: 'False', reason: ConditionReason.NotAccepted, message: 'the RemoteAgent is not accepted; see the Accepted condition' };
  if (inputs.applyError) return { status: 'False', reason: ConditionReason.ApplyFailed, message: inputs.applyError };
  if (reach.status !== 'True') return { status: 'False', reason: RemoteAgentReason.CardUnavailable, message: `the card could not be read: ${reach.message}` };
  if (valid.status !== 'True') return { status: 'False', reason: RemoteAgentReason.CardUnavailable, message: `the card is not valid: ${valid.message}` };
  if (inputs.exposed && inputs.routed && inputs.routed.status !== 'True') return { status: 'False', reason: inputs.routed.reason, message: `not routed yet: ${inputs.routed.message}` };
  return { status: 'True', reason: RemoteAgentReason.Available, message: inputs.exposed ? 'the card is valid and the gateway routes the agent' : 'the card is valid' };
}

export function computeRemoteAgentStatus(inputs: RemoteAgentStatusInputs, previous: { conditions?: readonly Condition[] } & LastCard, now: Date): RemoteAgentStatusValue {
  const gen = inputs.generation !== undefined ? { observedGeneration: inputs.generation } : {};
  const accepted: ConditionValue = inputs.acceptance.accepted
    ? { status: 'True', reason: ConditionReason.Valid, message: 'the spec is valid and its references resolve' }
    : { status: 'False', reason: inputs.acceptance.reason, message: inputs.acceptance.message };
  const reach = reachable(inputs);
  const valid = cardValid(inputs);
  const next: ConditionInput[] = [
    { type: RemoteAgentConditionType.Accepted, ...accepted, ...gen },
    { type: RemoteAgentConditionType.Reachable, ...reach, ...gen },
    { type: RemoteAgentConditionType.CardValid, ...valid, ...gen },
    ...(inputs.routed ? [{ type: RemoteAgentConditionType.Routed, ...inputs.routed, ...gen }] : []),
    { type: RemoteAgentConditionType.Ready, ...readiness(inputs, reach, valid), ...gen },
  ];
  const f = inputs.fetch;
  const last: LastCard = f?.ok
    ? { card: f.summary.card, skillCount: f.summary.skillCount, cardDigest: f.digest }
    : { ...(previous.card && { card: previous.card }), ...(previous.skillCount !== undefined && { skillCount: previous.skillCount }), ...(previous.cardDigest && { cardDigest: previous.cardDigest }) };
  return {
    ...gen,
    conditions: mergeConditions(previous.conditions, next, now),
    ...(inputs.acceptance.accepted && inputs.url ? { url: inputs.url } : {}),
    ...(inputs.acceptance.accepted && inputs.publicUrl ? { publicUrl: inputs.publicUrl } : {}),
    ...last,
  };
}
