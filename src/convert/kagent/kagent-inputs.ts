// The kagent objects of one conversion, by namespace and name: what Agents refer to (ModelConfigs,
// MCP servers, Services, other Agents) is looked up here, and whoever looks something up is
// recorded, so that an MCP server no converted Agent uses can be reported as such.
import type { ObjectReport } from '../conversion-report.js';
import type { RemoteServerTarget } from './convert-remote-mcp-server.js';
import type { KagentAgent } from './kagent-agent.js';
import type { McpServer, KubernetesService, RemoteMcpServer } from './kagent-mcp-server.js';
import type { KagentModelConfig } from './kagent-model-config.js';

/** `namespace/name`; objects that name no namespace share the empty one (the namespace kubectl applies them to). */
export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export interface Entry<T> {
  object: T;
  /** Where it came from, for messages. */
  location: string;
}

export interface UsedServer<T> extends Entry<T> {
  /** Subjects of the Agents whose tools use it. */
  usedBy: Set<string>;
  report: ObjectReport;
}

export class KagentInputs {
  readonly agents = new Map<string, Entry<KagentAgent>>();
  readonly modelConfigs = new Map<string, Entry<KagentModelConfig>>();
  readonly remoteMcpServers = new Map<string, UsedServer<RemoteMcpServer> & { target?: RemoteServerTarget }>();
  readonly mcpServers = new Map<string, UsedServer<McpServer>>();
  readonly services = new Map<string, Entry<KubernetesService>>();
  /** ModelConfigs of the input that could not be converted. */
  readonly unconvertedModelConfigs = new Set<string>();
}
