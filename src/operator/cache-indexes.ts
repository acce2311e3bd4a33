// The informer indexes the operator looks things up by, so that a reconcile or an event costs what
// it touches rather than a scan of every cached object: at thousands of Agents, "the children of
// this Agent" by scanning every cached child on every reconcile made convergence quadratic.
import { LABEL_KEYS } from '../api/group-version.js';
import { objectRefKey } from '../controller/object-key.js';
import type { ObjectRef } from '../controller/object-key.js';
import type { KubeObject } from '../kube/kube-object.js';
import { toolReferences } from '../render/tool-references.js';

/** Children by their Agent (`namespace/name`), from the labels every child carries. */
export const BY_AGENT = 'agentry.dev/agent';
/** Agents by the ModelConfig (`namespace/name`) they use. */
export const BY_MODEL_CONFIG = 'agentry.dev/model-config';
/** Agents by the Agents (`namespace/name`) their tools call: a peer's callers. */
export const BY_TOOL_AGENT = 'agentry.dev/tool-agent';
/** Agents by the Services (`namespace/name`) their MCP tools name. */
export const BY_TOOL_SERVICE = 'agentry.dev/tool-service';

/** The Agent a child belongs to: its labels name it (and its namespace, for a child placed elsewhere). */
export function owningAgentOf(child: KubeObject): ObjectRef | undefined {
  const name = child.metadata.labels?.[LABEL_KEYS.agent];
  if (!name) return undefined;
  return { namespace: child.metadata.labels?.[LABEL_KEYS.agentNamespace] ?? child.metadata.namespace, name };
}

export function childrenByAgent(child: KubeObject): string[] {
  const agent = owningAgentOf(child);
  return agent ? [objectRefKey(agent)] : [];
}

export function agentsByModelConfig(agent: KubeObject): string[] {
  const spec = agent.spec as { type?: string; declarative?: { modelConfig?: unknown } } | undefined;
  const modelConfig = spec?.declarative?.modelConfig;
  return typeof modelConfig === 'string' && modelConfig !== '' ? [objectRefKey({ namespace: agent.metadata.namespace, name: modelConfig })] : [];
}

export function agentsByToolAgent(agent: KubeObject): string[] {
  return [...new Set(toolReferences(agent).agents.map(objectRefKey))];
}

export function agentsByToolService(agent: KubeObject): string[] {
  return [...new Set(toolReferences(agent).services.map(objectRefKey))];
}
