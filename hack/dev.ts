// `npm run dev`: everything a newcomer needs to talk to an agent, on this machine. A local control
// plane (binaries built on first use) with a kwok node, Traefik as the Gateway API data plane, the
// Agentry CRDs, the operator running in this process, config/samples applied, a model (a fake one,
// or the OpenAI-compatible endpoint AGENTRY_DEV_MODEL_URL names), and the node agent that runs the
// Declarative sample agents' pods as real runtime processes. The RemoteAgent sample stands for an A2A
// server deployed by someone else: dev plays that part with a selector-less Service invoice-reader
// and the test A2A server (test/harness/test-a2a-server.ts) on its loopback ClusterIP. It prints one
// `agentry invoke` command per agent kind, both through the gateway. Ctrl-C stops everything.
//
// The operator config is config/samples/gateway/operator-config.yaml (or the file AGENTRY_DEV_CONFIG
// names) with its gateway section pointed at the local Traefik Gateway (and, for the sample file,
// a2a.appProtocol auto: Traefik refuses the agentgateway value the sample names). Nothing in the clone is
// written but dist/ (`npm run build`: the node agent runs the compiled runtime, as the image does).
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { pino } from 'pino';

import { GROUP_VERSION } from '../src/api/group-version.js';
import { APP_PROTOCOL_AUTO } from '../src/config/app-protocol.js';
import { parseOperatorConfig, type OperatorConfig } from '../src/config/operator-config.js';
import { KubeClient } from '../src/kube/kube-client.js';
import { KubeConnection } from '../src/kube/kube-connection.js';
import { isRecord, type KubeObject } from '../src/kube/kube-object.js';
import { startOperator } from '../src/operator/operator.js';
import { FakeModelServer } from '../test/harness/fake-model.js';
import { NodeAgent } from '../test/harness/local-pods/node-agent.js';
import { startTestA2AServer, type TestA2AServer } from '../test/harness/test-a2a-server.js';
import { applyKustomizationResources } from './control-plane/apply-manifests.js';
import { ControlPlane, installCrds, waitFor } from './control-plane/control-plane.js';
import type { GatewayInfo } from './control-plane/gateway.js';

const path = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const configFile = process.env.AGENTRY_DEV_CONFIG ?? path('config/samples/gateway/operator-config.yaml');
const SAMPLES_NAMESPACE = 'agentry-samples';
const SAMPLE_AGENT = 'expense-processor';
const SAMPLE_REMOTE_AGENT = 'invoice-reader';
const SAMPLE_REMOTE_PORT = 8000;
const log = (m: string) => process.stderr.write(`[dev] ${m}\n`);

/** The real model the user named, or a fake one on loopback. */
async function model(): Promise<{ baseUrl: string; provider: string; model?: string; apiKey?: string; stop: () => Promise<void>; what: string }> {
  const url = process.env.AGENTRY_DEV_MODEL_URL;
  if (url !== undefined && url !== '') {
    return {
      baseUrl: url,
      provider: 'OpenAICompatible',
      ...(process.env.AGENTRY_DEV_MODEL !== undefined && { model: process.env.AGENTRY_DEV_MODEL }),
      ...(process.env.AGENTRY_DEV_MODEL_API_KEY !== undefined && { apiKey: process.env.AGENTRY_DEV_MODEL_API_KEY }),
      stop: () => Promise.resolve(),
      what: `${url} (AGENTRY_DEV_MODEL_URL)`,
    };
  }
  const fake = await FakeModelServer.start();
  return { baseUrl: `${fake.url}/v1`, provider: 'OpenAI', stop: () => fake.close(), what: `a fake model on ${fake.url} (it echoes the system message and your message; set AGENTRY_DEV_MODEL_URL for a real one)` };
}

/**
 * The A2A server behind the RemoteAgent sample, as its owner would deploy it: a Service without a
 * selector (no pod of the cluster serves it) and the test A2A server listening on its ClusterIP,
 * which is a loopback address in this control plane. Its card names the URL it is reached at
 * through the gateway, as a server behind a gateway does: clients send their messages there.
 */
async function remoteAgentServer(client: KubeClient, publicUrl: string): Promise<TestA2AServer> {
  const service = await client.apply<KubeObject>(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SAMPLE_REMOTE_AGENT, namespace: SAMPLES_NAMESPACE },
      spec: { ports: [{ name: 'http', port: SAMPLE_REMOTE_PORT, protocol: 'TCP' }] },
    },
    { fieldManager: 'agentry-dev', force: true },
  );
  const clusterIP = isRecord(service.spec) && typeof service.spec.clusterIP === 'string' ? service.spec.clusterIP : '';
  if (!clusterIP.startsWith('127.')) throw new Error(`the Service ${SAMPLES_NAMESPACE}/${SAMPLE_REMOTE_AGENT} has no loopback ClusterIP (${clusterIP || 'none'})`);
  const skill = (id: string, name: string, description: string, tags: string[]) => ({ id, name, description, tags });
  return startTestA2AServer({
    host: clusterIP,
    port: SAMPLE_REMOTE_PORT,
    name: SAMPLE_REMOTE_AGENT,
    card: {
      name: SAMPLE_REMOTE_AGENT,
      description: `Reads invoices (a stand-in for npm run dev: it answers every message with "remote ${SAMPLE_REMOTE_AGENT}: <the text>").`,
      version: '1.0.0',
      supportedInterfaces: [
        { url: publicUrl, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
        { url: publicUrl, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
      ],
      capabilities: { streaming: true },
      defaultInputModes: ['text/plain', 'application/pdf'],
      defaultOutputModes: ['text/plain', 'application/json'],
      skills: [
        skill('extract-fields', 'Extract invoice fields', 'Reads the supplier, invoice number, dates, currency and totals from an invoice.', ['invoice', 'extraction']),
        skill('line-items', 'List line items', 'Lists each line item with its quantity, unit price, tax rate and amount.', ['invoice', 'line-items']),
        skill('check-totals', 'Check totals', 'Checks that line items, taxes and the invoice total add up, and names any difference.', ['invoice', 'validation']),
      ],
    },
  });
}

/**
 * The config file's settings, routed through the local Traefik Gateway. The sample file names
 * agentgateway's appProtocol, which Traefik refuses: with it, `auto` (none, for Traefik) instead.
 */
function devConfig(config: OperatorConfig, gateway: GatewayInfo): OperatorConfig {
  return {
    ...config,
    ...(process.env.AGENTRY_DEV_CONFIG === undefined && { a2a: { ...config.a2a, appProtocol: APP_PROTOCOL_AUTO } }),
    leaderElection: { ...config.leaderElection, enabled: false },
    gateway: {
      ...config.gateway,
      parentRefs: [{ name: gateway.name, namespace: gateway.namespace }],
      routeNamespace: gateway.namespace,
      publicBaseUrl: gateway.url,
      controllerName: gateway.controllerName,
    },
    networkPolicy: { ...config.networkPolicy, gatewayNamespace: gateway.namespace },
  };
}

log('npm run build (the node agent runs the compiled runtime)');
const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: path(''), stdio: 'inherit' });
if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status ?? build.signal})`);

const cp = await ControlPlane.start({ nodes: 1, controllers: true, gateway: true });
const info = cp.describe();
const gateway = info.gateway;
if (gateway === undefined) throw new Error('the control plane started no gateway');
const connection = KubeConnection.fromKubeconfigFile(info.kubeconfig);
const client = new KubeClient(connection);
await installCrds(client, path('crds'));

const config = devConfig(parseOperatorConfig(await readFile(configFile, 'utf8'), configFile), gateway);
const operator = await startOperator({
  connection,
  config,
  logger: pino({ level: process.env.LOG_LEVEL ?? 'info' }),
  identity: 'dev',
  probeAddress: { host: '127.0.0.1', port: 0 },
});
await operator.leading;
const llm = await model();
const node = info.nodes[0];
if (node === undefined) throw new Error('the control plane has no node');
const nodeAgent = await NodeAgent.start({ connection, nodeName: node });

await applyKustomizationResources(client, path('config/samples/kustomization.yaml'), 'agentry-dev');
// Point the samples' ModelConfig (and its key) at the model, in the cluster only: the files stay as they are.
const apply = (obj: KubeObject) => client.apply(obj, { fieldManager: 'agentry-dev', force: true });
await apply({
  apiVersion: 'agentry.dev/v1alpha1',
  kind: 'ModelConfig',
  metadata: { name: 'default', namespace: SAMPLES_NAMESPACE },
  spec: { provider: llm.provider, model: llm.model ?? 'gpt-4o-mini', baseUrl: llm.baseUrl, apiKeySecret: { name: 'openai-credentials', key: 'api-key' } },
});
if (llm.apiKey !== undefined) {
  await apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'openai-credentials', namespace: SAMPLES_NAMESPACE }, stringData: { 'api-key': llm.apiKey } });
}

// The gateway's default path for the RemoteAgent (gateway.pathTemplate): its card names that URL.
const remotePublicUrl = `${gateway.url}/agents/${SAMPLES_NAMESPACE}/${SAMPLE_REMOTE_AGENT}/`;
const remote = await remoteAgentServer(client, remotePublicUrl);

log(`waiting for ${SAMPLE_AGENT} to answer through the gateway`);
const publicUrl = `${gateway.url}/agents/${SAMPLES_NAMESPACE}/${SAMPLE_AGENT}/`;
await nodeAgent.waitForAgent(SAMPLES_NAMESPACE, SAMPLE_AGENT, () => true, 120_000);
await waitFor(`${publicUrl} through the gateway`, async () => (await fetch(`${publicUrl}.well-known/agent-card.json`)).ok, 60_000, 200);

log(`waiting for the RemoteAgent ${SAMPLE_REMOTE_AGENT} to be Ready with its publicUrl`);
interface RemoteAgentStatus {
  publicUrl?: string;
  conditions?: { type: string; status: string }[];
}
await waitFor(
  `RemoteAgent ${SAMPLES_NAMESPACE}/${SAMPLE_REMOTE_AGENT} Ready at ${remotePublicUrl}`,
  async () => {
    const ra = await client.find<KubeObject & { status?: RemoteAgentStatus }>(GROUP_VERSION, 'RemoteAgent', SAMPLES_NAMESPACE, SAMPLE_REMOTE_AGENT);
    const ready = ra?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
    return ready && ra?.status?.publicUrl === remotePublicUrl;
  },
  60_000,
  200,
);
await waitFor(`${remotePublicUrl} through the gateway`, async () => (await fetch(`${remotePublicUrl}.well-known/agent-card.json`)).ok, 60_000, 200);

const invoke = `KUBECONFIG=${info.kubeconfig} ./bin/agentry.js invoke ${SAMPLE_AGENT} "Is a 450 EUR hotel night in Paris within policy?" -n ${SAMPLES_NAMESPACE}`;
// `agentry invoke` reads Agents only: a RemoteAgent is talked to at its status.publicUrl.
const invokeRemote = `./bin/agentry.js invoke ${SAMPLE_REMOTE_AGENT} "Read invoice INV-2026-0042" --url ${remotePublicUrl}`;
process.stderr.write(`
Agentry dev environment is up: a control plane with ${info.nodes.length} kwok node(s), Traefik on ${gateway.url}
(Gateway ${gateway.namespace}/${gateway.name}), the operator, config/samples, and ${llm.what}.
The Declarative samples run as local processes (test/harness/local-pods); the BYO one does not.
The RemoteAgent sample's server is a test A2A server on the Service ${SAMPLE_REMOTE_AGENT}'s ClusterIP (${remote.url}).

Talk to the expense-processor sample through the gateway:

  ${invoke}

(add --stream to stream the answer), and to the ${SAMPLE_REMOTE_AGENT} RemoteAgent at its status.publicUrl:

  ${invokeRemote}

In another shell:
  export KUBECONFIG=${info.kubeconfig}
  kubectl get agents -A; kubectl get remoteagents -n ${SAMPLES_NAMESPACE}
  kubectl get httproutes -n ${gateway.namespace} -o wide; kubectl get referencegrants,networkpolicies -n ${SAMPLES_NAMESPACE}
  curl -s ${publicUrl}.well-known/agent-card.json; curl -s ${remotePublicUrl}.well-known/agent-card.json
Operator config: ${configFile} (gateway section pointed at the local Traefik Gateway)
Operator metrics: http://127.0.0.1:${operator.probePort}/metrics
Logs: ${info.dir}/*.log (Traefik: traefik.log), ${nodeAgent.dir}/*.log (agent processes)
Ctrl-C stops everything.
`);
// The one machine-readable line, on stdout: what a script (or a test) needs to run the command.
process.stdout.write(`${JSON.stringify({ ready: true, kubeconfig: info.kubeconfig, gateway: gateway.url, publicUrl, invoke, remotePublicUrl, invokeRemote })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stderr.write('\nstopping...\n');
  await nodeAgent.stop();
  await operator.stop();
  await remote.close();
  await llm.stop();
  client.close();
  await cp.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
