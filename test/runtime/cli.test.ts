// `agentry runtime` refusing to start, as its exit status and stderr tell a user or the kubelet:
// bad flags exit 2 naming the flag; an agent that cannot run exits 1 naming why (a variable
// agent.json names but the environment lacks, by name and never a value; a BYO agent; a file that
// is not valid JSON, or not valid against the contract; a port in use).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { RuntimeProcess, TEST_API_KEY, agentCardText, agentConfig } from '../harness/runtime-process.js';

const SECRET_SYSTEM = 'A system message from a Secret, 3a9f.';

let dir: string;
let configFile: string;

async function file(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentry-runtime-cli-'));
  configFile = await file('agent.json', agentConfig('http://127.0.0.1:9'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bad flags: exit 2, naming the flag', () => {
  // Independent processes: run side by side.
  it.concurrent.each([
    [['--config', 'x', '--max-tasks', '0'], '--max-tasks'],
    [['--config', 'x', '--max-body-bytes', 'lots'], '--max-body-bytes'],
    [['--config', 'x', '--listen', 'localhost'], '--listen'],
    [['--config', 'x', '--listen', '0.0.0.0:70000'], '--listen'],
    [['--config', 'x', '--log-level', 'chatty'], '--log-level'],
    [['--config', 'x', '--model-timeout', '0'], '--model-timeout'],
    [['--config', 'x', '--shutdown-grace', '-1'], '--shutdown-grace'],
    [['--config', 'x', '--frobnicate'], '--frobnicate'],
    [['--agent-card', 'card.json'], '--config'],
  ])('%j', async (args, flag) => {
    const result = await RuntimeProcess.run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(flag);
    expect(result.stderr).toContain('Usage: agentry runtime');
  });

  it('--help prints the usage and exits 0', async () => {
    const result = await RuntimeProcess.run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: agentry runtime');
  });
});

describe('an agent that cannot run: exit 1, saying why', () => {
  it('a variable agent.json names is missing: named, and no value is printed', async () => {
    const config = await file('secret-system.json', agentConfig('http://127.0.0.1:9', { systemMessage: undefined, systemMessageEnv: 'AGENTRY_SYSTEM_MESSAGE' }));
    const result = await RuntimeProcess.run(['--config', config], { AGENTRY_MODEL_API_KEY: undefined, AGENTRY_SYSTEM_MESSAGE: SECRET_SYSTEM });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/AGENTRY_MODEL_API_KEY/);
    expect(result.stderr).not.toContain(SECRET_SYSTEM);
    expect(result.stdout + result.stderr).not.toContain(TEST_API_KEY);
    // One line, not a stack trace.
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an MCP header variable that is missing is named', async () => {
    const config = await file(
      'mcp-header.json',
      agentConfig('http://127.0.0.1:9', { tools: { mcpServers: [{ id: 'mcp-0', url: 'http://127.0.0.1:9/mcp', headers: [{ name: 'Authorization', env: 'MCP_AUTH' }] }] } }),
    );
    const result = await RuntimeProcess.run(['--config', config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/MCP_AUTH/);
  });

  it('a BYO agent.json', async () => {
    const config = await file('byo.json', { agent: { name: 'byo', namespace: 'default' }, type: 'BYO' });
    const result = await RuntimeProcess.run(['--config', config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/BYO/);
    expect(result.stderr).toMatch(/Declarative agents only/);
  });

  it('an agent.json that is not JSON, naming the file', async () => {
    const config = await file('broken.json', '{"agent": ');
    const result = await RuntimeProcess.run(['--config', config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(config);
    expect(result.stderr).toMatch(/not valid JSON/);
  });

  it('an agent.json against the contract, naming the field', async () => {
    const { limits: _limits, ...withoutLimits } = agentConfig('http://127.0.0.1:9');
    const config = await file('no-limits.json', withoutLimits);
    const result = await RuntimeProcess.run(['--config', config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/limits/);
  });

  it('a missing agent.json, naming it', async () => {
    const result = await RuntimeProcess.run(['--config', join(dir, 'nope.json')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/nope\.json: cannot be read/);
  });

  it('an agent card that is not one', async () => {
    const card = await file('card.json', { name: 'x' });
    const result = await RuntimeProcess.run(['--config', configFile, '--agent-card', card]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not a valid A2A agent card/);
  });

  it('a port in use', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const card = await file('ok-card.json', agentCardText(`http://127.0.0.1:${port}/`));
      const result = await RuntimeProcess.run(['--config', configFile, '--agent-card', card, '--listen', `127.0.0.1:${port}`]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/EADDRINUSE/);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
