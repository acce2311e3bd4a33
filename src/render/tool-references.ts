// Which Agents, RemoteAgents and Services an Agent's tools name, with their namespaces defaulted to the
// Agent's (and the Service a RemoteAgent names: the second hop of a RemoteAgent tool).
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
  remoteAgents: ToolReference[];
  services: ToolReference[];
}

const referenceSchema = z.looseObject({ name: z.string().min(1), namespace: z.string().min(1).optional() });

const toolSchema = z.looseObject({
  agent: referenceSchema.optional().catch(undefined),
  remoteAgent: referenceSchema.optional().catch(undefined),
  mcpServer: z.looseObject({ service: referenceSchema.optional().catch(undefined) }).optional().catch(undefined),
});

const agentSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().min(1) }),
  spec: z.looseObject({
    type: z.literal('Declarative'),
    declarative: z.looseObject({ tools: z.array(z.unknown()) }),
  }),
});

const NONE: ToolReferences = { agents: [], remoteAgents: [], services: [] };

export function toolReferences(agent: unknown): ToolReferences {
  const parsed = agentSchema.safeParse(agent);
  if (!parsed.success) return NONE;
  const own = parsed.data.metadata.namespace;
  const references: ToolReferences = { agents: [], remoteAgents: [], services: [] };
  parsed.data.spec.declarative.tools.forEach((entry, index) => {
    const tool = toolSchema.safeParse(entry);
    if (!tool.success) return;
    const { agent: peer, remoteAgent, mcpServer } = tool.data;
    if (peer !== undefined) references.agents.push({ index, namespace: peer.namespace ?? own, name: peer.name });
    if (remoteAgent !== undefined) references.remoteAgents.push({ index, namespace: remoteAgent.namespace ?? own, name: remoteAgent.name });
    const service = mcpServer?.service;
    if (service !== undefined) references.services.push({ index, namespace: service.namespace ?? own, name: service.name });
  });
  return references;
}


const remoteAgentServiceSchema = z.looseObject({
  metadata: z.looseObject({ namespace: z.string().min(1) }),
  spec: z.looseObject({ service: z.looseObject({ name: z.string().min(1) }) }),
});

/** The Service a RemoteAgent of the Service form names (in its own namespace), if it names one. */
export function remoteAgentServiceReference(remoteAgent: unknown): { namespace: string; name: string } | undefined {
  const parsed = remoteAgentServiceSchema.safeParse(remoteAgent);
  return parsed.success ? { namespace: parsed.data.metadata.namespace, name: parsed.data.spec.service.name } : undefined;
}

const remoteAgentHeadersSchema = z.looseObject({
  spec: z.looseObject({ headersFrom: z.array(z.unknown()) }),
});
const headerSecretSchema = z.looseObject({ secretKeyRef: z.looseObject({ name: z.string().min(1) }) });

/** The Secrets (in its own namespace) a RemoteAgent's headersFrom name: its calling pods read them. */
export function remoteAgentHeaderSecrets(remoteAgent: unknown): string[] {
  const parsed = remoteAgentHeadersSchema.safeParse(remoteAgent);
  if (!parsed.success) return [];
  return [...new Set(parsed.data.spec.headersFrom.flatMap((h) => {
    const header = headerSecretSchema.safeParse(h);
    return header.success ? [header.data.secretKeyRef.name] : [];
  }))];
}
