// fast-check arbitraries for schema-valid Agents, ModelConfigs and operator configurations, built
// from the constraints of the zod schemas in src/api and src/config (name patterns and lengths,
// one-of rules, unique list keys). The property tests check that what these generate is valid, so an
// arbitrary that drifts from the schema fails loudly instead of testing nothing.
import fc from 'fast-check';

import type { OperatorConfigInput } from '../../../src/config/operator-config.js';

/** Marks the Secret references, so a test can look for them where they must never appear. */
export const SECRET_NAME_MARKER = 'sekrit-name-';
export const SECRET_KEY_MARKER = 'sekrit-key-';

export const agentName = fc.stringMatching(/^[a-z]([-a-z0-9]{0,50}[a-z0-9])?$/);
export const namespaceName = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
const shortLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/);
const subdomain = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?){0,2}$/);
// Kubernetes also refuses the keys '.' and '..*', which configMapKey() in src/api still lets through.
const configKey = fc.stringMatching(/^[-_a-zA-Z0-9][-._a-zA-Z0-9]{0,19}$/);
// Prefixes with one dot: they can never spell a reserved key (app.kubernetes.io/…, agentry.dev/…).
const labelKey = fc.stringMatching(/^([a-z]{1,8}\.(com|io)\/)?[a-z][-a-z0-9]{0,10}[a-z0-9]$/);
const labelValue = fc.stringMatching(/^([a-z0-9]([-a-z0-9_.]{0,20}[a-z0-9])?)?$/);
const labels = (maxKeys: number) => fc.dictionary(labelKey, labelValue, { maxKeys });
const image = fc.oneof(
  fc.constantFrom('ghcr.io/acme/agent:1.2.0', 'busybox', 'registry.example.com:5000/team/agent@sha256:0123456789abcdef'),
  fc.stringMatching(/^[a-z0-9][a-z0-9./:@-]{0,40}$/),
);
const pullPolicy = fc.constantFrom('Always' as const, 'IfNotPresent' as const, 'Never' as const);
const text = (maxLength: number) => fc.string({ minLength: 1, maxLength });
const hostname = fc.stringMatching(/^(\*\.)?[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?){0,2}$/);
const cidr = fc.constantFrom('10.0.0.0/8', '0.0.0.0/0', '192.168.1.0/24', '172.16.0.0/12', 'fd00::/8', '2001:db8::/32', '10.1.2.3/32');
const port = fc.integer({ min: 1, max: 65535 });
const networkPort = fc.record({ port, protocol: fc.constantFrom('TCP' as const, 'UDP' as const) }, { requiredKeys: ['port'] });
/** Any quantity, consistent or not with the other side (requests vs limits): for never-throws properties. */
export const anyResources = fc.record(
  {
    limits: fc.dictionary(fc.constantFrom('cpu', 'memory', 'nvidia.com/gpu', 'gpu', 'kubernetes.io/x'), fc.oneof(fc.constantFrom('100m', '1', '0.5', '2Gi', '1e3'), fc.integer({ min: 0, max: 64 }))),
    requests: fc.dictionary(fc.constantFrom('cpu', 'memory', 'nvidia.com/gpu'), fc.oneof(fc.constantFrom('100m', '1', '0.5', '2Gi', '1e3'), fc.integer({ min: 0, max: 64 }))),
  },
  { requiredKeys: [] },
);

// Request/limit pairs the API server accepts for a container: a request at most its limit, extended
// resources whole and not overcommitted. Numbers and strings both, as an Agent may write either.
type Amounts = { request?: number | string; limit?: number | string };
const cpuAmounts = fc.constantFrom<Amounts>({ request: '100m' }, { limit: '1' }, { request: '250m', limit: '500m' }, { request: '0.5', limit: 1 }, { request: 1, limit: '1000m' });
const memoryAmounts = fc.constantFrom<Amounts>({ request: '256Mi' }, { request: '128Mi', limit: '1Gi' }, { limit: '2Gi' }, { request: '1e3', limit: '1e3' });
const gpuAmounts = fc.constantFrom<Amounts>({ request: 1, limit: 1 }, { limit: '2' });
const resources = fc
  .record({ cpu: cpuAmounts, memory: memoryAmounts, 'nvidia.com/gpu': gpuAmounts }, { requiredKeys: [] })
  .map((byResource) => {
    const limits: Record<string, number | string> = {};
    const requests: Record<string, number | string> = {};
    for (const [name, amounts] of Object.entries(byResource)) {
      if (amounts.limit !== undefined) limits[name] = amounts.limit;
      if (amounts.request !== undefined) requests[name] = amounts.request;
    }
    return { ...(Object.keys(limits).length > 0 && { limits }), ...(Object.keys(requests).length > 0 && { requests }) };
  });

const keyRef = (markers = false) =>
  fc.record({
    name: markers ? shortLabel.map((s) => `${SECRET_NAME_MARKER}${s}`) : subdomain,
    key: markers ? configKey.map((s) => `${SECRET_KEY_MARKER}${s}`) : configKey,
  });

const modes = fc.array(text(16), { maxLength: 3 });

const skill = fc.record(
  {
    id: fc.stringMatching(/^[A-Za-z0-9][-_.:/A-Za-z0-9]{0,20}$/),
    name: text(40),
    description: fc.string({ maxLength: 80 }),
    tags: fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 4 }),
    examples: fc.array(text(40), { maxLength: 3 }),
    inputModes: modes,
    outputModes: modes,
  },
  { requiredKeys: ['id', 'name'] },
);

export const a2aConfig = fc.record(
  {
    skills: fc.uniqueArray(skill, { minLength: 1, maxLength: 4, selector: (s) => s.id }),
    defaultInputModes: modes,
    defaultOutputModes: modes,
    streaming: fc.boolean(),
    version: text(12),
  },
  { requiredKeys: ['skills'] },
);

const envVar = fc.oneof(
  fc.record({ name: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/), value: fc.string({ maxLength: 20 }) }),
  fc.record({ name: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/), valueFrom: fc.record({ configMapKeyRef: keyRef() }) }),
  fc.record({ name: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/), valueFrom: fc.record({ fieldRef: fc.record({ fieldPath: fc.constant('status.podIP') }) }) }),
);

const toleration = fc.constantFrom(
  { key: 'dedicated', operator: 'Equal', value: 'agents', effect: 'NoSchedule' },
  { operator: 'Exists' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
);

const securityContext = fc.record(
  {
    runAsUser: fc.integer({ min: 1, max: 65535 }),
    runAsGroup: fc.integer({ min: 0, max: 65535 }),
    runAsNonRoot: fc.boolean(),
    readOnlyRootFilesystem: fc.boolean(),
    fsGroup: fc.integer({ min: 0, max: 65535 }),
    supplementalGroups: fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

const deploymentOverrides = (declarative: boolean) =>
  fc.record(
    {
      replicas: fc.integer({ min: 0, max: 10 }),
      ...(declarative ? { image, imagePullPolicy: pullPolicy } : {}),
      resources,
      env: fc.uniqueArray(envVar, { maxLength: 4, selector: (v) => v.name }).map((vars) => vars.filter((v) => !v.name.startsWith('AGENTRY_'))),
      envFrom: fc.array(fc.oneof(fc.record({ configMapRef: fc.record({ name: subdomain }) }), fc.record({ prefix: fc.constant('X_'), secretRef: fc.record({ name: subdomain }) })), {
        maxLength: 2,
      }),
      imagePullSecrets: fc.uniqueArray(fc.record({ name: subdomain }), { maxLength: 2, selector: (s) => s.name }),
      nodeSelector: labels(3),
      tolerations: fc.array(toleration, { maxLength: 2 }),
      affinity: fc.constantFrom({}, { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } }),
      podLabels: labels(4),
      podAnnotations: fc.dictionary(labelKey, fc.string({ maxLength: 30 }), { maxKeys: 3 }),
      serviceAccountName: subdomain,
      securityContext,
      priorityClassName: subdomain,
    },
    { requiredKeys: [] },
  );

const exposure = fc.record(
  {
    gateway: fc.record({ enabled: fc.boolean(), hostnames: fc.uniqueArray(hostname, { maxLength: 3 }) }, { requiredKeys: [] }),
    networkPolicy: fc.record(
      {
        enabled: fc.boolean(),
        ingressFrom: fc.array(fc.record({ namespace: namespaceName, podLabels: labels(2) }, { requiredKeys: ['namespace'] }), { maxLength: 3 }),
        egressTo: fc.array(fc.record({ cidr, ports: fc.array(networkPort, { maxLength: 2 }) }, { requiredKeys: ['cidr'] }), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

const systemMessage = fc.oneof(
  fc.record({ systemMessage: text(200) }),
  fc.record({ systemMessageFrom: fc.oneof(fc.record({ configMapKeyRef: keyRef() }), fc.record({ secretKeyRef: keyRef(true) })) }),
);

const declarativeSpec = fc.record({
  type: fc.constant('Declarative' as const),
  declarative: fc
    .tuple(systemMessage, subdomain, fc.option(fc.boolean(), { nil: undefined }))
    .map(([message, modelConfig, stream]) => ({ ...message, modelConfig, ...(stream !== undefined && { stream }) })),
  deployment: fc.option(deploymentOverrides(true), { nil: undefined }),
});

const byoSpec = fc.record({
  type: fc.constant('BYO' as const),
  byo: fc.record(
    { image, imagePullPolicy: pullPolicy, command: fc.array(text(20), { maxLength: 3 }), args: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }), port },
    { requiredKeys: ['image'] },
  ),
  deployment: fc.option(deploymentOverrides(false), { nil: undefined }),
});

export interface GeneratedAgent {
  apiVersion: 'agentry.dev/v1alpha1';
  kind: 'Agent';
  metadata: { name: string; namespace: string; uid?: string };
  spec: Record<string, unknown> & { type: 'Declarative' | 'BYO'; declarative?: { modelConfig: string } };
}

/** A schema-valid Agent. `pathPrefix` is never set: whether one is allowed depends on the configuration. */
export const agent: fc.Arbitrary<GeneratedAgent> = fc
  .record({
    name: agentName,
    namespace: namespaceName,
    uid: fc.option(fc.uuid(), { nil: undefined }),
    description: fc.option(fc.string({ maxLength: 100 }), { nil: undefined }),
    typed: fc.oneof(declarativeSpec, byoSpec),
    a2aConfig: fc.option(a2aConfig, { nil: undefined }),
    exposure: fc.option(exposure, { nil: undefined }),
  })
  .map(({ name, namespace, uid, description, typed, a2aConfig, exposure }) => ({
    apiVersion: 'agentry.dev/v1alpha1' as const,
    kind: 'Agent' as const,
    metadata: { name, namespace, ...(uid !== undefined && { uid }) },
    spec: withoutUndefined({ description, ...typed, a2aConfig, exposure }) as GeneratedAgent['spec'],
  }));

const modelSpec = fc.oneof(
  fc.record({ provider: fc.constantFrom('OpenAI', 'Anthropic', 'Gemini'), model: text(30), apiKeySecret: keyRef(true) }),
  fc.record({
    provider: fc.constant('AzureOpenAI'),
    model: text(30),
    baseUrl: fc.constant('https://example.openai.azure.com'),
    apiKeySecret: keyRef(true),
    azure: fc.record({ apiVersion: fc.constant('2024-10-21'), deployment: fc.stringMatching(/^[A-Za-z0-9][-_.A-Za-z0-9]{0,20}$/) }),
  }),
  fc.record(
    { provider: fc.constantFrom('Ollama', 'OpenAICompatible'), model: text(30), baseUrl: fc.constantFrom('http://ollama:11434', 'https://llm.example.com/v1'), apiKeySecret: keyRef(true) },
    { requiredKeys: ['provider', 'model', 'baseUrl'] },
  ),
);

const modelParameters = fc.record(
  { temperature: fc.double({ min: 0, max: 2, noNaN: true }), maxTokens: fc.integer({ min: 1, max: 100000 }), topP: fc.double({ min: 0, max: 1, noNaN: true }) },
  { requiredKeys: [] },
);

/** A schema-valid ModelConfig with the given name and namespace. */
export function modelConfigFor(name: string, namespace: string) {
  return fc.tuple(modelSpec, fc.option(modelParameters, { nil: undefined })).map(([spec, parameters]) => ({
    apiVersion: 'agentry.dev/v1alpha1' as const,
    kind: 'ModelConfig' as const,
    metadata: { name, namespace },
    spec: withoutUndefined({ ...spec, parameters }),
  }));
}

/** What an operator configuration file may say, before defaults. */
export const operatorConfigInput: fc.Arbitrary<OperatorConfigInput> = fc.record(
  {
    a2a: fc.record({ appProtocol: fc.constantFrom('auto', 'none', 'kgateway.dev/a2a', 'agentgateway.dev/a2a') }),
    gateway: fc.record(
      {
        enabled: fc.boolean(),
        // Mostly with a gateway: without one nothing is routed, and routing is what most rules are about.
        parentRefs: fc.uniqueArray(
          fc.record({ name: subdomain, namespace: shortLabel, sectionName: subdomain, port }, { requiredKeys: ['name', 'namespace'] }),
          { minLength: 1, maxLength: 2, selector: (r) => `${r.namespace}/${r.name}` },
        ),
        routeNamespace: shortLabel,
        hostnames: fc.uniqueArray(hostname, { maxLength: 2 }),
        publicBaseUrl: fc.constantFrom('https://agents.example.com', 'https://example.com/gateway/', 'http://10.0.0.1:8080'),
        // Known controllers pick the appProtocol when a2a.appProtocol is auto; an unknown one does not.
        controllerName: fc.constantFrom('traefik.io/gateway-controller', 'kgateway.dev/kgateway', 'istio.io/gateway-controller', 'example.com/gateway'),
      },
      { requiredKeys: [] },
    ),
    networkPolicy: fc.record(
      {
        enabled: fc.boolean(),
        gatewayNamespace: shortLabel,
        gatewayPodLabels: labels(2),
        allowedIngressNamespaces: fc.constantFrom('None' as const, 'Same' as const, 'All' as const),
        egress: fc.record(
          {
            modelEndpoints: fc.array(fc.record({ cidr, ports: fc.array(networkPort, { maxLength: 2 }) }, { requiredKeys: ['cidr'] }), { maxLength: 2 }),
            peerAgentsViaGateway: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
