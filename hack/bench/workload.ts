// What the benchmark creates: N A2A Agents spread over namespaces of `perNamespace` Agents each,
// each namespace with a ModelConfig, and the operator configuration they are rendered with. Two
// workloads:
// - full: Declarative Agents with gateway exposure and NetworkPolicy on, routes beside the gateway
//   (as in config/samples/gateway), so every Agent has 7 children and a cleanup finalizer;
// - byo-minimal: BYO Agents, no gateway, no NetworkPolicy: 4 children (ServiceAccount, ConfigMap,
//   Service, Deployment), the shape other operators' benchmarks use (kagent's BYO Agent), so their
//   figures can be compared with Agentry's alone.
import YAML from 'yaml';
import { GROUP_VERSION } from '../../src/api/group-version.js';
import { parseOperatorConfig, type OperatorConfig } from '../../src/config/operator-config.js';
import type { KubeObject } from '../../src/kube/kube-object.js';

export const GATEWAY_NAMESPACE = 'agentgateway-system';
export const MODEL_CONFIG_NAME = 'default';

export const WORKLOADS = ['full', 'byo-minimal'] as const;
export type WorkloadKind = (typeof WORKLOADS)[number];

export function isWorkloadKind(text: string): text is WorkloadKind {
  return (WORKLOADS as readonly string[]).includes(text);
}

export interface WorkloadOptions {
  kind: WorkloadKind;
  agents: number;
  perNamespace: number;
  /** Prefix of the namespaces, e.g. `bench-op` → bench-op-000, bench-op-001 … */
  namespacePrefix: string;
  /** HTTPRoutes in the gateway's namespace (ReferenceGrants, finalizers) or beside each Agent. */
  routesBesideGateway: boolean;
}

export interface AgentRef {
  namespace: string;
  name: string;
}

export function namespacesOf(opts: WorkloadOptions): string[] {
  const count = Math.ceil(opts.agents / opts.perNamespace);
  return Array.from({ length: count }, (_, i) => `${opts.namespacePrefix}-${String(i).padStart(3, '0')}`);
}

export function agentRefs(opts: WorkloadOptions): AgentRef[] {
  const namespaces = namespacesOf(opts);
  return Array.from({ length: opts.agents }, (_, i) => ({
    namespace: namespaces[Math.floor(i / opts.perNamespace)] ?? '',
    name: `agent-${String(i).padStart(5, '0')}`,
  }));
}

export function namespaceObject(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'agentry.dev/bench': 'true' } } };
}

export function modelConfig(namespace: string): KubeObject {
  return {
    apiVersion: GROUP_VERSION,
    kind: 'ModelConfig',
    metadata: { name: MODEL_CONFIG_NAME, namespace },
    spec: { provider: 'OpenAI', model: 'gpt-4o-mini', apiKeySecret: { name: 'openai', key: 'api-key' } },
  };
}

const SKILLS = [
  {
    id: 'validate-expense',
    name: 'Validate Expense Report',
    description: 'Checks an expense report against the travel policy',
    tags: ['finance', 'expenses'],
    examples: ['Is a 450 EUR hotel night in Paris within policy?'],
    inputModes: ['text'],
    outputModes: ['text'],
  },
];

export function agent(ref: AgentRef, kind: WorkloadKind = 'full'): KubeObject {
  const runs =
    kind === 'byo-minimal'
      ? { type: 'BYO', byo: { image: 'ghcr.io/example/expense-agent:1.0.0', port: 8080 } }
      : {
          type: 'Declarative',
          declarative: { systemMessage: 'You validate expense reports against the travel policy.', modelConfig: MODEL_CONFIG_NAME },
          exposure: { gateway: { enabled: true }, networkPolicy: { enabled: true } },
        };
  return {
    apiVersion: GROUP_VERSION,
    kind: 'Agent',
    metadata: { name: ref.name, namespace: ref.namespace },
    spec: { description: 'Processes and validates expense reports', ...runs, a2aConfig: { skills: SKILLS } },
  };
}

/** The operator configuration file's text. */
export function operatorConfigYaml(opts: { kind?: WorkloadKind; routesBesideGateway: boolean; resyncPeriodSeconds: number; workers?: number }): string {
  const exposure =
    opts.kind === 'byo-minimal'
      ? { gateway: { enabled: false }, networkPolicy: { enabled: false } }
      : {
          gateway: {
            parentRefs: [{ name: 'agentgateway-proxy', namespace: GATEWAY_NAMESPACE }],
            ...(opts.routesBesideGateway ? { routeNamespace: GATEWAY_NAMESPACE } : {}),
            publicBaseUrl: 'https://agents.example.com',
          },
          networkPolicy: {
            enabled: true,
            gatewayNamespace: GATEWAY_NAMESPACE,
            egress: { modelEndpoints: [{ cidr: '0.0.0.0/0', ports: [{ port: 443 }] }] },
          },
        };
  return YAML.stringify({
    ...exposure,
    resyncPeriodSeconds: opts.resyncPeriodSeconds,
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    leaderElection: { enabled: false },
  });
}

export function operatorConfig(yamlText: string): OperatorConfig {
  return parseOperatorConfig(yamlText, 'benchmark configuration');
}
