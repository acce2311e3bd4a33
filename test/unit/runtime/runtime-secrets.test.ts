// The secrets the runtime gets from its environment: a variable agent.json names but the environment
// lacks is an error naming the variable (never a value); the scrubber replaces every secret value,
// longest first (one containing another is replaced whole), and leaves values too short to matter.
import { describe, expect, it } from '@jest/globals';

import { declarativeAgentConfigSchema } from '../../../src/contract/agent-config.js';
import { AgentFilesError } from '../../../src/runtime/agent-files.js';
import { resolveSecrets, secretScrubber } from '../../../src/runtime/runtime-secrets.js';

const config = (extra: Record<string, unknown> = {}) =>
  declarativeAgentConfigSchema.parse({
    agent: { name: 'a', namespace: 'n' },
    type: 'Declarative',
    model: { provider: 'OpenAI', model: 'm', apiKeyEnv: 'KEY' },
    stream: false,
    limits: { maxSteps: 3 },
    systemMessageEnv: 'SYSTEM',
    tools: {
      mcpServers: [{ id: 'mcp-0', url: 'http://mcp', headers: [{ name: 'Authorization', env: 'MCP_AUTH' }] }],
      // A RemoteAgent tool with a header, and an Agent tool without.
      agents: [
        { toolName: 'fx', name: 'fx', namespace: 'n', url: 'http://fx.n.svc:80/', headers: [{ name: 'X-Api-Key', env: 'FX_KEY' }] },
        { toolName: 'peer', name: 'peer', namespace: 'n', url: 'http://peer.n.svc:8080/' },
      ],
    },
    ...extra,
  });

const env = { KEY: 'sk-live-0123456789', SYSTEM: 'You are secret.', MCP_AUTH: 'Bearer mcp-abcdef', FX_KEY: 'fx-key-987654' };

describe('resolveSecrets', () => {
  it('reads the key, the system message and the MCP headers from the variables agent.json names', () => {
    const secrets = resolveSecrets(config(), env);
    expect(secrets.apiKey).toBe(env.KEY);
    expect(secrets.systemMessage).toBe(env.SYSTEM);
    expect(secrets.mcpHeaders.get('mcp-0')).toEqual({ Authorization: env.MCP_AUTH });
  });

  it('reads a RemoteAgent tool’s headers by its tool name; a tool without headers has none', () => {
    const secrets = resolveSecrets(config(), env);
    expect(secrets.agentHeaders.get('fx')).toEqual({ 'X-Api-Key': env.FX_KEY });
    expect(secrets.agentHeaders.has('peer')).toBe(false);
    expect(secrets.scrub(`key ${env.FX_KEY}`)).toBe('key [redacted]');
  });

  it.each(['KEY', 'SYSTEM', 'MCP_AUTH', 'FX_KEY'])('a missing %s is an error naming the variable', (name) => {
    const partial: Record<string, string> = { ...env };
    delete partial[name];
    expect(() => resolveSecrets(config(), partial)).toThrow(AgentFilesError);
    expect(() => resolveSecrets(config(), partial)).toThrow(new RegExp(`environment variable ${name} \\(`));
  });

  it('an empty variable counts as missing, and the error carries no value', () => {
    let message = '';
    try {
      resolveSecrets(config(), { ...env, KEY: '' });
    } catch (err) {
      message = err instanceof Error ? err.message : String(err);
    }
    expect(message).toMatch(/KEY/);
    for (const value of Object.values(env)) expect(message).not.toContain(value);
  });

  it('scrubs the key, the Secret-sourced system message and header values', () => {
    const { scrub } = resolveSecrets(config(), env);
    expect(scrub(`key=${env.KEY} system="${env.SYSTEM}" auth=${env.MCP_AUTH}`)).toBe('key=[redacted] system="[redacted]" auth=[redacted]');
  });

  it('an inline system message is not secret (it is in the ConfigMap already)', () => {
    const { scrub, systemMessage } = resolveSecrets(config({ systemMessageEnv: undefined, systemMessage: 'Be helpful.' }), env);
    expect(systemMessage).toBe('Be helpful.');
    expect(scrub('Be helpful.')).toBe('Be helpful.');
  });

  it('no key configured (Ollama): nothing is required', () => {
    const secrets = resolveSecrets(config({ model: { provider: 'Ollama', model: 'llama' }, systemMessageEnv: undefined, systemMessage: 's', tools: undefined }), {});
    expect(secrets.apiKey).toBeUndefined();
  });
});

describe('secretScrubber', () => {
  it('replaces the longest value first, so a secret containing another goes whole', () => {
    const scrub = secretScrubber(['abcd', 'abcd-efgh-ijkl']);
    expect(scrub('x abcd-efgh-ijkl y abcd z')).toBe('x [redacted] y [redacted] z');
  });

  it('replaces every occurrence', () => {
    expect(secretScrubber(['s3cr3t'])('s3cr3t s3cr3ts3cr3t')).toBe('[redacted] [redacted][redacted]');
  });

  it('does not scrub values shorter than 4 characters (resolveSecrets drops them)', () => {
    const { scrub } = resolveSecrets(config(), { ...env, KEY: 'abc' });
    expect(scrub('abc and the system: You are secret.')).toBe('abc and the system: [redacted]');
  });

  it('with no secrets, text is unchanged', () => {
    expect(secretScrubber([])('anything')).toBe('anything');
  });
});

describe('StreamRedactor', () => {
  const SECRET = 'the hidden system prompt';
  const redactor = () => resolveSecrets(config(), { ...env, SYSTEM: SECRET }).redactor();

  /** Feeds `pieces`, returning what was emitted after each, and the end. */
  function feed(pieces: string[]): { emitted: string[]; all: string } {
    const r = redactor();
    const emitted = pieces.map((p) => r.push(p));
    emitted.push(r.end());
    return { emitted, all: emitted.join('') };
  }

  it('catches a secret split across pieces, word by word', () => {
    const words = `Sure: ${SECRET}, as asked.`.match(/\s*\S+/g) ?? [];
    const { emitted, all } = feed(words);
    expect(all).toBe('Sure: [redacted], as asked.');
    expect(emitted.some((e) => e.includes('hidden'))).toBe(false);
  });

  it('catches it split character by character', () => {
    expect(feed([...`x${SECRET}y`]).all).toBe('x[redacted]y');
  });

  it('does not hold back ordinary text', () => {
    const { emitted } = feed(['Hello ', 'there, ', 'friend.']);
    expect(emitted).toEqual(['Hello ', 'there, ', 'friend.', '']);
  });

  it('holds back a possible start only until the text goes elsewhere', () => {
    const r = redactor();
    expect(r.push('and then the hid')).toBe('and then ');
    expect(r.push('e-and-seek game')).toBe('the hide-and-seek game');
    expect(r.end()).toBe('');
  });

  it('a stream that ends inside a possible start gives it back at the end', () => {
    const r = redactor();
    expect(r.push('ends with the hidden')).toBe('ends with ');
    expect(r.end()).toBe('the hidden');
  });

  it('the key and header values too', () => {
    expect(feed(['key sk-live-', '0123456789 and Bearer mcp-', 'abcdef']).all).toBe('key [redacted] and [redacted]');
  });
});
