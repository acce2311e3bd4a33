// The A2A 1.0 agent card, as JSON on the wire: what render writes into `agent-card.json`, what the
// runtime serves byte for byte and hands to the A2A SDK, and what a remote agent's card is checked
// against. Fields Agentry does not write are still accepted (loose objects): a card from elsewhere
// may carry security schemes, signatures or extensions.
import { z } from 'zod';

export const agentInterfaceSchema = z.looseObject({
  url: z.string().min(1),
  protocolBinding: z.string().min(1),
  protocolVersion: z.string().min(1),
  tenant: z.string().optional(),
});
export type AgentInterfaceJson = z.output<typeof agentInterfaceSchema>;

export const agentSkillCardSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  description: z.string(),
  tags: z.array(z.string()),
  examples: z.array(z.string()).optional(),
  inputModes: z.array(z.string()).optional(),
  outputModes: z.array(z.string()).optional(),
});
export type AgentSkillCardJson = z.output<typeof agentSkillCardSchema>;

export const agentCapabilitiesSchema = z.looseObject({
  streaming: z.boolean().optional(),
  pushNotifications: z.boolean().optional(),
  extendedAgentCard: z.boolean().optional(),
});

export const agentCardSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string(),
  version: z.string().min(1),
  supportedInterfaces: z.array(agentInterfaceSchema).min(1),
  capabilities: agentCapabilitiesSchema,
  defaultInputModes: z.array(z.string()),
  defaultOutputModes: z.array(z.string()),
  skills: z.array(agentSkillCardSchema),
  provider: z.looseObject({ organization: z.string(), url: z.string() }).optional(),
  documentationUrl: z.string().optional(),
  iconUrl: z.string().optional(),
});
export type AgentCardJson = z.output<typeof agentCardSchema>;

/** The JSON-RPC binding name and the protocol versions Agentry's runtime serves on one URL. */
export const JSONRPC_BINDING = 'JSONRPC';
export const LEGACY_PROTOCOL_VERSION = '0.3';
