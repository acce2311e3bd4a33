// The A2A v1.0 agent card of an agent with a2aConfig. A2A 1.0 moved the endpoint into
// `supportedInterfaces` (one per URL and protocol binding) and requires description, version,
// capabilities, the default modes and, on every skill, description and tags: those are always
// written (empty when the Agent says nothing), so strict clients accept the card.
import type { A2AConfig, A2ASkill } from '../api/a2a-config.js';

export const DEFAULT_AGENT_VERSION = '0.1.0';
export const DEFAULT_MODES: readonly string[] = ['text'];

export interface AgentCardInput {
  name: string;
  description: string | undefined;
  a2aConfig: A2AConfig;
  /** Whether responses can be streamed; a2aConfig.streaming wins over this. */
  streamingByDefault: boolean;
  /** Where clients reach the agent: the public URL when routed with a public base URL, else in-cluster. */
  url: string;
  protocolVersion: string;
}

export function agentCard(input: AgentCardInput): Record<string, unknown> {
  const { a2aConfig } = input;
  return {
    name: input.name,
    description: input.description ?? '',
    version: a2aConfig.version ?? DEFAULT_AGENT_VERSION,
    supportedInterfaces: [{ url: input.url, protocolBinding: 'JSONRPC', protocolVersion: input.protocolVersion }],
    capabilities: { streaming: a2aConfig.streaming ?? input.streamingByDefault },
    defaultInputModes: [...(a2aConfig.defaultInputModes ?? DEFAULT_MODES)],
    defaultOutputModes: [...(a2aConfig.defaultOutputModes ?? DEFAULT_MODES)],
    skills: a2aConfig.skills.map(cardSkill),
  };
}

/** A skill's own modes are written only when set: absent means "the agent's defaults" in A2A. */
function cardSkill(skill: A2ASkill): Record<string, unknown> {
  return {
    id: skill.id,
    name: skill.name,
    description: skill.description ?? '',
    tags: [...(skill.tags ?? [])],
    ...(skill.examples !== undefined && { examples: [...skill.examples] }),
    ...(skill.inputModes !== undefined && { inputModes: [...skill.inputModes] }),
    ...(skill.outputModes !== undefined && { outputModes: [...skill.outputModes] }),
  };
}
