// The operator/runtime contract end to end: `agentry render` turns an Agent (system message from a
// Secret, an OpenAI-compatible ModelConfig, an MCP tool with a header from a Secret, streaming) into
// its ConfigMap and Deployment, and the runtime started with exactly those files, args and
// environment serves the rendered card byte for byte and answers 1.0 (streamed) and 0.3 clients
// from the model, using the tool.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AgentCard } from '@a2a-js/sdk';
import { ClientFactory, type Client } from '@a2a-js/sdk/client';

import { FakeMcpServer } from '../harness/fake-mcp-server.js';
import { FakeModelServer, systemMessage, toolResults } from '../harness/fake-model.js';
import { AGENTRY_BIN, RuntimeProcess, TEST_API_KEY, waitFor } from '../harness/runtime-process.js';
import { answerOf, legacyMessage, rpc, stateText, userText } from '../harness/a2a-wire.js';

const SYSTEM = 'You convert currencies for the finance team.';
const MCP_TOKEN = 'mcp-token-from-a-secret-41';

interface KubeObject {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: {
    template?: {
      spec?: {
        containers?: Array<{
          args?: string[];
          env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
          volumeMounts?: Array<{ name: string; mountPath: string }>;
        }>;
      };
    };
  };
}

let model: FakeModelServer;
let mcp: FakeMcpServer;
let runtime: RuntimeProcess;
let dir: string;
let configMap: KubeObject;
let client: Client;

function agentYaml(modelUrl: string, mcpUrl: string): string {
  return `apiVersion: agentry.dev/v1alpha1
kind: Agent
metadata: {name: currency-converter, namespace: finance}
spec:
  description: Converts currencies
  type: Declarative
  declarative:
    systemMessageFrom:
      secretKeyRef: {name: prompts, key: system}
    modelConfig: local
    stream: true
    tools:
      - mcpServer:
          url: ${mcpUrl}
          toolNames: [get_exchange_rate]
          headersFrom:
            - name: X-Api-Token
              secretKeyRef: {name: mcp-token, key: token}
  a2aConfig:
    streaming: true
    skills:
      - {id: convert, name: Convert currencies, tags: [finance]}
---
apiVersion: agentry.dev/v1alpha1
kind: ModelConfig
metadata: {name: local, namespace: finance}
spec:
  provider: OpenAICompatible
  model: local-model
  baseUrl: ${modelUrl}/v1
  apiKeySecret: {name: llm, key: api-key}
`;
}

beforeAll(async () => {
  [model, mcp] = await Promise.all([FakeModelServer.start(), FakeMcpServer.start({ transport: 'streamable-http', requiredHeaders: { 'x-api-token': MCP_TOKEN } })]);
  dir = await mkdtemp(join(tmpdir(), 'agentry-rendered-'));
  const input = join(dir, 'agent.yaml');
  await writeFile(input, agentYaml(model.url, mcp.url));
  const rendered = spawnSync(process.execPath, [AGENTRY_BIN, 'render', '-f', input, '-o', 'json'], { encoding: 'utf8' });
  if (rendered.status !== 0) throw new Error(`agentry render failed (${rendered.status}):\n${rendered.stderr}`);
  const { items } = JSON.parse(rendered.stdout) as { items: KubeObject[] };
  const found = (kind: string) => items.find((o) => o.kind === kind && o.metadata.name === 'currency-converter');
  const deployment = found('Deployment');
  const cm = found('ConfigMap');
  const container = deployment?.spec?.template?.spec?.containers?.[0];
  if (cm?.data === undefined || container === undefined) throw new Error(`render gave no ConfigMap data or container:\n${rendered.stdout}`);
  configMap = cm;
  const mountPath = container.volumeMounts?.find((m) => m.name === 'config')?.mountPath;
  if (mountPath === undefined) throw new Error('the container mounts no config volume');
  runtime = await RuntimeProcess.fromPodSpec({
    files: cm.data,
    mountPath,
    args: container.args ?? [],
    env: container.env ?? [],
    secrets: { 'prompts/system': SYSTEM, 'llm/api-key': TEST_API_KEY, 'mcp-token/token': MCP_TOKEN },
  });
  await waitFor(async () => (await runtime.metric('agentry_runtime_mcp_server_up')) === 1, 15_000, 50, 'the MCP server up');
  // The card names the in-cluster URL; here the runtime is on loopback: the same card, pointed here.
  const card = AgentCard.fromJSON(JSON.parse(cm.data['agent-card.json'] ?? '{}'));
  for (const i of card.supportedInterfaces) i.url = runtime.url;
  client = await new ClientFactory().createFromAgentCard(card);
}, 60_000);

afterAll(async () => {
  await runtime?.kill();
  await Promise.all([model?.close(), mcp?.close()]);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('a rendered Declarative agent', () => {
  it('serves the rendered card byte for byte', async () => {
    const { bytes } = await runtime.get('/.well-known/agent-card.json');
    expect(bytes.equals(Buffer.from(configMap.data?.['agent-card.json'] ?? '', 'utf8'))).toBe(true);
  });

  it('streams an answer to a 1.0 client, using its MCP tool with the Secret header and its Secret system message', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'get_exchange_rate', arguments: { from: 'EUR', to: 'USD' } }] }, { text: 'One euro is 1.09 dollars.', chunks: 3, chunkDelayMs: 80 });
    const states: string[] = [];
    let taskId = '';
    let pieces = 0;
    for await (const event of client.sendMessageStream({ tenant: '', message: userText('How many dollars is a euro?'), configuration: undefined, metadata: undefined })) {
      if (event.payload?.$case === 'task') taskId = event.payload.value.id;
      if (event.payload?.$case === 'artifactUpdate' && !event.payload.value.lastChunk) pieces += 1;
      if (event.payload?.$case === 'statusUpdate') states.push(stateText(event.payload.value.status?.state));
    }
    expect(states[states.length - 1]).toBe('TASK_STATE_COMPLETED');
    expect(pieces).toBeGreaterThanOrEqual(2);
    expect(answerOf(await client.getTask({ tenant: '', id: taskId }))).toBe('One euro is 1.09 dollars.');
    expect(systemMessage(model.requests[0]!)).toBe(SYSTEM);
    expect(model.requests[0]?.headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
    expect(mcp.calls[0]?.headers['x-api-token']).toBe(MCP_TOKEN);
    expect(toolResults(model.requests[1]!)[0]?.content).toContain('1 EUR = 1.09 USD');
  });

  it('answers a 0.3 client', async () => {
    model.reset();
    model.script({ text: 'Hello from the rendered agent.' });
    const res = await rpc(runtime.url, 'message/send', { message: legacyMessage('hi') });
    const result = res.json?.result as { status?: { state?: string }; artifacts?: Array<{ parts: Array<{ text?: string }> }> } | undefined;
    expect(result?.status?.state).toBe('completed');
    expect(result?.artifacts?.[0]?.parts[0]?.text).toBe('Hello from the rendered agent.');
  });
});
