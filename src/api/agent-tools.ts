// `spec.declarative.tools`: what a Declarative Agent may call while it answers: MCP servers (by URL or
// by Service), other Agents and RemoteAgents (both over A2A). The operator resolves each into
// agent.json and opens exactly those destinations in the agent's NetworkPolicy; Secrets reach the
// pod only as env vars.
import { z } from 'zod';

import { celRule } from './cel-rule.js';
import { endpointPathSchema } from './endpoint-path.js';
import { HTTP_URL_CEL, URL_USERINFO_CEL, hasUserInfo, isHttpUrl } from './http-url.js';
import { int32 } from './integer-formats.js';
import { keySelectorSchema } from './key-selector.js';
import { listMapKeys, listSet } from './kubernetes-lists.js';
import { dns1035Label, dns1123Label } from './kubernetes-names.js';

/** What every model provider accepts as a function name (OpenAI's rule is the strictest). */
export const toolNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, { message: "must consist of letters, digits, '_' or '-'" });

const toolNameList = z.array(toolNameSchema).max(128).check(listSet<string>());

export const mcpServiceRefSchema = z
  .object({
    name: dns1035Label(63).describe('Name of the Service of the MCP server.'),
    namespace: dns1123Label()
      .optional()
      .describe("Namespace of the Service; the Agent's own by default. Another namespace only where the operator config allows it."),
    port: int32().min(1).max(65535).describe('Port of the Service.'),
    path: endpointPathSchema('/mcp')
      .optional()
      .describe('HTTP path of the MCP endpoint; /mcp by default.'),
  })
  .describe('An MCP server in the cluster, reached through its Service.');
export type McpServiceRef = z.output<typeof mcpServiceRefSchema>;

export const DEFAULT_MCP_PATH = '/mcp';

export const headerFromSecretSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { message: 'must be an HTTP header name' })
    .describe('Name of the HTTP header, such as Authorization.'),
  secretKeyRef: keySelectorSchema.describe('The Secret key holding the header value, in the same namespace.'),
});
export type HeaderFromSecret = z.output<typeof headerFromSecretSchema>;

const mcpUrlSchema = z
  .string()
  .min(1)
  .max(2048)
  .check(
    celRule<string>({ rule: HTTP_URL_CEL, message: 'url must be an absolute http or https URL, such as https://mcp.example.com/mcp', holds: isHttpUrl }),
    // The URL is written into the agent's ConfigMap: credentials belong in headersFrom.
    celRule<string>({ rule: URL_USERINFO_CEL, message: 'url must not contain credentials (user:password@); use headersFrom', holds: (u) => !hasUserInfo(u) }),
  );

const mcpServerFields = z.object({
  url: mcpUrlSchema.optional().describe('URL of the MCP endpoint (Streamable HTTP, with SSE as fallback).'),
  service: mcpServiceRefSchema.optional(),
  toolNames: toolNameList.optional().describe('Only these tools of the server are offered to the model; all of them when unset.'),
  requireApproval: toolNameList.optional().describe('Tools whose calls wait for the user to approve them (the task asks, in TASK_STATE_INPUT_REQUIRED).'),
  headersFrom: z
    .array(headerFromSecretSchema)
    .max(16)
    .check(listMapKeys<HeaderFromSecret>('name'))
    .optional()
    .describe('HTTP headers sent to the server, each from a Secret key (never written to the ConfigMap).'),
});
type McpServerFields = z.output<typeof mcpServerFields>;

export const mcpServerToolSchema = mcpServerFields
  .check(
    celRule<McpServerFields>({
      rule: 'has(self.url) != has(self.service)',
      message: 'exactly one of url or service must be set',
      holds: (m) => (m.url === undefined) !== (m.service === undefined),
    }),
    celRule<McpServerFields>({
      rule: '!has(self.requireApproval) || !has(self.toolNames) || self.requireApproval.all(t, t in self.toolNames)',
      message: 'requireApproval may only name tools listed in toolNames',
      fieldPath: '.requireApproval',
      holds: (m) => m.requireApproval === undefined || m.toolNames === undefined || m.requireApproval.every((t) => m.toolNames?.includes(t) === true),
    }),
  )
  .describe('An MCP server whose tools the agent may call.');
export type McpServerTool = z.output<typeof mcpServerToolSchema>;

/** An Agent or RemoteAgent tool: the model asks it by its name, over A2A. */
function peerToolSchema(kind: 'Agent' | 'RemoteAgent', namespaceRule: string, description: string) {
  return z
    .object({
      name: dns1035Label(63).describe(`Name of the ${kind}.`),
      namespace: dns1123Label()
        .optional()
        .describe(`Namespace of the ${kind}; the calling Agent's own by default. ${namespaceRule}`),
      requireApproval: z.boolean().optional().describe('Each call waits for the user to approve it.'),
    })
    .describe(description);
}

export const agentToolSchema = peerToolSchema(
  'Agent',
  'Another namespace only where the operator config allows it.',
  'Another Agent, called over A2A at its in-cluster URL; it must speak A2A (have a2aConfig).',
);
export type AgentTool = z.output<typeof agentToolSchema>;

export const remoteAgentToolSchema = peerToolSchema(
  'RemoteAgent',
  'Another namespace only where the operator config allows it, and only for a RemoteAgent without headersFrom.',
  'A RemoteAgent (an A2A server Agentry does not run), called over A2A at its endpoint with its headersFrom; it must be Accepted.',
);
export type RemoteAgentTool = z.output<typeof remoteAgentToolSchema>;

const toolFields = z.object({
  mcpServer: mcpServerToolSchema.optional(),
  agent: agentToolSchema.optional(),
  remoteAgent: remoteAgentToolSchema.optional(),
});
type ToolFields = z.output<typeof toolFields>;

export const agentToolEntrySchema = toolFields
  .check(
    celRule<ToolFields>({
      rule: '(has(self.mcpServer) ? 1 : 0) + (has(self.agent) ? 1 : 0) + (has(self.remoteAgent) ? 1 : 0) == 1',
      message: 'exactly one of mcpServer, agent or remoteAgent must be set',
      holds: (t) => [t.mcpServer, t.agent, t.remoteAgent].filter((source) => source !== undefined).length === 1,
    }),
  )
  .describe('One tool source: an MCP server, another Agent or a RemoteAgent.');
export type AgentToolEntry = z.output<typeof agentToolEntrySchema>;

export const MAX_TOOLS = 32;
export const agentToolsSchema = z.array(agentToolEntrySchema).max(MAX_TOOLS).describe('Tools the agent may call: MCP servers, other Agents and RemoteAgents.');
