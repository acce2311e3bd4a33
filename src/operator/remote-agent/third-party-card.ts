// A card some other A2A server published, read into the A2A 1.0 shape Agentry's runtime writes
// (src/contract/agent-card.ts). Two things differ from Agentry's own cards, and both are valid A2A:
//   - 0.3 cards, still served by most servers in the wild: one `url` with `protocolVersion` and
//     `preferredTransport` at the top level, more in `additionalInterfaces`. They are mapped to
//     1.0's `supportedInterfaces` (as @a2a-js/sdk's compat layer does), and a problem is reported
//     at the field's path in the card as served.
//   - 1.0 cards written with the protobuf JSON mapping (the A2A SDKs do this) leave out empty
//     strings, lists and messages: a missing description, tags or skills means empty.
import { agentCardSchema, JSONRPC_BINDING, LEGACY_PROTOCOL_VERSION, type AgentCardJson } from '../../contract/agent-card.js';
import { formatIssuePath } from '../../common/zod-issues.js';

export type CardReading = { ok: true; card: AgentCardJson; legacy: boolean } | { ok: false; problem: string };

/** Top-level fields only a 0.3 card has. */
const LEGACY_ONLY_FIELDS = ['url', 'protocolVersion', 'preferredTransport', 'additionalInterfaces', 'supportsAuthenticatedExtendedCard'] as const;

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A 0.3 card: no (non-empty) supportedInterfaces, and a field only 0.3 has. */
export function isLegacyCard(raw: Record<string, unknown>): boolean {
  if (Array.isArray(raw.supportedInterfaces) && raw.supportedInterfaces.length > 0) return false;
  return LEGACY_ONLY_FIELDS.some((field) => field in raw);
}

/** The 1.0 shape of a 0.3 card; fields that are not interface fields are kept as they are. */
function fromLegacy(raw: Record<string, unknown>): Record<string, unknown> {
  const { url, protocolVersion, preferredTransport, additionalInterfaces, supportsAuthenticatedExtendedCard, ...rest } = raw;
  const version = typeof protocolVersion === 'string' && protocolVersion !== '' ? protocolVersion : LEGACY_PROTOCOL_VERSION;
  const primary = { url, protocolBinding: preferredTransport ?? JSONRPC_BINDING, protocolVersion: version };
  const more = Array.isArray(additionalInterfaces)
    ? additionalInterfaces.map((i: unknown) => (isJsonObject(i) ? { url: i.url, protocolBinding: i.transport, protocolVersion: version } : i))
    : [];
  const capabilities =
    isJsonObject(rest.capabilities) && typeof supportsAuthenticatedExtendedCard === 'boolean'
      ? { ...rest.capabilities, extendedAgentCard: supportsAuthenticatedExtendedCard }
      : rest.capabilities;
  return { ...rest, capabilities, supportedInterfaces: [primary, ...more] };
}

/** A 1.0 path of a mapped 0.3 card, as the path of the field in the card that was served. */
function legacyPath(path: readonly PropertyKey[]): readonly PropertyKey[] {
  const [head, index, field, ...tail] = path;
  if (head !== 'supportedInterfaces' || typeof index !== 'number') return path;
  if (index === 0) {
    const top = field === 'url' ? 'url' : field === 'protocolBinding' ? 'preferredTransport' : field === 'protocolVersion' ? 'protocolVersion' : undefined;
    return top === undefined ? path : [top, ...tail];
  }
  const name = field === 'protocolBinding' ? 'transport' : field;
  return field === undefined ? ['additionalInterfaces', index - 1] : ['additionalInterfaces', index - 1, name ?? '', ...tail];
}

/** Fills what the protobuf JSON mapping leaves out when empty, where the schema needs a value. */
function withProtoDefaults(card: Record<string, unknown>): Record<string, unknown> {
  const skills = Array.isArray(card.skills)
    ? card.skills.map((skill: unknown) => (isJsonObject(skill) ? { ...skill, description: skill.description ?? '', tags: skill.tags ?? [] } : skill))
    : (card.skills ?? []);
  return {
    ...card,
    description: card.description ?? '',
    capabilities: card.capabilities ?? {},
    defaultInputModes: card.defaultInputModes ?? [],
    defaultOutputModes: card.defaultOutputModes ?? [],
    skills,
  };
}

/** The card in the 1.0 shape, or what is wrong with it: the first problem, at its path in the card served. */
export function readAgentCard(raw: unknown): CardReading {
  if (!isJsonObject(raw)) return { ok: false, problem: `the card is ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : `a ${typeof raw}`}, not a JSON object` };
  const legacy = isLegacyCard(raw);
  const parsed = agentCardSchema.safeParse(withProtoDefaults(legacy ? fromLegacy(raw) : raw));
  if (parsed.success) return { ok: true, card: parsed.data, legacy };
  const issue = parsed.error.issues[0];
  if (issue === undefined) return { ok: false, problem: 'the card is not valid' };
  const path = formatIssuePath(legacy ? legacyPath(issue.path) : issue.path);
  return { ok: false, problem: path === '' ? issue.message : `${path}: ${issue.message}` };
}
