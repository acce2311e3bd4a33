// kagent's `Agent` (kagent.dev/v1alpha2, agent_types.go): Declarative (kagent's ADK runtime with a
// system message, a ModelConfig and tools) or BYO (the user's own A2A image). Fields this converter
// never carries over (memory, context, skills, sandbox …) are read as they are, to be reported; the
// validation rules are kagent's CEL rules.
import { z } from 'zod';

import { KAGENT_V1ALPHA2 } from './kagent-api.js';
import { byoDeploymentSchema, declarativeDeploymentSchema } from './kagent-deployment.js';
import { objectMetaSchema } from './kagent-object-meta.js';
import { toolSchema } from './kagent-tool.js';
import { valueSourceSchema } from './kagent-value-source.js';

/** trpc-a2a-go's `server.AgentSkill`, which kagent's `AgentSkill` is. */
export const kagentSkillSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  examples: z.array(z.string()).optional(),
  inputModes: z.array(z.string()).optional(),
  outputModes: z.array(z.string()).optional(),
});

export const kagentA2AConfigSchema = z.looseObject({ skills: z.array(kagentSkillSchema).optional() });
export type KagentA2AConfig = z.output<typeof kagentA2AConfigSchema>;

export const declarativeAgentSchema = z
  .looseObject({
    runtime: z.string().optional(),
    systemMessage: z.string().optional(),
    systemMessageFrom: valueSourceSchema.optional(),
    promptTemplate: z.unknown().optional(),
    modelConfig: z.string().optional(),
    stream: z.boolean().optional(),
    tools: z.array(toolSchema).max(20).optional(),
    a2aConfig: kagentA2AConfigSchema.optional(),
    deployment: declarativeDeploymentSchema.optional(),
    executeCodeBlocks: z.boolean().optional(),
    memory: z.unknown().optional(),
    context: z.unknown().optional(),
  })
  .refine((d) => d.systemMessage === undefined || d.systemMessageFrom === undefined, {
    message: 'systemMessage and systemMessageFrom are mutually exclusive',
  });
export type KagentDeclarativeAgent = z.output<typeof declarativeAgentSchema>;

/** kagent's default runtime (`DeclarativeRuntime_Python`); exported objects carry it. */
export const KAGENT_DEFAULT_RUNTIME = 'python';

export const byoAgentSchema = z.looseObject({ deployment: byoDeploymentSchema.optional() });

export const agentSpecSchema = z
  .looseObject({
    type: z.enum(['Declarative', 'BYO']).default('Declarative'),
    byo: byoAgentSchema.optional(),
    declarative: declarativeAgentSchema.optional(),
    description: z.string().optional(),
    skills: z.unknown().optional(),
    sandbox: z.unknown().optional(),
    allowedNamespaces: z.unknown().optional(),
  })
  .refine((s) => (s.type === 'Declarative' && s.declarative !== undefined) || (s.type === 'BYO' && s.byo !== undefined), {
    message: 'declarative must be specified if type is Declarative, or byo must be specified if type is BYO',
  });
export type KagentAgentSpec = z.output<typeof agentSpecSchema>;

export const kagentAgentSchema = z.looseObject({
  apiVersion: z.literal(KAGENT_V1ALPHA2),
  kind: z.literal('Agent'),
  metadata: objectMetaSchema,
  spec: agentSpecSchema,
});
export type KagentAgent = z.output<typeof kagentAgentSchema>;
