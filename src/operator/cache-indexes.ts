// The informer indexes the operator looks things up by, so that a reconcile or an event costs what
// it touches rather than a scan of every cached object: at thousands of Agents, "the children of
// this Agent" by scanning every cached child on every reconcile made convergence quadratic. Children
// are found by their owner's uid, never by labels, which anyone may set.
import { objectRefKey } from '../controller/object-key.js';
import type { ObjectRef } from '../controller/object-key.js';
import { isRecord, type KubeObject } from '../kube/kube-object.js';
import { toolReferences } from '../render/tool-references.js';
import { ownerUidsOf } from './apply/write-decision.js';

/** Children by the uid of the Agent that owns them (controller ownerReference or owner-uid annotation). */
export const BY_OWNER_UID = 'agentry.dev/owner-uid';
/** Agents by their uid: whose children the child caches keep with content. */
export const BY_UID = 'agentry.dev/uid';
/** Agents by the ModelConfig (`namespace/name`) they use. */
export const BY_MODEL_CONFIG = 'agentry.dev/model-config';
/** Agents by the Agents (`namespace/name`) their tools call: a peer's callers. */
export const BY_TOOL_AGENT = 'agentry.dev/tool-agent';
/** Agents by the RemoteAgents (`namespace/name`) their tools call. */
export const BY_TOOL_REMOTE_AGENT = 'agentry.dev/tool-remote-agent';
/** Agents by the Services (`namespace/name`) their MCP tools name. */
export const BY_TOOL_SERVICE = 'agentry.dev/tool-service';
/** Agents by the Secrets (`namespace/name`) their pods would read (pods.secretReferences.requiredLabel). */
export const BY_SECRET = 'agentry.dev/secret';

/** The index function of BY_OWNER_UID. Labels play no part: anyone may set them. */
export function childrenByOwnerUid(child: KubeObject): string[] {
  return ownerUidsOf(child);
}

export function agentsByUid(agent: KubeObject): string[] {
  return agent.metadata.uid ? [agent.metadata.uid] : [];
}

/**
 * The Agent an object of a child kind would belong to, by its name: every child is named after its
 * Agent (`{agent}` beside it, `{agent}.{namespace}` in the routes namespace, where a name with a dot
 * can only be such a route: Agent names have none). Whoever owns the object: a foreign object named
 * like an Agent's child concerns that Agent (it appears: a conflict; it goes: the child can be made).
 */
export function agentNamedBy(child: KubeObject): ObjectRef | undefined {
  const { name, namespace } = child.metadata;
  if (!namespace) return undefined;
  const dot = name.indexOf('.');
  if (dot < 0) return { namespace, name };
  const [agent, agentNamespace, ...rest] = name.split('.');
  return agent && agentNamespace && rest.length === 0 ? { namespace: agentNamespace, name: agent } : undefined;
}

export function agentsByModelConfig(agent: KubeObject): string[] {
  const spec = agent.spec as { type?: string; declarative?: { modelConfig?: unknown } } | undefined;
  const modelConfig = spec?.declarative?.modelConfig;
  return typeof modelConfig === 'string' && modelConfig !== '' ? [objectRefKey({ namespace: agent.metadata.namespace, name: modelConfig })] : [];
}

export function agentsByToolAgent(agent: KubeObject): string[] {
  return [...new Set(toolReferences(agent).agents.map(objectRefKey))];
}

export function agentsByToolRemoteAgent(agent: KubeObject): string[] {
  return [...new Set(toolReferences(agent).remoteAgents.map(objectRefKey))];
}

export function agentsByToolService(agent: KubeObject): string[] {
  return [...new Set(toolReferences(agent).services.map(objectRefKey))];
}

/**
 * The Secrets an Agent names in its own spec (env, envFrom, imagePullSecrets, systemMessageFrom, MCP
 * tool headers), read from the cached object as it is: an index must not depend on the Agent being
 * valid. Its ModelConfig's apiKeySecret is found through BY_MODEL_CONFIG.
 */
export function agentsBySecret(agent: KubeObject): string[] {
  const namespace = agent.metadata.namespace;
  const spec = isRecord(agent.spec) ? agent.spec : {};
  const deployment = isRecord(spec.deployment) ? spec.deployment : {};
  const declarative = isRecord(spec.declarative) ? spec.declarative : {};
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const at = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (isRecord(o) ? o[k] : undefined), v);
  const names = [
    ...list(deployment.env).map((e) => at(e, 'valueFrom', 'secretKeyRef', 'name')),
    ...list(deployment.envFrom).map((e) => at(e, 'secretRef', 'name')),
    ...list(deployment.imagePullSecrets).map((e) => at(e, 'name')),
    at(declarative, 'systemMessageFrom', 'secretKeyRef', 'name'),
    ...list(declarative.tools).flatMap((t) => list(at(t, 'mcpServer', 'headersFrom')).map((h) => at(h, 'secretKeyRef', 'name'))),
  ];
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))].map((name) => objectRefKey({ namespace, name }));
}
