// The MCP servers a kagent tool names, read only for what Agentry's tools need from them: the URL
// and headers of a `RemoteMCPServer` (kagent.dev/v1alpha2, remotemcpserver_types.go), the port of a
// kmcp `MCPServer` (kagent calls it at http://{name}.{namespace}:{spec.deployment.port}/mcp), and
// the port and path of a plain `Service` (kagent's kagent.dev/mcp-service-* annotations, or its
// only port).
import { z } from 'zod';

import { KAGENT_V1ALPHA2 } from './kagent-api.js';
import { objectMetaSchema } from './kagent-object-meta.js';
import { valueRefSchema } from './kagent-value-source.js';

export const remoteMcpServerSpecSchema = z.looseObject({
  description: z.string().optional(),
  protocol: z.enum(['SSE', 'STREAMABLE_HTTP']).optional(),
  url: z.string().min(1),
  headersFrom: z.array(valueRefSchema).optional(),
  timeout: z.string().optional(),
  sseReadTimeout: z.string().optional(),
  terminateOnClose: z.boolean().optional(),
  allowedNamespaces: z.unknown().optional(),
  tls: z.unknown().optional(),
  stsAudience: z.string().optional(),
});

/** Defaults of kagent's RemoteMCPServer CRD: exported objects carry them, and they say nothing. */
export const REMOTE_MCP_SERVER_DEFAULTS = { timeout: '30s', terminateOnClose: true } as const;

export const remoteMcpServerSchema = z.looseObject({
  apiVersion: z.literal(KAGENT_V1ALPHA2),
  kind: z.literal('RemoteMCPServer'),
  metadata: objectMetaSchema,
  spec: remoteMcpServerSpecSchema,
});
export type RemoteMcpServer = z.output<typeof remoteMcpServerSchema>;

export const mcpServerSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('MCPServer'),
  metadata: objectMetaSchema,
  spec: z.looseObject({ deployment: z.looseObject({ port: z.int().min(1).max(65535).optional() }).optional() }).optional(),
});
export type McpServer = z.output<typeof mcpServerSchema>;

export const MCP_SERVICE_PORT_ANNOTATION = 'kagent.dev/mcp-service-port';
export const MCP_SERVICE_PATH_ANNOTATION = 'kagent.dev/mcp-service-path';
export const MCP_SERVICE_DEFAULT_PATH = '/mcp';

export const serviceSchema = z.looseObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Service'),
  metadata: objectMetaSchema,
  spec: z
    .looseObject({
      ports: z.array(z.looseObject({ name: z.string().optional(), port: z.int(), appProtocol: z.string().optional() })).optional(),
    })
    .optional(),
});
export type KubernetesService = z.output<typeof serviceSchema>;
