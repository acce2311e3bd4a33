// kagent's `Tool` (agent_types.go): an MCP server (a kmcp MCPServer, a RemoteMCPServer or a Service,
// named by kind) with the tools to offer and those that need approval, or another Agent; each with
// headers from values or ConfigMap/Secret keys. The validation rules are kagent's CEL rules.
import { z } from 'zod';

import { typedReferenceSchema, typedReferenceShape } from './kagent-reference.js';
import { valueRefSchema } from './kagent-value-source.js';

export const mcpServerToolSchema = z
  .looseObject({
    ...typedReferenceShape,
    toolNames: z.array(z.string()).optional(),
    requireApproval: z.array(z.string()).optional(),
    allowedHeaders: z.array(z.string()).optional(),
    stsAudience: z.string().optional(),
  })
  .refine((m) => m.requireApproval === undefined || m.toolNames === undefined || m.requireApproval.every((t) => m.toolNames?.includes(t) === true), {
    message: 'each requireApproval entry must also appear in toolNames',
    path: ['requireApproval'],
  });
export type KagentMcpServerTool = z.output<typeof mcpServerToolSchema>;

export const MCP_SERVER_TOOL = 'McpServer';
export const AGENT_TOOL = 'Agent';

export const toolSchema = z
  .looseObject({
    type: z.string().optional(),
    mcpServer: mcpServerToolSchema.optional(),
    agent: typedReferenceSchema.optional(),
    headersFrom: z.array(valueRefSchema).optional(),
  })
  .refine((t) => t.mcpServer === undefined || t.type === MCP_SERVER_TOOL, { message: 'type.mcpServer must be nil if the type is not McpServer' })
  .refine((t) => t.type !== MCP_SERVER_TOOL || t.mcpServer !== undefined, { message: 'type.mcpServer must be specified for McpServer filter.type' })
  .refine((t) => t.agent === undefined || t.type === AGENT_TOOL, { message: 'type.agent must be nil if the type is not Agent' })
  .refine((t) => t.type !== AGENT_TOOL || t.agent !== undefined, { message: 'type.agent must be specified for Agent filter.type' });
export type KagentTool = z.output<typeof toolSchema>;
