// RemoteAgents as tools: the rules the golden cases show one example of each. Only an Accepted
// RemoteAgent is a tool; its headers reach the pod as Secret-backed env vars (never across
// namespaces, and under the admin's required Secret label); the protocol its card offers decides how
// the runtime calls it; its Service form opens exactly that Service's pods.
import { describe, expect, it } from '@jest/globals';

import type { Agent } from '../../../src/api/agent.js';
import type { AgentToolEntry } from '../../../src/api/agent-tools.js';
import type { ModelConfig } from '../../../src/api/model-config.js';
import { agentConfigSchema } from '../../../src/contract/agent-config.js';
import { defaultOperatorConfig, operatorConfigSchema } from '../../../src/config/operator-config.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { render, type RenderRelated } from '../../../src/render/render.js';
import { remoteAgentHeaderSecrets, remoteAgentServiceReference } from '../../../src/render/tool-references.js';
import { toolServiceProjection } from '../../../src/render/tool-service.js';

const config = defaultOperatorConfig();
const modelConfig: ModelConfig = {
  apiVersion: 'agentry.dev/v1alpha1',
  kind: 'ModelConfig',
  metadata: { name: 'default', namespace: 'finance' },
  spec: { provider: 'OpenAI', model: 'gpt-4o', apiKeySecret: { name: 'openai', key: 'api-key' } },
};

function agent(tools: AgentToolEntry[]): Agent {
  return {
    apiVersion: 'agentry.dev/v1alpha1',
    kind: 'Agent',
    metadata: { name: 'expenses', namespace: 'finance', uid: 'uid-expenses' },
    spec: { type: 'Declarative', declarative: { systemMessage: 'hi', modelConfig: 'default', tools }, a2aConfig: { skills: [{ id: 'a', name: 'A' }] } },
  };
}

const accepted = { type: 'Accepted', status: 'True', reason: 'Accepted', message: '', lastTransitionTime: '2026-12-01T10:00:00Z' };

/** `status` null: none written yet. */
function remoteAgent(name: string, spec: Record<string, unknown>, status: Record<string, unknown> | null = { conditions: [accepted] }, namespace = 'finance'): KubeObject {
  return { apiVersion: 'agentry.dev/v1alpha1', kind: 'RemoteAgent', metadata: { name, namespace }, spec, ...(status !== null && { status }) };
}

const fxService = toolServiceProjection({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'fx', namespace: 'finance' },
  spec: { selector: { app: 'fx' }, ports: [{ port: 80, targetPort: 'a2a', protocol: 'TCP' }] },
});

const tool = (name = 'fx', extra: Partial<NonNullable<AgentToolEntry['remoteAgent']>> = {}): AgentToolEntry[] => [{ remoteAgent: { name, ...extra } }];

function rendered(subject: Agent, related: RenderRelated, operatorConfig = config) {
  return render(subject, { modelConfig, ...related }, operatorConfig);
}

function objects(subject: Agent, related: RenderRelated, operatorConfig = config): KubeObject[] {
  const result = rendered(subject, related, operatorConfig);
  if (!result.ok) throw new Error(`${result.reason}: ${result.message}`);
  return result.objects;
}

/** agent.json's Agent and RemoteAgent tools. */
function peerTools(list: KubeObject[]) {
  const data = list.find((o) => o.kind === 'ConfigMap')?.data as Record<string, string> | undefined;
  const config = agentConfigSchema.parse(JSON.parse(data?.['agent.json'] ?? '') as unknown);
  if (config.type !== 'Declarative') throw new Error('not a Declarative agent');
  return config.tools?.agents;
}

function containerEnv(list: KubeObject[]): unknown[] {
  const deployment = list.find((o) => o.kind === 'Deployment') as { spec: { template: { spec: { containers: { env?: unknown[] }[] } } } } | undefined;
  return deployment?.spec.template.spec.containers[0]?.env ?? [];
}

function egress(list: KubeObject[]): unknown[] {
  const policy = list.find((o) => o.kind === 'NetworkPolicy') as { spec: { egress: unknown[] } } | undefined;
  return policy?.spec.egress ?? [];
}

describe('a RemoteAgent as a tool', () => {
  it('is called at its Service URL with its headers from env vars, and opens that Service’s pods on the target port', () => {
    const fx = remoteAgent('fx', { service: { name: 'fx', port: 80 }, headersFrom: [{ name: 'Authorization', secretKeyRef: { name: 'fx-token', key: 'token' } }] });
    const list = objects(agent([{ mcpServer: { url: 'https://mcp.example.com/mcp' } }, ...tool()]), { toolRemoteAgents: [fx], toolServices: [fxService] });
    expect(peerTools(list)).toEqual([
      { toolName: 'fx', name: 'fx', namespace: 'finance', url: 'http://fx.finance.svc:80/', headers: [{ name: 'Authorization', env: 'AGENTRY_TOOL_1_HEADER_0' }] },
    ]);
    expect(containerEnv(list)).toContainEqual({ name: 'AGENTRY_TOOL_1_HEADER_0', valueFrom: { secretKeyRef: { name: 'fx-token', key: 'token' } } });
    expect(egress(list)).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'finance' } }, podSelector: { matchLabels: { app: 'fx' } } }],
      ports: [{ protocol: 'TCP', port: 'a2a' }],
    });
  });

  it('is called at spec.url with nothing opened for it, in the protocol its card offers', () => {
    const versions = (protocolVersions: string[] | undefined) =>
      peerTools(objects(agent(tool()), { toolRemoteAgents: [remoteAgent('fx', { url: 'https://fx.example.com/' }, { conditions: [accepted], ...(protocolVersions && { card: { name: 'fx', protocolVersions } }) })] }))?.[0]?.protocolVersion;
    expect(versions(undefined)).toBeUndefined(); // 1.0
    expect(versions(['1.0'])).toBeUndefined();
    expect(versions(['0.3.0', '1.0'])).toBeUndefined();
    expect(versions(['0.3.0'])).toBe('0.3');
    expect(versions(['0.3'])).toBe('0.3');
    const list = objects(agent(tool()), { toolRemoteAgents: [remoteAgent('fx', { url: 'https://fx.example.com/' })] });
    expect(egress(list)).toHaveLength(1); // DNS only
  });

  it('carries the card’s description to the model', () => {
    const fx = remoteAgent('fx', { url: 'https://fx.example.com/' }, { conditions: [accepted], card: { name: 'fx', description: 'Converts currencies', protocolVersions: ['1.0'] } });
    expect(peerTools(objects(agent(tool()), { toolRemoteAgents: [fx] }))?.[0]).toMatchObject({ description: 'Converts currencies' });
  });

  it('is no tool until its controller accepted it', () => {
    const pending = remoteAgent('fx', { url: 'https://fx.example.com/' }, null);
    expect(rendered(agent(tool()), { toolRemoteAgents: [pending] })).toEqual({
      ok: false,
      reason: 'InvalidTool',
      message: 'spec.declarative.tools[0].remoteAgent.name: RemoteAgent "finance/fx" has not been accepted yet (its controller has not reported on it)',
    });
    const refused = remoteAgent('fx', { url: 'https://evil.example.com/' }, { conditions: [{ ...accepted, status: 'False', reason: 'HostNotAllowed', message: 'spec.url: not allowed' }] });
    expect(rendered(agent(tool()), { toolRemoteAgents: [refused] })).toMatchObject({ ok: false, reason: 'InvalidTool', message: expect.stringContaining('is not accepted (HostNotAllowed: spec.url: not allowed)') });
  });

  it('waits for the controller’s verdict on a spec changed since it accepted it', () => {
    const changed = { ...remoteAgent('fx', { url: 'https://fx.example.com/' }, { observedGeneration: 1, conditions: [accepted] }), metadata: { name: 'fx', namespace: 'finance', generation: 2 } };
    expect(rendered(agent(tool()), { toolRemoteAgents: [changed] })).toMatchObject({
      ok: false,
      reason: 'InvalidTool',
      message: 'spec.declarative.tools[0].remoteAgent.name: RemoteAgent "finance/fx" has changed (generation 2) since its controller accepted it (generation 1); waiting for its verdict',
    });
    const checked = { ...changed, status: { observedGeneration: 2, conditions: [accepted] } };
    expect(rendered(agent(tool()), { toolRemoteAgents: [checked] })).toMatchObject({ ok: true });
  });

  it('reports a RemoteAgent of a shape it cannot read on the field, and one of another namespace as not found', () => {
    expect(rendered(agent(tool()), { toolRemoteAgents: [remoteAgent('fx', { service: { name: 'fx', port: 'eighty' } })] })).toMatchObject({
      ok: false,
      reason: 'InvalidTool',
      message: expect.stringContaining('spec.declarative.tools[0].remoteAgent.name: RemoteAgent "finance/fx" cannot be read (spec.service.port'),
    });
    expect(rendered(agent(tool()), { toolRemoteAgents: [remoteAgent('fx', { url: 'https://fx.example.com/' }, { conditions: [accepted] }, 'hr')] })).toMatchObject({ ok: false, reason: 'ToolNotFound' });
  });

  it('mounts a URL RemoteAgent’s CA bundle into the pod for the runtime to trust, from the Agent’s own namespace only', () => {
    const ca = { caBundle: { configMapKeyRef: { name: 'fx-ca', key: 'ca.crt' } } };
    const fx = remoteAgent('fx', { url: 'https://fx.internal/', tls: ca });
    const list = objects(agent([{ mcpServer: { url: 'https://mcp.example.com/mcp' } }, ...tool()]), { toolRemoteAgents: [fx] });
    expect(peerTools(list)?.[0]).toMatchObject({ url: 'https://fx.internal/', caFile: '/etc/agentry-tool-ca/tool-1.pem' });
    const pod = (list.find((o) => o.kind === 'Deployment') as { spec: { template: { spec: { volumes: unknown[]; containers: { volumeMounts: unknown[] }[] } } } } | undefined)?.spec.template.spec;
    expect(pod?.volumes).toContainEqual({ name: 'tool-ca', projected: { sources: [{ configMap: { name: 'fx-ca', items: [{ key: 'ca.crt', path: 'tool-1.pem' }] } }] } });
    expect(pod?.containers[0]?.volumeMounts).toContainEqual({ name: 'tool-ca', mountPath: '/etc/agentry-tool-ca', readOnly: true });
    // Without a CA bundle, no volume.
    const plain = objects(agent(tool()), { toolRemoteAgents: [remoteAgent('fx', { url: 'https://fx.example.com/' })] });
    expect(JSON.stringify(plain.find((o) => o.kind === 'Deployment'))).not.toContain('tool-ca');
    const crossNamespace = operatorConfigSchema.parse({ tools: { allowCrossNamespaceReferences: true } });
    const far = remoteAgent('fx', { url: 'https://fx.internal/', tls: ca }, { conditions: [accepted] }, 'partners');
    expect(rendered(agent(tool('fx', { namespace: 'partners' })), { toolRemoteAgents: [far] }, crossNamespace)).toMatchObject({
      ok: false,
      reason: 'InvalidTool',
      message: expect.stringContaining('spec.declarative.tools[0].remoteAgent.namespace: RemoteAgent "partners/fx" trusts a CA bundle from a ConfigMap of its namespace'),
    });
  });

  it('refuses an Agent and a RemoteAgent the model would know by the same name', () => {
    const subject = agent([{ agent: { name: 'fx' } }, { remoteAgent: { name: 'fx' } }]);
    expect(rendered(subject, {})).toMatchObject({
      ok: false,
      reason: 'InvalidTool',
      message: expect.stringContaining('spec.declarative.tools[1].remoteAgent: the RemoteAgent "finance/fx" would be offered to the model under the tool name "fx"'),
    });
  });

  it('holds its headers’ Secrets to the admin’s required label', () => {
    const labelled = operatorConfigSchema.parse({ pods: { secretReferences: { requiredLabel: { key: 'agentry.dev/usable', value: 'true' } } } });
    const fx = remoteAgent('fx', { url: 'https://fx.example.com/', headersFrom: [{ name: 'X-Key', secretKeyRef: { name: 'fx-key', key: 'k' } }] });
    const openaiSecret = { name: 'openai', labels: { 'agentry.dev/usable': 'true' } };
    const unlabelled = rendered(agent(tool()), { toolRemoteAgents: [fx], secrets: (name) => (name === 'openai' ? openaiSecret : { name, labels: {} }) }, labelled);
    expect(unlabelled).toMatchObject({ ok: false, reason: 'InvalidTool', message: expect.stringContaining('spec.headersFrom[0].secretKeyRef: the Secret "fx-key" does not carry the label agentry.dev/usable=true') });
    const ok = rendered(agent(tool()), { toolRemoteAgents: [fx], secrets: (name) => ({ name, labels: { 'agentry.dev/usable': 'true' } }) }, labelled);
    expect(ok).toMatchObject({ ok: true });
  });

  it('allows a RemoteAgent of another namespace without headers where the configuration allows it', () => {
    const crossNamespace = operatorConfigSchema.parse({ tools: { allowCrossNamespaceReferences: true } });
    const partner = remoteAgent('fx', { url: 'https://fx.example.com/' }, { conditions: [accepted] }, 'partners');
    const list = objects(agent(tool('fx', { namespace: 'partners', requireApproval: true })), { toolRemoteAgents: [partner] }, crossNamespace);
    expect(peerTools(list)).toEqual([{ toolName: 'fx', name: 'fx', namespace: 'partners', url: 'https://fx.example.com/', requireApproval: true }]);
  });
});

describe('remoteAgentServiceReference', () => {
  it('names the Service of the Service form, in the RemoteAgent’s namespace, and nothing otherwise', () => {
    expect(remoteAgentServiceReference(remoteAgent('fx', { service: { name: 'fx', port: 80 } }))).toEqual({ namespace: 'finance', name: 'fx' });
    for (const other of [remoteAgent('fx', { url: 'https://x/' }), null, { metadata: { name: 'x' }, spec: { service: { name: 'fx' } } }]) {
      expect(remoteAgentServiceReference(other)).toBeUndefined();
    }
  });
});

describe('remoteAgentHeaderSecrets', () => {
  it('names each Secret of its headersFrom once, skipping what is not a reference', () => {
    const fx = remoteAgent('fx', {
      url: 'https://fx.example.com/',
      headersFrom: [
        { name: 'Authorization', secretKeyRef: { name: 'fx-token', key: 'a' } },
        { name: 'X-Tenant', secretKeyRef: { name: 'fx-token', key: 't' } },
        { name: 'X-Other', secretKeyRef: { name: 'other', key: 'k' } },
        { name: 'X-Junk' },
      ],
    });
    expect(remoteAgentHeaderSecrets(fx)).toEqual(['fx-token', 'other']);
    expect(remoteAgentHeaderSecrets(remoteAgent('fx', { url: 'https://x/' }))).toEqual([]);
    expect(remoteAgentHeaderSecrets('junk')).toEqual([]);
  });
});
