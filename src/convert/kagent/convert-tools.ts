// kagent's tools → Agentry's `spec.declarative.tools`. An MCP server named by kind becomes what
// Agentry calls: a kmcp MCPServer its Service (on the MCPServer's port), a Service itself (port and
// path from kagent's annotations, as kagent reads them), a RemoteMCPServer its URL and headers. What
// lives in another object is taken from the input; when that object is not there the tool is left
// out and the report says what to fill in.
import type { z } from 'zod';

import type { AgentToolEntry, HeaderFromSecret, McpServiceRef } from '../../api/agent-tools.js';
import { agentToolEntrySchema, toolNameSchema } from '../../api/agent-tools.js';
import { fitAgentry } from '../agentry-fit.js';
import type { FieldPath, ObjectReport } from '../conversion-report.js';
import { isUnset, reportUnknownFields } from '../unconverted-fields.js';
import { convertHeaders, mergeHeaders } from './convert-headers.js';
import { convertRemoteServerTarget } from './convert-remote-mcp-server.js';
import { KAGENT_GROUP, KMCP_DEFAULT_PORT } from './kagent-api.js';
import { objectKey } from './kagent-inputs.js';
import type { KagentInputs } from './kagent-inputs.js';
import { MCP_SERVICE_DEFAULT_PATH, MCP_SERVICE_PATH_ANNOTATION, MCP_SERVICE_PORT_ANNOTATION } from './kagent-mcp-server.js';
import type { KubernetesService } from './kagent-mcp-server.js';
import { typedReferenceSchema } from './kagent-reference.js';
import { AGENT_TOOL, MCP_SERVER_TOOL, mcpServerToolSchema, toolSchema } from './kagent-tool.js';
import type { KagentMcpServerTool, KagentTool } from './kagent-tool.js';

export type AgentToolEntryInput = z.input<typeof agentToolEntrySchema>;

export interface ToolOwner {
  name: string;
  namespace: string | undefined;
  /** `Agent finance/expense-processor`: recorded on the MCP servers it uses. */
  subject: string;
}

export const CROSS_NAMESPACE =
  'another namespace: Agentry calls tools in other namespaces only where the operator configuration allows it (tools.allowCrossNamespaceReferences: true)';

const WHY = {
  allowedHeaders: 'Agentry does not forward headers of the A2A request to MCP servers',
  stsAudience: 'Agentry does not exchange tokens for MCP calls',
  agentHeaders: 'Agentry sends no custom headers to Agent tools',
} as const;

type Target = { url: string; headers: HeaderFromSecret[] } | { service: McpServiceRef; headers: HeaderFromSecret[] };

export function convertTools(tools: readonly KagentTool[], owner: ToolOwner, path: FieldPath, report: ObjectReport, inputs: KagentInputs): AgentToolEntry[] {
  return tools.flatMap((tool, index) => {
    const where = [...path, index];
    reportUnknownFields(report, where, tool, toolSchema);
    if (tool.type === MCP_SERVER_TOOL && tool.mcpServer !== undefined) return convertMcpTool(tool, tool.mcpServer, owner, where, report, inputs) ?? [];
    if (tool.type === AGENT_TOOL && tool.agent !== undefined) return convertAgentTool(tool, owner, where, report) ?? [];
    report.notConverted(where, `tool type ${JSON.stringify(tool.type ?? '')} has no Agentry equivalent (Agentry's tools are MCP servers and Agents)`);
    return [];
  });
}

function convertMcpTool(
  tool: KagentTool,
  server: KagentMcpServerTool,
  owner: ToolOwner,
  path: FieldPath,
  report: ObjectReport,
  inputs: KagentInputs,
): AgentToolEntry | undefined {
  const serverPath = [...path, 'mcpServer'];
  reportUnknownFields(report, serverPath, server, mcpServerToolSchema);
  if (!isUnset(server.allowedHeaders)) report.notConverted([...serverPath, 'allowedHeaders'], WHY.allowedHeaders);
  if (!isUnset(server.stsAudience)) report.notConverted([...serverPath, 'stsAudience'], WHY.stsAudience);
  const refused = [...(server.toolNames ?? []), ...(server.requireApproval ?? [])].filter((name) => !toolNameSchema.safeParse(name).success);
  if (refused.length > 0) {
    report.notConverted(
      serverPath,
      `${refused.map((n) => JSON.stringify(n)).join(', ')} ${refused.length === 1 ? 'is not a tool name' : 'are not tool names'} Agentry accepts (letters, digits, '_' and '-', at most 64 characters): the tool was left out rather than offered with fewer restrictions`,
    );
    return undefined;
  }
  const target = resolveTarget(server, owner, serverPath, report, inputs);
  if (target === undefined) return undefined;
  const headers = mergeHeaders(target.headers, convertHeaders(tool.headersFrom ?? [], [...path, 'headersFrom'], report));
  const entry: AgentToolEntryInput = {
    mcpServer: {
      ...('url' in target ? { url: target.url } : { service: target.service }),
      ...(isUnset(server.toolNames) ? {} : { toolNames: server.toolNames }),
      ...(isUnset(server.requireApproval) ? {} : { requireApproval: server.requireApproval }),
      ...(headers.length === 0 ? {} : { headersFrom: headers }),
    },
  };
  return fitAgentry(agentToolEntrySchema, entry, serverPath, report);
}

function resolveTarget(server: KagentMcpServerTool, owner: ToolOwner, path: FieldPath, report: ObjectReport, inputs: KagentInputs): Target | undefined {
  const group = server.apiGroup ?? '';
  const kind = server.kind ?? '';
  const kagentGroup = group === '' || group === KAGENT_GROUP;
  if (kagentGroup && (kind === '' || kind === 'MCPServer')) return mcpServerTarget(server, owner, path, report, inputs);
  if (kagentGroup && kind === 'RemoteMCPServer') return remoteServerTarget(server, owner, path, report, inputs);
  if ((group === '' || group === 'core') && kind === 'Service') return serviceTarget(server, owner, path, report, inputs);
  report.notConverted(
    path,
    `kind ${JSON.stringify(kind)}${group === '' ? '' : ` (apiGroup ${JSON.stringify(group)})`} is not an MCP server Agentry can call: it calls kmcp MCPServers, RemoteMCPServers and Services`,
  );
  return undefined;
}

/** kagent calls a kmcp MCPServer at http://{name}.{namespace}:{spec.deployment.port}/mcp: its Service. */
function mcpServerTarget(server: KagentMcpServerTool, owner: ToolOwner, path: FieldPath, report: ObjectReport, inputs: KagentInputs): Target | undefined {
  const namespace = server.namespace ?? owner.namespace;
  const found = inputs.mcpServers.get(objectKey(namespace, server.name));
  if (found === undefined) {
    report.notConverted(
      path,
      `the MCPServer ${JSON.stringify(server.name)} is not in the input, so its port is unknown: pass its manifest with -f, or add the tool by hand as mcpServer: {service: {name: ${server.name}, port: <its spec.deployment.port, ${KMCP_DEFAULT_PORT} by default>}}`,
    );
    return undefined;
  }
  found.usedBy.add(owner.subject);
  const port = found.object.spec?.deployment?.port ?? KMCP_DEFAULT_PORT;
  return { service: serviceRef(server, owner, path, report, port, undefined), headers: [] };
}

/** kagent reads a Service's MCP port and path from its annotations, else takes its only port (or the one with appProtocol mcp). */
function serviceTarget(server: KagentMcpServerTool, owner: ToolOwner, path: FieldPath, report: ObjectReport, inputs: KagentInputs): Target | undefined {
  const found = inputs.services.get(objectKey(server.namespace ?? owner.namespace, server.name));
  if (found === undefined) {
    report.notConverted(
      path,
      `the Service ${JSON.stringify(server.name)} is not in the input, so its MCP port is unknown: pass its manifest with -f, or add the tool by hand as mcpServer: {service: {name: ${server.name}, port: <its ${MCP_SERVICE_PORT_ANNOTATION} annotation or its port>, path: <its ${MCP_SERVICE_PATH_ANNOTATION} annotation, ${MCP_SERVICE_DEFAULT_PATH} by default>}}`,
    );
    return undefined;
  }
  const annotatedPort = found.object.metadata.annotations?.[MCP_SERVICE_PORT_ANNOTATION];
  if (annotatedPort !== undefined && !/^[0-9]+$/.test(annotatedPort)) {
    report.notConverted(path, `the ${MCP_SERVICE_PORT_ANNOTATION} annotation of the Service ${JSON.stringify(server.name)} (${JSON.stringify(annotatedPort)}) is not a port number: kagent refuses it too`);
    return undefined;
  }
  const port = servicePort(found.object);
  if (port === undefined) {
    report.notConverted(
      path,
      `the Service ${JSON.stringify(server.name)} has no ${MCP_SERVICE_PORT_ANNOTATION} annotation, several ports and none with appProtocol mcp: kagent cannot call it either`,
    );
    return undefined;
  }
  const annotatedPath = found.object.metadata.annotations?.[MCP_SERVICE_PATH_ANNOTATION];
  const mcpPath = annotatedPath === undefined || annotatedPath === MCP_SERVICE_DEFAULT_PATH ? undefined : annotatedPath;
  return { service: serviceRef(server, owner, path, report, port, mcpPath), headers: [] };
}

function servicePort(service: KubernetesService): number | undefined {
  const annotated = service.metadata.annotations?.[MCP_SERVICE_PORT_ANNOTATION];
  if (annotated !== undefined) return Number(annotated);
  const ports = service.spec?.ports ?? [];
  if (ports.length === 1) return ports[0]?.port;
  return ports.find((p) => p.appProtocol?.toLowerCase() === 'mcp')?.port;
}

function serviceRef(server: KagentMcpServerTool, owner: ToolOwner, path: FieldPath, report: ObjectReport, port: number, mcpPath: string | undefined): McpServiceRef {
  const otherNamespace = server.namespace !== undefined && server.namespace !== owner.namespace;
  if (otherNamespace) report.attention([...path, 'namespace'], CROSS_NAMESPACE);
  return {
    name: server.name,
    ...(otherNamespace ? { namespace: server.namespace } : {}),
    port,
    ...(mcpPath === undefined ? {} : { path: mcpPath }),
  };
}

function remoteServerTarget(server: KagentMcpServerTool, owner: ToolOwner, path: FieldPath, report: ObjectReport, inputs: KagentInputs): Target | undefined {
  const found = inputs.remoteMcpServers.get(objectKey(server.namespace ?? owner.namespace, server.name));
  if (found === undefined) {
    report.notConverted(
      path,
      `the RemoteMCPServer ${JSON.stringify(server.name)} is not in the input, so its URL is unknown: pass its manifest with -f, or add the tool by hand as mcpServer: {url: <its spec.url>}`,
    );
    return undefined;
  }
  found.usedBy.add(owner.subject);
  // Converted (and reported) once, however many tools use it.
  const target = found.target ?? convertRemoteServerTarget(found.object, found.report);
  found.target = target;
  if (target.url === undefined) {
    report.notConverted(path, `the URL of the RemoteMCPServer ${JSON.stringify(server.name)} is not one Agentry accepts (see that RemoteMCPServer)`);
    return undefined;
  }
  const service = inClusterService(target.url);
  if (service !== undefined) {
    const namespace = service.namespace === owner.namespace ? '' : `, namespace: ${service.namespace}`;
    report.attention(
      path,
      `converted to the URL ${target.url}, which looks like the in-cluster Service ${service.namespace}/${service.name}: the NetworkPolicy Agentry puts around the agent opens nothing for a URL tool, so allow that egress (operator configuration, or spec.exposure.networkPolicy.egressTo), or name the Service instead: mcpServer: {service: {name: ${service.name}${namespace}, port: ${service.port}, path: ${service.path}}}`,
    );
  }
  return { url: target.url, headers: target.headers };
}

/** `http://{service}.{namespace}[.svc[.cluster.local]]:{port}/path`, as kagent recognises in-cluster URLs. */
function inClusterService(url: string): { name: string; namespace: string; port: number; path: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = /^([a-z]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.svc(\.cluster\.local)?)?$/.exec(parsed.hostname);
  if (parsed.protocol !== 'http:' || host === null) return undefined;
  // Two labels alone could be a public name (example.com): only with an explicit port, as in-cluster URLs are written.
  if (host[5] === undefined && parsed.port === '') return undefined;
  const [, name = '', , namespace = ''] = host;
  return { name, namespace, port: parsed.port === '' ? 80 : Number(parsed.port), path: parsed.pathname === '' ? '/' : parsed.pathname };
}

function convertAgentTool(tool: KagentTool, owner: ToolOwner, path: FieldPath, report: ObjectReport): AgentToolEntry | undefined {
  const agent = tool.agent;
  if (agent === undefined) return undefined;
  const agentPath = [...path, 'agent'];
  reportUnknownFields(report, agentPath, agent, typedReferenceSchema);
  const group = agent.apiGroup ?? '';
  const kind = agent.kind ?? '';
  if (!(group === '' || group === KAGENT_GROUP) || !(kind === '' || kind === 'Agent')) {
    report.notConverted(agentPath, `kind ${JSON.stringify(kind)} is not an Agent: Agentry's Agent tools call Agents`);
    return undefined;
  }
  if (!isUnset(tool.headersFrom)) report.notConverted([...path, 'headersFrom'], WHY.agentHeaders);
  const otherNamespace = agent.namespace !== undefined && agent.namespace !== owner.namespace;
  if (otherNamespace) report.attention([...agentPath, 'namespace'], CROSS_NAMESPACE);
  const entry: AgentToolEntryInput = { agent: { name: agent.name, ...(otherNamespace ? { namespace: agent.namespace } : {}) } };
  return fitAgentry(agentToolEntrySchema, entry, agentPath, report);
}
