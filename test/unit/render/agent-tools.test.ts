// The rules of tool resolution that the golden cases show one example of each: namespaces, callers,
// ports, name clashes, junk where related objects should be, and the Secret-backed header env vars.
import { describe, expect, it } from '@jest/globals';

import type { Agent } from '../../../src/api/agent.js';
import type { AgentToolEntry } from '../../../src/api/agent-tools.js';
import type { ModelConfig } from '../../../src/api/model-config.js';
import { agentCardSchema } from '../../../src/contract/agent-card.js';
import { agentConfigSchema } from '../../../src/contract/agent-config.js';
import { defaultOperatorConfig, operatorConfigSchema } from '../../../src/config/operator-config.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { render, type RenderRelated } from '../../../src/render/render.js';
import { toolReferences } from '../../../src/render/tool-references.js';
import { toolServiceProjection } from '../../../src/render/tool-service.js';

const config = defaultOperatorConfig();
const crossNamespace = operatorConfigSchema.parse({ tools: { allowCrossNamespaceReferences: true, maxSteps: 4 } });
const modelConfig: ModelConfig = {
  apiVersion: 'agentry.dev/v1alpha1',
  kind: 'ModelConfig',
  metadata: { name: 'default', namespace: 'finance' },
  spec: { provider: 'OpenAI', model: 'gpt-4o', apiKeySecret: { name: 'openai', key: 'api-key' } },
};
const skills = [{ id: 'a', name: 'A' }];

function agent(name: string, tools: AgentToolEntry[] | undefined, namespace = 'finance', extra: Partial<Agent['spec']> = {}): Agent {
  return {
    apiVersion: 'agentry.dev/v1alpha1',
    kind: 'Agent',
    metadata: { name, namespace, uid: `uid-${name}` },
    spec: { type: 'Declarative', declarative: { systemMessage: 'hi', modelConfig: 'default', ...(tools !== undefined && { tools }) }, a2aConfig: { skills }, ...extra },
  };
}

/** An Agent as the operator's cache holds it: a KubeObject. */
function cached(a: Agent): KubeObject {
  return { apiVersion: a.apiVersion, kind: a.kind, metadata: { ...a.metadata, name: a.metadata.name }, spec: a.spec };
}

function service(name: string, spec: Record<string, unknown>, namespace = 'finance'): KubeObject {
  return toolServiceProjection({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec });
}

function objects(subject: Agent, related: RenderRelated = {}, operatorConfig = config): KubeObject[] {
  const result = render(subject, { modelConfig, ...related }, operatorConfig);
  if (!result.ok) throw new Error(`${result.reason}: ${result.message}`);
  return result.objects;
}

function configMapData(list: KubeObject[]): Record<string, string> {
  const configMap = list.find((o) => o.kind === 'ConfigMap');
  const data = configMap?.data;
  if (data === null || typeof data !== 'object') throw new Error('no ConfigMap data');
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)]));
}

function agentJson(list: KubeObject[]) {
  return agentConfigSchema.parse(JSON.parse(configMapData(list)['agent.json'] ?? '') as unknown);
}

function policySpec(list: KubeObject[]): { ingress?: { from: unknown[] }[]; egress: { to: unknown[]; ports?: unknown[] }[] } {
  const spec = list.find((o) => o.kind === 'NetworkPolicy')?.spec;
  if (spec === undefined) throw new Error('no NetworkPolicy');
  return spec as { ingress?: { from: unknown[] }[]; egress: { to: unknown[]; ports?: unknown[] }[] };
}

const peerPods = (namespace: string, name: string) => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
  podSelector: { matchLabels: { 'agentry.dev/agent': name, 'app.kubernetes.io/instance': name } },
});

describe('tools in agent.json', () => {
  it('writes the step limit of the configuration for every Declarative agent, tools or not', () => {
    expect(agentJson(objects(agent('a', undefined)))).toMatchObject({ limits: { maxSteps: 10 } });
    expect(agentJson(objects(agent('a', undefined), {}, crossNamespace))).toMatchObject({ limits: { maxSteps: 4 } });
    expect(agentJson(objects(agent('a', [])))).not.toHaveProperty('tools');
  });

  it('keeps BYO agents to who they are', () => {
    const byo: Agent = { ...agent('b', undefined), spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/a:1', port: 9000 }, a2aConfig: { skills } } };
    expect(agentJson(objects(byo))).toEqual({ agent: { name: 'b', namespace: 'finance' }, type: 'BYO' });
  });

  it('resolves a cross-namespace Agent where the configuration allows it, and refuses it otherwise', () => {
    const other = cached(agent('policy-checker', undefined, 'shared'));
    const subject = agent('expenses', [{ agent: { name: 'policy-checker', namespace: 'shared' } }]);
    expect(render(subject, { modelConfig, toolAgents: [other] }, config)).toEqual({
      ok: false,
      reason: 'InvalidTool',
      message:
        'spec.declarative.tools[0].agent.namespace: "shared" is not allowed: the operator configuration allows tools only in the agent\'s own namespace "finance" (tools.allowCrossNamespaceReferences: false)',
    });
    const list = objects(subject, { toolAgents: [other] }, crossNamespace);
    expect(agentJson(list)).toMatchObject({ tools: { agents: [{ toolName: 'policy-checker', namespace: 'shared', url: 'http://policy-checker.shared.svc:8080/' }] } });
    expect(policySpec(list).egress).toContainEqual({ to: [peerPods('shared', 'policy-checker')], ports: [{ protocol: 'TCP', port: 'http' }] });
  });

  it('does not take an Agent of another namespace for the one the tool names', () => {
    const elsewhere = cached(agent('policy-checker', undefined, 'hr'));
    expect(render(agent('expenses', [{ agent: { name: 'policy-checker' } }]), { modelConfig, toolAgents: [elsewhere] }, config)).toMatchObject({
      ok: false,
      reason: 'ToolNotFound',
    });
  });

  it('reports a rule that can never hold before a reference that is merely missing', () => {
    const subject = agent('expenses', [{ agent: { name: 'missing' } }, { agent: { name: 'expenses' } }]);
    expect(render(subject, { modelConfig }, config)).toMatchObject({ ok: false, reason: 'InvalidTool', message: expect.stringContaining('tools[1].agent') });
  });

  it('refuses two Agent tools the model would know by the same name', () => {
    const subject = agent('expenses', [{ agent: { name: 'policy-checker' } }, { agent: { name: 'policy-checker', namespace: 'shared' } }]);
    expect(render(subject, { modelConfig }, crossNamespace)).toMatchObject({
      ok: false,
      reason: 'InvalidTool',
      message: expect.stringContaining('spec.declarative.tools[1].agent: the Agent "shared/policy-checker" would be offered to the model under the tool name "policy-checker"'),
    });
  });

  it('counts cached objects that are not Agents as nothing found', () => {
    const subject = agent('expenses', [{ agent: { name: 'policy-checker' } }]);
    // What is in the lists comes from caches, shaped as objects but not necessarily as Agents:
    // each entry is parsed on its own.
    const named = { name: 'policy-checker', namespace: 'finance' };
    const notAgents: KubeObject[][] = [[], [{ apiVersion: 'agentry.dev/v1alpha1', kind: 'Agent', metadata: named }], [{ apiVersion: 'agentry.dev/v1alpha1', kind: 'Agent', metadata: named, spec: 'nope' }]];
    for (const toolAgents of notAgents) {
      const related: RenderRelated = { modelConfig, toolAgents };
      expect(render(subject, related, config)).toMatchObject({ ok: false, reason: 'ToolNotFound' });
    }
  });
});

describe('Service tools', () => {
  const tool = (port: number): AgentToolEntry[] => [{ mcpServer: { service: { name: 'mcp', port } } }];

  it('opens the port itself when the Service port has no targetPort, with its protocol', () => {
    const svc = service('mcp', { selector: { app: 'mcp' }, ports: [{ port: 7000, protocol: 'TCP' }] });
    expect(policySpec(objects(agent('a', tool(7000)), { toolServices: [svc] })).egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'finance' } }, podSelector: { matchLabels: { app: 'mcp' } } }],
      ports: [{ protocol: 'TCP', port: 7000 }],
    });
  });

  it('refuses a port the Service does not have, naming the ones it has', () => {
    const svc = service('mcp', { selector: { app: 'mcp' }, ports: [{ port: 80 }, { port: 443 }] });
    expect(render(agent('a', tool(8080)), { modelConfig, toolServices: [svc] }, config)).toEqual({
      ok: false,
      reason: 'InvalidTool',
      message: 'spec.declarative.tools[0].mcpServer.service.port: Service "finance/mcp" has no port 8080 (its ports: 80, 443)',
    });
  });

  it('refuses a Service that selects no pods, pointing at url and egressTo', () => {
    const manual = service('mcp', { ports: [{ port: 80 }] });
    expect(render(agent('a', tool(80)), { modelConfig, toolServices: [manual] }, config)).toMatchObject({
      ok: false,
      reason: 'InvalidTool',
      message: expect.stringContaining('use mcpServer.url and allow the server\'s address with spec.exposure.networkPolicy.egressTo'),
    });
  });

  it('opens one rule for two tools on the same Service port', () => {
    const svc = service('mcp', { selector: { app: 'mcp' }, ports: [{ port: 80, targetPort: 8080 }] });
    const twice: AgentToolEntry[] = [{ mcpServer: { service: { name: 'mcp', port: 80 } } }, { mcpServer: { service: { name: 'mcp', port: 80, path: '/other' } } }];
    const egress = policySpec(objects(agent('a', twice), { toolServices: [svc] })).egress;
    expect(egress.filter((rule) => JSON.stringify(rule).includes('"app":"mcp"'))).toHaveLength(1);
  });

  it('caches only what render reads of a Service', () => {
    const whole: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'mcp', namespace: 'finance', uid: 'u', resourceVersion: '7', annotations: { big: 'x'.repeat(1000) }, labels: { a: 'b' }, managedFields: [{}] },
      spec: { type: 'ClusterIP', clusterIP: '10.0.0.1', selector: { app: 'mcp' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', nodePort: 30000, appProtocol: 'http' }] },
      status: { loadBalancer: {} },
    };
    expect(toolServiceProjection(whole)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'mcp', namespace: 'finance', uid: 'u', resourceVersion: '7' },
      // The ClusterIP: what a RemoteAgent's card fetch connects to.
      spec: { type: 'ClusterIP', clusterIP: '10.0.0.1', selector: { app: 'mcp' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
    });
    // A spec render cannot read keeps the object (its delete must reach the cache), not the spec.
    expect(toolServiceProjection({ ...whole, spec: { ports: 'junk' } })).toEqual({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'mcp', namespace: 'finance', uid: 'u', resourceVersion: '7' }, spec: {} });
  });
});

describe('MCP headers', () => {
  const withHeaders = (env: { name: string; value: string }[] = []) =>
    agent('a', [{ mcpServer: { url: 'https://mcp.example.com/mcp', headersFrom: [{ name: 'Authorization', secretKeyRef: { name: 's', key: 'k' } }] } }], 'finance', {
      deployment: { env },
    });

  it('reach the pod only as Secret references', () => {
    const list = objects(withHeaders());
    expect(JSON.stringify(configMapData(list))).not.toContain('"s"');
    const deployment = list.find((o) => o.kind === 'Deployment');
    expect(JSON.stringify(deployment)).toContain('{"name":"AGENTRY_TOOL_0_HEADER_0","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}');
  });

  it('refuse a user env var of the same name', () => {
    expect(render(withHeaders([{ name: 'AGENTRY_TOOL_0_HEADER_0', value: 'x' }]), { modelConfig }, config)).toEqual({
      ok: false,
      reason: 'InvalidSpec',
      message: 'spec.deployment.env[0].name: AGENTRY_TOOL_0_HEADER_0 is set by the operator and cannot be overridden',
    });
  });
});

describe('callers', () => {
  const caller = (name: string, namespace = 'finance', target = { name: 'policy-checker', namespace: 'finance' }) =>
    cached(agent(name, [{ agent: target.namespace === namespace ? { name: target.name } : target }], namespace));
  const ingressFrom = (list: KubeObject[]) => policySpec(list).ingress?.[0]?.from ?? [];
  const subject = agent('policy-checker', undefined);

  it('are admitted in namespace and name order, whatever order the cache gives them in', () => {
    const callers = [caller('zed'), caller('alpha'), caller('beta', 'aaa')];
    expect(ingressFrom(objects(subject, { callers }, crossNamespace))).toEqual([peerPods('aaa', 'beta'), peerPods('finance', 'alpha'), peerPods('finance', 'zed')]);
    expect(ingressFrom(objects(subject, { callers: [...callers].reverse() }, crossNamespace))).toEqual(ingressFrom(objects(subject, { callers }, crossNamespace)));
  });

  it('from another namespace are not admitted unless the configuration allows the reference', () => {
    expect(ingressFrom(objects(subject, { callers: [caller('beta', 'aaa'), caller('alpha')] }, config))).toEqual([peerPods('finance', 'alpha')]);
  });

  it('are admitted only when their tools really name this Agent, and never an agent that does not speak A2A', () => {
    const notCalling = caller('other', 'finance', { name: 'someone-else', namespace: 'finance' });
    expect(ingressFrom(objects(subject, { callers: [notCalling, cached(subject)] }))).toEqual([]);
    const mute: Agent = { ...subject, spec: { ...subject.spec, a2aConfig: undefined } };
    expect(ingressFrom(objects(mute, { callers: [caller('alpha')] }))).toEqual([]);
  });
});

describe('the agent card', () => {
  const card = (a: Agent, operatorConfig = config) => agentCardSchema.parse(JSON.parse(configMapData(objects(a, {}, operatorConfig))['agent-card.json'] ?? '') as unknown);

  it('offers A2A 1.0 and then 0.3 on the same URL for a Declarative agent', () => {
    expect(card(agent('a', undefined)).supportedInterfaces).toEqual([
      { url: 'http://a.finance.svc:8080/', protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: 'http://a.finance.svc:8080/', protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
    ]);
  });

  it('offers one interface for a BYO agent, and for a configuration that publishes 0.3 itself', () => {
    const byo: Agent = { ...agent('b', undefined), spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/a:1', port: 9000 }, a2aConfig: { skills } } };
    expect(card(byo).supportedInterfaces).toEqual([{ url: 'http://b.finance.svc:8080/', protocolBinding: 'JSONRPC', protocolVersion: '1.0' }]);
    const legacy = operatorConfigSchema.parse({ a2a: { protocolVersion: '0.3' } });
    expect(card(agent('a', undefined), legacy).supportedInterfaces).toHaveLength(1);
  });
});

describe('toolReferences', () => {
  it('reads the references of any object, defaulting namespaces and skipping junk', () => {
    const subject = {
      metadata: { name: 'a', namespace: 'finance' },
      spec: {
        type: 'Declarative',
        declarative: {
          tools: [
            { agent: { name: 'p' } },
            'junk',
            { agent: { name: 7 } },
            { mcpServer: { service: { name: 's', namespace: 'shared', port: 80 } } },
            { mcpServer: { url: 'https://x' } },
            { remoteAgent: { name: 'r' } },
            { remoteAgent: { name: 'q', namespace: 'partners' } },
            { remoteAgent: { name: '' } },
          ],
        },
      },
    };
    expect(toolReferences(subject)).toEqual({
      agents: [{ index: 0, namespace: 'finance', name: 'p' }],
      remoteAgents: [
        { index: 5, namespace: 'finance', name: 'r' },
        { index: 6, namespace: 'partners', name: 'q' },
      ],
      services: [{ index: 3, namespace: 'shared', name: 's' }],
    });
    for (const junk of [null, {}, { spec: { type: 'BYO', declarative: { tools: [{ agent: { name: 'p' } }] } }, metadata: { name: 'a', namespace: 'n' } }]) {
      expect(toolReferences(junk)).toEqual({ agents: [], remoteAgents: [], services: [] });
    }
  });
});
