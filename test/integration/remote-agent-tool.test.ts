// RemoteAgents as tools on a real control plane: an Agent calling a RemoteAgent by Service follows
// what the RemoteAgent controller says of it (accepted: the tool is in agent.json and the egress is
// open; not accepted: the Agent is not either, with the RemoteAgent's reason) and what happens to the
// Service it names, with no change to the Agent; the RemoteAgent's headers reach the calling pod as
// secretKeyRefs. Nothing listens behind the Service: being reachable is not what makes a tool.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';

import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { connection, eventually, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { installAgentryCrds, startTestOperator, type TestOperator } from '../harness/operator.js';

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const client = new KubeClient(connection());
const namespaces = new TestNamespaces(core);
const AGENT = 'agentry.dev/v1alpha1';
let ns = '';
let op: TestOperator;

type Condition = { type: string; status: string; reason: string; message: string };
interface StatusObject extends KubeObject {
  status?: { conditions?: Condition[] };
}
interface PolicyObject extends KubeObject {
  spec: { egress?: { to: unknown[]; ports?: unknown[] }[] };
}

const condition = async (kind: string, name: string, type: string) => (await client.find<StatusObject>(AGENT, kind, ns, name))?.status?.conditions?.find((c) => c.type === type);

async function waitForCondition(kind: string, name: string, type: string, holds: (c: Condition) => boolean): Promise<Condition> {
  return eventually(async () => {
    const c = await condition(kind, name, type);
    if (c !== undefined && holds(c)) return c;
    throw new Error(`${kind} ${name}: ${type} is ${JSON.stringify(c)}`);
  }, 30_000);
}

function fxService(targetPort: number): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fx-a2a', namespace: ns }, spec: { selector: { app: 'fx' }, ports: [{ name: 'http', port: 80, targetPort, protocol: 'TCP' }] } };
}

const fxEgress = (port: number) => ({
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: { matchLabels: { app: 'fx' } } }],
  ports: [{ protocol: 'TCP', port }],
});

async function egressOf(name: string): Promise<unknown[]> {
  return (await client.find<PolicyObject>('networking.k8s.io/v1', 'NetworkPolicy', ns, name))?.spec.egress ?? [];
}

beforeAll(async () => {
  await installAgentryCrds();
  ns = await namespaces.create('ra-tools');
  op = await startTestOperator([ns], { remoteAgents: { headersFromSecrets: true, allowedHosts: ['fx.partner.example'] } });
  await client.create({ apiVersion: AGENT, kind: 'ModelConfig', metadata: { name: 'default', namespace: ns }, spec: { provider: 'OpenAI', model: 'gpt-4o', apiKeySecret: { name: 'openai', key: 'api-key' } } });
  await client.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'fx-token', namespace: ns }, stringData: { token: 'Bearer fx-integration' } });
}, 120_000);

afterAll(async () => {
  await op?.stop();
  await namespaces.deleteAll();
  client.close();
});

describe('a RemoteAgent as a tool', () => {
  it('follows the RemoteAgent’s verdict and its Service, with no change to the Agent', async () => {
    await client.create(fxService(9000));
    await client.create({
      apiVersion: AGENT,
      kind: 'RemoteAgent',
      metadata: { name: 'fx', namespace: ns },
      spec: { service: { name: 'fx-a2a', port: 80, path: '/a2a' }, headersFrom: [{ name: 'Authorization', secretKeyRef: { name: 'fx-token', key: 'token' } }] },
    });
    await client.create({
      apiVersion: AGENT,
      kind: 'Agent',
      metadata: { name: 'caller', namespace: ns },
      spec: {
        type: 'Declarative',
        declarative: { systemMessage: 'You help.', modelConfig: 'default', tools: [{ remoteAgent: { name: 'fx' } }] },
        a2aConfig: { skills: [{ id: 'help', name: 'Help' }] },
      },
    });
    await waitForCondition('Agent', 'caller', 'Accepted', (c) => c.status === 'True');
    const cm = await client.get<KubeObject & { data: Record<string, string> }>('v1', 'ConfigMap', ns, 'caller');
    expect(JSON.parse(cm.data['agent.json'] ?? '{}')).toMatchObject({
      tools: { agents: [{ toolName: 'fx', name: 'fx', namespace: ns, url: `http://fx-a2a.${ns}.svc:80/a2a`, headers: [{ name: 'Authorization', env: 'AGENTRY_TOOL_0_HEADER_0' }] }] },
    });
    const deployment = await client.get<KubeObject & { spec: { template: { spec: { containers: { env?: unknown[] }[] } } } }>('apps/v1', 'Deployment', ns, 'caller');
    expect(deployment.spec.template.spec.containers[0]?.env).toContainEqual({ name: 'AGENTRY_TOOL_0_HEADER_0', valueFrom: { secretKeyRef: { name: 'fx-token', key: 'token' } } });
    await eventually(async () => (await egressOf('caller')).some((rule) => isDeepStrictEqual(rule, fxEgress(9000))), 30_000);

    // The Service's target port changes: the caller's egress follows.
    await client.patch(fxService(9100), { spec: { ports: [{ name: 'http', port: 80, targetPort: 9100, protocol: 'TCP' }] } }, 'merge');
    await eventually(async () => {
      const egress = await egressOf('caller');
      return egress.some((rule) => isDeepStrictEqual(rule, fxEgress(9100))) && !egress.some((rule) => isDeepStrictEqual(rule, fxEgress(9000)));
    }, 30_000);

    // The Service goes: the RemoteAgent controller refuses the RemoteAgent, and the Agent follows it.
    await client.delete(fxService(9100));
    await waitForCondition('RemoteAgent', 'fx', 'Accepted', (c) => c.status === 'False');
    // The Agent may first be refused for the Service itself (its own watch on it can run before the
    // RemoteAgent's status changes); it settles on the RemoteAgent's verdict.
    const refused = await waitForCondition('Agent', 'caller', 'Accepted', (c) => c.status === 'False' && c.reason === 'InvalidTool');
    expect(refused).toMatchObject({ reason: 'InvalidTool', message: expect.stringContaining(`spec.declarative.tools[0].remoteAgent.name: RemoteAgent "${ns}/fx" is not accepted`) });

    // It comes back: so do both.
    await client.create(fxService(9000));
    await waitForCondition('RemoteAgent', 'fx', 'Accepted', (c) => c.status === 'True');
    await waitForCondition('Agent', 'caller', 'Accepted', (c) => c.status === 'True');
  }, 120_000);

  it('mounts a URL RemoteAgent’s CA bundle into the calling pod (the Deployment the API server accepts)', async () => {
    await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'partner-ca', namespace: ns }, data: { 'ca.crt': 'not checked by the API server' } });
    await client.create({
      apiVersion: AGENT,
      kind: 'RemoteAgent',
      metadata: { name: 'partner', namespace: ns },
      spec: { url: 'https://fx.partner.example/a2a', tls: { caBundle: { configMapKeyRef: { name: 'partner-ca', key: 'ca.crt' } } } },
    });
    await client.create({
      apiVersion: AGENT,
      kind: 'Agent',
      metadata: { name: 'partner-caller', namespace: ns },
      spec: { type: 'Declarative', declarative: { systemMessage: 'You help.', modelConfig: 'default', tools: [{ remoteAgent: { name: 'partner' } }] } },
    });
    await waitForCondition('Agent', 'partner-caller', 'Accepted', (c) => c.status === 'True');
    const deployment = await client.get<KubeObject & { spec: { template: { spec: { volumes: unknown[] } } } }>('apps/v1', 'Deployment', ns, 'partner-caller');
    expect(deployment.spec.template.spec.volumes).toContainEqual({
      name: 'tool-ca',
      projected: { defaultMode: 420, sources: [{ configMap: { name: 'partner-ca', items: [{ key: 'ca.crt', path: 'tool-0.pem' }] } }] },
    });
  }, 60_000);

  it('refuses a RemoteAgent of another namespace where the configuration does not allow it, before looking it up', async () => {
    await client.create({
      apiVersion: AGENT,
      kind: 'Agent',
      metadata: { name: 'far-caller', namespace: ns },
      spec: { type: 'Declarative', declarative: { systemMessage: 'You help.', modelConfig: 'default', tools: [{ remoteAgent: { name: 'fx', namespace: 'elsewhere' } }] } },
    });
    const refused = await waitForCondition('Agent', 'far-caller', 'Accepted', (c) => c.status === 'False');
    expect(refused).toMatchObject({ reason: 'InvalidTool', message: expect.stringContaining('spec.declarative.tools[0].remoteAgent.namespace: "elsewhere" is not allowed') });
  }, 60_000);
});
