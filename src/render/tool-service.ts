// What render reads of a Service that an MCP tool names (`mcpServer.service`), and the projection the
// operator caches of every Service in the namespaces it watches: identity, type, selector and ports,
// nothing else. Those Services are not the operator's (any tenant creates them), so keeping them
// whole would let a tenant grow the operator's memory with annotations and fields it never reads.
import { z } from 'zod';

import { toKubeObject, type KubeObject } from '../kube/kube-object.js';

const servicePortSchema = z.object({
  name: z.string().optional(),
  port: z.number().int(),
  targetPort: z.union([z.number().int(), z.string()]).optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
});

export const toolServiceSchema = z.object({
  metadata: z.object({ name: z.string(), namespace: z.string() }),
  spec: z.object({
    type: z.string().optional(),
    selector: z.record(z.string(), z.string()).optional(),
    ports: z.array(servicePortSchema).optional(),
  }),
});
export type ToolService = z.output<typeof toolServiceSchema>;

const projectionSchema = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
  }),
  spec: toolServiceSchema.shape.spec.optional().catch(undefined),
});

/**
 * The cached form of a Service: a zod parse strips every field the schema does not name. A spec
 * render could not read is dropped (the Service then counts as selecting no pods), never the object:
 * its delete must still reach the cache.
 */
export function toolServiceProjection(service: KubeObject): KubeObject {
  const parsed = projectionSchema.safeParse(service);
  const metadata = parsed.success ? parsed.data.metadata : { name: service.metadata.name, namespace: service.metadata.namespace };
  const spec = parsed.success ? (parsed.data.spec ?? {}) : {};
  // Rebuilt by the JSON parser, as child-cache.ts does: V8 sizes those objects exactly.
  return toKubeObject(JSON.parse(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata, spec })));
}
