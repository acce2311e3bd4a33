// `spec.a2aConfig`: what the agent publishes in its A2A agent card. Its presence is what makes an
// Agent an A2A agent (and its Service carry the A2A appProtocol).
import { z } from 'zod';

import { listMapKeys } from './kubernetes-lists.js';

const modeSchema = z.string().min(1).max(128);
const modesSchema = z.array(modeSchema).max(16);

export const a2aSkillSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9][-_.:/A-Za-z0-9]*$/, { message: "must start with a letter or digit and contain only letters, digits, '-', '_', '.', ':' or '/'" })
    .describe('Unique identifier of the skill within the agent.'),
  name: z.string().min(1).max(256).describe('Human-readable name of the skill.'),
  description: z.string().max(4096).optional().describe('What the skill does.'),
  tags: z.array(z.string().min(1).max(64)).max(32).optional().describe('Keywords describing the skill.'),
  examples: z.array(z.string().min(1).max(1024)).max(16).optional().describe('Example prompts or scenarios.'),
  inputModes: modesSchema.optional().describe("Media types the skill accepts, overriding the agent's defaultInputModes."),
  outputModes: modesSchema.optional().describe("Media types the skill produces, overriding the agent's defaultOutputModes."),
});
export type A2ASkill = z.output<typeof a2aSkillSchema>;

export const a2aConfigSchema = z
  .object({
    skills: z
      .array(a2aSkillSchema)
      .min(1)
      .max(64)
      .check(listMapKeys<A2ASkill>('id'))
      .describe('Skills published in the agent card; ids must be unique.'),
    defaultInputModes: modesSchema.optional().describe('Media types every skill accepts unless it says otherwise; text by default.'),
    defaultOutputModes: modesSchema.optional().describe('Media types every skill produces unless it says otherwise; text by default.'),
    streaming: z.boolean().optional().describe('Whether the agent supports streaming responses (the capability in its card).'),
    version: z.string().min(1).max(64).optional().describe("Version of the agent published in its card."),
  })
  .describe('Present when the agent speaks A2A: the contents of its agent card.');
export type A2AConfig = z.output<typeof a2aConfigSchema>;
