// Property-based tests of render: for any schema-valid Agent (and ModelConfig and configuration) it
// renders without throwing, deterministically, within Kubernetes' name and label limits, and keeps the
// security promises (no secret material in the ConfigMap, a ReferenceGrant for this Service only).
// For any junk at all it returns { ok: false } and never throws.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import type { Agent } from '../../../src/api/agent.js';
import { LABEL_KEYS, MANAGED_BY } from '../../../src/api/group-version.js';
import type { ModelConfig } from '../../../src/api/model-config.js';
import { validateAgent, validateModelConfig } from '../../../src/api/validation.js';
import { defaultOperatorConfig, operatorConfigSchema } from '../../../src/config/operator-config.js';
import type { OperatorConfig } from '../../../src/config/operator-config.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { render } from '../../../src/render/render.js';
import type { RenderResult } from '../../../src/render/render-result.js';
import { agent, anyResources, modelConfigFor, operatorConfigInput, SECRET_KEY_MARKER, SECRET_NAME_MARKER } from './agent-arbitraries.js';
import type { GeneratedAgent } from './agent-arbitraries.js';

const RUNS = { numRuns: 300 };
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const GATEWAY_PATH = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/;

interface Scenario {
  agent: GeneratedAgent;
  modelConfig: ModelConfig | undefined;
  config: OperatorConfig;
}

/**
 * An Agent, its ModelConfig (for Declarative agents) and a configuration under which it must render:
 * its ingress sources are brought within what the configuration allows.
 */
const renderable: fc.Arbitrary<Scenario> = fc
  .tuple(agent, operatorConfigInput)
  .chain(([generated, configInput]) => {
    const parsed = operatorConfigSchema.parse(configInput);
    // Permit what a generated Agent may ask for (hostnames, its own egress, opting out of its
    // NetworkPolicy): the refusals have targeted tests of their own.
    const config: OperatorConfig = {
      ...parsed,
      gateway: { ...parsed.gateway, allowAgentHostnames: true },
      networkPolicy: { ...parsed.networkPolicy, allowOptOut: true, allowedEgressCidrs: ['0.0.0.0/0', '::/0'] },
    };
    const fitted = withoutSelfReference(withIngressAllowedBy(generated, config));
    const modelConfigName = fitted.spec.declarative?.modelConfig;
    const modelConfig =
      modelConfigName === undefined ? fc.constant(undefined) : modelConfigFor(modelConfigName, fitted.metadata.namespace).map((m) => m as unknown as ModelConfig);
    return modelConfig.map((m) => ({ agent: fitted, modelConfig: m, config }));
  });

/** A system message read from the agent's own generated ConfigMap is refused (tested on its own). */
function withoutSelfReference(generated: GeneratedAgent): GeneratedAgent {
  const ref = (generated.spec.declarative as { systemMessageFrom?: { configMapKeyRef?: { name: string } } } | undefined)?.systemMessageFrom?.configMapKeyRef;
  if (ref?.name !== generated.metadata.name) return generated;
  const copy = structuredClone(generated);
  (copy.spec.declarative as unknown as { systemMessageFrom: { configMapKeyRef: { name: string } } }).systemMessageFrom.configMapKeyRef.name = `${ref.name}-prompt`;
  return copy;
}

function withIngressAllowedBy(generated: GeneratedAgent, config: OperatorConfig): GeneratedAgent {
  const policy = config.networkPolicy.allowedIngressNamespaces;
  const exposure = generated.spec.exposure as { networkPolicy?: { ingressFrom?: { namespace: string }[] } } | undefined;
  const ingressFrom = exposure?.networkPolicy?.ingressFrom;
  if (policy === 'All' || ingressFrom === undefined || exposure?.networkPolicy === undefined) return generated;
  const copy = structuredClone(generated);
  const networkPolicy = (copy.spec.exposure as { networkPolicy: { ingressFrom?: { namespace: string }[] } }).networkPolicy;
  if (policy === 'None') delete networkPolicy.ingressFrom;
  else networkPolicy.ingressFrom = ingressFrom.map((source) => ({ ...source, namespace: generated.metadata.namespace }));
  return copy;
}

function renderScenario(s: Scenario): RenderResult {
  return render(s.agent, s.modelConfig === undefined ? {} : { modelConfig: s.modelConfig }, s.config);
}

function rendered(s: Scenario): KubeObject[] {
  const result = renderScenario(s);
  if (!result.ok) throw new Error(`expected the scenario to render, got ${result.reason}: ${result.message}`);
  return result.objects;
}

function byKind(objects: readonly KubeObject[], kind: string): KubeObject | undefined {
  return objects.find((o) => o.kind === kind);
}

/** Reverses the key order of every object: rendering must not depend on how the input was written. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

/** Paths of empty lists and maps (and of undefined or null values): the API server would drop them. */
function emptyFields(value: unknown, path = ''): string[] {
  if (value === undefined || value === null) return [path];
  if (Array.isArray(value)) return value.length === 0 ? [path] : value.flatMap((v, i) => emptyFields(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    // emptyDir: {} is how a pod asks for an empty directory: it is kept by the API server.
    if (entries.length === 0) return path.endsWith('.emptyDir') ? [] : [path];
    return entries.flatMap(([k, v]) => emptyFields(v, `${path}.${k}`));
  }
  return [];
}

describe('the arbitraries', () => {
  it('generate schema-valid Agents, ModelConfigs and configurations', () => {
    fc.assert(
      fc.property(renderable, (s) => {
        const agentResult = validateAgent(s.agent);
        expect(agentResult.success ? [] : agentResult.issues).toEqual([]);
        if (s.modelConfig !== undefined) {
          const modelResult = validateModelConfig(s.modelConfig);
          expect(modelResult.success ? [] : modelResult.issues).toEqual([]);
        }
      }),
      RUNS,
    );
  });
});

describe('render, for any schema-valid Agent', () => {
  it('renders without throwing', () => {
    fc.assert(
      fc.property(renderable, (s) => {
        const result = renderScenario(s);
        expect(result.ok ? 'ok' : `${result.reason}: ${result.message}`).toBe('ok');
      }),
      RUNS,
    );
  });

  it('is deterministic, whatever the key order of its input', () => {
    fc.assert(
      fc.property(renderable, (s) => {
        const first = renderScenario(s);
        const second = renderScenario(structuredClone(s));
        const reordered = render(reverseKeys(s.agent) as Agent, s.modelConfig === undefined ? {} : { modelConfig: reverseKeys(s.modelConfig) as ModelConfig }, s.config);
        expect(second).toEqual(first);
        expect(JSON.stringify(second)).toBe(JSON.stringify(first));
        expect(JSON.stringify(reordered)).toBe(JSON.stringify(first));
      }),
      RUNS,
    );
  });

  it('keeps names and label values within Kubernetes limits', () => {
    fc.assert(
      fc.property(renderable, (s) => {
        for (const object of rendered(s)) {
          const { name } = object.metadata;
          expect(name.length).toBeLessThanOrEqual(253);
          expect(name).toMatch(DNS1123_SUBDOMAIN);
          // Services are DNS-1035 labels; Deployments leave room for the ReplicaSet suffix.
          if (object.kind === 'Service') expect(name.length).toBeLessThanOrEqual(63);
          if (object.kind === 'Deployment') expect(name.length).toBeLessThanOrEqual(52);
          for (const value of Object.values(object.metadata.labels ?? {})) {
            expect(value.length).toBeLessThanOrEqual(63);
            expect(value).toMatch(LABEL_VALUE);
          }
        }
        const template = (byKind(rendered(s), 'Deployment')?.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
        for (const value of Object.values(template.metadata.labels)) expect(value).toMatch(LABEL_VALUE);
      }),
      RUNS,
    );
  });

  it('labels every child, and owns those in its namespace exactly when the Agent has a uid', () => {
    fc.assert(
      fc.property(renderable, (s) => {
        const { name, namespace, uid } = s.agent.metadata;
        for (const object of rendered(s)) {
          expect(object.metadata.labels).toMatchObject({
            [LABEL_KEYS.name]: name,
            [LABEL_KEYS.instance]: name,
            [LABEL_KEYS.managedBy]: MANAGED_BY,
            [LABEL_KEYS.partOf]: MANAGED_BY,
            [LABEL_KEYS.agent]: name,
          });
          if (object.metadata.namespace === namespace && uid !== undefined) {
            expect(object.metadata.ownerReferences).toEqual([
              { apiVersion: 'agentry.dev/v1alpha1', kind: 'Agent', name, uid, controller: true, blockOwnerDeletion: true },
            ]);
          } else {
            expect(object.metadata.ownerReferences).toBeUndefined();
          }
          if (object.metadata.namespace !== namespace) expect(object.metadata.labels?.[LABEL_KEYS.agentNamespace]).toBe(namespace);
        }
      }),
      RUNS,
    );
  });

  it('emits no empty lists, empty maps or null values', () => {
    fc.assert(
      fc.property(renderable, (s) => {
        for (const object of rendered(s)) expect({ kind: object.kind, empty: emptyFields(object) }).toEqual({ kind: object.kind, empty: [] });
      }),
      RUNS,
    );
  });

  it('puts appProtocol on the Service port exactly when a2aConfig is set', () => {
    fc.assert(
      fc.property(renderable, (s) => {
        const ports = (byKind(rendered(s), 'Service')?.spec as { ports: Record<string, unknown>[] }).ports;
        expect(ports).toHaveLength(1);
        if (s.agent.spec.a2aConfig !== undefined) expect(ports[0]?.appProtocol).toBe(s.config.a2a.appProtocol);
        else expect(ports[0]).not.toHaveProperty('appProtocol');
      }),
      RUNS,
    );
  });

  it('never writes a Secret reference (let alone a value) into the ConfigMap', () => {
    fc.assert(
      fc.property(renderable, (s) => {
        const data = JSON.stringify(byKind(rendered(s), 'ConfigMap')?.data);
        expect(data).not.toContain(SECRET_NAME_MARKER);
        expect(data).not.toContain(SECRET_KEY_MARKER);
      }),
      RUNS,
    );
  });

  it('grants the route access to exactly this agent’s Service, and routes to it on a valid path', () => {
    fc.assert(
      fc.property(renderable, (s) => {
        const objects = rendered(s);
        const { name, namespace } = s.agent.metadata;
        const route = byKind(objects, 'HTTPRoute');
        const grant = byKind(objects, 'ReferenceGrant');
        if (route === undefined) {
          expect(grant).toBeUndefined();
          return;
        }
        const spec = route.spec as { rules: { matches: { path: { value: string } }[]; backendRefs: Record<string, unknown>[] }[] };
        const path = spec.rules[0]?.matches[0]?.path.value ?? '';
        expect(path).toMatch(GATEWAY_PATH);
        expect(path.length).toBeLessThanOrEqual(1024);
        expect(spec.rules[0]?.backendRefs).toEqual([
          { group: '', kind: 'Service', name, ...(route.metadata.namespace !== namespace && { namespace }), port: 8080, weight: 1 },
        ]);
        if (route.metadata.namespace === namespace) {
          expect(grant).toBeUndefined();
        } else {
          expect(grant?.metadata.namespace).toBe(namespace);
          expect(grant?.spec).toEqual({
            from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: route.metadata.namespace }],
            to: [{ group: '', kind: 'Service', name }],
          });
        }
      }),
      RUNS,
    );
  });

  it('selects pods only by labels the Agent cannot change', () => {
    fc.assert(
      fc.property(renderable, (s) => {
        const objects = rendered(s);
        const { name } = s.agent.metadata;
        const selector = { [LABEL_KEYS.instance]: name, [LABEL_KEYS.agent]: name };
        expect((byKind(objects, 'Deployment')?.spec as { selector: unknown }).selector).toEqual({ matchLabels: selector });
        expect((byKind(objects, 'Service')?.spec as { selector: unknown }).selector).toEqual(selector);
        const policy = byKind(objects, 'NetworkPolicy');
        if (policy !== undefined) expect((policy.spec as { podSelector: unknown }).podSelector).toEqual({ matchLabels: selector });
      }),
      RUNS,
    );
  });
});

describe('render, for junk', () => {
  const config = defaultOperatorConfig();

  it('returns { ok: false } for any JSON value, and never throws', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (junk, related) => {
        const result = render(junk as Agent, related as { modelConfig?: ModelConfig }, config);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('returns { ok: false } for Agent-shaped objects with junk inside, and never throws', () => {
    const agentShaped = fc.record({
      apiVersion: fc.constantFrom('agentry.dev/v1alpha1', 'v1'),
      kind: fc.constantFrom('Agent', 'ModelConfig'),
      metadata: fc.oneof(fc.anything(), fc.record({ name: fc.string(), namespace: fc.anything() })),
      spec: fc.oneof(fc.anything(), fc.record({ type: fc.constantFrom('Declarative', 'BYO', 'Other'), declarative: fc.anything(), byo: fc.anything() })),
    });
    fc.assert(
      fc.property(agentShaped, fc.anything(), (junk, modelConfig) => {
        expect(() => render(junk as unknown as Agent, { modelConfig: modelConfig as ModelConfig }, config)).not.toThrow();
        expect(render(junk as unknown as Agent, { modelConfig: modelConfig as ModelConfig }, config).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('reports a broken configuration instead of throwing', () => {
    fc.assert(
      fc.property(renderable, fc.anything(), (s, junkConfig) => {
        const result = render(s.agent, s.modelConfig === undefined ? {} : { modelConfig: s.modelConfig }, junkConfig as OperatorConfig);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 200 },
    );
  });

  it('renders or reports InvalidSpec for resources the Deployment would refuse, and never throws', () => {
    fc.assert(
      fc.property(renderable, anyResources, (s, resources) => {
        const withResources = structuredClone(s.agent);
        withResources.spec.deployment = { ...(withResources.spec.deployment ?? {}), resources };
        const result = renderScenario({ ...s, agent: withResources });
        expect(result.ok || result.reason).toBe(result.ok ? true : 'InvalidSpec');
      }),
      { numRuns: 200 },
    );
  });

  it('never throws for a schema-valid Agent with a ModelConfig of any shape', () => {
    fc.assert(
      fc.property(agent, fc.anything(), (generated, modelConfig) => {
        expect(() => render(generated as unknown as Agent, { modelConfig: modelConfig as ModelConfig }, config)).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });
});
