// `agent.json`: the resolved configuration of one agent, written by render into the agent's
// ConfigMap and read by the runtime at start-up. Everything is resolved (the ModelConfig inlined,
// tool references turned into URLs) so the runtime needs no Kubernetes API access. Secret material is
// never in it: only the names of the environment variables that carry it.
import { z } from 'zod';

export const CONFIG_PROVIDERS = ['OpenAI', 'Anthropic', 'AzureOpenAI', 'Ollama', 'OpenAICompatible', 'Gemini'] as const;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be an environment variable name' });

export const agentIdentitySchema = z.object({
  name: z.string().min(1),
  namespace: z.string().min(1),
  description: z.string().optional(),
});

export const modelSectionSchema = z.object({
  provider: z.enum(CONFIG_PROVIDERS),
  model: z.string().min(1),
  baseUrl: z.string().min(1).optional(),
  parameters: z
    .object({
      temperature: z.number().optional(),
      maxTokens: z.number().int().positive().optional(),
      topP: z.number().optional(),
    })
    .optional(),
  azure: z.object({ apiVersion: z.string().min(1), deployment: z.string().min(1) }).optional(),
  /** The variable holding the API key (a secretKeyRef in the pod spec). */
  apiKeyEnv: envName.optional(),
});
export type ModelSection = z.output<typeof modelSectionSchema>;

export const runtimeSkillSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  examples: z.array(z.string()).optional(),
  inputModes: z.array(z.string()).optional(),
  outputModes: z.array(z.string()).optional(),
});

export const headerEnvSchema = z.object({
  /** The HTTP header name. */
  name: z.string().min(1),
  /** The variable holding its value (a secretKeyRef in the pod spec). */
  env: envName,
});

export const mcpServerConfigSchema = z.object({
  /** Stable within the agent: `mcp-{index}`, used in logs and metrics. */
  id: z.string().min(1),
  url: z.string().min(1),
  toolNames: z.array(z.string()).optional(),
  requireApproval: z.array(z.string()).optional(),
  headers: z.array(headerEnvSchema).optional(),
});
export type McpServerConfig = z.output<typeof mcpServerConfigSchema>;

/** The A2A protocol versions a peer is called with (JSON-RPC binding). */
export const PEER_PROTOCOL_VERSIONS = ['1.0', '0.3'] as const;

/** An Agent or a RemoteAgent the model may ask, over A2A. */
export const agentToolConfigSchema = z.object({
  /** The tool name the model sees. */
  toolName: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().min(1),
  /** The peer's A2A endpoint: an Agent's in-cluster URL, a RemoteAgent's Service URL or spec.url. */
  url: z.string().min(1),
  description: z.string().optional(),
  requireApproval: z.boolean().optional(),
  /** 1.0 when absent; 0.3 for a RemoteAgent whose card offers only that. */
  protocolVersion: z.enum(PEER_PROTOCOL_VERSIONS).optional(),
  /** Headers sent with every call (a RemoteAgent's headersFrom), each value from an env var. */
  headers: z.array(headerEnvSchema).optional(),
  /** A PEM file of CAs to trust besides the default ones (a RemoteAgent's spec.tls.caBundle, mounted). */
  caFile: z.string().startsWith('/').optional(),
});
export type AgentToolConfig = z.output<typeof agentToolConfigSchema>;

export const toolsSectionSchema = z.object({
  mcpServers: z.array(mcpServerConfigSchema).optional(),
  agents: z.array(agentToolConfigSchema).optional(),
});
export type ToolsSection = z.output<typeof toolsSectionSchema>;

export const byoAgentConfigSchema = z.object({
  agent: agentIdentitySchema,
  type: z.literal('BYO'),
});

export const declarativeAgentConfigSchema = z
  .object({
    agent: agentIdentitySchema,
    type: z.literal('Declarative'),
    model: modelSectionSchema,
    systemMessage: z.string().optional(),
    /** The variable holding the system message when it comes from a ConfigMap or Secret. */
    systemMessageEnv: envName.optional(),
    stream: z.boolean(),
    skills: z.array(runtimeSkillSchema).optional(),
    tools: toolsSectionSchema.optional(),
    limits: z.object({ maxSteps: z.number().int().min(1) }),
  })
  .refine((c) => (c.systemMessage === undefined) !== (c.systemMessageEnv === undefined), {
    message: 'exactly one of systemMessage or systemMessageEnv must be set',
  });
export type DeclarativeAgentConfig = z.output<typeof declarativeAgentConfigSchema>;

export const agentConfigSchema = z.union([declarativeAgentConfigSchema, byoAgentConfigSchema]);
export type AgentConfig = z.output<typeof agentConfigSchema>;
