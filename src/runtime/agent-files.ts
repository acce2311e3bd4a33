// Reads the two files the operator mounts into a Declarative Agent's pod, `agent.json` and
// `agent-card.json`, and checks them against the shared contract. The card's bytes are kept as read:
// the runtime serves them unchanged (a signed card must stay byte-identical).
import { readFile } from 'node:fs/promises';

import { agentCardSchema, type AgentCardJson } from '../contract/agent-card.js';
import { agentConfigSchema, type DeclarativeAgentConfig } from '../contract/agent-config.js';
import { formatIssues } from '../common/zod-issues.js';

export interface AgentFiles {
  config: DeclarativeAgentConfig;
  /** The card as served: the file's bytes, or (without a card file) a JSON rendering of `card`. */
  cardBytes: Buffer;
  card: AgentCardJson;
  /** False when the agent has no card file (no a2aConfig): the card is synthesized and not published. */
  cardPublished: boolean;
}

export class AgentFilesError extends Error {
  override readonly name = 'AgentFilesError';
}

export async function loadAgentFiles(configPath: string, cardPath: string | undefined, fallbackUrl: string): Promise<AgentFiles> {
  const configJson = parseJsonFile(configPath, await readText(configPath));
  const parsed = agentConfigSchema.safeParse(configJson);
  if (!parsed.success) throw new AgentFilesError(`${configPath}: not a valid agent configuration:\n${bulleted(formatIssues(parsed.error))}`);
  const config = parsed.data;
  if (config.type !== 'Declarative') {
    throw new AgentFilesError(`${configPath}: the agent is of type ${config.type}; the Agentry runtime runs Declarative agents only`);
  }
  if (cardPath === undefined) {
    const card = synthesizedCard(config, fallbackUrl);
    return { config, card, cardBytes: Buffer.from(JSON.stringify(card)), cardPublished: false };
  }
  const cardBytes = await readFile(cardPath).catch((err: unknown) => {
    throw new AgentFilesError(`${cardPath}: cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  });
  const cardResult = agentCardSchema.safeParse(parseJsonFile(cardPath, cardBytes.toString('utf8')));
  if (!cardResult.success) throw new AgentFilesError(`${cardPath}: not a valid A2A agent card:\n${bulleted(formatIssues(cardResult.error))}`);
  return { config, card: cardResult.data, cardBytes, cardPublished: true };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new AgentFilesError(`${path}: cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function parseJsonFile(path: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new AgentFilesError(`${path}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * An agent without a2aConfig has no published card, yet the A2A SDK needs one to route requests:
 * this one exists only in memory, with the runtime's own address.
 */
function synthesizedCard(config: DeclarativeAgentConfig, url: string): AgentCardJson {
  return {
    name: config.agent.name,
    description: config.agent.description ?? '',
    version: '0.0.0',
    supportedInterfaces: [
      { url, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
    ],
    capabilities: { streaming: config.stream },
    defaultInputModes: ['text'],
    defaultOutputModes: ['text'],
    skills: [],
  };
}

const bulleted = (lines: readonly string[]): string => lines.map((line) => `  - ${line}`).join('\n');
