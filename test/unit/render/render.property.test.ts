// Property-based tests of render, on what it outputs. For any schema-valid Agent (and ModelConfig and
// configuration) it renders exactly the children the Agent asks for, named like the Agent, labelled
// and owned, deterministically, within Kubernetes' name and label limits, with the Service speaking
// A2A exactly when the Agent does, a default-deny NetworkPolicy, restricted pods, a ConfigMap the
// runtime can read and no Secret reference anywhere but the pod's secretKeyRefs. For junk it says
// what the schema says is wrong. (test/integration/render-dry-run.test.ts has the API server check a
// sample of the same outputs.)
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { LABEL_KEYS, MANAGED_BY } from '../../../src/api/group-version.js';
import { validateAgent, validateModelConfig } from '../../../src/api/validation.js';
import { a2aServiceAppProtocol } from '../../../src/config/app-protocol.js';
import { defaultOperatorConfig } from '../../../src/config/operator-config.js';
import { agentCardSchema } from '../../../src/contract/agent-card.js';
import { agentConfigSchema } from '../../../src/contract/agent-config.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { parseQuantity } from '../../../src/kube/quantity.js';
import { ConditionReason } from '../../../src/api/condition.js';
import { renderInput } from '../../../src/render/render-input.js';
import { agent, anyResources, SECRET_KEY_MARKER, SECRET_NAME_MARKER } from './agent-arbitraries.js';
import { renderable, renderScenario, rendered, type Scenario } from './render-scenarios.js';

const RUNS = { numRuns: 300 };
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const GATEWAY_PATH = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/;
const AGENT_PORT = 8080;
const CONFIG_HASH_ANNOTATION = 'agentry.dev/config-hash';

const scenarios = renderable();

interface Container {
  name: string;
  ports: { name: string; containerPort: number }[];
  env: { name: string; valueFrom?: Record<string, unknown> }[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  readinessProbe: { httpGet?: { path: string; port: string }; tcpSocket?: { port: string } };
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    serviceAccountName: string;
    automountServiceAccountToken: boolean;
    securityContext: Record<string, unknown>;
    containers: Container[];
    volumes: { name: string; configMap?: { name: string } }[];
  };
}

function byKind(objects: readonly KubeObject[], kind: string): KubeObject | undefined {
  return objects.find((o) => o.kind === kind);
}

function spec<T>(objects: readonly KubeObject[], kind: string): T {
  const object = byKind(objects, kind);
  if (object === undefined) throw new Error(`no ${kind} among ${objects.map((o) => o.kind).join(', ')}`);
  return object.spec as T;
}

function podTemplate(objects: readonly KubeObject[]): PodTemplate {
  return spec<{ template: PodTemplate }>(objects, 'Deployment').template;
}

/** The parts of a generated Agent's spec the properties look at. */
interface SpecView {
  a2aConfig?: { skills: { id: string }[] };
  deployment?: { serviceAccountName?: string; securityContext?: { runAsNonRoot?: boolean; readOnlyRootFilesystem?: boolean } };
  exposure?: { gateway?: { enabled?: boolean }; networkPolicy?: { enabled?: boolean } };
}

function agentSpec(s: Scenario): SpecView {
  return s.agent.spec as SpecView;
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

/** Paths (and the strings there) of every string in `value` that contains `needle`. */
function pathsContaining(value: unknown, needle: string, path = ''): string[] {
  if (typeof value === 'string') return value.includes(needle) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => pathsContaining(v, needle, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [...(k.includes(needle) ? [`${path}.${k} (key)`] : []), ...pathsContaining(v, needle, `${path}.${k}`)]);
  }
  return [];
}

/** Whether the scenario's Agent is routed: the rule of design.md ("exposure" defaults from the configuration). */
function routed(s: Scenario): boolean {
  if (s.config.gateway.parentRefs.length === 0) return false;
  return agentSpec(s).exposure?.gateway?.enabled ?? (s.config.gateway.enabled && agentSpec(s).a2aConfig !== undefined);
}

/** Requests and limits of a few resources, consistent or not: about half of them a container accepts. */
const someResources = fc.record(
  {
    limits: fc.dictionary(fc.constantFrom('cpu', 'memory', 'nvidia.com/gpu'), fc.oneof(fc.constantFrom('100m', '250m', '0.5', '1', '2', '512Mi', '1Gi'), fc.integer({ min: 0, max: 4 }))),
    requests: fc.dictionary(fc.constantFrom('cpu', 'memory', 'nvidia.com/gpu'), fc.oneof(fc.constantFrom('100m', '250m', '0.5', '1', '2', '512Mi', '1Gi'), fc.integer({ min: 0, max: 4 }))),
  },
  { requiredKeys: [] },
);

function textOf(map: Record<string, number | string> | undefined): Record<string, string> | undefined {
  return map === undefined ? undefined : Object.fromEntries(Object.entries(map).map(([k, v]) => [k, String(v)]));
}

/**
 * Kubernetes' rule for a container's resources (ValidateResourceRequirements): standard, hugepages or
 * extended (domain-prefixed, not kubernetes.io) names; extended ones whole, requested only with an
 * equal limit; any other request at most its limit.
 */
function containerAccepts(resources: { limits?: Record<string, number | string>; requests?: Record<string, number | string> }): boolean {
  const extended = (name: string) => name.includes('/') && !(name.split('/')[0] ?? '').endsWith('kubernetes.io');
  const known = (name: string) => ['cpu', 'memory', 'ephemeral-storage'].includes(name) || name.startsWith('hugepages-') || extended(name);
  const amounts = (map: Record<string, number | string> | undefined) => new Map(Object.entries(map ?? {}).map(([k, v]) => [k, parseQuantity(String(v))]));
  const limits = amounts(resources.limits);
  const requests = amounts(resources.requests);
  for (const [name, amount] of [...limits, ...requests]) {
    if (!known(name) || amount === undefined) return false;
    if (extended(name) && !Number.isInteger(amount)) return false;
  }
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    if (extended(name) && limit !== request) return false;
    if (limit !== undefined && request !== undefined && request > limit * (1 + 1e-12)) return false;
  }
  return true;
}

/** What the schema says is wrong with `junk`, as render must report it (its status is not looked at). */
function schemaVerdict(junk: unknown): string {
  if (junk === null || typeof junk !== 'object' || Array.isArray(junk)) return 'the Agent must be an object';
  const { status: _status, ...withoutStatus } = junk as Record<string, unknown>;
  const result = validateAgent(withoutStatus);
  if (result.success) throw new Error('junk that passes the schema: not a junk test');
  return result.issues.join('; ');
}


describe('the arbitraries', () => {
  it('generate schema-valid Agents, ModelConfigs and configurations', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
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
  it('renders it', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        const result = renderScenario(s);
        expect(result.ok ? 'ok' : `${result.reason}: ${result.message}`).toBe('ok');
      }),
      RUNS,
    );
  });

  it('is deterministic, whatever the key order of its input', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        const first = renderScenario(s);
        const second = renderScenario(structuredClone(s));
        const reordered = renderInput(reverseKeys(s.agent), s.modelConfig === undefined ? {} : { modelConfig: reverseKeys(s.modelConfig) }, s.config);
        expect(second).toEqual(first);
        expect(JSON.stringify(second)).toBe(JSON.stringify(first));
        expect(JSON.stringify(reordered)).toBe(JSON.stringify(first));
      }),
      RUNS,
    );
  });

  it('renders exactly the children the Agent asks for, in apply order, named like the Agent', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        const { name, namespace } = s.agent.metadata;
        const objects = rendered(s);
        const isRouted = routed(s);
        const routeNamespace = s.config.gateway.routeNamespace ?? namespace;
        const crossNamespace = isRouted && routeNamespace !== namespace;
        const policyEnabled = agentSpec(s).exposure?.networkPolicy?.enabled ?? s.config.networkPolicy.enabled;
        const expected = [
          ...(agentSpec(s).deployment?.serviceAccountName === undefined ? [`ServiceAccount ${namespace}/${name}`] : []),
          `ConfigMap ${namespace}/${name}`,
          ...(policyEnabled ? [`NetworkPolicy ${namespace}/${name}`] : []),
          `Deployment ${namespace}/${name}`,
          `Service ${namespace}/${name}`,
          ...(crossNamespace ? [`ReferenceGrant ${namespace}/${name}`] : []),
          // A route beside the gateway carries the Agent's namespace in its name: two Agents of one name never collide.
          ...(isRouted ? [`HTTPRoute ${routeNamespace}/${crossNamespace ? `${name}.${namespace}` : name}`] : []),
        ];
        expect(objects.map((o) => `${o.kind} ${o.metadata.namespace ?? '?'}/${o.metadata.name}`)).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('keeps names and label values within Kubernetes limits', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
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
        for (const value of Object.values(podTemplate(rendered(s)).metadata.labels)) expect(value).toMatch(LABEL_VALUE);
      }),
      RUNS,
    );
  });

  it('labels every child, and owns those in its namespace exactly when the Agent has a uid', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
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
      fc.property(scenarios, (s) => {
        for (const object of rendered(s)) expect({ kind: object.kind, empty: emptyFields(object) }).toEqual({ kind: object.kind, empty: [] });
      }),
      RUNS,
    );
  });

  it("puts the gateway's A2A appProtocol on the Service port exactly when a2aConfig is set", () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        const { ports } = spec<{ ports: Record<string, unknown>[] }>(rendered(s), 'Service');
        expect(ports).toHaveLength(1);
        expect(ports[0]).toMatchObject({ name: 'http', port: AGENT_PORT, targetPort: 'http', protocol: 'TCP' });
        const appProtocol = a2aServiceAppProtocol(s.config);
        if (agentSpec(s).a2aConfig !== undefined && appProtocol !== undefined) expect(ports[0]?.appProtocol).toBe(appProtocol);
        else expect(ports[0]).not.toHaveProperty('appProtocol');
      }),
      RUNS,
    );
  });

  it('names a Secret only in a secretKeyRef of the pod’s environment, nowhere else', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        const objects = rendered(s);
        for (const marker of [SECRET_NAME_MARKER, SECRET_KEY_MARKER]) {
          const allowed = new Set(
            podTemplate(objects)
              .spec.containers.flatMap((c, ci) => c.env.map((v, vi) => ({ v, path: `.spec.template.spec.containers[${ci}].env[${vi}].valueFrom.secretKeyRef` })))
              .filter(({ v }) => v.valueFrom?.secretKeyRef !== undefined)
              .flatMap(({ path }) => [`${path}.name`, `${path}.key`]),
          );
          for (const object of objects) {
            const where = pathsContaining(object, marker).filter((p) => object.kind !== 'Deployment' || !allowed.has(p));
            expect({ kind: object.kind, where }).toEqual({ kind: object.kind, where: [] });
          }
        }
      }),
      RUNS,
    );
  });

  it('writes a ConfigMap the runtime can read, mounted read-only and hashed into the pod template', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        const objects = rendered(s);
        const { name, namespace } = s.agent.metadata;
        const data = (byKind(objects, 'ConfigMap') as KubeObject & { data: Record<string, string> }).data;
        const speaksA2A = agentSpec(s).a2aConfig !== undefined;
        expect(Object.keys(data).sort()).toEqual(speaksA2A ? ['agent-card.json', 'agent.json'] : ['agent.json']);
        const config = agentConfigSchema.safeParse(JSON.parse(data['agent.json'] ?? ''));
        expect(config.success ? [] : config.error.issues).toEqual([]);
        expect(config.data).toMatchObject({ agent: { name, namespace }, type: s.agent.spec.type });
        if (speaksA2A) {
          const card = agentCardSchema.safeParse(JSON.parse(data['agent-card.json'] ?? ''));
          expect(card.success ? [] : card.error.issues).toEqual([]);
          expect(card.data?.name).toBe(name);
          expect(card.data?.skills.map((skill) => skill.id)).toEqual(agentSpec(s).a2aConfig?.skills.map((skill) => skill.id));
        }
        const template = podTemplate(objects);
        const configVolume = template.spec.volumes.find((v) => v.configMap !== undefined);
        expect(configVolume?.configMap).toEqual({ name });
        expect(template.spec.containers[0]?.volumeMounts.find((m) => m.name === configVolume?.name)).toMatchObject({ readOnly: true });
        expect(template.metadata.annotations[CONFIG_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{64}$/);
      }),
      RUNS,
    );
  });

  it('rolls the pods exactly when the ConfigMap changes', () => {
    fc.assert(
      fc.property(scenarios, fc.string({ minLength: 1, maxLength: 40 }), (s, description) => {
        const edited = structuredClone(s);
        edited.agent.spec.description = description;
        const before = rendered(s);
        const after = rendered(edited);
        const dataOf = (objects: KubeObject[]) => JSON.stringify(byKind(objects, 'ConfigMap')?.data);
        const hashOf = (objects: KubeObject[]) => podTemplate(objects).metadata.annotations[CONFIG_HASH_ANNOTATION];
        expect(hashOf(after) === hashOf(before)).toBe(dataOf(after) === dataOf(before));
      }),
      RUNS,
    );
  });

  it('runs restricted pods without a ServiceAccount token, ready when they serve', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        const template = podTemplate(rendered(s));
        const overrides = agentSpec(s).deployment;
        const container = template.spec.containers[0];
        expect(template.spec.containers).toHaveLength(1);
        expect(template.spec.automountServiceAccountToken).toBe(false);
        expect(template.spec.serviceAccountName).toBe(overrides?.serviceAccountName ?? s.agent.metadata.name);
        expect(template.spec.securityContext).toMatchObject({ runAsNonRoot: overrides?.securityContext?.runAsNonRoot ?? true, seccompProfile: { type: 'RuntimeDefault' } });
        expect(container?.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          readOnlyRootFilesystem: overrides?.securityContext?.readOnlyRootFilesystem ?? true,
          runAsNonRoot: overrides?.securityContext?.runAsNonRoot ?? true,
        });
        expect(container?.ports.map((p) => p.name)).toEqual(['http']);
        if (agentSpec(s).a2aConfig !== undefined) expect(container?.readinessProbe).toEqual({ httpGet: { path: '/.well-known/agent-card.json', port: 'http' } });
        else expect(container?.readinessProbe).toEqual({ tcpSocket: { port: 'http' } });
      }),
      RUNS,
    );
  });

  it('fences the pods with a NetworkPolicy that lists both policy types and admits only the agent port', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        const objects = rendered(s);
        const policy = byKind(objects, 'NetworkPolicy');
        if (policy === undefined) return;
        const containerPort = podTemplate(objects).spec.containers[0]?.ports[0]?.containerPort;
        const { policyTypes, ingress = [], egress = [] } = policy.spec as {
          policyTypes: string[];
          ingress?: { from: unknown[]; ports: unknown[] }[];
          egress?: { to: unknown[]; ports?: unknown[] }[];
        };
        // Both listed: with no egress rules the pods may reach nothing, rather than anything.
        expect(policyTypes).toEqual(['Ingress', 'Egress']);
        for (const rule of ingress) {
          expect(rule.from.length).toBeGreaterThan(0); // a rule without peers would admit every source
          expect(rule.ports).toEqual([{ protocol: 'TCP', port: containerPort }]);
        }
        expect(egress[0]?.ports).toEqual([
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ]);
        for (const rule of egress) expect(rule.to.length).toBeGreaterThan(0);
        const gatewayNamespaces = s.config.networkPolicy.gatewayNamespace !== undefined ? [s.config.networkPolicy.gatewayNamespace] : s.config.gateway.parentRefs.map((r) => r.namespace);
        const admitted = JSON.stringify(ingress.flatMap((rule) => rule.from));
        for (const ns of gatewayNamespaces) expect(admitted).toContain(JSON.stringify({ 'kubernetes.io/metadata.name': ns }));
      }),
      RUNS,
    );
  });

  it('grants the route access to exactly this agent’s Service, and routes to it on a valid path through the configured gateways', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        const objects = rendered(s);
        const { name, namespace } = s.agent.metadata;
        const route = byKind(objects, 'HTTPRoute');
        const grant = byKind(objects, 'ReferenceGrant');
        if (route === undefined) {
          expect(grant).toBeUndefined();
          return;
        }
        const routeSpec = route.spec as { parentRefs: { name: string; namespace: string }[]; rules: { matches: { path: { value: string } }[]; backendRefs: Record<string, unknown>[] }[] };
        expect(routeSpec.parentRefs.map((r) => `${r.namespace}/${r.name}`)).toEqual(s.config.gateway.parentRefs.map((r) => `${r.namespace}/${r.name}`));
        const path = routeSpec.rules[0]?.matches[0]?.path.value ?? '';
        expect(path).toMatch(GATEWAY_PATH);
        expect(path.length).toBeLessThanOrEqual(1024);
        expect(routeSpec.rules[0]?.backendRefs).toEqual([
          { group: '', kind: 'Service', name, ...(route.metadata.namespace !== namespace && { namespace }), port: AGENT_PORT, weight: 1 },
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
      fc.property(scenarios, (s) => {
        const objects = rendered(s);
        const { name } = s.agent.metadata;
        const selector = { [LABEL_KEYS.instance]: name, [LABEL_KEYS.agent]: name };
        expect(spec<{ selector: unknown }>(objects, 'Deployment').selector).toEqual({ matchLabels: selector });
        expect(spec<{ selector: unknown }>(objects, 'Service').selector).toEqual(selector);
        expect(podTemplate(objects).metadata.labels).toMatchObject(selector);
        const policy = byKind(objects, 'NetworkPolicy');
        if (policy !== undefined) expect((policy.spec as { podSelector: unknown }).podSelector).toEqual({ matchLabels: selector });
      }),
      RUNS,
    );
  });

  it('renders exactly the resources the Deployment would accept, and refuses the others naming spec.deployment.resources', () => {
    fc.assert(
      fc.property(scenarios, fc.oneof(anyResources, someResources), (s, resources) => {
        const withResources = structuredClone(s.agent);
        withResources.spec.deployment = { ...(withResources.spec.deployment ?? {}), resources };
        const result = renderScenario({ ...s, agent: withResources });
        expect({ resources, ok: result.ok }).toEqual({ resources, ok: containerAccepts(resources) });
        if (!result.ok) {
          expect(result.reason).toBe(ConditionReason.InvalidSpec);
          expect(result.message).toMatch(/^spec\.deployment\.resources\./);
          return;
        }
        const rendered = podTemplate(result.objects).spec.containers[0]?.resources ?? {};
        const amounts = (map: Record<string, string> | undefined) => Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, parseQuantity(v)]));
        expect({ limits: amounts(rendered.limits), requests: amounts(rendered.requests) }).toEqual({
          limits: amounts(textOf(resources.limits)),
          requests: amounts(textOf(resources.requests)),
        });
      }),
      { numRuns: 300 },
    );
  });

  it('reads a ModelConfig of any shape as a ModelConfig problem, and a BYO agent not at all', () => {
    fc.assert(
      fc.property(scenarios, fc.anything(), (s, junk) => {
        const result = renderInput(s.agent, { modelConfig: junk }, s.config);
        if (s.agent.spec.type === 'BYO') {
          expect(result).toEqual(renderScenario({ ...s, modelConfig: undefined }));
          return;
        }
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect([ConditionReason.ModelConfigNotFound, ConditionReason.InvalidModelConfig]).toContain(result.reason);
        expect(result.message).toContain(JSON.stringify(s.agent.spec.declarative?.modelConfig));
      }),
      { numRuns: 200 },
    );
  });
});

describe('render, for junk', () => {
  const config = defaultOperatorConfig();

  it('refuses any JSON value as an InvalidSpec, saying what the schema says', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (junk, related) => {
        const result = renderInput(junk, { modelConfig: related }, config);
        expect(result).toEqual({ ok: false, reason: ConditionReason.InvalidSpec, message: schemaVerdict(junk) });
      }),
      { numRuns: 500 },
    );
  });

  it('refuses Agent-shaped objects with junk inside as an InvalidSpec, saying what the schema says', () => {
    const agentShaped = fc.record({
      apiVersion: fc.constantFrom('agentry.dev/v1alpha1', 'v1'),
      kind: fc.constantFrom('Agent', 'ModelConfig'),
      metadata: fc.oneof(fc.anything(), fc.record({ name: fc.string(), namespace: fc.anything() })),
      spec: fc.oneof(fc.anything(), fc.record({ type: fc.constantFrom('Declarative', 'BYO', 'Other'), declarative: fc.anything(), byo: fc.anything() })),
    });
    fc.assert(
      fc.property(agentShaped, fc.anything(), (junk, modelConfig) => {
        const result = renderInput(junk, { modelConfig }, config);
        expect(result).toEqual({ ok: false, reason: ConditionReason.InvalidSpec, message: schemaVerdict(junk) });
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a schema-valid Agent only for what it asks of the configuration or its ModelConfig, never as InvalidSpec', () => {
    fc.assert(
      fc.property(agent, (generated) => {
        const result = renderInput(generated, {}, config);
        if (result.ok) return;
        expect([ConditionReason.InvalidExposure, ConditionReason.InvalidDeployment, ConditionReason.ModelConfigNotFound]).toContain(result.reason);
      }),
      { numRuns: 200 },
    );
  });
});
