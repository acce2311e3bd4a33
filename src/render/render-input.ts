// The boundary of render: what the reconciler reads from its caches and the CLI from files (objects
// of any shape, as far as the type system knows) parsed once, with the schemas, into what render
// takes. A problem found here is the user's (the API server let through something the schema does
// not allow, or the ModelConfig is broken) and comes back as a RenderFailure, in the schema's words.
import type { Agent } from '../api/agent.js';
import { ConditionReason } from '../api/condition.js';
import type { ModelConfig } from '../api/model-config.js';
import { validateAgent, validateModelConfig } from '../api/validation.js';
import type { OperatorConfig } from '../config/operator-config.js';
import { isRecord } from '../kube/kube-object.js';
import { render, type RenderRelated } from './render.js';
import type { RenderFailure, RenderResult } from './render-result.js';

/** RenderRelated before parsing: the ModelConfig as it came (the tool lists are parsed by render, each entry on its own). */
export type UnparsedRelated = Omit<RenderRelated, 'modelConfig'> & { modelConfig?: unknown };

export interface ParsedRenderInput {
  ok: true;
  agent: Agent;
  related: RenderRelated;
}

/** The Agent and its ModelConfig parsed (defaults applied), or why they cannot be rendered. */
export function parseRenderInput(agent: unknown, related: UnparsedRelated): ParsedRenderInput | RenderFailure {
  const parsed = parseAgent(agent);
  if (!parsed.ok) return parsed;
  const { modelConfig, ...lists } = related;
  // A BYO agent does not read a ModelConfig: whatever was given is not looked at.
  if (parsed.agent.spec.type !== 'Declarative' || modelConfig === undefined || modelConfig === null) return { ok: true, agent: parsed.agent, related: lists };
  const model = parseModelConfig(modelConfig, parsed.agent.spec.declarative?.modelConfig ?? '');
  if (!model.ok) return model;
  return { ok: true, agent: parsed.agent, related: { ...lists, modelConfig: model.modelConfig } };
}

/** Parses at the boundary, then renders. */
export function renderInput(agent: unknown, related: UnparsedRelated, config: OperatorConfig): RenderResult {
  const input = parseRenderInput(agent, related);
  return input.ok ? render(input.agent, input.related, config) : input;
}

function parseAgent(input: unknown): { ok: true; agent: Agent } | RenderFailure {
  if (!isRecord(input)) return { ok: false, reason: ConditionReason.InvalidSpec, message: 'the Agent must be an object' };
  // The status is the operator's own output, not something to render from (or to fail on).
  const { status: _status, ...withoutStatus } = input;
  const result = validateAgent(withoutStatus);
  if (!result.success) return { ok: false, reason: ConditionReason.InvalidSpec, message: result.issues.join('; ') };
  return { ok: true, agent: result.data };
}

function parseModelConfig(input: unknown, wanted: string): { ok: true; modelConfig: ModelConfig } | RenderFailure {
  const name = JSON.stringify(wanted);
  if (!isRecord(input)) return { ok: false, reason: ConditionReason.InvalidModelConfig, message: `ModelConfig ${name}: must be an object` };
  const { status: _status, ...withoutStatus } = input;
  const result = validateModelConfig(withoutStatus);
  if (!result.success) return { ok: false, reason: ConditionReason.InvalidModelConfig, message: `ModelConfig ${name}: ${result.issues.join('; ')}` };
  return { ok: true, modelConfig: result.data };
}
