// A Declarative Agent's tools (`spec.declarative.tools`), resolved against what the operator found in
// its caches: each MCP server becomes a URL, each Agent and RemoteAgent an A2A endpoint, each header
// a Secret-backed environment variable, and each in-cluster destination the one NetworkPolicy egress
// rule it needs. Nothing wider: a Service tool (an MCP server's, a RemoteAgent's) opens its Service's
// pods on that one port, an Agent tool the peer's pods on their `http` port, and a URL tool nothing
// (the admin's egress settings apply to it).
import { z } from 'zod';

import type { AgentToolEntry, McpServerTool } from '../api/agent-tools.js';
import { DEFAULT_MCP_PATH } from '../api/agent-tools.js';
import type { AgentToolConfig, McpServerConfig, ToolsSection } from '../contract/agent-config.js';
import { inClusterUrl } from './agent-urls.js';
import { selectorLabels } from './labels.js';
import { ConditionReason } from '../api/condition.js';
import type { SecretLookup } from './pod-policy.js';
import { remoteAgentEndpoint } from './remote-agent-tool.js';
import { RenderRejection } from './render-result.js';
import { AGENT_PORT_NAME, TOOL_CA_MOUNT_PATH, toolCaFile, toolHeaderEnv } from './runtime-contract.js';
import { toolReferences } from './tool-references.js';
import { serviceDestination, toolServiceSchema, type ToolDestination, type ToolService } from './tool-service.js';

/** An operator environment variable carrying one MCP header's value, straight from its Secret. */
export interface ToolHeaderEnv {
  name: string;
  secretKeyRef: { name: string; key: string };
}

/** One ConfigMap key mounted as a tool's CA file (toolCaFile of the tool's index). */
export interface ToolCaBundle {
  file: string;
  configMapKeyRef: { name: string; key: string };
}

export interface ResolvedTools {
  /** agent.json's `tools`; undefined when the Agent has none. */
  section: ToolsSection | undefined;
  headerEnv: ToolHeaderEnv[];
  /** In tool order. */
  caBundles: ToolCaBundle[];
  /** In tool order, without duplicates. */
  destinations: ToolDestination[];
}

export interface ToolOwner {
  name: string;
  namespace: string;
  allowCrossNamespace: boolean;
}

/** What render reads of an Agent a tool names (the whole cached Agent is given). */
const peerAgentSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string(), namespace: z.string() }),
  spec: z.looseObject({ description: z.string().optional().catch(undefined), a2aConfig: z.unknown().optional() }),
});
type PeerAgent = z.output<typeof peerAgentSchema>;

export const NO_TOOLS: ResolvedTools = { section: undefined, headerEnv: [], caBundles: [], destinations: [] };

export function resolveTools(
  owner: ToolOwner,
  tools: readonly AgentToolEntry[] | undefined,
  found: {
    agents: readonly unknown[];
    /** Those of MCP tools and of the RemoteAgents, as the operator projects them. */
    services: readonly unknown[];
    remoteAgents?: readonly unknown[];
    /** pods.secretReferences.requiredLabel and the namespace's Secrets, when both are known (a RemoteAgent's headers). */
    requiredSecretLabel?: { key: string; value: string; secrets: SecretLookup };
  },
): ResolvedTools {
  if (tools === undefined || tools.length === 0) return NO_TOOLS;
  // Every rule that does not depend on what exists first: a spec that can never work is reported
  // as such, not as "not found" until the user creates the thing and learns the rest.
  tools.forEach((tool, index) => checkReference(owner, tool, index));
  checkToolNamesUnique(owner, tools);

  const agents = found.agents.flatMap((a) => {
    const parsed = peerAgentSchema.safeParse(a);
    return parsed.success ? [parsed.data] : [];
  });
  const services = found.services.flatMap((s) => {
    const parsed = toolServiceSchema.safeParse(s);
    return parsed.success ? [parsed.data] : [];
  });
  const mcpServers: McpServerConfig[] = [];
  const agentTools: AgentToolConfig[] = [];
  const headerEnv: ToolHeaderEnv[] = [];
  const caBundles: ToolCaBundle[] = [];
  const destinations = new Map<string, ToolDestination>();
  const addDestination = (d: ToolDestination) => destinations.set(JSON.stringify([d.namespace, d.podLabels, d.port, d.protocol]), d);

  tools.forEach((tool, index) => {
    const field = `spec.declarative.tools[${index}]`;
    if (tool.mcpServer !== undefined) {
      const { url, destination } = mcpEndpoint(owner, tool.mcpServer, services, `${field}.mcpServer`);
      if (destination !== undefined) addDestination(destination);
      const headers = (tool.mcpServer.headersFrom ?? []).map((header, j) => {
        const env = toolHeaderEnv(index, j);
        headerEnv.push({ name: env, secretKeyRef: { name: header.secretKeyRef.name, key: header.secretKeyRef.key } });
        return { name: header.name, env };
      });
      const { toolNames, requireApproval } = tool.mcpServer;
      mcpServers.push({
        id: `mcp-${index}`,
        url,
        ...(toolNames !== undefined && { toolNames: [...toolNames] }),
        ...(requireApproval !== undefined && { requireApproval: [...requireApproval] }),
        ...(headers.length > 0 && { headers }),
      });
    } else if (tool.agent !== undefined) {
      const namespace = tool.agent.namespace ?? owner.namespace;
      const peer = foundPeer(agents, namespace, tool.agent.name, `${field}.agent`);
      addDestination({ namespace, podLabels: selectorLabels(tool.agent.name), port: AGENT_PORT_NAME, protocol: 'TCP' });
      agentTools.push({
        toolName: tool.agent.name,
        name: tool.agent.name,
        namespace,
        url: inClusterUrl(tool.agent.name, namespace),
        ...(peer.spec.description !== undefined && { description: peer.spec.description }),
        ...(tool.agent.requireApproval !== undefined && { requireApproval: tool.agent.requireApproval }),
      });
    } else if (tool.remoteAgent !== undefined) {
      const remote = remoteAgentEndpoint(owner.namespace, tool.remoteAgent, { remoteAgents: found.remoteAgents ?? [], services, ...(found.requiredSecretLabel && { requiredSecretLabel: found.requiredSecretLabel }) }, `${field}.remoteAgent`);
      if (remote.destination !== undefined) addDestination(remote.destination);
      const headers = remote.headers.map((header, j) => {
        const env = toolHeaderEnv(index, j);
        headerEnv.push({ name: env, secretKeyRef: header.secretKeyRef });
        return { name: header.name, env };
      });
      if (remote.caBundle !== undefined) caBundles.push({ file: toolCaFile(index), configMapKeyRef: remote.caBundle });
      agentTools.push({
        toolName: tool.remoteAgent.name,
        name: tool.remoteAgent.name,
        namespace: tool.remoteAgent.namespace ?? owner.namespace,
        url: remote.url,
        ...(remote.description !== undefined && { description: remote.description }),
        ...(tool.remoteAgent.requireApproval !== undefined && { requireApproval: tool.remoteAgent.requireApproval }),
        // 1.0 is what an absent version means: written only when it is not that.
        ...(remote.protocolVersion !== '1.0' && { protocolVersion: remote.protocolVersion }),
        ...(headers.length > 0 && { headers }),
        ...(remote.caBundle !== undefined && { caFile: `${TOOL_CA_MOUNT_PATH}/${toolCaFile(index)}` }),
      });
    }
  });
  const section: ToolsSection = {
    ...(mcpServers.length > 0 && { mcpServers }),
    ...(agentTools.length > 0 && { agents: agentTools }),
  };
  return { section, headerEnv, caBundles, destinations: [...destinations.values()] };
}

/**
 * The callers this Agent's NetworkPolicy must admit: those of the given Agents whose tools really
 * name it under rules that let them (a refused reference gets no hole in the peer's policy), sorted
 * by namespace and name so the policy does not change with cache order. An agent that does not speak
 * A2A is nobody's tool: it admits no caller.
 */
export function admittedCallers(owner: ToolOwner & { speaksA2A: boolean }, callers: readonly unknown[]): { namespace: string; name: string }[] {
  if (!owner.speaksA2A) return [];
  const admitted = new Map<string, { namespace: string; name: string }>();
  for (const caller of callers) {
    const identity = peerAgentSchema.safeParse(caller);
    if (!identity.success) continue;
    const { name, namespace } = identity.data.metadata;
    if (name === owner.name && namespace === owner.namespace) continue;
    if (namespace !== owner.namespace && !owner.allowCrossNamespace) continue;
    const callsOwner = toolReferences(caller).agents.some((ref) => ref.name === owner.name && ref.namespace === owner.namespace);
    if (callsOwner) admitted.set(`${namespace}/${name}`, { namespace, name });
  }
  return [...admitted.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, caller]) => caller);
}

function checkReference(owner: ToolOwner, tool: AgentToolEntry, index: number): void {
  const field = `spec.declarative.tools[${index}]`;
  if (tool.agent !== undefined) {
    const namespace = tool.agent.namespace ?? owner.namespace;
    if (tool.agent.name === owner.name && namespace === owner.namespace) {
      throw new RenderRejection(ConditionReason.InvalidTool, `${field}.agent: an Agent cannot be its own tool`);
    }
    checkNamespace(owner, namespace, `${field}.agent.namespace`);
  }
  if (tool.remoteAgent !== undefined) checkNamespace(owner, tool.remoteAgent.namespace ?? owner.namespace, `${field}.remoteAgent.namespace`);
  const service = tool.mcpServer?.service;
  if (service !== undefined) checkNamespace(owner, service.namespace ?? owner.namespace, `${field}.mcpServer.service.namespace`);
}

function checkNamespace(owner: ToolOwner, namespace: string, field: string): void {
  if (namespace === owner.namespace || owner.allowCrossNamespace) return;
  throw new RenderRejection(
    ConditionReason.InvalidTool,
    `${field}: ${JSON.stringify(namespace)} is not allowed: the operator configuration allows tools only in the agent's own namespace ${JSON.stringify(owner.namespace)} (tools.allowCrossNamespaceReferences: false)`,
  );
}

/** The model calls an Agent or RemoteAgent tool by its name: two of the same name would be one tool. */
function checkToolNamesUnique(owner: ToolOwner, tools: readonly AgentToolEntry[]): void {
  const seen = new Map<string, number>();
  tools.forEach((tool, index) => {
    const peer = tool.agent !== undefined ? { field: 'agent', kind: 'Agent', ref: tool.agent } : tool.remoteAgent !== undefined ? { field: 'remoteAgent', kind: 'RemoteAgent', ref: tool.remoteAgent } : undefined;
    if (peer === undefined) return;
    const first = seen.get(peer.ref.name);
    if (first !== undefined) {
      throw new RenderRejection(
        ConditionReason.InvalidTool,
        `spec.declarative.tools[${index}].${peer.field}: the ${peer.kind} ${JSON.stringify(`${peer.ref.namespace ?? owner.namespace}/${peer.ref.name}`)} would be offered to the model under the tool name ${JSON.stringify(peer.ref.name)}, which spec.declarative.tools[${first}] already uses`,
      );
    }
    seen.set(peer.ref.name, index);
  });
}

function foundPeer(agents: readonly PeerAgent[], namespace: string, name: string, field: string): PeerAgent {
  const peer = agents.find((a) => a.metadata.name === name && a.metadata.namespace === namespace);
  const label = JSON.stringify(`${namespace}/${name}`);
  if (peer === undefined) throw new RenderRejection(ConditionReason.ToolNotFound, `${field}: Agent ${label} not found`);
  if (peer.spec.a2aConfig === undefined || peer.spec.a2aConfig === null) {
    throw new RenderRejection(ConditionReason.InvalidTool, `${field}: Agent ${label} does not speak A2A (it has no spec.a2aConfig), so it cannot be called as a tool`);
  }
  return peer;
}

/** The server's URL and, for a Service, the pods and port its NetworkPolicy egress must open. */
function mcpEndpoint(owner: ToolOwner, server: McpServerTool, services: readonly ToolService[], field: string): { url: string; destination?: ToolDestination } {
  const ref = server.service;
  if (ref === undefined) return { url: server.url ?? '' };
  const namespace = ref.namespace ?? owner.namespace;
  const destination = serviceDestination(services, { namespace, name: ref.name, port: ref.port }, {
    field: `${field}.service`,
    portField: `${field}.service.port`,
    subject: `Service ${JSON.stringify(`${namespace}/${ref.name}`)}`,
    alternative: "use mcpServer.url and allow the server's address with spec.exposure.networkPolicy.egressTo",
  });
  return { url: `http://${ref.name}.${namespace}.svc:${ref.port}${ref.path ?? DEFAULT_MCP_PATH}`, destination };
}
