// End to end with tools and streaming: an Agent (trip-planner, streaming) whose tools are an MCP server
// and another Agent (fx-desk), both reached through real Services: the fake MCP server listens on
// its Service's ClusterIP, the peer is the runtime process of fx-desk's pod. The runtime's calls go
// to their in-cluster names (`x.ns.svc`), resolved by the node agent's preload. Clients talk to
// trip-planner through the gateway (Traefik): SDK streaming, A2A 0.3 streaming, `agentry invoke --stream`.
//
// Every address a test sends to is checked to be in 127.0.0.0/8 first (test/harness/e2e.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { Client } from '@a2a-js/sdk/client';

import { parsePrometheusText, sumOf } from '../../hack/metrics/prometheus-text.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { answerOf, legacyMessage, rpcStream, sendText, stateName, stateText, userText } from '../harness/a2a-wire.js';
import { connection, eventually, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { a2aClient, createLocalNode, invoke, kubectlApply, loopback, loopbackFetch, parseManifests, pinToNode, testGateway } from '../harness/e2e.js';
import { FakeMcpServer } from '../harness/fake-mcp-server.js';
import { FakeModelServer, systemMessage, toolNames, toolResults } from '../harness/fake-model.js';
import { NodeAgent } from '../harness/local-pods/node-agent.js';
import { installAgentryCrds, startTestOperator, type TestOperator } from '../harness/operator.js';

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const kube = new KubeClient(connection());
const namespaces = new TestNamespaces(core);
const gateway = testGateway();
const AGENT_API = 'agentry.dev/v1alpha1';
const FIXTURE = fileURLToPath(new URL('../fixtures/e2e/trip-planner.yaml', import.meta.url));

let ns = '';
let node = '';
let model: FakeModelServer;
let mcp: FakeMcpServer | undefined;
let op: TestOperator | undefined;
let nodeAgent: NodeAgent | undefined;
let planner = '';
let client: Client;

interface AgentObject extends KubeObject {
  status?: { publicUrl?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

function fixture(): KubeObject[] {
  return parseManifests(readFileSync(FIXTURE, 'utf8')).map((obj) => {
    const moved: KubeObject = { ...obj, metadata: { ...obj.metadata, namespace: ns } };
    if (obj.kind === 'ModelConfig') return { ...moved, spec: { ...(obj.spec as object), baseUrl: `${model.url}/v1` } };
    if (obj.kind === 'Agent') return pinToNode(moved, node);
    return moved;
  });
}

beforeAll(async () => {
  loopback(gateway.url);
  await installAgentryCrds();
  ns = await namespaces.create('e2e-tools');
  node = `local-${ns}`;
  await createLocalNode(kube, node);
  model = await FakeModelServer.start();
  loopback(model.url);
  op = await startTestOperator([ns, gateway.namespace], {
    gateway: { parentRefs: [{ name: gateway.name, namespace: gateway.namespace }], routeNamespace: gateway.namespace, publicBaseUrl: gateway.url, controllerName: gateway.controllerName },
  });
  nodeAgent = await NodeAgent.start({ connection: connection(), nodeName: node, namespaces: [ns] });
  const objects = fixture();
  // The MCP server's Service first: its process must listen on the ClusterIP before the agent connects.
  await kubectlApply(objects.filter((o) => o.kind !== 'Agent'), kube);
  const svc = await kube.get<KubeObject & { spec: { clusterIP: string } }>('v1', 'Service', ns, 'exchange-rates');
  mcp = await FakeMcpServer.start({ host: loopback(`http://${svc.spec.clusterIP}`).slice('http://'.length), port: 8080, transport: 'streamable-http' });
  await kubectlApply(objects.filter((o) => o.kind === 'Agent'), kube);
  const agent = await eventually(async () => {
    const a = await kube.find<AgentObject>(AGENT_API, 'Agent', ns, 'trip-planner');
    if (a?.status?.conditions?.some((c) => c.type === 'Routed' && c.status === 'True') === true) return a;
    throw new Error(`trip-planner not routed yet: ${JSON.stringify(a?.status?.conditions)}`);
  }, 60_000);
  planner = loopback(agent.status?.publicUrl ?? '');
  const [plannerPod] = await Promise.all([nodeAgent.waitForAgent(ns, 'trip-planner'), nodeAgent.waitForAgent(ns, 'fx-desk')]);
  // The runtime serves before its MCP client has connected (it connects in the background): wait
  // until the runtime itself says the server is up, on its own /metrics at the Service's address.
  await eventually(async () => {
    const text = await (await loopbackFetch(`http://${plannerPod.address}/metrics`)).text();
    return sumOf(parsePrometheusText(text), 'agentry_runtime_mcp_server_up') === 1;
  }, 30_000);
  // Traefik reports the route accepted a moment before its router serves it.
  client = await eventually(() => a2aClient(planner), 30_000);
}, 120_000);

afterAll(async () => {
  for (const name of ['trip-planner', 'fx-desk']) {
    await kube.delete({ apiVersion: AGENT_API, kind: 'Agent', metadata: { name, namespace: ns } }).catch(() => undefined);
  }
  await eventually(async () => (await kube.list(AGENT_API, 'Agent', ns)).length === 0, 30_000).catch(() => undefined);
  await nodeAgent?.stop();
  await op?.stop();
  await mcp?.stop();
  await model?.close();
  await kube.delete({ apiVersion: 'v1', kind: 'Node', metadata: { name: node } }).catch(() => undefined);
  await namespaces.deleteAll();
  kube.close();
}, 90_000);

describe('tools through real Services', () => {
  it('calls the MCP server at its Service (x.ns.svc, the ClusterIP its process listens on)', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'get_exchange_rate', arguments: { from: 'USD', to: 'EUR' } }] }, { text: 'A 100 USD dinner is 92 EUR.' });
    const task = await sendText(client, 'how much is a 100 USD dinner in EUR?');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(task)).toBe('A 100 USD dinner is 92 EUR.');
    expect(mcp?.calls.map((c) => [c.tool, c.arguments])).toEqual([['get_exchange_rate', { from: 'USD', to: 'EUR' }]]);
    expect(mcp?.calls[0]?.headers.host).toBe(`exchange-rates.${ns}.svc:8080`);
    const [first, second] = await model.waitForRequests(2);
    expect(toolNames(first ?? never())).toEqual(expect.arrayContaining(['get_exchange_rate', 'fx-desk']));
    expect(toolResults(second ?? never()).map((r) => r.content)).toEqual([expect.stringContaining('1 USD = 0.92 EUR')]);
  }, 60_000);

  it('calls another Agent as a tool, over A2A to its Service, and gets its model-made answer', async () => {
    model.reset();
    model.script({ toolCalls: [{ name: 'fx-desk', arguments: { message: 'What does 100 USD buy in JPY?' } }] }, { echo: true }, { text: 'About 15,120 JPY.' });
    const task = await sendText(client, 'budget for Tokyo?');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(task)).toBe('About 15,120 JPY.');
    const [, peer, last] = await model.waitForRequests(3);
    // The second model call is fx-desk's own, made by its runtime for the A2A call it received.
    expect(systemMessage(peer ?? never())).toBe('You are the FX desk.');
    expect(toolResults(last ?? never()).map((r) => r.content)).toEqual([expect.stringContaining('echo: system=You are the FX desk.; user=What does 100 USD buy in JPY?; turns=1')]);
  }, 60_000);
});

describe('streaming through the gateway', () => {
  it('delivers the answer in pieces, the first while the model is still answering (Traefik does not buffer the stream)', async () => {
    model.reset();
    model.script({ text: 'fly Tuesday, stay three nights', chunks: 5, chunkDelayMs: 150 });
    const pieces: string[] = [];
    const states: string[] = [];
    let firstWhileModelBusy: boolean | undefined;
    for await (const event of client.sendMessageStream({ tenant: '', message: userText('plan Paris'), configuration: undefined, metadata: undefined })) {
      const payload = event.payload;
      if (payload?.$case === 'statusUpdate') states.push(stateText(payload.value.status?.state));
      // Pieces as they come; the last update replaces them with the whole answer.
      if (payload?.$case === 'artifactUpdate' && !payload.value.lastChunk) {
        const content = payload.value.artifact?.parts[0]?.content;
        firstWhileModelBusy ??= model.requests[0]?.finished === false;
        pieces.push(content?.$case === 'text' ? content.value : '');
      }
    }
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    expect(pieces.join('')).toBe('fly Tuesday, stay three nights');
    expect(firstWhileModelBusy).toBe(true);
    expect(states[states.length - 1]).toBe('TASK_STATE_COMPLETED');
  }, 60_000);

  it('streams to a raw A2A 0.3 client (message/stream)', async () => {
    model.reset();
    model.script({ text: 'streamed to an old client', chunks: 4, chunkDelayMs: 20 });
    const appended: string[] = [];
    let finalState: string | undefined;
    for await (const event of rpcStream(planner, 'message/stream', { message: legacyMessage('stream to 0.3') })) {
      expect(event.error).toBeUndefined();
      const result = event.result as { kind?: string; lastChunk?: boolean; status?: { state?: string }; artifact?: { parts: { text?: string }[] } };
      if (result.kind === 'artifact-update' && result.lastChunk !== true) appended.push(result.artifact?.parts.map((p) => p.text ?? '').join('') ?? '');
      if (result.kind === 'status-update') finalState = result.status?.state;
    }
    expect(appended.join('')).toBe('streamed to an old client');
    expect(finalState).toBe('completed');
  }, 60_000);

  it('streams to the terminal: agentry invoke --stream', async () => {
    model.reset();
    model.script({ text: 'streamed to the terminal', chunks: 4, chunkDelayMs: 20 });
    loopback(planner);
    const res = await invoke(['trip-planner', 'stream it', '-n', ns, '--stream']);
    expect(res).toMatchObject({ code: 0, stdout: 'streamed to the terminal\n' });
    expect(model.requests[0]?.stream).toBe(true);
  }, 60_000);
});

function never(): never {
  throw new Error('expected a recorded request');
}
