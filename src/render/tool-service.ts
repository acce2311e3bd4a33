// What render reads of a Service that a tool reaches (an MCP tool's `mcpServer.service`, a RemoteAgent's
// `spec.service`), the egress destination it becomes, and the projection the operator caches of every
// Service in the namespaces it watches: identity, type, selector and ports, nothing else. Those
// Services are not the operator's (any tenant creates them), so keeping them whole would let a tenant
// grow the operator's memory with annotations and fields it never reads.
import { z } from 'zod';

import { ConditionReason } from '../api/condition.js';
import { toKubeObject, type KubeObject } from '../kube/kube-object.js';
import { RenderRejection } from './render-result.js';
import { sortedRecord } from './sorted-keys.js';

export type PortProtocol = 'TCP' | 'UDP' | 'SCTP';

/** Pods one tool reaches: NetworkPolicy matches pod ports, after a Service has translated its port. */
export interface ToolDestination {
  namespace: string;
  podLabels: Record<string, string>;
  port: number | string;
  protocol: PortProtocol;
}

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
    // What a RemoteAgent's card fetch connects to (spec.service): an address, never DNS.
    clusterIP: z.string().max(64).optional(),
    externalName: z.string().max(253).optional(),
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

/** How a Service lookup's failures name what the user wrote. */
export interface ServiceReferenceWords {
  /** The field a missing or pod-less Service is reported on. */
  field: string;
  /** The field a port the Service lacks is reported on. */
  portField: string;
  /** Who names the Service, for the message: `Service "ns/name"` or `the Service "ns/name" of RemoteAgent "ns/ra"`. */
  subject: string;
  /** What to do instead when the Service selects no pods. */
  alternative: string;
}

/**
 * The pods behind `ref` on the port it names (the Service's targetPort: policies match pod ports),
 * or why the agent's NetworkPolicy cannot open it. Throws RenderRejection.
 */
export function serviceDestination(
  services: readonly ToolService[],
  ref: { namespace: string; name: string; port: number },
  words: ServiceReferenceWords,
): ToolDestination {
  const found = services.find((s) => s.metadata.name === ref.name && s.metadata.namespace === ref.namespace);
  if (found === undefined) throw new RenderRejection(ConditionReason.ToolNotFound, `${words.field}: ${words.subject} not found`);
  const selector = found.spec.selector ?? {};
  if (found.spec.type === 'ExternalName' || Object.keys(selector).length === 0) {
    throw new RenderRejection(
      ConditionReason.InvalidTool,
      `${words.field}: ${words.subject} selects no pods (an ExternalName Service, or one with manually managed endpoints), so the agent's NetworkPolicy cannot open it; ${words.alternative}`,
    );
  }
  const ports = found.spec.ports ?? [];
  const port = ports.find((p) => p.port === ref.port);
  if (port === undefined) {
    const has = ports.length > 0 ? `its ports: ${ports.map((p) => p.port).join(', ')}` : 'it has none';
    throw new RenderRejection(ConditionReason.InvalidTool, `${words.portField}: ${words.subject} has no port ${ref.port} (${has})`);
  }
  return { namespace: ref.namespace, podLabels: sortedRecord(selector), port: port.targetPort ?? port.port, protocol: port.protocol ?? 'TCP' };
}
