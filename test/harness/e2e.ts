// What the end-to-end tests share: the run's gateway (Traefik, started by global setup), a kwok node
// of their own whose pods really run (node-agent.ts), manifests applied with kubectl, and the rule
// that no test sends anything to an address outside 127.0.0.0/8.
import { spawn, spawnSync } from 'node:child_process';
import YAML from 'yaml';

import { ClientFactory, DefaultAgentCardResolver, JsonRpcTransportFactory, type Client } from '@a2a-js/sdk/client';

import { kwokNode } from '../../hack/control-plane/control-plane.js';
import type { GatewayInfo } from '../../hack/control-plane/gateway.js';
import type { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { AGENTRY_BIN } from './local-pods/node-agent.js';

/** The gateway global setup started (or the reused control plane's), or a clear failure. */
export function testGateway(): GatewayInfo {
  const json = process.env.AGENTRY_TEST_GATEWAY;
  if (json === undefined) {
    throw new Error('no gateway in this test run: the end-to-end tests need the control plane started with --gateway (npm run control-plane -- up --gateway, when reusing one)');
  }
  return JSON.parse(json) as GatewayInfo;
}

/** Every URL a test sends to goes through this first. */
export function loopback(url: string): string {
  const { hostname } = new URL(url);
  if (!hostname.startsWith('127.')) throw new Error(`refusing to send to ${url}: only 127.0.0.0/8 is allowed in the tests`);
  return url;
}

/** fetch, to loopback addresses only. */
export function loopbackFetch(url: string, init?: RequestInit): Promise<Response> {
  return fetch(loopback(url), init);
}

/** A fetch for SDK clients: refuses any URL outside loopback, whatever the card says. */
export const loopbackOnlyFetch: typeof fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return fetch(loopback(url), init);
};

export const LOCAL_PODS_TAINT = 'agentry.dev/local-pods';

/**
 * A kwok node of the calling test's own, tainted so that only pods that ask (pinToNode) land on it:
 * the node agent runs the pods scheduled there.
 */
export async function createLocalNode(client: KubeClient, name: string): Promise<void> {
  const node = kwokNode(name);
  await client.create({
    ...node,
    metadata: { ...node.metadata, labels: { ...node.metadata.labels, [LOCAL_PODS_TAINT]: name } },
    spec: { taints: [{ key: LOCAL_PODS_TAINT, value: name, effect: 'NoSchedule' }] },
  });
}

/** The Agent, scheduled on the local node (spec.deployment.nodeSelector and a toleration). */
export function pinToNode(agent: KubeObject, node: string): KubeObject {
  const spec = (agent.spec ?? {}) as Record<string, unknown>;
  const deployment = (spec.deployment ?? {}) as Record<string, unknown>;
  return {
    ...agent,
    spec: {
      ...spec,
      deployment: {
        ...deployment,
        nodeSelector: { [LOCAL_PODS_TAINT]: node },
        tolerations: [{ key: LOCAL_PODS_TAINT, operator: 'Equal', value: node, effect: 'NoSchedule' }],
      },
    },
  };
}

/** Parses a YAML stream into objects (comments and empty documents dropped). */
export function parseManifests(text: string): KubeObject[] {
  return YAML.parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && typeof o.kind === 'string');
}

/**
 * `kubectl apply --server-side -f -` with the test cluster's kubeconfig, as a user would apply
 * manifests. Without a kubectl on the PATH, the same server-side apply through the API (reported).
 */
export async function kubectlApply(objects: readonly KubeObject[], client: KubeClient): Promise<string> {
  const kubeconfig = process.env.KUBECONFIG;
  const text = objects.map((o) => YAML.stringify(o)).join('---\n');
  const res = spawnSync('kubectl', ['apply', '--server-side', '--field-manager=kubectl', '-f', '-'], {
    input: text,
    encoding: 'utf8',
    env: { ...process.env, ...(kubeconfig !== undefined && { KUBECONFIG: kubeconfig }) },
  });
  if (res.error !== undefined && 'code' in res.error && res.error.code === 'ENOENT') {
    for (const obj of objects) await client.apply(obj, { fieldManager: 'kubectl', force: true });
    return `(no kubectl on the PATH: applied ${objects.length} objects through the API)`;
  }
  if (res.status !== 0) throw new Error(`kubectl apply failed (${res.status ?? res.signal}): ${res.stderr}`);
  return res.stdout;
}

/** An A2A 1.0 client (@a2a-js/sdk) made from the card at `url`, as a user would, sending only to loopback. */
export function a2aClient(url: string, fetchImpl: typeof fetch = loopbackOnlyFetch): Promise<Client> {
  return new ClientFactory({
    transports: [new JsonRpcTransportFactory({ fetchImpl })],
    cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
  }).createFromUrl(loopback(url));
}

/** Runs the compiled `agentry invoke ...` against the test cluster ($KUBECONFIG), to its exit. */
export function invoke(args: readonly string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AGENTRY_BIN, 'invoke', ...args], { env: { ...process.env, NODE_NO_WARNINGS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
