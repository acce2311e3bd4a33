// The values that arrive as environment variables from Secrets (the model API key, a Secret-sourced
// system message, MCP headers), resolved once at start-up. They are held here and nowhere else, and
// `scrub` removes every one of them from text before it leaves the process (logs, task errors).
import type { DeclarativeAgentConfig } from '../contract/agent-config.js';
import { AgentFilesError } from './agent-files.js';

export interface RuntimeSecrets {
  apiKey: string | undefined;
  systemMessage: string;
  /** MCP server id → header name → value. */
  mcpHeaders: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Replaces every secret value in `text` with `[redacted]`. */
  readonly scrub: (text: string) => string;
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
  // An inline system message is in the ConfigMap already; one from a Secret (or ConfigMap via env) is
  // treated as secret, since the runtime cannot tell which of the two it came from.
  const secrets = [apiKey, secretSystemMessage, ...headerValues].filter((v): v is string => v !== undefined && v.length >= MIN_SCRUBBED_LENGTH);
  return {
    apiKey,
    systemMessage: secretSystemMessage ?? config.systemMessage ?? '',
    mcpHeaders,
    scrub: secretScrubber(secrets),
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
