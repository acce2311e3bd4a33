// A RemoteAgent by URL with its own CA as a tool: the operator mounts the CA bundle and agent.json
// names the file (`caFile`); the runtime trusts it on top of the default CAs, so a server whose
// certificate that CA signed answers, and one signed by a CA nobody named is still refused (a tool
// error for the model, the task goes on). A CA file that is not there stops the runtime at start-up,
// naming the file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@a2a-js/sdk/client';

import { FakeModelServer, toolResults } from '../harness/fake-model.js';
import { RuntimeProcess, agentConfig } from '../harness/runtime-process.js';
import { sendText, stateName } from '../harness/a2a-wire.js';
import { startTestA2AServer, type TestA2AServer } from '../harness/test-a2a-server.js';
import { createTestCa, LOOPBACK_NAMES, type TestCertificateAuthority } from '../harness/test-tls.js';

let dir = '';
let model: FakeModelServer;
let privateCa: TestCertificateAuthority;
let otherCa: TestCertificateAuthority;
let trusted: TestA2AServer;
let untrusted: TestA2AServer;
let caller: RuntimeProcess;
let client: Client;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentry-tool-ca-'));
  [model, privateCa, otherCa] = await Promise.all([FakeModelServer.start(), createTestCa('partner-ca'), createTestCa('nobody-named-ca')]);
  [trusted, untrusted] = await Promise.all([
    startTestA2AServer({ name: 'partner', tls: await privateCa.issue(LOOPBACK_NAMES) }),
    startTestA2AServer({ name: 'stranger', tls: await otherCa.issue(LOOPBACK_NAMES) }),
  ]);
  await writeFile(join(dir, 'tool-0.pem'), privateCa.caPem);
  caller = await RuntimeProcess.start({
    config: agentConfig(model.url, {
      tools: {
        agents: [
          { toolName: 'partner', name: 'partner', namespace: 'default', url: trusted.url, caFile: join(dir, 'tool-0.pem') },
          { toolName: 'stranger', name: 'stranger', namespace: 'default', url: untrusted.url },
        ],
      },
    }),
  });
  client = await caller.client();
}, 60_000);

afterAll(async () => {
  await caller?.kill();
  await Promise.all([model?.close(), trusted?.close(), untrusted?.close()]);
  await Promise.all([privateCa?.dispose(), otherCa?.dispose()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a RemoteAgent tool with its own CA', () => {
  it('is called over https, its certificate verified against the mounted CA', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'partner', arguments: { message: 'Rate for CHF?' } }] }, { text: 'Done.' });
    const task = await sendText(client, 'Ask the partner');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(trusted.messages()).toEqual(['Rate for CHF?']);
    expect(toolResults(model.requests[1]!)[0]?.content).toContain('remote partner: Rate for CHF?');
  });

  it('does not make a server signed by another CA trusted', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'stranger', arguments: { message: 'Hello?' } }] }, { text: 'It failed.' });
    const task = await sendText(client, 'Ask the stranger');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(untrusted.messages()).toEqual([]);
    expect(toolResults(model.requests[1]!)[0]?.content).not.toContain('remote stranger');
  });

  it('a CA file that is missing stops the runtime at start-up, naming the file', async () => {
    const missing = join(dir, 'absent.pem');
    const config = agentConfig(model.url, { tools: { agents: [{ toolName: 'partner', name: 'partner', namespace: 'default', url: trusted.url, caFile: missing }] } });
    const configPath = join(dir, 'agent.json');
    await writeFile(configPath, JSON.stringify(config));
    const result = await RuntimeProcess.run(['--config', configPath, '--listen', '127.0.0.1:0'], { AGENTRY_MODEL_API_KEY: 'TEST_API_KEY' });
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain(`${missing} (a tool's CA bundle): cannot be read`);
  });
});
