// The values that arrive as environment variables from Secrets (the model API key, a Secret-sourced
// system message, MCP and RemoteAgent tool headers), resolved once at start-up. They are held here and nowhere else, and
// `scrub` removes every one of them from text before it leaves the process (logs, task errors, and
// the model's own answers: a model told to repeat its system message must not hand it out).
// `redactor` does the same for an answer that arrives in pieces, holding back only a piece's end
// that could be the start of a secret.
import type { DeclarativeAgentConfig } from '../contract/agent-config.js';
import { AgentFilesError } from './agent-files.js';

export interface RuntimeSecrets {
  apiKey: string | undefined;
  systemMessage: string;
  /** MCP server id → header name → value. */
  mcpHeaders: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Agent tool name → header name → value (a RemoteAgent's headersFrom). */
  agentHeaders: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Replaces every secret value in `text` with `[redacted]`. */
  readonly scrub: (text: string) => string;
  /** A redactor for one streamed text. */
  readonly redactor: () => StreamRedactor;
}

/** Shorter values are not scrubbed: replacing every 'a' in a log line would hide nothing and garble all. */
const MIN_SCRUBBED_LENGTH = 4;

export function resolveSecrets(config: DeclarativeAgentConfig, env: NodeJS.ProcessEnv): RuntimeSecrets {
  const required = (name: string, what: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new AgentFilesError(`environment variable ${name} (${what}) is not set`);
    return value;
  };
  const apiKey = config.model.apiKeyEnv !== undefined ? required(config.model.apiKeyEnv, 'the model API key') : undefined;
  const secretSystemMessage = config.systemMessageEnv !== undefined ? required(config.systemMessageEnv, 'the system message') : undefined;
  const mcpHeaders = new Map<string, Record<string, string>>();
  const headerValues: string[] = [];
  for (const server of config.tools?.mcpServers ?? []) {
    const headers: Record<string, string> = {};
    for (const header of server.headers ?? []) {
      headers[header.name] = required(header.env, `header ${header.name} of MCP server ${server.id}`);
      headerValues.push(headers[header.name] ?? '');
    }
    mcpHeaders.set(server.id, headers);
  }
  const agentHeaders = new Map<string, Record<string, string>>();
  for (const peer of config.tools?.agents ?? []) {
    if (peer.headers === undefined || peer.headers.length === 0) continue;
    const headers: Record<string, string> = {};
    for (const header of peer.headers) {
      headers[header.name] = required(header.env, `header ${header.name} of agent tool ${peer.toolName}`);
      headerValues.push(headers[header.name] ?? '');
    }
    agentHeaders.set(peer.toolName, headers);
  }
  // An inline system message is in the ConfigMap already; one from a Secret (or ConfigMap via env) is
  // treated as secret, since the runtime cannot tell which of the two it came from.
  const secrets = [apiKey, secretSystemMessage, ...headerValues].filter((v): v is string => v !== undefined && v.length >= MIN_SCRUBBED_LENGTH);
  const scrub = secretScrubber(secrets);
  return {
    apiKey,
    systemMessage: secretSystemMessage ?? config.systemMessage ?? '',
    mcpHeaders,
    agentHeaders,
    scrub,
    redactor: () => new StreamRedactor(secrets, scrub),
  };
}

export function secretScrubber(values: readonly string[]): (text: string) => string {
  // Longest first, so a secret containing another is replaced whole.
  const sorted = [...new Set(values)].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const value of sorted) if (out.includes(value)) out = out.split(value).join('[redacted]');
    return out;
  };
}

/** Every string in a JSON-like value scrubbed (for tool inputs shown to the user). */
export function scrubDeep(value: unknown, scrub: (text: string) => string): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, scrub)]));
  return value;
}

/**
 * Scrubs a text that arrives in pieces (a streamed answer): push() returns what can be sent now,
 * end() the rest. A secret split across pieces is still caught, because the end of the text is held
 * back exactly as far as it could be the beginning of a secret; ordinary text is not delayed.
 */
export class StreamRedactor {
  private pending = '';

  constructor(
    private readonly secrets: readonly string[],
    private readonly scrub: (text: string) => string,
  ) {}

  push(piece: string): string {
    if (this.secrets.length === 0) return piece;
    const text = this.scrub(this.pending + piece);
    const hold = this.heldBack(text);
    this.pending = text.slice(text.length - hold);
    return text.slice(0, text.length - hold);
  }

  end(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }

  /** The length of the longest end of `text` that is the beginning of a secret. */
  private heldBack(text: string): number {
    let longest = 0;
    for (const secret of this.secrets) {
      // Candidate starts: within the last secret.length - 1 characters, at the secret's first character.
      for (let start = Math.max(0, text.length - secret.length + 1); start < text.length - longest; start++) {
        if (text.charCodeAt(start) !== secret.charCodeAt(0)) continue;
        if (startsWithAt(secret, text, start)) {
          longest = text.length - start;
          break;
        }
      }
    }
    return longest;
  }
}

/** Whether text.slice(from) is a prefix of `secret`, without slicing. */
function startsWithAt(secret: string, text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) if (text.charCodeAt(i) !== secret.charCodeAt(i - from)) return false;
  return true;
}
