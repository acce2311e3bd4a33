// render(agent, related, config) → the objects an Agent becomes. Pure: no I/O, no clock, no
// randomness, stable key and list order, so the same input always yields the same objects (and the
// operator's steady state makes no writes). It never throws: whatever it is given (an Agent that
// slipped past the API server's validation, junk) comes back as { ok: false, reason, message }.
import { z } from 'zod';

import type { Agent } from '../api/agent.js';
import { dns1123Label } from '../api/kubernetes-names.js';
import type { ModelConfig } from '../api/model-config.js';
import { validateAgent, validateModelConfig } from '../api/validation.js';
import type { OperatorConfig } from '../config/operator-config.js';
import type { KubeObject } from '../kube/kube-object.js';
import { admittedCallers, resolveTools } from './agent-tools.js';
import { inClusterUrl } from './agent-urls.js';
import { configHash } from './config-hash.js';
import { configMap, configMapData } from './config-map.js';
import { deployment } from './deployment.js';
import { resolveGatewayExposure } from './gateway-exposure.js';
import { httpRoute } from './http-route.js';
import { networkPolicy, networkPolicyEnabled } from './network-policy.js';
import { agentOwnerReference } from './owner-reference.js';
import { referenceGrant } from './reference-grant.js';
import type { RenderContext } from './render-context.js';
import { RenderFailureReason, RenderRejection } from './render-result.js';
import type { RenderResult } from './render-result.js';
import { AGENT_SERVICE_PORT } from './runtime-contract.js';
import { needsOwnServiceAccount, serviceAccount } from './service-account.js';
import { service } from './service.js';

export interface RenderRelated {
  /** The ModelConfig named by a Declarative Agent's spec.declarative.modelConfig, when it exists. */
  modelConfig?: ModelConfig;
  /** The Agents named by spec.declarative.tools[].agent that exist; a missing one is ToolNotFound. */
  toolAgents?: readonly KubeObject[];
  /** The Services named by spec.declarative.tools[].mcpServer.service that exist, as the operator projects them (ToolService). */
  toolServices?: readonly KubeObject[];
  /** The Agents whose tools name this Agent: its NetworkPolicy admits their pods. */
  callers?: readonly KubeObject[];
}

/** The lists of RenderRelated, read from whatever render was given (junk counts as nothing found). */
const relatedListsSchema = z.object({
  toolAgents: z.array(z.unknown()).optional().catch(undefined),
  toolServices: z.array(z.unknown()).optional().catch(undefined),
  callers: z.array(z.unknown()).optional().catch(undefined),
});

export function render(agent: Agent, related: RenderRelated, config: OperatorConfig): RenderResult {
  try {
    const context = resolveContext(agent, related, config);
    return { ok: true, objects: renderObjects(context), ...endpoints(context) };
  } catch (error) {
    if (error instanceof RenderRejection) return { ok: false, reason: error.reason, message: error.message };
    // A bug or an input no schema anticipated: reported on the Agent, never a crashed reconcile.
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: RenderFailureReason.InvalidSpec, message: `the Agent cannot be rendered: ${detail}` };
  }
}

/**
 * Apply order: what a pod needs before the Deployment that starts it (its ServiceAccount, its config,
 * and the NetworkPolicy, so no pod ever runs unprotected), then the Service, then routing, with the
 * ReferenceGrant before the HTTPRoute so the route resolves its backend at once.
 */
function renderObjects(ctx: RenderContext): KubeObject[] {
  const data = configMapData(ctx);
  const objects: KubeObject[] = [];
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

/** Validates the input and makes every decision the builders share. Throws RenderRejection. */
function resolveContext(input: unknown, related: unknown, config: OperatorConfig): RenderContext {
  const agent = validatedAgent(input);
  const name = agent.metadata.name;
  const namespace = agent.metadata.namespace;
  if (namespace === undefined || !dns1123Label().safeParse(namespace).success) {
    throw new RenderRejection(RenderFailureReason.InvalidSpec, `metadata.namespace: must be a namespace name, got ${JSON.stringify(namespace)}`);
  }
  const modelConfig = agent.spec.type === 'Declarative' ? resolvedModelConfig(agent, namespace, related) : undefined;
  const containerPort = agent.spec.type === 'BYO' && agent.spec.byo !== undefined ? agent.spec.byo.port : AGENT_SERVICE_PORT;
  // Resolved before any object is built: an exposure problem must fail the whole render.
  const exposure = resolveGatewayExposure({ name, namespace }, agent.spec, config.gateway);
  const lists = relatedListsSchema.safeParse(related);
  const { toolAgents = [], toolServices = [], callers = [] } = lists.success ? lists.data : {};
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
    tools: resolveTools(owner, agent.spec.declarative?.tools, { agents: toolAgents, services: toolServices }),
    callers: admittedCallers({ ...owner, speaksA2A }, callers),
    ownerReference: agentOwnerReference(agent),
  };
}

function validatedAgent(input: unknown): Agent {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new RenderRejection(RenderFailureReason.InvalidSpec, 'the Agent must be an object');
  }
  // The status is the operator's own output, not something to render from (or to fail on).
  const { status: _status, ...withoutStatus } = input as Record<string, unknown>;
  const result = validateAgent(withoutStatus);
  if (!result.success) throw new RenderRejection(RenderFailureReason.InvalidSpec, result.issues.join('; '));
  return result.data;
}

function resolvedModelConfig(agent: Agent, namespace: string, related: unknown): ModelConfig {
  const wanted = agent.spec.declarative?.modelConfig ?? '';
  const given = related !== null && typeof related === 'object' ? (related as { modelConfig?: unknown }).modelConfig : undefined;
  const notFound = `ModelConfig ${JSON.stringify(wanted)} (spec.declarative.modelConfig) not found in namespace ${JSON.stringify(namespace)}`;
  if (given === undefined || given === null) throw new RenderRejection(RenderFailureReason.ModelConfigNotFound, notFound);
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new RenderRejection(RenderFailureReason.InvalidModelConfig, `ModelConfig ${JSON.stringify(wanted)}: must be an object`);
  }
  const { status: _status, ...withoutStatus } = given as Record<string, unknown>;
  const result = validateModelConfig(withoutStatus);
  if (!result.success) {
    throw new RenderRejection(RenderFailureReason.InvalidModelConfig, `ModelConfig ${JSON.stringify(wanted)}: ${result.issues.join('; ')}`);
  }
  const { name, namespace: modelNamespace } = result.data.metadata;
  // A ModelConfig of another name or namespace is not this Agent's: the caller looked up the wrong one.
  if (name !== wanted || (modelNamespace !== undefined && modelNamespace !== namespace)) {
    throw new RenderRejection(RenderFailureReason.ModelConfigNotFound, `${notFound} (was given ${modelNamespace ?? namespace}/${name})`);
  }
  return result.data;
}
