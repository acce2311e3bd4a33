// End to end, for real: the sample agent applied with kubectl, routed by Agentry's HTTPRoute through
// a real Gateway API data plane (Traefik, started by global setup) to the compiled agent runtime,
// running as a local process for the pod kwok "runs" (test/harness/local-pods), answering from the
// fake model; A2A 1.0 with @a2a-js/sdk's client and 0.3 as raw JSON-RPC, `agentry invoke`; a
// config change that rolls the pod, a deleted ReferenceGrant put back, a deleted Agent gone from the
// gateway; and the appProtocol a gateway refuses, with the fix named in Routed. Tools and token
// streaming through the gateway: e2e-tools.test.ts.
//
// Every address a test sends to is checked to be in 127.0.0.0/8 first (test/harness/e2e.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { answerOf, legacyMessage, rpc, sendText, stateName, userText } from '../harness/a2a-wire.js';
import { connection, eventually, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { a2aClient, createLocalNode, invoke, kubectlApply, loopback, loopbackFetch, loopbackOnlyFetch, parseManifests, pinToNode, testGateway } from '../harness/e2e.js';
import { FakeModelServer, systemMessage } from '../harness/fake-model.js';
import { NodeAgent } from '../harness/local-pods/node-agent.js';
import { installAgentryCrds, startTestOperator, type TestOperator } from '../harness/operator.js';

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const kube = new KubeClient(connection());
const namespaces = new TestNamespaces(core);
const gateway = testGateway();
const AGENT_API = 'agentry.dev/v1alpha1';
const GW = 'gateway.networking.k8s.io';
const SAMPLE = 'expense-processor';

let ns = '';
let model: FakeModelServer;
let op: TestOperator | undefined;
let nodeAgent: NodeAgent | undefined;
let publicUrl = '';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface AgentObject extends KubeObject {
  status?: { url?: string; publicUrl?: string; conditions?: Condition[] };
}
interface RouteObject extends KubeObject {
  status?: { parents?: { controllerName?: string; parentRef?: { name?: string }; conditions?: Condition[] }[] };
}

const agentOf = (namespace: string, name: string) => kube.find<AgentObject>(AGENT_API, 'Agent', namespace, name);
const routeOf = (namespace: string, name: string) => kube.find<RouteObject>(`${GW}/v1`, 'HTTPRoute', gateway.namespace, `${name}.${namespace}`);
const condition = (a: AgentObject | undefined, type: string) => a?.status?.conditions?.find((c) => c.type === type);
const traefikParent = (r: RouteObject | undefined) => r?.status?.parents?.find((p) => p.controllerName === gateway.controllerName);

/** The sample files, as a user would apply them, moved into this test's namespace and onto its node. */
function samples(node: string, modelUrl: string): KubeObject[] {
  const files = ['secret-openai-credentials.yaml', 'modelconfig-default.yaml', `agent-${SAMPLE}.yaml`];
  return files.flatMap((file) => parseManifests(readFileSync(fileURLToPath(new URL(`../../config/samples/${file}`, import.meta.url)), 'utf8'))).map((obj) => {
    const moved: KubeObject = { ...obj, metadata: { ...obj.metadata, namespace: ns } };
    if (obj.kind === 'ModelConfig') return { ...moved, spec: { ...(obj.spec as object), baseUrl: `${modelUrl}/v1` } };
    if (obj.kind === 'Agent') return pinToNode(moved, node);
    return moved;
  });
}

beforeAll(async () => {
  loopback(gateway.url);
  await installAgentryCrds();
  ns = await namespaces.create('e2e');
  const node = `local-${ns}`;
  await createLocalNode(kube, node);
  model = await FakeModelServer.start();
  loopback(model.url);
  op = await startTestOperator([ns, gateway.namespace], {
    gateway: {
      parentRefs: [{ name: gateway.name, namespace: gateway.namespace }],
      // Routes beside the gateway: each agent gets a ReferenceGrant in its own namespace.
      routeNamespace: gateway.namespace,
      publicBaseUrl: gateway.url,
      controllerName: gateway.controllerName,
    },
  });
  nodeAgent = await NodeAgent.start({ connection: connection(), nodeName: node, namespaces: [ns] });
  await kubectlApply(samples(node, model.url), kube);
  publicUrl = `${gateway.url}/agents/${ns}/${SAMPLE}/`;
}, 120_000);

afterAll(async () => {
  // Agents first, while the operator runs: it removes their routes beside the gateway (finalizer).
  for (const agent of await kube.list<AgentObject>(AGENT_API, 'Agent', ns).catch((): AgentObject[] => [])) {
    await kube.delete({ apiVersion: AGENT_API, kind: 'Agent', metadata: { name: agent.metadata.name, namespace: ns } }).catch(() => undefined);
  }
  await eventually(async () => (await kube.list(AGENT_API, 'Agent', ns)).length === 0, 30_000).catch(() => undefined);
  await nodeAgent?.stop();
  await op?.stop();
  await model?.close();
  await kube.delete({ apiVersion: 'v1', kind: 'Node', metadata: { name: `local-${ns}` } }).catch(() => undefined);
  await namespaces.deleteAll();
  kube.close();
}, 90_000);

describe('a sample agent behind a real gateway', () => {
  it('is routed by Traefik: the HTTPRoute is Accepted and ResolvedRefs, Routed=True comes from it, publicUrl is the gateway URL', async () => {
    const parent = await eventually(async () => {
      const p = traefikParent(await routeOf(ns, SAMPLE));
      const ok = (type: string) => p?.conditions?.find((c) => c.type === type)?.status === 'True';
      return ok('Accepted') && ok('ResolvedRefs') ? p : undefined;
    }, 60_000);
    expect(parent.parentRef?.name).toBe(gateway.name);
    const agent = await eventually(async () => {
      const a = await agentOf(ns, SAMPLE);
      return condition(a, 'Routed')?.status === 'True' ? a : undefined;
    }, 30_000);
    expect(condition(agent, 'Routed')).toMatchObject({ reason: 'RouteAccepted' });
    expect(agent.status?.publicUrl).toBe(publicUrl);
    // Traefik is a gateway that refuses unknown appProtocols: auto wrote none.
    const svc = await kube.get<KubeObject & { spec: { clusterIP: string; ports: { appProtocol?: string }[] } }>('v1', 'Service', ns, SAMPLE);
    expect(svc.spec.ports[0]?.appProtocol).toBeUndefined();
    expect(svc.spec.clusterIP).toMatch(/^127\.96\./);
    // The pod kwok keeps Running is a real process on that ClusterIP.
    const local = await nodeAgent?.waitForAgent(ns, SAMPLE);
    expect(local?.address).toBe(`${svc.spec.clusterIP}:8080`);
  }, 120_000);

  it('serves its card through the gateway with the public URL as interface URL, which a client follows through the gateway', async () => {
    const res = await eventually(async () => {
      const r = await loopbackFetch(`${publicUrl}.well-known/agent-card.json`);
      return r.status === 200 ? r : undefined;
    }, 30_000);
    const card = (await res.json()) as { name: string; supportedInterfaces: { url: string; protocolVersion: string }[] };
    expect(card.name).toBe(SAMPLE);
    expect(card.supportedInterfaces.map((i) => [i.url, i.protocolVersion])).toEqual([
      [publicUrl, '1.0'],
      [publicUrl, '0.3'],
    ]);
    // The SDK client reads the card and sends to its interface URL: everything goes through the gateway.
    const seen: string[] = [];
    const recording: typeof fetch = (input, init) => {
      seen.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      return loopbackOnlyFetch(input, init);
    };
    const client = await a2aClient(publicUrl, recording);
    const task = await sendText(client, 'is a 450 EUR hotel night in Paris within policy?');
    expect(stateName(task)).toBe('TASK_STATE_COMPLETED');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const url of seen) expect(url.startsWith(publicUrl)).toBe(true);
  }, 60_000);

  it('answers from the model through the gateway: send, then a second turn in the same context', async () => {
    const client = await a2aClient(publicUrl);
    model.reset();
    const first = await sendText(client, 'my report has a 450 EUR hotel night');
    expect(stateName(first)).toBe('TASK_STATE_COMPLETED');
    expect(answerOf(first)).toMatch(/^echo: system=You validate expense reports against the company travel policy.*; user=my report has a 450 EUR hotel night; turns=1$/);
    expect(model.requests).toHaveLength(1);
    expect(systemMessage(model.requests[0] ?? never())).toContain('You validate expense reports');

    const second = await sendText(client, 'and a 30 EUR taxi', { contextId: first.contextId });
    expect(second.contextId).toBe(first.contextId);
    expect(answerOf(second)).toMatch(/user=and a 30 EUR taxi; turns=2$/);
  }, 60_000);

  it('streams to an SDK client (SendStreamingMessage): an agent that does not stream tokens answers with its task', async () => {
    const client = await a2aClient(publicUrl);
    model.reset();
    const events: string[] = [];
    let answer = '';
    for await (const event of client.sendMessageStream({ tenant: '', message: userText('stream the verdict'), configuration: undefined, metadata: undefined })) {
      const payload = event.payload;
      events.push(payload?.$case ?? 'none');
      if (payload?.$case === 'task') answer = `${stateName(payload.value)} ${answerOf(payload.value)}`;
    }
    expect(events).toEqual(['task']);
    expect(answer).toMatch(/^TASK_STATE_COMPLETED echo: .*user=stream the verdict; turns=1$/);
  }, 60_000);

  it('speaks A2A 0.3 through the gateway to a raw JSON-RPC client (message/send)', async () => {
    model.reset();
    const res = await rpc(loopback(publicUrl), 'message/send', { message: legacyMessage('hello from 0.3') });
    expect(res.status).toBe(200);
    const task = res.json?.result as { kind?: string; status?: { state?: string }; artifacts?: { parts: { text?: string }[] }[] };
    expect(task.kind).toBe('task');
    expect(task.status?.state).toBe('completed');
    expect(task.artifacts?.[0]?.parts[0]?.text).toMatch(/user=hello from 0\.3; turns=1$/);
  }, 60_000);

  it('is reachable in one line: agentry invoke, URL from the status', async () => {
    loopback(publicUrl);
    model.reset();
    const answered = await invoke([SAMPLE, 'hello from the CLI', '-n', ns]);
    expect(answered).toMatchObject({ code: 0 });
    expect(answered.stdout).toMatch(/^echo: system=You validate expense reports.*; user=hello from the CLI; turns=1\n$/);
    expect(answered.stderr).toMatch(/^context: \S+ \(continue with --context-id \S+\)\n$/);
    // --stream against an agent that does not stream tokens prints its whole answer.
    const streamed = await invoke([SAMPLE, 'stream it', '-n', ns, '--stream']);
    expect(streamed).toMatchObject({ code: 0 });
    expect(streamed.stdout).toMatch(/user=stream it; turns=1\n$/);
  }, 60_000);

  it('rolls the pod when the system message changes, and the next answer carries the new one to the model', async () => {
    const before = await nodeAgent?.waitForAgent(ns, SAMPLE);
    await kube.patch({ apiVersion: AGENT_API, kind: 'Agent', metadata: { name: SAMPLE, namespace: ns } }, { spec: { declarative: { systemMessage: 'You are the new expense auditor.' } } }, 'merge', { fieldManager: 'kubectl-edit' });
    const after = await nodeAgent?.waitForAgent(ns, SAMPLE, (p) => p.uid !== before?.uid, 60_000);
    expect(after?.name).not.toBe(before?.name);
    expect(after?.address).toBe(before?.address);
    const client = await a2aClient(publicUrl);
    model.reset();
    const answer = await eventually(async () => answerOf(await sendText(client, 'who are you?')), 30_000);
    expect(answer).toBe('echo: system=You are the new expense auditor.; user=who are you?; turns=1');
    // Only the new process runs: the old pod's is stopped.
    expect(nodeAgent?.list().filter((p) => p.agent === SAMPLE).map((p) => p.uid)).toEqual([after?.uid]);
  }, 120_000);

  it('puts back a ReferenceGrant deleted by hand, and traffic recovers', async () => {
    const grant = await kube.get('gateway.networking.k8s.io/v1beta1', 'ReferenceGrant', ns, SAMPLE);
    await kube.delete({ apiVersion: `${GW}/v1beta1`, kind: 'ReferenceGrant', metadata: { name: SAMPLE, namespace: ns } });
    const restored = await eventually(async () => {
      const g = await kube.find(`${GW}/v1beta1`, 'ReferenceGrant', ns, SAMPLE);
      return g !== undefined && g.metadata.uid !== grant.metadata.uid ? g : undefined;
    }, 30_000);
    expect(restored.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('agentry');
    // Until Traefik sees the grant again the route's backend is refused (500): wait for traffic.
    const task = await eventually(async () => {
      const t = await sendText(await a2aClient(publicUrl), 'still there?');
      return stateName(t) === 'TASK_STATE_COMPLETED' ? t : undefined;
    }, 30_000);
    expect(answerOf(task)).toContain('user=still there?');
    await eventually(async () => condition(await agentOf(ns, SAMPLE), 'Routed')?.status === 'True', 30_000);
  }, 90_000);

  it('is gone from the gateway once the Agent is deleted: no route, 404, no process', async () => {
    await kube.delete({ apiVersion: AGENT_API, kind: 'Agent', metadata: { name: SAMPLE, namespace: ns } });
    await eventually(async () => (await routeOf(ns, SAMPLE)) === undefined, 30_000);
    await eventually(async () => (await loopbackFetch(`${publicUrl}.well-known/agent-card.json`)).status === 404, 30_000);
    await eventually(() => Promise.resolve(nodeAgent?.list().every((p) => p.agent !== SAMPLE)), 30_000);
  }, 90_000);
});

describe('an appProtocol the gateway refuses', () => {
  const name = 'refused';
  let refusedNs = '';
  let other: TestOperator | undefined;

  afterAll(async () => {
    if (refusedNs !== '') {
      await kube.delete({ apiVersion: AGENT_API, kind: 'Agent', metadata: { name, namespace: refusedNs } }).catch(() => undefined);
      await eventually(async () => (await agentOf(refusedNs, name)) === undefined, 30_000).catch(() => undefined);
    }
    await other?.stop();
  }, 60_000);

  it('kgateway.dev/a2a through Traefik: UnsupportedProtocol, a 500, and Routed=False naming a2a.appProtocol', async () => {
    refusedNs = await namespaces.create('e2e-refused');
    other = await startTestOperator([refusedNs, gateway.namespace], {
      a2a: { appProtocol: 'kgateway.dev/a2a' },
      gateway: { parentRefs: [{ name: gateway.name, namespace: gateway.namespace }], routeNamespace: gateway.namespace, publicBaseUrl: gateway.url, controllerName: gateway.controllerName },
    });
    // A BYO agent: nothing needs to run, the gateway refuses the backend before a request could reach it.
    await kube.create({
      apiVersion: AGENT_API,
      kind: 'Agent',
      metadata: { name, namespace: refusedNs },
      spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/agent:1.0.0' }, a2aConfig: { skills: [{ id: 'a', name: 'A' }] } },
    });
    const routed = await eventually(async () => {
      const c = condition(await agentOf(refusedNs, name), 'Routed');
      return c?.reason === 'UnsupportedProtocol' ? c : undefined;
    }, 60_000);
    expect(routed.status).toBe('False');
    expect(routed.message).toContain('unsupported application protocol kgateway.dev/a2a');
    expect(routed.message).toContain(`Traefik does not accept the agent Service's appProtocol "kgateway.dev/a2a": set the operator config's a2a.appProtocol to none`);
    const parent = traefikParent(await routeOf(refusedNs, name));
    expect(parent?.conditions?.find((c) => c.type === 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'UnsupportedProtocol' });
    // Traefik loads the route with a backend that answers 500 (it reports status before the router is live).
    await eventually(async () => (await loopbackFetch(`${gateway.url}/agents/${refusedNs}/${name}/.well-known/agent-card.json`)).status === 500, 30_000);
  }, 120_000);
});

function never(): never {
  throw new Error('unreachable');
}
