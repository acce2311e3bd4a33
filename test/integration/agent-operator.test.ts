// The Agent operator on a real control plane: children, updates, drift, deletion, status, the
// zero-writes promise (checked in the API server's audit log) and bad specs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import YAML from 'yaml';
import { renderCommand } from '../../src/cli/render-command.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { firstDifference } from '../../src/operator/apply/write-decision.js';
import { eventually, connection, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { auditEvents } from '../harness/audit-log.js';
import { afterAResync, installAgentryCrds, startTestOperator, type TestOperator } from '../harness/operator.js';

const kc = kubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const client = new KubeClient(connection());
const namespaces = new TestNamespaces(core);
let ns = '';
let op: TestOperator;

interface AgentObject extends KubeObject {
  spec: Record<string, unknown>;
  status?: {
    observedGeneration?: number;
    url?: string;
    replicas?: number;
    readyReplicas?: number;
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}
interface ServiceObject extends KubeObject {
  spec: { type?: string; ports: { name: string; port: number; appProtocol?: string }[] };
}
interface DeploymentObject extends KubeObject {
  spec: { replicas: number; template: { metadata: { annotations?: Record<string, string> }; spec: { containers: { image: string; env?: { name: string; value?: string; valueFrom?: unknown }[] }[] } } };
}

const AGENT = 'agentry.dev/v1alpha1';

function modelConfig(name: string, model = 'gpt-4o-mini'): KubeObject {
  return { apiVersion: AGENT, kind: 'ModelConfig', metadata: { name, namespace: ns }, spec: { provider: 'OpenAI', model, apiKeySecret: { name: 'openai', key: 'api-key' } } };
}

function declarativeAgent(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: AGENT,
    kind: 'Agent',
    metadata: { name, namespace: ns },
    spec: {
      description: 'Processes and validates expense reports',
      type: 'Declarative',
      declarative: { systemMessage: 'You validate expense reports.', modelConfig: 'default' },
      a2aConfig: { skills: [{ id: 'validate-expense', name: 'Validate Expense Report', description: 'Checks a report', tags: ['finance'] }] },
      ...extra,
    },
  };
}

function byoAgent(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: AGENT, kind: 'Agent', metadata: { name, namespace: ns }, spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/agent:1.2.0', port: 9000 }, ...extra } };
}

const get = <T extends KubeObject>(apiVersion: string, kind: string, name: string) => client.find<T>(apiVersion, kind, ns, name);
const agentOf = (name: string) => get<AgentObject>(AGENT, 'Agent', name);
const serviceOf = (name: string) => get<ServiceObject>('v1', 'Service', name);
const deploymentOf = (name: string) => get<DeploymentObject>('apps/v1', 'Deployment', name);
const condition = (a: AgentObject | undefined, type: string) => a?.status?.conditions?.find((c) => c.type === type);
const configHash = (d: DeploymentObject | undefined) => d?.spec.template.metadata.annotations?.['agentry.dev/config-hash'];

async function mergePatch(kind: string, apiVersion: string, name: string, patch: unknown): Promise<void> {
  await client.patch({ apiVersion, kind, metadata: { name, namespace: ns } }, patch, 'merge', { fieldManager: 'kubectl-edit' });
}

beforeAll(async () => {
  await installAgentryCrds();
  ns = await namespaces.create('agents');
  op = await startTestOperator([ns]);
  await client.create(modelConfig('default'));
}, 120_000);

afterAll(async () => {
  await op?.stop();
  await namespaces.deleteAll();
  client.close();
});

describe('Agent operator', () => {
  it('creates every child of a Declarative A2A agent, with appProtocol on the Service, and reports Ready', async () => {
    await client.create(declarativeAgent('expenses'));
    const svc = await eventually(() => serviceOf('expenses'));
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([expect.objectContaining({ name: 'http', port: 8080, appProtocol: 'kgateway.dev/a2a' })]);
    const sa = await eventually(() => get('v1', 'ServiceAccount', 'expenses'));
    expect(sa.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'agentry', 'app.kubernetes.io/instance': 'expenses' });
    const cm = await eventually(() => get<KubeObject & { data: Record<string, string> }>('v1', 'ConfigMap', 'expenses'));
    const card = JSON.parse(cm.data['agent-card.json'] ?? '{}') as { name: string; skills: { id: string }[]; supportedInterfaces: { url: string }[] };
    expect(card.name).toBe('expenses');
    expect(card.skills.map((s) => s.id)).toEqual(['validate-expense']);
    expect(card.supportedInterfaces[0]?.url).toBe(`http://expenses.${ns}.svc:8080/`);
    expect(JSON.stringify(cm.data)).not.toContain('api-key-value');
    const dep = await eventually(() => deploymentOf('expenses'));
    const env = dep.spec.template.spec.containers[0]?.env ?? [];
    // The model API key reaches the pod only as a reference to the Secret.
    expect(env.find((e) => JSON.stringify(e.valueFrom ?? {}).includes('"secretKeyRef"'))?.valueFrom).toEqual({ secretKeyRef: { name: 'openai', key: 'api-key' } });
    for (const child of [sa, cm, dep, svc]) {
      expect(child.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Agent', name: 'expenses', controller: true })]);
    }
    const ready = await eventually(async () => {
      const a = await agentOf('expenses');
      return condition(a, 'Ready')?.status === 'True' ? a : undefined;
    }, 60_000);
    expect(condition(ready, 'Accepted')).toMatchObject({ status: 'True', reason: 'Valid' });
    expect(ready?.status).toMatchObject({ url: `http://expenses.${ns}.svc:8080/`, replicas: 1, readyReplicas: 1, observedGeneration: ready?.metadata.generation });
  });

  it('puts appProtocol on the Service exactly while the agent has a2aConfig, for BYO agents too', async () => {
    await client.create(byoAgent('byo'));
    const plain = await eventually(() => serviceOf('byo'));
    expect(plain.spec.ports[0]).not.toHaveProperty('appProtocol');

    await mergePatch('Agent', AGENT, 'byo', { spec: { a2aConfig: { skills: [{ id: 'echo', name: 'Echo' }] } } });
    await eventually(async () => (await serviceOf('byo'))?.spec.ports[0]?.appProtocol === 'kgateway.dev/a2a');

    // The trap: a field we stop setting is invisible to a "desired ⊆ live" check.
    await mergePatch('Agent', AGENT, 'byo', { spec: { a2aConfig: null } });
    await eventually(async () => {
      const svc = await serviceOf('byo');
      return svc !== undefined && svc.spec.ports[0]?.appProtocol === undefined;
    });
  });

  it('follows replica and system-message changes, rolling the pods when the config changes', async () => {
    await client.create(declarativeAgent('roller'));
    const before = await eventually(async () => configHash(await deploymentOf('roller')));
    await mergePatch('Agent', AGENT, 'roller', { spec: { deployment: { replicas: 3 } } });
    await eventually(async () => (await deploymentOf('roller'))?.spec.replicas === 3);
    await mergePatch('Agent', AGENT, 'roller', { spec: { declarative: { systemMessage: 'A new persona.' } } });
    const after = await eventually(async () => {
      const hash = configHash(await deploymentOf('roller'));
      return hash && hash !== before ? hash : undefined;
    });
    expect(after).not.toBe(before);
    // A new pod template hash means a new ReplicaSet: the pods roll.
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    await eventually(async () => (await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app.kubernetes.io/instance=roller' })).items.length >= 2, 30_000);
  });

  it('puts back appProtocol removed by hand, and recreates a deleted Service', async () => {
    await client.create(declarativeAgent('drift'));
    await eventually(async () => (await serviceOf('drift'))?.spec.ports[0]?.appProtocol === 'kgateway.dev/a2a');
    const started = Date.now();
    await client.patch({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'drift', namespace: ns } }, [{ op: 'remove', path: '/spec/ports/0/appProtocol' }], 'json', { fieldManager: 'kubectl-patch' });
    await eventually(async () => (await serviceOf('drift'))?.spec.ports[0]?.appProtocol === 'kgateway.dev/a2a', 10_000, 20);
    process.stderr.write(`appProtocol restored ${Date.now() - started} ms after it was removed\n`);

    const uid = (await serviceOf('drift'))?.metadata.uid;
    await client.delete({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'drift', namespace: ns } });
    const recreated = await eventually(async () => {
      const svc = await serviceOf('drift');
      return svc && svc.metadata.uid !== uid ? svc : undefined;
    });
    expect(recreated.spec.ports[0]?.appProtocol).toBe('kgateway.dev/a2a');
  });

  it('reports a spec it cannot render as Accepted=False with no children, and recovers once fixed', async () => {
    await client.create(declarativeAgent('orphan', { declarative: { systemMessage: 'hi', modelConfig: 'missing' } }));
    const rejected = await eventually(async () => {
      const a = await agentOf('orphan');
      return condition(a, 'Accepted')?.status === 'False' ? a : undefined;
    });
    expect(condition(rejected, 'Accepted')).toMatchObject({ reason: 'ModelConfigNotFound' });
    expect(condition(rejected, 'Accepted')?.message).toContain('missing');
    for (const [apiVersion, kind] of [['v1', 'ServiceAccount'], ['v1', 'ConfigMap'], ['v1', 'Service'], ['apps/v1', 'Deployment']] as const) {
      expect(await get(apiVersion, kind, 'orphan')).toBeUndefined();
    }
    const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=orphan' });
    expect(events.items.map((e) => e.reason)).toContain('ModelConfigNotFound');

    await client.create(modelConfig('missing'));
    await eventually(async () => condition(await agentOf('orphan'), 'Accepted')?.status === 'True');
    await eventually(() => deploymentOf('orphan'));
  });

  it('rolls the pods of every agent using a ModelConfig when the ModelConfig changes', async () => {
    await client.create(modelConfig('shared'));
    await client.create(declarativeAgent('uses-shared', { declarative: { systemMessage: 'hi', modelConfig: 'shared' } }));
    const before = await eventually(async () => configHash(await deploymentOf('uses-shared')));
    await mergePatch('ModelConfig', AGENT, 'shared', { spec: { model: 'gpt-4o' } });
    await eventually(async () => {
      const hash = configHash(await deploymentOf('uses-shared'));
      return hash !== undefined && hash !== before;
    });
  });

  it('makes zero writes at steady state, across a full resync', async () => {
    // Agents of its own, so the test means something even when it runs alone.
    await client.create(declarativeAgent('steady-declarative'));
    await client.create(byoAgent('steady-byo', { a2aConfig: { skills: [{ id: 'echo', name: 'Echo' }] } }));
    await eventually(async () => condition(await agentOf('steady-byo'), 'Ready')?.status === 'True', 60_000);
    // A second operator with a short resync, over the converged namespace.
    await op.stop();
    const resyncPeriodSeconds = 2;
    const resyncing = await startTestOperator([ns], { resyncPeriodSeconds });
    try {
      await eventually(async () => {
        const agents = await client.list<AgentObject>(AGENT, 'Agent', ns);
        return agents.every((a) => condition(a, 'Ready')?.status === 'True' && a.status?.observedGeneration === a.metadata.generation);
      }, 60_000);
      const agents = (await client.list(AGENT, 'Agent', ns)).length;
      expect(agents).toBeGreaterThanOrEqual(2);
      // Its first pass may still finish what the first operator left (a status, say): one full
      // resync lets it, and the next one is the window measured.
      await afterAResync(resyncing, agents, resyncPeriodSeconds * 1000);
      const since = new Date();
      await afterAResync(resyncing, agents, resyncPeriodSeconds * 1000);
      // Every Agent was reconciled again, and the API server recorded no write from this operator.
      expect(await auditEvents({ since, userAgent: resyncing.userAgent })).toEqual([]);
    } finally {
      await resyncing.stop();
      op = await startTestOperator([ns]);
    }
  }, 120_000);

  it('agentry render prints the objects the operator applies', async () => {
    const agent = declarativeAgent('rendered');
    await client.create(agent);
    await eventually(() => deploymentOf('rendered'));
    let out = '';
    const files: Record<string, string> = { 'agent.yaml': YAML.stringify(agent), 'mc.yaml': YAML.stringify(modelConfig('default')) };
    const code = await renderCommand(['-f', 'agent.yaml', '-f', 'mc.yaml', '-o', 'yaml'], {
      stdout: (s) => (out += s),
      stderr: (s) => process.stderr.write(s),
      readFile: (p) => Promise.resolve(files[p] ?? ''),
    });
    expect(code).toBe(0);
    const rendered = YAML.parseAllDocuments(out).map((d) => d.toJS() as KubeObject).filter(Boolean);
    expect(rendered.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'NetworkPolicy', 'Service', 'ServiceAccount'].sort());
    for (const obj of rendered) {
      const live = await eventually(() => client.find(obj.apiVersion, obj.kind, ns, obj.metadata.name));
      // Everything render prints is what is live (the live object also has server defaults and the ownerReference).
      expect({ kind: obj.kind, difference: firstDifference(obj, live) }).toEqual({ kind: obj.kind, difference: undefined });
    }
  });

  it('garbage-collects the children of a deleted Agent', async () => {
    await client.create(byoAgent('doomed', { a2aConfig: { skills: [{ id: 'x', name: 'X' }] } }));
    await eventually(() => deploymentOf('doomed'));
    await client.delete({ apiVersion: AGENT, kind: 'Agent', metadata: { name: 'doomed', namespace: ns } });
    await eventually(async () => {
      const left = await Promise.all([get('v1', 'ServiceAccount', 'doomed'), get('v1', 'ConfigMap', 'doomed'), serviceOf('doomed'), deploymentOf('doomed')]);
      return left.every((o) => o === undefined);
    }, 60_000);
  });
});
