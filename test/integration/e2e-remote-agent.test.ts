// End to end with a RemoteAgent: an A2A server Agentry does not run (test-a2a-server.ts, listening on
// the ClusterIP of its Service, a Service whose selector matches no pod) registered as a RemoteAgent
// with a header from a Secret, exposed through the gateway (Traefik), and used as a tool by a
// Declarative Agent whose runtime runs as the process of its pod. The RemoteAgent's skills show in
// `kubectl get remoteagents`; an SDK client reaches the server through the gateway; the Agent's model
// calls the tool and answers with the remote's reply, which the server saw come with the header.
//
// Every address a test sends to is checked to be in 127.0.0.0/8 first (test/harness/e2e.ts).
import { spawnSync } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { AgentCard } from '@a2a-js/sdk';
import { ClientFactory, JsonRpcTransportFactory, type Client } from '@a2a-js/sdk/client';

import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { messageText } from '../../src/runtime/a2a-messages.js';
import { answerOf, sendText, stateName, userText } from '../harness/a2a-wire.js';
import { connection, eventually, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { a2aClient, createLocalNode, kubectlApply, loopback, loopbackFetch, loopbackOnlyFetch, pinToNode, testGateway } from '../harness/e2e.js';
import { FakeModelServer, toolResults } from '../harness/fake-model.js';
import { NodeAgent } from '../harness/local-pods/node-agent.js';
import { installAgentryCrds, startTestOperator, type TestOperator } from '../harness/operator.js';
import { startTestA2AServer, type TestA2AServer } from '../harness/test-a2a-server.js';

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const kube = new KubeClient(connection());
const namespaces = new TestNamespaces(core);
const gateway = testGateway();
const AGENT_API = 'agentry.dev/v1alpha1';
const TOKEN = 'Bearer currency-e2e-token-5678';
/** The port of the remote's Service: the test server listens on the ClusterIP at it. */
const REMOTE_PORT = 8080;

type Conditions = { type: string; status: string; reason?: string; message?: string }[];
interface StatusObject extends KubeObject {
  status?: { publicUrl?: string; url?: string; skillCount?: number; conditions?: Conditions };
}

let ns = '';
let node = '';
let model: FakeModelServer;
let remote: TestA2AServer | undefined;
let op: TestOperator | undefined;
let nodeAgent: NodeAgent | undefined;

const condition = (obj: StatusObject | undefined, type: string) => obj?.status?.conditions?.find((c) => c.type === type);

async function waitFor(kind: string, name: string, holds: (obj: StatusObject) => boolean, what: string, timeoutMs = 60_000): Promise<StatusObject> {
  return eventually(async () => {
    const obj = await kube.find<StatusObject>(AGENT_API, kind, ns, name);
    if (obj !== undefined && holds(obj)) return obj;
    throw new Error(`${kind} ${name} not ${what} yet: ${JSON.stringify(obj?.status?.conditions)}`);
  }, timeoutMs);
}

function remoteAgent(): KubeObject {
  return {
    apiVersion: AGENT_API,
    kind: 'RemoteAgent',
    metadata: { name: 'currency', namespace: ns },
    spec: {
      service: { name: 'currency-a2a', port: REMOTE_PORT },
      headersFrom: [{ name: 'Authorization', secretKeyRef: { name: 'currency-token', key: 'authorization' } }],
    },
  };
}

function callingAgent(): KubeObject {
  return pinToNode(
    {
      apiVersion: AGENT_API,
      kind: 'Agent',
      metadata: { name: 'expense-desk', namespace: ns },
      spec: {
        description: 'Books expenses in the company currency',
        type: 'Declarative',
        declarative: { systemMessage: 'You book expenses.', modelConfig: 'default', tools: [{ remoteAgent: { name: 'currency' } }] },
        a2aConfig: { skills: [{ id: 'book', name: 'Book an expense' }] },
      },
    },
    node,
  );
}

beforeAll(async () => {
  loopback(gateway.url);
  await installAgentryCrds();
  ns = await namespaces.create('e2e-remote');
  node = `local-${ns}`;
  await createLocalNode(kube, node);
  model = await FakeModelServer.start();
  loopback(model.url);
  op = await startTestOperator([ns, gateway.namespace], {
    gateway: { parentRefs: [{ name: gateway.name, namespace: gateway.namespace }], routeNamespace: gateway.namespace, publicBaseUrl: gateway.url, controllerName: gateway.controllerName },
    remoteAgents: { headersFromSecrets: true },
  });
  nodeAgent = await NodeAgent.start({ connection: connection(), nodeName: node, namespaces: [ns] });
  await kubectlApply(
    [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'model-credentials', namespace: ns }, stringData: { 'api-key': 'sk-e2e-not-a-real-key' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'currency-token', namespace: ns }, stringData: { authorization: TOKEN } },
      {
        apiVersion: AGENT_API,
        kind: 'ModelConfig',
        metadata: { name: 'default', namespace: ns },
        spec: { provider: 'OpenAI', model: 'gpt-e2e', baseUrl: `${model.url}/v1`, apiKeySecret: { name: 'model-credentials', key: 'api-key' } },
      },
      // The pods a remote A2A server would run in (none: the test server is the Service). The calling
      // agent's NetworkPolicy opens them; a Service without a selector could not be opened.
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'currency-a2a', namespace: ns },
        spec: { selector: { 'app.kubernetes.io/name': 'currency-a2a' }, ports: [{ name: 'http', port: REMOTE_PORT, protocol: 'TCP' }] },
      },
    ],
    kube,
  );
  const svc = await kube.get<KubeObject & { spec: { clusterIP: string } }>('v1', 'Service', ns, 'currency-a2a');
  remote = await startTestA2AServer({ name: 'currency', host: loopback(`http://${svc.spec.clusterIP}`).slice('http://'.length), port: REMOTE_PORT });
}, 120_000);

afterAll(async () => {
  for (const kind of ['Agent', 'RemoteAgent']) {
    for (const obj of await kube.list(AGENT_API, kind, ns).catch(() => [])) await kube.delete(obj).catch(() => undefined);
  }
  await eventually(async () => (await kube.list(AGENT_API, 'Agent', ns)).length + (await kube.list(AGENT_API, 'RemoteAgent', ns)).length === 0, 30_000).catch(() => undefined);
  await nodeAgent?.stop();
  await op?.stop();
  await remote?.close();
  await model?.close();
  await kube.delete({ apiVersion: 'v1', kind: 'Node', metadata: { name: node } }).catch(() => undefined);
  await namespaces.deleteAll();
  kube.close();
}, 90_000);

describe('a RemoteAgent, through the gateway and as a tool', () => {
  it('an Agent naming a RemoteAgent that does not exist yet is not accepted, naming the field', async () => {
    await kubectlApply([callingAgent()], kube);
    const agent = await waitFor('Agent', 'expense-desk', (a) => condition(a, 'Accepted')?.status === 'False', 'refused');
    expect(condition(agent, 'Accepted')).toMatchObject({ reason: 'ToolNotFound', message: expect.stringContaining('spec.declarative.tools[0].remoteAgent.name: RemoteAgent') });
  }, 60_000);

  it('reads the card of the server behind the Service: kubectl get remoteagents shows its skills', async () => {
    await kubectlApply([remoteAgent()], kube);
    const ra = await waitFor('RemoteAgent', 'currency', (r) => condition(r, 'Ready')?.status === 'True', 'ready', 90_000);
    expect(ra.status).toMatchObject({ url: `http://currency-a2a.${ns}.svc:${REMOTE_PORT}/`, skillCount: 1 });
    // The card request carried the header from the Secret.
    expect(remote?.cardRequestHeaders().at(-1)?.authorization).toBe(TOKEN);
    const res = spawnSync('kubectl', ['get', 'remoteagents', '-n', ns], { encoding: 'utf8', env: process.env });
    expect(res.status).toBe(0);
    const [header, row] = res.stdout.trim().split('\n');
    expect(header?.split(/\s+/)).toEqual(expect.arrayContaining(['NAME', 'SKILLS', 'REACHABLE', 'READY']));
    const columns = (header ?? '').split(/\s+/);
    const values = (row ?? '').split(/\s+/);
    expect(values[columns.indexOf('NAME')]).toBe('currency');
    expect(values[columns.indexOf('SKILLS')]).toBe('1');
    expect(values[columns.indexOf('REACHABLE')]).toBe('True');
  }, 120_000);

  it('is routed by the gateway: an SDK client reaches the server through Traefik', async () => {
    const ra = await waitFor('RemoteAgent', 'currency', (r) => condition(r, 'Routed')?.status === 'True' && r.status?.publicUrl !== undefined, 'routed');
    const publicUrl = loopback(ra.status?.publicUrl ?? '');
    // The card through the gateway is the server's own (the route rewrites its path prefix away).
    const card = await eventually(async () => {
      const response = await loopbackFetch(new URL('.well-known/agent-card.json', publicUrl).href);
      return response.ok ? ((await response.json()) as { name?: string }) : undefined;
    }, 30_000);
    expect(card.name).toBe('currency');
    // The server's card names its in-cluster address; a client outside uses the public one.
    const client: Client = await new ClientFactory({ transports: [new JsonRpcTransportFactory({ fetchImpl: loopbackOnlyFetch })] }).createFromAgentCard(
      AgentCard.fromJSON({ ...card, supportedInterfaces: [{ url: publicUrl, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }] }),
    );
    const before = remote?.messages().length ?? 0;
    // The server answers with a message, not a task.
    const reply = await client.sendMessage({ tenant: '', message: userText('hello through the gateway'), configuration: undefined, metadata: undefined });
    expect('messageId' in reply ? messageText(reply) : reply).toBe('remote currency: hello through the gateway');
    expect(remote?.messages().slice(before)).toEqual(['hello through the gateway']);
    // Traefik's forwarding headers: the request came through the gateway, not around it.
    expect(remote?.messageRequestHeaders().at(-1)).toHaveProperty('x-forwarded-for');
  }, 90_000);

  it('is a Declarative Agent’s tool: the model calls it and answers with the remote’s reply', async () => {
    const agent = await waitFor('Agent', 'expense-desk', (a) => condition(a, 'Ready')?.status === 'True' && condition(a, 'Routed')?.status === 'True', 'ready and routed', 90_000);
    await nodeAgent?.waitForAgent(ns, 'expense-desk');
    const desk = await eventually(() => a2aClient(loopback(agent.status?.publicUrl ?? '')), 30_000);
    model.reset();
    model.script({ toolCalls: [{ name: 'currency', arguments: { message: 'Convert 100 USD to EUR' } }] }, { text: 'That is 92 EUR.' });
    const before = remote?.messages().length ?? 0;
    const task = await sendText(desk, 'Book a 100 USD taxi');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(task)).toBe('That is 92 EUR.');
    expect(remote?.messages().slice(before)).toEqual(['Convert 100 USD to EUR']);
    // The calling runtime sent the RemoteAgent's header, from the Secret its pod got it from.
    expect(remote?.messageRequestHeaders().at(-1)?.authorization).toBe(TOKEN);
    const [, second] = await model.waitForRequests(2);
    expect(toolResults(second ?? never()).map((r) => r.content)).toEqual([expect.stringContaining('remote currency: Convert 100 USD to EUR')]);
  }, 120_000);

  it('opens the calling agent’s egress to exactly the RemoteAgent’s Service pods, on its port', async () => {
    const policy = await kube.get<KubeObject & { spec: { egress: unknown[] } }>('networking.k8s.io/v1', 'NetworkPolicy', ns, 'expense-desk');
    expect(policy.spec.egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'currency-a2a' } } }],
      ports: [{ protocol: 'TCP', port: REMOTE_PORT }],
    });
  });
});

function never(): never {
  throw new Error('expected a recorded request');
}
