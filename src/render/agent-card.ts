// The A2A v1.0 agent card of an agent with a2aConfig, in the shape of the shared contract
// (src/contract/agent-card.ts). A2A 1.0 moved the endpoint into `supportedInterfaces` (one per URL,
// protocol binding and version) and requires description, version, capabilities, the default modes
// and, on every skill, description and tags: those are always written (empty when the Agent says
// nothing), so strict clients accept the card.
import type { A2AConfig, A2ASkill } from '../api/a2a-config.js';
import type { AgentCardJson, AgentInterfaceJson, AgentSkillCardJson } from '../contract/agent-card.js';
import { JSONRPC_BINDING, LEGACY_PROTOCOL_VERSION } from '../contract/agent-card.js';

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
  /**
   * The agent also answers A2A 0.3 clients on the same URL (Agentry's runtime does): the card says
   * so with a second interface, after the current one, which clients prefer.
   */
  servesLegacyProtocol: boolean;
}

export function agentCard(input: AgentCardInput): AgentCardJson {
  const { a2aConfig } = input;
  const current: AgentInterfaceJson = { url: input.url, protocolBinding: JSONRPC_BINDING, protocolVersion: input.protocolVersion };
  // The configured version may itself be 0.3: one interface then, not the same one twice.
  const legacy = input.servesLegacyProtocol && input.protocolVersion !== LEGACY_PROTOCOL_VERSION;
  return {
    name: input.name,
    description: input.description ?? '',
    version: a2aConfig.version ?? DEFAULT_AGENT_VERSION,
    supportedInterfaces: legacy ? [current, { ...current, protocolVersion: LEGACY_PROTOCOL_VERSION }] : [current],
    capabilities: { streaming: a2aConfig.streaming ?? input.streamingByDefault },
    defaultInputModes: [...(a2aConfig.defaultInputModes ?? DEFAULT_MODES)],
    defaultOutputModes: [...(a2aConfig.defaultOutputModes ?? DEFAULT_MODES)],
    skills: a2aConfig.skills.map(cardSkill),
  };
}

/** A skill's own modes are written only when set: absent means "the agent's defaults" in A2A. */
function cardSkill(skill: A2ASkill): AgentSkillCardJson {
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
