// render(agent, related, config) → the objects an Agent becomes. Pure: no I/O, no clock, no
// randomness, stable key and list order, so the same input always yields the same objects (and the
// operator's steady state makes no writes). It takes an Agent already parsed by its schema (parse at
// the boundary: render-input.ts) and returns typed objects (child-objects.ts). A problem with the
// Agent or what it references comes back as { ok: false, reason, message }; anything else it
// throws (a bug, an operator configuration that breaks an assumption) is not the user's to fix, and
// is left to the caller to log, count and retry.
import type { Agent } from '../api/agent.js';
import { ConditionReason } from '../api/condition.js';
import { dns1123Label } from '../api/kubernetes-names.js';
import type { ModelConfig } from '../api/model-config.js';
import type { OperatorConfig } from '../config/operator-config.js';
import type { KubeObject } from '../kube/kube-object.js';
import { admittedCallers, resolveTools } from './agent-tools.js';
import { inClusterUrl } from './agent-urls.js';
import type { AgentChild } from './child-objects.js';
import { configHash } from './config-hash.js';
import { configMap, configMapData } from './config-map.js';
import { deployment } from './deployment.js';
import { resolveGatewayExposure } from './gateway-exposure.js';
import { httpRoute } from './http-route.js';
import { networkPolicy, networkPolicyEnabled } from './network-policy.js';
import { checkPodPolicy, type SecretLookup } from './pod-policy.js';
import { agentOwnerReference } from './owner-reference.js';
import { referenceGrant } from './reference-grant.js';
import type { RenderContext } from './render-context.js';
import { RenderRejection } from './render-result.js';
import type { RenderResult } from './render-result.js';
import { AGENT_SERVICE_PORT } from './runtime-contract.js';
import { needsOwnServiceAccount, serviceAccount } from './service-account.js';
import { service } from './service.js';

export interface RenderRelated {
  /** The ModelConfig named by a Declarative Agent's spec.declarative.modelConfig, when it exists (parsed). */
  modelConfig?: ModelConfig;
  /** The Agents named by spec.declarative.tools[].agent that exist; a missing one is ToolNotFound. */
  toolAgents?: readonly KubeObject[];
  /** The RemoteAgents named by spec.declarative.tools[].remoteAgent that exist, as cached (status included). */
  toolRemoteAgents?: readonly KubeObject[];
  /**
   * The Services named by spec.declarative.tools[].mcpServer.service, and by those RemoteAgents'
   * spec.service, that exist, as the operator projects them (ToolService).
   */
  toolServices?: readonly KubeObject[];
  /** The Agents whose tools name this Agent: its NetworkPolicy admits their pods. */
  callers?: readonly KubeObject[];
  /**
   * The Secrets of the Agent's namespace, as metadata, for the operator config's
   * pods.secretReferences.requiredLabel. Undefined where they cannot be known (rendering files):
   * that check is then skipped.
   */
  secrets?: SecretLookup;
}

export function render(agent: Agent, related: RenderRelated, config: OperatorConfig): RenderResult {
  try {
    const context = resolveContext(agent, related, config);
    return { ok: true, objects: renderObjects(context), ...endpoints(context) };
  } catch (error) {
    if (error instanceof RenderRejection) return { ok: false, reason: error.reason, message: error.message };
    throw error; // a bug, not the Agent's fault: the reconcile fails and is retried with backoff
  }
}

/**
 * Apply order: what a pod needs before the Deployment that starts it (its ServiceAccount, its config,
 * and the NetworkPolicy, so no pod ever runs unprotected), then the Service, then routing, with the
 * ReferenceGrant before the HTTPRoute so the route resolves its backend at once.
 */
function renderObjects(ctx: RenderContext): AgentChild[] {
  const data = configMapData(ctx);
  const objects: AgentChild[] = [];
  if (needsOwnServiceAccount(ctx)) objects.push(serviceAccount(ctx));
  objects.push(configMap(ctx, data));
  if (networkPolicyEnabled(ctx)) objects.push(networkPolicy(ctx));
  objects.push(deployment(ctx, configHash(data)), service(ctx));
  if (ctx.exposure.routed) {
    if (ctx.exposure.crossNamespace) objects.push(referenceGrant(ctx, ctx.exposure.routeNamespace));
    objects.push(httpRoute(ctx, ctx.exposure));
  }
  return objects;
}

function endpoints(ctx: RenderContext): { url: string; publicUrl?: string } {
  const publicUrl = ctx.exposure.routed ? ctx.exposure.publicUrl : undefined;
  return { url: inClusterUrl(ctx.name, ctx.namespace), ...(publicUrl !== undefined && { publicUrl }) };
}

/** Makes every decision the builders share. Throws RenderRejection. */
function resolveContext(agent: Agent, related: RenderRelated, config: OperatorConfig): RenderContext {
  const name = agent.metadata.name;
  const namespace = agent.metadata.namespace;
  if (namespace === undefined || !dns1123Label().safeParse(namespace).success) {
    throw new RenderRejection(ConditionReason.InvalidSpec, `metadata.namespace: must be a namespace name, got ${JSON.stringify(namespace)}`);
  }
  const modelConfig = agent.spec.type === 'Declarative' ? matchingModelConfig(agent, namespace, related.modelConfig) : undefined;
  const containerPort = agent.spec.type === 'BYO' && agent.spec.byo !== undefined ? agent.spec.byo.port : AGENT_SERVICE_PORT;
  // The admin's guardrails on what may go into the pods, before anything is built.
  checkPodPolicy(agent, modelConfig, config.pods, related.secrets);
  // Resolved before any object is built: an exposure problem must fail the whole render.
  const exposure = resolveGatewayExposure({ name, namespace }, agent.spec, config.gateway);
  const { toolAgents = [], toolServices = [], toolRemoteAgents = [], callers = [] } = related;
  const requiredLabel = config.pods.secretReferences.requiredLabel;
  const requiredSecretLabel = requiredLabel && related.secrets && { ...requiredLabel, secrets: related.secrets };
  const owner = { name, namespace, allowCrossNamespace: config.tools.allowCrossNamespaceReferences };
  const speaksA2A = agent.spec.a2aConfig !== undefined;
  return {
    agent,
    name,
    namespace,
    modelConfig,
    config,
    speaksA2A,
    containerPort,
    exposure,
    tools: resolveTools(owner, agent.spec.declarative?.tools, { agents: toolAgents, services: toolServices, remoteAgents: toolRemoteAgents, ...(requiredSecretLabel && { requiredSecretLabel }) }),
    callers: admittedCallers({ ...owner, speaksA2A }, callers),
    ownerReference: agentOwnerReference(agent),
  };
}

/** The Agent's ModelConfig, when the one given is the one it names (same name, same namespace). */
function matchingModelConfig(agent: Agent, namespace: string, given: ModelConfig | undefined): ModelConfig {
  const wanted = agent.spec.declarative?.modelConfig ?? '';
  const notFound = `ModelConfig ${JSON.stringify(wanted)} (spec.declarative.modelConfig) not found in namespace ${JSON.stringify(namespace)}`;
  if (given === undefined) throw new RenderRejection(ConditionReason.ModelConfigNotFound, notFound);
  const { name, namespace: modelNamespace } = given.metadata;
  // A ModelConfig of another name or namespace is not this Agent's: the caller looked up the wrong one.
  if (name !== wanted || (modelNamespace !== undefined && modelNamespace !== namespace)) {
    throw new RenderRejection(ConditionReason.ModelConfigNotFound, `${notFound} (was given ${modelNamespace ?? namespace}/${name})`);
  }
  return given;
}
