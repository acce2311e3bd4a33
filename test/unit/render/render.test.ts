// Focused checks of render's contract that golden files show but do not explain.
import { describe, expect, it } from '@jest/globals';

import type { Agent } from '../../../src/api/agent.js';
import type { ModelConfig } from '../../../src/api/model-config.js';
import { defaultOperatorConfig, operatorConfigSchema } from '../../../src/config/operator-config.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { renderInput } from '../../../src/render/render-input.js';
import { render } from '../../../src/render/render.js';

const config = defaultOperatorConfig();
const modelConfig: ModelConfig = {
  apiVersion: 'agentry.dev/v1alpha1',
  kind: 'ModelConfig',
  metadata: { name: 'default', namespace: 'finance' },
  spec: { provider: 'OpenAI', model: 'gpt-4o', apiKeySecret: { name: 'openai', key: 'api-key' } },
};

function declarative(extra: Partial<Agent['spec']> = {}, metadata: Partial<Agent['metadata']> = {}): Agent {
  return {
    apiVersion: 'agentry.dev/v1alpha1',
    kind: 'Agent',
    metadata: { name: 'expenses', namespace: 'finance', uid: 'u-1', ...metadata },
    spec: { type: 'Declarative', declarative: { systemMessage: 'hi', modelConfig: 'default' }, ...extra },
  };
}

function objectsOf(agent: Agent, related = { modelConfig }, operatorConfig = config): KubeObject[] {
  const result = render(agent, related, operatorConfig);
  if (!result.ok) throw new Error(`${result.reason}: ${result.message}`);
  return result.objects;
}

const find = (objects: KubeObject[], kind: string) => objects.find((o) => o.kind === kind);
const podTemplate = (objects: KubeObject[]) =>
  (find(objects, 'Deployment')?.spec as { template: { metadata: { annotations: Record<string, string> }; spec: { containers: Record<string, unknown>[] } } })
    .template;

describe('render', () => {
  it('throws on a bug, such as an operator configuration that breaks its assumptions, instead of blaming the Agent', () => {
    // A configuration that passed its schema cannot be like this: only a bug makes one.
    const broken = { ...config };
    Object.defineProperty(broken, 'gateway', {
      get: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'parentRefs')");
      },
    });
    expect(() => render(declarative(), { modelConfig }, broken)).toThrow(TypeError);
  });

  it('fails with ModelConfigNotFound, not an exception, when a Declarative agent has no ModelConfig', () => {
    expect(render(declarative(), {}, config)).toEqual({
      ok: false,
      reason: 'ModelConfigNotFound',
      message: 'ModelConfig "default" (spec.declarative.modelConfig) not found in namespace "finance"',
    });
  });

  it('does not take a ModelConfig of another name or namespace for the one the Agent names', () => {
    const other = { ...modelConfig, metadata: { name: 'default', namespace: 'hr' } };
    expect(render(declarative(), { modelConfig: other }, config)).toMatchObject({ ok: false, reason: 'ModelConfigNotFound' });
    const renamed = { ...modelConfig, metadata: { name: 'other', namespace: 'finance' } };
    expect(render(declarative(), { modelConfig: renamed }, config)).toMatchObject({ ok: false, reason: 'ModelConfigNotFound' });
  });

  it('needs a namespace', () => {
    expect(render(declarative({}, { namespace: undefined }), { modelConfig }, config)).toMatchObject({ ok: false, reason: 'InvalidSpec' });
  });

  it('ignores the status, even one that would not validate (at the boundary, which parses the Agent)', () => {
    const withStatus = { ...declarative(), status: { conditions: 'not a list' } };
    expect(renderInput(withStatus, { modelConfig }, config).ok).toBe(true);
  });

  it('omits ownerReferences when the Agent has no uid', () => {
    for (const object of objectsOf(declarative({}, { uid: undefined }))) expect(object.metadata).not.toHaveProperty('ownerReferences');
  });

  it('returns the in-cluster and public URLs the status reports', () => {
    const routed = operatorConfigSchema.parse({
      gateway: { parentRefs: [{ name: 'gw', namespace: 'gw' }], publicBaseUrl: 'https://agents.example.com' },
    });
    const a2a = declarative({ a2aConfig: { skills: [{ id: 'a', name: 'A' }] } });
    expect(render(a2a, { modelConfig }, routed)).toMatchObject({
      ok: true,
      url: 'http://expenses.finance.svc:8080/',
      publicUrl: 'https://agents.example.com/agents/finance/expenses/',
    });
    const notRouted = render(declarative(), { modelConfig }, routed);
    expect(notRouted).toMatchObject({ ok: true, url: 'http://expenses.finance.svc:8080/' });
    expect(notRouted).not.toHaveProperty('publicUrl');
  });

  it('rolls the pods when, and only when, the configuration changes', () => {
    const hash = (agent: Agent) => podTemplate(objectsOf(agent)).metadata.annotations['agentry.dev/config-hash'];
    expect(hash(declarative())).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(declarative())).toBe(hash(declarative()));
    expect(hash(declarative({ declarative: { systemMessage: 'changed', modelConfig: 'default' } }))).not.toBe(hash(declarative()));
    // A pod-level change rolls the pods by itself; it is not part of the config.
    expect(hash(declarative({ deployment: { replicas: 3 } }))).toBe(hash(declarative()));
  });

  it('keeps the restricted profile whatever the Agent overrides', () => {
    const template = podTemplate(objectsOf(declarative({ deployment: { securityContext: { runAsUser: 1000, readOnlyRootFilesystem: false } } })));
    expect(template.spec.containers[0]?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: false,
      runAsNonRoot: true,
      runAsUser: 1000,
    });
    // Fields the API does not offer cannot be smuggled in: the schema strips them before render sees them.
    const smuggled = declarative({ deployment: { securityContext: { privileged: true, allowPrivilegeEscalation: true } as never } });
    const container = podTemplate(objectsOf(smuggled)).spec.containers[0];
    expect(container?.securityContext).toMatchObject({ allowPrivilegeEscalation: false });
    expect(container?.securityContext).not.toHaveProperty('privileged');
  });

  it('refuses a user env var that the operator sets', () => {
    const result = render(declarative({ deployment: { env: [{ name: 'AGENTRY_AGENT_NAME', value: 'other' }] } }), { modelConfig }, config);
    expect(result).toEqual({
      ok: false,
      reason: 'InvalidSpec',
      message: 'spec.deployment.env[0].name: AGENTRY_AGENT_NAME is set by the operator and cannot be overridden',
    });
  });

  it('puts the operator configuration before user env vars, so theirs may refer to ours', () => {
    const env = podTemplate(objectsOf(declarative({ deployment: { env: [{ name: 'GREETING', value: 'I am $(AGENTRY_AGENT_NAME)' }] } }))).spec.containers[0]?.env;
    expect((env as { name: string }[]).map((v) => v.name)).toEqual(['AGENTRY_AGENT_NAME', 'AGENTRY_AGENT_NAMESPACE', 'AGENTRY_MODEL_API_KEY', 'GREETING']);
  });

  it.each([
    [{ requests: { cpu: '2' }, limits: { cpu: '1' } }, 'spec.deployment.resources.requests[cpu]: the request must not exceed the limit (1)'],
    [{ requests: { memory: '2Gi' }, limits: { memory: 1024 } }, 'spec.deployment.resources.requests[memory]: the request must not exceed the limit (1024)'],
    [{ limits: { 'nvidia.com/gpu': '500m' } }, 'spec.deployment.resources.limits[nvidia.com/gpu]: an extended resource must be a whole number'],
    [{ requests: { 'nvidia.com/gpu': 1 } }, 'spec.deployment.resources.limits[nvidia.com/gpu]: an extended resource that is requested must also have a limit'],
    [{ requests: { 'nvidia.com/gpu': 1 }, limits: { 'nvidia.com/gpu': 2 } }, 'spec.deployment.resources.requests[nvidia.com/gpu]: an extended resource cannot be overcommitted: the request must equal the limit'],
    [{ limits: { gpu: 1 } }, 'spec.deployment.resources.limits[gpu]: must be cpu, memory, ephemeral-storage, hugepages-<size> or an extended resource such as nvidia.com/gpu'],
  ])('refuses resources the Deployment would refuse: %j', (resources, message) => {
    expect(render(declarative({ deployment: { resources } }), { modelConfig }, config)).toEqual({ ok: false, reason: 'InvalidSpec', message });
  });

  it('accepts requests equal to limits however they are written', () => {
    const resources = { requests: { cpu: '0.1', memory: '1Gi', 'nvidia.com/gpu': 1 }, limits: { cpu: '100m', memory: '1024Mi', 'nvidia.com/gpu': '1' } };
    expect(render(declarative({ deployment: { resources } }), { modelConfig }, config).ok).toBe(true);
  });

  it('omits the NetworkPolicy when the configuration or the Agent turns it off', () => {
    const off = operatorConfigSchema.parse({ networkPolicy: { enabled: false } });
    expect(find(objectsOf(declarative(), { modelConfig }, off), 'NetworkPolicy')).toBeUndefined();
    const optIn = declarative({ exposure: { networkPolicy: { enabled: true } } });
    expect(find(objectsOf(optIn, { modelConfig }, off), 'NetworkPolicy')).toBeDefined();
    const optOutAllowed = operatorConfigSchema.parse({ networkPolicy: { allowOptOut: true } });
    expect(find(objectsOf(declarative({ exposure: { networkPolicy: { enabled: false } } }), { modelConfig }, optOutAllowed), 'NetworkPolicy')).toBeUndefined();
  });

  it('refuses an Agent that turns its NetworkPolicy off unless the configuration allows it', () => {
    const optOut = declarative({ exposure: { networkPolicy: { enabled: false } } });
    expect(render(optOut, { modelConfig }, defaultOperatorConfig())).toMatchObject({ ok: false, reason: 'InvalidExposure', message: expect.stringContaining('networkPolicy.allowOptOut') });
  });

  it("honours an Agent's egressTo only within the allowed networks", () => {
    const agent = declarative({ exposure: { networkPolicy: { egressTo: [{ cidr: '10.20.30.0/24', ports: [{ port: 5432 }] }] } } });
    expect(render(agent, { modelConfig }, defaultOperatorConfig())).toMatchObject({ ok: false, reason: 'InvalidExposure' });
    const narrower = operatorConfigSchema.parse({ networkPolicy: { allowedEgressCidrs: ['10.20.31.0/24'] } });
    expect(render(agent, { modelConfig }, narrower)).toMatchObject({ ok: false, reason: 'InvalidExposure' });
    const wider = operatorConfigSchema.parse({ networkPolicy: { allowedEgressCidrs: ['10.0.0.0/8'] } });
    const egress = (find(objectsOf(agent, { modelConfig }, wider), 'NetworkPolicy')?.spec as { egress: unknown[] }).egress;
    expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.20.30.0/24' } }], ports: [{ protocol: 'TCP', port: 5432 }] });
  });

  it('refuses any extra ingress source when the configuration allows none', () => {
    const none = operatorConfigSchema.parse({ networkPolicy: { allowedIngressNamespaces: 'None' } });
    const agent = declarative({ exposure: { networkPolicy: { ingressFrom: [{ namespace: 'finance' }] } } });
    expect(render(agent, { modelConfig }, none)).toMatchObject({ ok: false, reason: 'InvalidExposure' });
    // Irrelevant when the Agent has no NetworkPolicy.
    const withoutPolicy = declarative({ exposure: { networkPolicy: { enabled: false, ingressFrom: [{ namespace: 'elsewhere' }] } } });
    const noneButOptOut = operatorConfigSchema.parse({ networkPolicy: { allowedIngressNamespaces: 'None', allowOptOut: true } });
    expect(render(withoutPolicy, { modelConfig }, noneButOptOut).ok).toBe(true);
  });

  it('never emits a peerless ingress rule (which would admit everyone)', () => {
    const spec = find(objectsOf(declarative()), 'NetworkPolicy')?.spec as Record<string, unknown>;
    expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(spec).not.toHaveProperty('ingress');
  });
});
