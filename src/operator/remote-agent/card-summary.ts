// What a RemoteAgent's status keeps of its agent card: name, description, version, protocol versions
// and skills (ids, names, tags), each list and string bounded (CARD_STATUS_LIMITS), so that a card
// with thousands of skills costs status (and every client that lists RemoteAgents) a few KiB.
import { CARD_STATUS_LIMITS, type RemoteAgentCardStatus } from '../../api/remote-agent.js';
import type { AgentCardJson } from '../../contract/agent-card.js';

export interface CardSummary {
  card: RemoteAgentCardStatus;
  /** Every skill the card lists, including those status does not keep. */
  skillCount: number;
}

/** Cut to `max` characters; an ellipsis marks a cut, so a reader never takes the text for whole. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function summarizeCard(card: AgentCardJson): CardSummary {
  const short = (text: string) => cut(text, CARD_STATUS_LIMITS.shortText);
  const protocolVersions = [...new Set(card.supportedInterfaces.map((i) => short(i.protocolVersion)))].slice(0, CARD_STATUS_LIMITS.protocolVersions);
  const skills = card.skills.slice(0, CARD_STATUS_LIMITS.skills).map((skill) => {
    const tags = skill.tags.slice(0, CARD_STATUS_LIMITS.tags).map(short);
    return { id: short(skill.id), name: short(skill.name), ...(tags.length > 0 && { tags }) };
  });
  return {
    card: {
      name: short(card.name),
      ...(card.description !== '' && { description: cut(card.description, CARD_STATUS_LIMITS.description) }),
      ...(card.version !== '' && { version: short(card.version) }),
      protocolVersions,
      skills,
    },
    skillCount: card.skills.length,
  };
}
