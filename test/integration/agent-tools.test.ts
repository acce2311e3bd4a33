// Tools on a real control plane: an Agent whose tool names a missing Agent or Service waits in
// Accepted=False/ToolNotFound and turns Accepted=True as soon as it appears, with no other change;
// the NetworkPolicies open exactly the paths between caller and tool, and close them when the tool is
// dropped; Service changes reach the policy; unknown fields inside a tool never reach the operator.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { KubeApiError } from '../../src/kube/kube-api-error.js';
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

interface AgentObject extends KubeObject {
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
}
interface PolicyObject extends KubeObject {
  spec: { ingress?: { from: unknown[]; ports: unknown[] }[]; egress?: { to: unknown[]; ports?: unknown[] }[] };
}
interface ConfigMapObject extends KubeObject {
  data: Record<string, string>;
}

function agent(name: string, tools?: unknown[]): KubeObject {
  return {
    apiVersion: AGENT,
    kind: 'Agent',
    metadata: { name, namespace: ns },
    spec: {
      description: `The ${name} agent`,
      type: 'Declarative',
      declarative: { systemMessage: 'You help.', modelConfig: 'default', ...(tools !== undefined && { tools }) },
      a2aConfig: { skills: [{ id: 'help', name: 'Help' }] },
    },
  };
}

const accepted = async (name: string) => (await client.find<AgentObject>(AGENT, 'Agent', ns, name))?.status?.conditions?.find((c) => c.type === 'Accepted');
const policyOf = (name: string) => client.find<PolicyObject>('networking.k8s.io/v1', 'NetworkPolicy', ns, name);
const agentJson = async (name: string): Promise<unknown> => {
  const cm = await client.find<ConfigMapObject>('v1', 'ConfigMap', ns, name);
  return cm ? (JSON.parse(cm.data['agent.json'] ?? '{}') as unknown) : undefined;
};
const pods = (name: string) => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
  podSelector: { matchLabels: { 'agentry.dev/agent': name, 'app.kubernetes.io/instance': name } },
});
const ingressFrom = (policy: PolicyObject | undefined) => policy?.spec.ingress?.flatMap((rule) => rule.from) ?? [];
// Deep equality whatever the key order (the API server writes its own).
const has = (list: unknown[], item: unknown) => list.some((x) => isDeepStrictEqual(x, item));

async function mergePatch(name: string, patch: unknown): Promise<void> {
  await client.patch({ apiVersion: AGENT, kind: 'Agent', metadata: { name, namespace: ns } }, patch, 'merge', { fieldManager: 'kubectl-edit' });
}

beforeAll(async () => {
  await installAgentryCrds();
  ns = await namespaces.create('tools');
  op = await startTestOperator([ns]);
  await client.create({ apiVersion: AGENT, kind: 'ModelConfig', metadata: { name: 'default', namespace: ns }, spec: { provider: 'OpenAI', model: 'gpt-4o', apiKeySecret: { name: 'openai', key: 'api-key' } } });
}, 120_000);

afterAll(async () => {
  await op?.stop();
  await namespaces.deleteAll();
  client.close();
});

describe('Agent tools', () => {
  it('waits for a missing peer Agent, then opens the path between the two and closes it when the tool goes', async () => {
    await client.create(agent('caller', [{ agent: { name: 'peer' } }]));
    const missing = await eventually(async () => {
      const c = await accepted('caller');
      return c?.status === 'False' ? c : undefined;
    });
    expect(missing).toMatchObject({ reason: 'ToolNotFound', message: `spec.declarative.tools[0].agent: Agent "${ns}/peer" not found` });
    expect(await client.find('v1', 'ConfigMap', ns, 'caller')).toBeUndefined();

    // The peer appearing is all it takes.
    await client.create(agent('peer'));
    await eventually(async () => (await accepted('caller'))?.status === 'True');
    expect(await agentJson('caller')).toMatchObject({
      tools: { agents: [{ toolName: 'peer', name: 'peer', namespace: ns, url: `http://peer.${ns}.svc:8080/`, description: 'The peer agent' }] },
      limits: { maxSteps: 10 },
    });
    const egressToPeer = { to: [pods('peer')], ports: [{ protocol: 'TCP', port: 'http' }] };
    const callerPolicy = await eventually(async () => {
      const p = await policyOf('caller');
      return p && has(p.spec.egress ?? [], egressToPeer) ? p : undefined;
    });
    expect(callerPolicy.spec.egress).toContainEqual(egressToPeer);
    const peerPolicy = await eventually(async () => {
      const p = await policyOf('peer');
      return p && has(ingressFrom(p), pods('caller')) ? p : undefined;
    });
    expect(peerPolicy.spec.ingress).toEqual([{ from: [pods('caller')], ports: [{ protocol: 'TCP', port: 8080 }] }]);

    // Dropping the tool takes the caller out of the peer's ingress (and the peer out of its egress).
    await mergePatch('caller', { spec: { declarative: { tools: null } } });
    await eventually(async () => {
      const p = await policyOf('peer');
      return p !== undefined && !has(ingressFrom(p), pods('caller'));
    });
    await eventually(async () => {
      const p = await policyOf('caller');
      return p !== undefined && !has(p.spec.egress ?? [], egressToPeer);
    });
    expect((await agentJson('caller')) ?? {}).not.toHaveProperty('tools');
  });

  it('waits for a missing MCP Service, then opens its pods on the targetPort, following the Service when it changes', async () => {
    await client.create(agent('searcher', [{ mcpServer: { service: { name: 'search-mcp', port: 80 } } }]));
    await eventually(async () => (await accepted('searcher'))?.reason === 'ToolNotFound');

    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'search-mcp', namespace: ns }, spec: { selector: { app: 'search-mcp' }, ports: [{ name: 'http', port: 80, targetPort: 3000 }] } };
    await client.create(svc);
    await eventually(async () => (await accepted('searcher'))?.status === 'True');
    expect(await agentJson('searcher')).toMatchObject({ tools: { mcpServers: [{ id: 'mcp-0', url: `http://search-mcp.${ns}.svc:80/mcp` }] } });
    const rule = (port: number | string) => ({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: { matchLabels: { app: 'search-mcp' } } }],
      ports: [{ protocol: 'TCP', port }],
    });
    await eventually(async () => has((await policyOf('searcher'))?.spec.egress ?? [], rule(3000)));

    // The Service's port now lands on a named pod port: the policy follows.
    await client.patch({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'search-mcp', namespace: ns } }, { spec: { ports: [{ name: 'http', port: 80, targetPort: 'mcp' }] } }, 'merge', {
      fieldManager: 'kubectl-edit',
    });
    await eventually(async () => {
      const egress = (await policyOf('searcher'))?.spec.egress ?? [];
      return has(egress, rule('mcp')) && !has(egress, rule(3000));
    });
  });

  it('never lets an unknown field inside a tool reach the operator', async () => {
    const body = agent('strict', [{ mcpServer: { url: 'https://mcp.example.com/mcp', timeoutSeconds: 5 } }]);
    const path = `/apis/${AGENT}/namespaces/${ns}/agents`;
    // kubectl's default (strict field validation): refused, naming the field.
    const refused = await client.request('POST', path, { body, query: { fieldValidation: 'Strict', dryRun: 'All' } }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(KubeApiError);
    expect(String((refused as KubeApiError).message)).toContain('unknown field "spec.declarative.tools[0].mcpServer.timeoutSeconds"');
    // Anything else: the API server prunes it before storing.
    const stored = await client.request('POST', path, { body, query: { dryRun: 'All' } });
    expect(JSON.stringify(stored)).not.toContain('timeoutSeconds');
    expect(JSON.stringify(stored)).toContain('https://mcp.example.com/mcp');
  });
});
