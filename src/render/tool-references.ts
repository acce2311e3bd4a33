// Which Agents and Services an Agent's tools name, with their namespaces defaulted to the Agent's.
// One reading of `spec.declarative.tools` for the three places that need it: render (is this caller
// really calling me?), the operator's cache indexes (who calls whom) and its event mappers. It is
// tolerant: it reads any cached object, valid or not, and skips what does not look like a reference
// (render's own validation reports the problem on the Agent).
import { z } from 'zod';

export interface ToolReference {
  /** The index in spec.declarative.tools. */
  index: number;
  namespace: string;
  name: string;
}

export interface ToolReferences {
  agents: ToolReference[];
  services: ToolReference[];
}

const referenceSchema = z.looseObject({ name: z.string().min(1), namespace: z.string().min(1).optional() });

const toolSchema = z.looseObject({
  agent: referenceSchema.optional().catch(undefined),
  mcpServer: z.looseObject({ service: referenceSchema.optional().catch(undefined) }).optional().catch(undefined),
});

const agentSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().min(1) }),
  spec: z.looseObject({
    type: z.literal('Declarative'),
    declarative: z.looseObject({ tools: z.array(z.unknown()) }),
  }),
});

const NONE: ToolReferences = { agents: [], services: [] };

export function toolReferences(agent: unknown): ToolReferences {
  const parsed = agentSchema.safeParse(agent);
  if (!parsed.success) return NONE;
  const own = parsed.data.metadata.namespace;
  const references: ToolReferences = { agents: [], services: [] };
  parsed.data.spec.declarative.tools.forEach((entry, index) => {
    const tool = toolSchema.safeParse(entry);
    if (!tool.success) return;
    const { agent: peer, mcpServer } = tool.data;
    if (peer !== undefined) references.agents.push({ index, namespace: peer.namespace ?? own, name: peer.name });
    const service = mcpServer?.service;
    if (service !== undefined) references.services.push({ index, namespace: service.namespace ?? own, name: service.name });
  });
  return references;
}

