// The operator's configuration file, shared by `agentry run --config` and `agentry render --config`.
// Every field has a default, so an empty file (or no file) is a valid configuration. Unknown keys
// are errors: a misspelt setting must not be silently ignored.
import { parseDocument } from 'yaml';
import { z } from 'zod';

import { networkPortSchema, cidrSchema, gatewayHostnameSchema } from '../api/agent-exposure.js';
import { containerImage, imagePullPolicySchema } from '../api/container-image.js';
import { isCidr } from '../api/cidr.js';
import { isHttpUrl } from '../api/http-url.js';
import { dns1123Label, dns1123Subdomain, labelMap, qualifiedName } from '../api/kubernetes-names.js';
import { formatIssuePath } from '../api/validation.js';
import { leaseTimingProblems } from '../controller/lease-timing.js';
import { APP_PROTOCOL_AUTO } from './app-protocol.js';
import { unknownPlaceholders } from './path-template.js';

export const DEFAULT_AGENT_RUNTIME_IMAGE = 'ghcr.io/agentry-dev/agent-runtime:0.1.0';
export const DEFAULT_PATH_TEMPLATE = '/agents/{namespace}/{name}';

const pathTemplateSchema = z
  .string()
  .min(2)
  .max(256)
  .refine((t) => t.startsWith('/'), { message: "must start with '/'" })
  .refine((t) => unknownPlaceholders(t).length === 0, { message: 'may only use the placeholders {namespace} and {name}' })
  .refine((t) => !t.includes('//') && !t.includes('/./') && !t.includes('/../'), { message: "must not contain empty, '.' or '..' segments" });

// A hostname with {namespace} and {name} placeholders, or '*' (any hostname).
const hostnameTemplateSchema = z
  .string()
  .min(1)
  .max(253)
  .refine((t) => t === '*' || unknownPlaceholders(t).length === 0, { message: 'may only use the placeholders {namespace} and {name}' })
  .refine((t) => t === '*' || /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(t.replaceAll('{namespace}', 'x').replaceAll('{name}', 'x')), {
    message: "must be a lowercase DNS name such as {namespace}.agents.example.com (no '*.': subdomains are allowed by every entry), or '*'",
  });

const agentRuntimeSchema = z
  .strictObject({
    image: containerImage().default(DEFAULT_AGENT_RUNTIME_IMAGE).describe('Image that runs declarative agents.'),
    imagePullPolicy: imagePullPolicySchema.default('IfNotPresent').describe('Pull policy of the runtime image: Always, IfNotPresent or Never.'),
  })
  .prefault({})
  .describe("The runtime image for declarative agents. An Agent's spec.deployment.image overrides it.");

const a2aSchema = z
  .strictObject({
    appProtocol: qualifiedName()
      .default(APP_PROTOCOL_AUTO)
      .describe(
        "appProtocol of the Service of every agent with a2aConfig. 'auto' (the default): from gateway.controllerName (kgateway.dev/a2a for agentgateway and kgateway, none for Traefik, Envoy Gateway and Istio; kgateway.dev/a2a when unset or unknown); 'none': no appProtocol; any other value is written as it is (newer agentgateway also accepts 'agentgateway.dev/a2a').",
      ),
    protocolVersion: z
      .string()
      .regex(/^[0-9]+\.[0-9]+(\.[0-9]+)?$/, { message: 'must be a version such as 1.0' })
      .default('1.0')
      .describe('A2A protocol version published in agent cards.'),
  })
  .prefault({})
  .describe('How agents are announced as A2A agents.');

const parentRefSchema = z.strictObject({
  name: dns1123Subdomain().describe('Name of the Gateway.'),
  namespace: dns1123Label().describe('Namespace of the Gateway.'),
  sectionName: dns1123Subdomain().optional().describe('Listener of the Gateway to attach to; all listeners when unset.'),
  port: z.int().min(1).max(65535).optional().describe('Port of the Gateway listener to attach to.'),
});

const gatewaySchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Expose agents through the gateway by default. When true, agents with a2aConfig get an HTTPRoute unless they opt out; others only when they opt in (spec.exposure.gateway.enabled).'),
    parentRefs: z
      .array(parentRefSchema)
      .max(16)
      .default([])
      .describe('Gateways every HTTPRoute attaches to. With none, no HTTPRoutes are created and Routed is False (ExposureDisabled).'),
    routeNamespace: dns1123Label()
      .optional()
      .describe("Namespace of the HTTPRoutes. Unset: each agent's own namespace. Set (for example to the gateway's namespace): a ReferenceGrant in the agent's namespace lets the route reach the agent's Service."),
    pathTemplate: pathTemplateSchema
      // Without {name} every agent would claim the same path.
      .refine((t) => t.includes('{name}'), { message: 'must contain {name}' })
      .refine((t) => !t.endsWith('/'), { message: "must not end with '/'" })
      .default(DEFAULT_PATH_TEMPLATE)
      .describe('Path prefix of each agent on the gateway; {namespace} and {name} are replaced by the Agent\'s.'),
    allowCustomPathPrefix: z
      .boolean()
      .default(false)
      .describe("Honour an Agent's spec.exposure.gateway.pathPrefix. When false the template always applies."),
    allowedPathPrefixes: z
      .array(pathTemplateSchema)
      .max(32)
      .optional()
      .describe("With allowCustomPathPrefix (then required): the prefixes a custom path must lie within, as templates such as '/agents/{namespace}/'."),
    hostnames: z.array(gatewayHostnameSchema).max(16).optional().describe('Hostnames of every HTTPRoute, unless an Agent sets its own; any hostname of the gateway when unset.'),
    allowedAgentHostnames: z
      .array(hostnameTemplateSchema)
      .max(32)
      .default([])
      .describe(
        "Hostnames an Agent may put on its route (spec.exposure.gateway.hostnames), as templates such as '{namespace}.agents.example.com': each of its hostnames must be one of them or a subdomain of one ('*.' wildcards included), with {namespace} (and {name}) replaced by the Agent's. '*' allows any hostname. Empty (the default): none, and an Agent that sets hostnames is refused (InvalidExposure): one tenant must not claim another's hostname.",
      ),
    publicBaseUrl: z
      .string()
      .max(2048)
      .refine(isHttpUrl, { message: 'must be an absolute http or https URL' })
      .optional()
      .describe("Base URL of the gateway as clients see it, such as https://agents.example.com; an agent's status.publicUrl is this plus its path. Unset: no publicUrl."),
    controllerName: qualifiedName()
      .optional()
      .describe("Only the HTTPRoute status entries written by this gateway controller count for Routed (for example 'kgateway.dev/kgateway'). Unset: every parent's status counts."),
  })
  .superRefine((g, ctx) => {
    // Without a fence, one Agent could claim /agents (or any path) for every Agent under it.
    if (g.allowCustomPathPrefix && g.allowedPathPrefixes === undefined) {
      ctx.addIssue({ code: 'custom', path: ['allowedPathPrefixes'], message: "required when allowCustomPathPrefix is true: the prefixes custom paths must lie within, such as '/agents/{namespace}/'" });
    }
  })
  .prefault({})
  .describe('Exposure of agents through a Gateway API gateway (HTTPRoutes).');

const egressPortSchema = networkPortSchema.extend({
  protocol: z.enum(['TCP', 'UDP']).default('TCP').describe('TCP or UDP.'),
});

const networkPolicySchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Render a NetworkPolicy for every agent unless the Agent opts out (spec.exposure.networkPolicy.enabled).'),
    gatewayNamespace: dns1123Label()
      .optional()
      .describe("Namespace of the gateway's pods, allowed to reach agents. Unset: the namespaces of gateway.parentRefs."),
    gatewayPodLabels: labelMap(16).optional().describe("Labels of the gateway's pods; unset: every pod of the gateway namespace."),
    allowOptOut: z
      .boolean()
      .default(false)
      .describe('Let an Agent turn its NetworkPolicy off (spec.exposure.networkPolicy.enabled: false). When false such an Agent is refused (InvalidExposure), so the isolation the platform sets cannot be removed by a tenant.'),
    allowedEgressCidrs: z
      .array(cidrSchema)
      .max(32)
      .default([])
      .describe("Networks an Agent may add to its own egress (spec.exposure.networkPolicy.egressTo): each entry's CIDR must lie within one of these. Empty (the default): Agents may add none, and one that asks is refused (InvalidExposure)."),
    allowedIngressNamespaces: z
      .enum(['None', 'Same', 'All'])
      .default('Same')
      .describe("What an Agent may add with spec.exposure.networkPolicy.ingressFrom: None (nothing), Same (only its own namespace) or All (any namespace)."),
    egress: z
      .strictObject({
        dns: z
          .strictObject({
            namespace: dns1123Label().default('kube-system').describe('Namespace of the cluster DNS pods.'),
            podLabels: labelMap(16)
              .default({ 'k8s-app': 'kube-dns' })
              .describe('Labels of the cluster DNS pods; agents may reach them on port 53 (UDP and TCP).'),
          })
          .prefault({})
          .describe('The cluster DNS, which every agent may reach.'),
        modelEndpoints: z
          .array(
            z.strictObject({
              cidr: cidrSchema.describe('Network of a model endpoint, such as 10.0.0.0/8 or 0.0.0.0/0 for the internet.'),
              ports: z.array(egressPortSchema).max(16).default([{ port: 443, protocol: 'TCP' }]).describe('Ports on that network; 443/TCP by default.'),
            }),
          )
          .max(32)
          .default([])
          .describe('Destinations every agent may reach (model APIs). None by default: agents reach nothing but DNS, the gateway and their own additions.'),
        peerAgentsViaGateway: z
          .boolean()
          .default(true)
          .describe('Let agents reach the gateway, so that they can call other agents through it.'),
      })
      .prefault({})
      .describe('What agents may reach.'),
  })
  .prefault({})
  .describe('The NetworkPolicy rendered around each agent.');

const toolsSchema = z
  .strictObject({
    allowCrossNamespaceReferences: z
      .boolean()
      .default(false)
      .describe(
        "Let an Agent's tools name an MCP Service or another Agent in another namespace (spec.declarative.tools[].mcpServer.service.namespace, tools[].agent.namespace). When false (the default) such an Agent is refused (InvalidTool): a tenant reaches only its own namespace's servers and agents.",
      ),
    maxSteps: z
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe('Model calls one task may make in its tool loop (each tool round trip is a step); the task fails when it runs out.'),
  })
  .prefault({})
  .describe('Tools of declarative agents: MCP servers and other agents.');

/** `'*'` in an allowlist: anything. */
export const ANY = '*';

/**
 * Pod label and annotation keys an Agent may not set by default: those that turn a mesh's sidecar
 * (and with it its mTLS and policy) off or on, and the AppArmor and seccomp opt-outs, which the
 * restricted securityContext Agentry renders would otherwise be undone by.
 */
export const DEFAULT_DENIED_POD_LABEL_KEY_PREFIXES = ['sidecar.istio.io/', 'istio.io/', 'security.istio.io/', 'linkerd.io/', 'kuma.io/'];
export const DEFAULT_DENIED_POD_ANNOTATION_KEY_PREFIXES = [
  'sidecar.istio.io/',
  'proxy.istio.io/',
  'traffic.sidecar.istio.io/',
  'istio.io/',
  'linkerd.io/',
  'config.linkerd.io/',
  'config.alpha.linkerd.io/',
  'kuma.io/',
  'container.apparmor.security.beta.kubernetes.io/',
  'seccomp.security.alpha.kubernetes.io/',
  'kubernetes.io/',
  'k8s.io/',
];

const keyPrefixList = z.array(z.string().min(1).max(253)).max(64);

const podsSchema = z
  .strictObject({
    allowedServiceAccountNames: z
      .array(z.union([z.literal(ANY), dns1123Subdomain()]))
      .max(64)
      .default([])
      .describe("ServiceAccounts an Agent may run its pods as (spec.deployment.serviceAccountName), or '*' for any in its namespace. Empty (the default): none; an Agent that names one is refused (InvalidDeployment) and its pods run as the ServiceAccount Agentry creates, which has no permissions."),
    secretReferences: z
      .strictObject({
        requiredLabel: z
          .strictObject({
            key: qualifiedName().describe('Label key.'),
            value: z.string().max(63).describe('Label value.'),
          })
          .optional()
          .describe("Only Secrets carrying this label may be referenced. Unset (the default): any Secret of the Agent's namespace. Set: the operator lists Secrets' metadata (never their values) in the watched namespaces, and its RBAC grants list and watch on Secrets there."),
      })
      .prefault({})
      .describe("Secrets an Agent may reference: from env[].valueFrom.secretKeyRef, envFrom[].secretRef, systemMessageFrom.secretKeyRef, tool headers and its ModelConfig's apiKeySecret. Always only in the Agent's own namespace (Kubernetes resolves them there)."),
    allowImagePullSecrets: z
      .boolean()
      .default(false)
      .describe('Let an Agent name imagePullSecrets (spec.deployment.imagePullSecrets), which pull with the registry credentials in those Secrets. When false such an Agent is refused (InvalidDeployment).'),
    allowedTolerations: z
      .array(
        z.strictObject({
          key: z.union([z.literal(ANY), qualifiedName()]).describe("Taint key, or '*' for any."),
          effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional().describe('Only tolerations of this effect; any when unset.'),
        }),
      )
      .max(32)
      .default([])
      .describe('Tolerations an Agent may set (spec.deployment.tolerations): each must match an entry by key (and effect, when the entry has one); an empty key or Exists on every key needs an entry with key \'*\'. Empty (the default): none, so agents never land on tainted (dedicated, system, GPU) nodes.'),
    allowedNodeSelectorKeys: z
      .array(z.union([z.literal(ANY), qualifiedName()]))
      .max(64)
      .default([ANY])
      .describe("Node label keys an Agent's spec.deployment.nodeSelector may use, or '*' (the default) for any: a node selector only narrows where pods may go, among the nodes they may go to."),
    allowedAffinity: z
      .array(z.enum(['nodeAffinity', 'podAffinity', 'podAntiAffinity']))
      .max(3)
      .default(['nodeAffinity', 'podAffinity', 'podAntiAffinity'])
      .describe("Kinds of spec.deployment.affinity an Agent may set; all by default (affinity only narrows placement). Empty: no affinity."),
    allowedPriorityClassNames: z
      .array(z.union([z.literal(ANY), dns1123Subdomain()]))
      .max(32)
      .default([])
      .describe("PriorityClasses an Agent's pods may use (spec.deployment.priorityClassName), or '*' for any. Empty (the default): none, so no agent can preempt other workloads' pods."),
    maxReplicas: z.int().min(0).max(1000).default(10).describe('Most replicas an Agent may ask for (spec.deployment.replicas).'),
    allowRunAsRoot: z
      .boolean()
      .default(false)
      .describe('Let an Agent run as root (securityContext.runAsNonRoot: false, or runAsUser: 0). When false such an Agent is refused (InvalidDeployment), whatever the namespace\'s Pod Security admission would allow.'),
    deniedLabelKeyPrefixes: keyPrefixList
      .default(DEFAULT_DENIED_POD_LABEL_KEY_PREFIXES)
      .describe('Pod label keys an Agent may not set (spec.deployment.podLabels), by prefix: by default those a service mesh reads to inject or skip its sidecar. Add the keys your NetworkPolicies and Services select pods by, so an Agent cannot label its pods into them.'),
    deniedAnnotationKeyPrefixes: keyPrefixList
      .default(DEFAULT_DENIED_POD_ANNOTATION_KEY_PREFIXES)
      .describe('Pod annotation keys an Agent may not set (spec.deployment.podAnnotations), by prefix: by default sidecar injection and its bypasses, the AppArmor and seccomp opt-outs, and kubernetes.io/ and k8s.io/.'),
    allowedImages: z
      .array(z.string().min(1).max(512))
      .max(64)
      .optional()
      .describe("Image reference prefixes (a registry, or a registry and path, such as 'ghcr.io/acme/') a BYO agent's byo.image and a declarative agent's deployment.image must start with. Unset (the default): any image."),
  })
  .prefault({})
  .describe("What an Agent may put in its pods (spec.deployment, a BYO agent's image, the Secrets it references): each setting default-denies where the field would widen what a tenant can do.");

// A host pattern of remoteAgents.allowedHosts: a hostname, `*.suffix`, or a CIDR. The fetcher's
// parseHostPolicy reads them; this only keeps typos out of the file.
const remoteAgentHostPatternSchema = z
  .string()
  .min(1)
  .max(253)
  .refine((p) => isCidr(p) || /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(p), {
    message: "must be a lowercase hostname (agents.example.com), a '*.' suffix (*.example.com) or a CIDR (10.0.0.0/8)",
  });

const remoteAgentsSchema = z
  .strictObject({
    refreshPeriodSeconds: z.int().min(10).max(86400).default(300).describe('How often each RemoteAgent\'s agent card is read again (and at once when its spec changes).'),
    refreshJitterPercent: z
      .int()
      .min(0)
      .max(100)
      .default(20)
      .describe('Each refresh comes up to this share of the period earlier or later, so that RemoteAgents created together do not all refresh at once.'),
    fetchTimeoutSeconds: z.int().min(1).max(120).default(10).describe('Time allowed for one card request, body included.'),
    maxCardBytes: z.int().min(1024).max(4194304).default(262144).describe('Largest agent card read; a larger one is refused (Reachable=False, TooLarge).'),
    allowHttp: z
      .boolean()
      .default(false)
      .describe('Let spec.url be an http URL. When false (the default) it must be https (a Service in the namespace is always reached over http).'),
    allowedHosts: z
      .array(remoteAgentHostPatternSchema)
      .max(64)
      .default([])
      .describe(
        "Hosts a RemoteAgent's spec.url may name: hostnames, '*.suffix' patterns and CIDRs. The resolved address is checked too: loopback, link-local (cloud metadata) and private addresses only where a CIDR here contains them. Empty (the default): no spec.url is accepted (HostNotAllowed), so the operator's network position is no tenant's proxy.",
      ),
    headersFromSecrets: z
      .boolean()
      .default(false)
      .describe(
        "Read the Secrets a RemoteAgent's spec.headersFrom names, to send their values with the card request. The operator then needs get on Secrets in the watched namespaces (the chart and the kustomize role grant it only with this set). When false (the default) a RemoteAgent with headersFrom is refused (Accepted=False, HeadersFromNotAllowed).",
      ),
    allowExternalBackends: z
      .boolean()
      .default(false)
      .describe(
        'Route a spec.url RemoteAgent through the gateway, by an ExternalName Service it owns. When false (the default) only Service-form RemoteAgents are routed. Not every gateway routes to ExternalName Services: see docs/remote-agents.md.',
      ),
  })
  .prefault({})
  .describe('RemoteAgents: A2A servers Agentry does not run, whose cards the operator reads.');

const LEASE_TIMING_FIELDS = { leaseDuration: 'leaseDurationSeconds', renewDeadline: 'renewDeadlineSeconds', retryPeriod: 'retryPeriodSeconds' } as const;

const leaderElectionSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Run only one active operator replica at a time, elected through a Lease.'),
    leaseName: dns1123Subdomain().default('agentry-leader').describe('Name of the coordination.k8s.io Lease.'),
    leaseNamespace: dns1123Label().optional().describe("Namespace of the Lease. Unset: the operator's own namespace."),
    leaseDurationSeconds: z.int().min(1).max(3600).default(15).describe('How long a lease is valid without renewal.'),
    renewDeadlineSeconds: z.int().min(1).max(3600).default(10).describe('How long the leader keeps trying to renew before it gives up leadership.'),
    retryPeriodSeconds: z.int().min(1).max(3600).default(2).describe('How often candidates try to acquire or renew the lease.'),
  })
  // The LeaderElector's own rule (src/controller/lease-timing.ts), so that a configuration accepted
  // here cannot fail when the elector starts; the chart's _validate.tpl checks the same.
  .superRefine((l, ctx) => {
    const timings = { leaseDuration: l.leaseDurationSeconds, renewDeadline: l.renewDeadlineSeconds, retryPeriod: l.retryPeriodSeconds };
    for (const problem of leaseTimingProblems(timings, LEASE_TIMING_FIELDS)) {
      ctx.addIssue({ code: 'custom', message: problem.message, path: [LEASE_TIMING_FIELDS[problem.field]] });
    }
  })
  .prefault({})
  .describe('Leader election among operator replicas.');

export const operatorConfigSchema = z
  .strictObject({
    agentRuntime: agentRuntimeSchema,
    a2a: a2aSchema,
    gateway: gatewaySchema,
    networkPolicy: networkPolicySchema,
    tools: toolsSchema,
    pods: podsSchema,
    remoteAgents: remoteAgentsSchema,
    watchNamespaces: z
      .array(dns1123Label())
      .min(1)
      .max(256)
      .optional()
      .describe('Namespaces whose Agents and ModelConfigs the operator manages. Unset: all namespaces.'),
    workers: z.int().min(1).max(64).default(4).describe('Number of Agents reconciled in parallel.'),
    resyncPeriodSeconds: z
      .int()
      .min(0)
      .max(86400)
      .default(600)
      .describe('How often every Agent is reconciled even without changes; 0 turns periodic resync off.'),
    leaderElection: leaderElectionSchema,
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info').describe('Minimum level of the JSON logs.'),
  })
  .describe('Configuration of the Agentry operator.');

export type OperatorConfig = z.output<typeof operatorConfigSchema>;
/** What a configuration file may contain: every field optional. */
export type OperatorConfigInput = z.input<typeof operatorConfigSchema>;

export class OperatorConfigError extends Error {
  readonly issues: readonly string[];
  /** Some problem is with an override (a command-line flag) rather than with the file. */
  readonly inOverrides: boolean;

  constructor(source: string, issues: readonly string[], inOverrides = false) {
    super(`invalid operator configuration (${source}):\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'OperatorConfigError';
    this.issues = issues;
    this.inOverrides = inOverrides;
  }
}

/**
 * A value for one field given outside the file, such as `agentry run --workers 8`. It replaces the
 * file's value before validation, so the schema checks it like any other (one rule, one message),
 * and a problem with it is reported under `name` rather than the field's path.
 */
export interface OperatorConfigOverride {
  /** The field, such as `['leaderElection', 'enabled']`. */
  path: readonly string[];
  value: unknown;
  /** What the user typed to set it, such as `--workers`. */
  name: string;
  /** The text the user gave, quoted in a problem's message. */
  text?: string;
}

/**
 * Parses a configuration file, then the overrides on top of it, with one validation. Throws
 * OperatorConfigError listing every problem, each as `field.path: message` (`--flag: message` for
 * an override; or the YAML parser's message with its line and column).
 */
export function parseOperatorConfig(yamlText: string, source = 'configuration', overrides: readonly OperatorConfigOverride[] = []): OperatorConfig {
  const document = parseDocument(yamlText, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) throw new OperatorConfigError(source, document.errors.map((e) => e.message));
  const value: unknown = document.toJS() ?? {};
  if (!isMapping(value)) throw new OperatorConfigError(source, ['the configuration must be a YAML mapping of settings']);
  const merged = overrides.reduce((config, o) => withValueAt(config, o.path, o.value), value);
  const result = operatorConfigSchema.safeParse(merged, { error: requiredValueMessages });
  if (result.success) return result.data;
  let inOverrides = false;
  const issues = result.error.issues.map((issue) => {
    const override = overrides.findLast((o) => o.path.every((key, i) => issue.path[i] === key));
    if (override === undefined) {
      const path = formatIssuePath(issue.path);
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    }
    inOverrides = true;
    const within = formatIssuePath(issue.path.slice(override.path.length));
    return `${override.name}${within}: ${issue.message}${override.text === undefined ? '' : ` (got ${JSON.stringify(override.text)})`}`;
  });
  throw new OperatorConfigError(source, issues, inOverrides);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `config` with `value` at `path`, creating the mappings on the way. Where the file has something
 * other than a mapping on the way, the file's value stays and the schema reports it.
 */
function withValueAt(config: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const [key, ...rest] = path;
  if (key === undefined) return config;
  if (rest.length === 0) return { ...config, [key]: value };
  const inner = config[key] ?? {};
  return isMapping(inner) ? { ...config, [key]: withValueAt(inner, rest, value) } : config;
}

const requiredValueMessages: z.core.$ZodErrorMap = (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'Required value' : undefined);

export function defaultOperatorConfig(): OperatorConfig {
  return operatorConfigSchema.parse({});
}
