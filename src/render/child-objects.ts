// The objects an Agent becomes, typed as render builds them: the subset of each Kubernetes kind's
// fields Agentry sets (hand-written, not the full OpenAPI models). Each is a KubeObject, so the
// write decision, the CLI and the caches take them as they are; code that reads a rendered child
// (tests, status) narrows by `kind` instead of casting.
import type { KubeObject, ObjectMeta } from '../kube/kube-object.js';

/** What every rendered child is: a KubeObject with a literal kind and its API version. */
interface Child<ApiVersion extends string, Kind extends string> extends KubeObject {
  apiVersion: ApiVersion;
  kind: Kind;
  metadata: ObjectMeta;
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
}

export interface ServiceAccountObject extends Child<'v1', 'ServiceAccount'> {
  automountServiceAccountToken: false;
}

export interface ConfigMapObject extends Child<'v1', 'ConfigMap'> {
  data: Record<string, string>;
}

export interface ServicePort {
  name: string;
  port: number;
  targetPort: string | number;
  protocol: 'TCP';
  appProtocol?: string;
}

export interface ServiceObject extends Child<'v1', 'Service'> {
  spec: { type: 'ClusterIP'; selector: Record<string, string>; ports: ServicePort[] };
}

/** A container env entry as the API takes it: a value, or a reference (secretKeyRef, configMapKeyRef, fieldRef, ...). */
export type EnvVarObject = { name: string } & Record<string, unknown>;

export interface ContainerPort {
  name: string;
  containerPort: number;
  protocol: 'TCP';
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface Probe {
  httpGet?: { path: string; port: string };
  tcpSocket?: { port: string };
}

export interface ResourceRequirements {
  limits?: Record<string, string>;
  requests?: Record<string, string>;
}

export interface ContainerSecurityContext {
  allowPrivilegeEscalation: false;
  capabilities: { drop: string[] };
  readOnlyRootFilesystem: boolean;
  runAsNonRoot: boolean;
  runAsUser?: number;
  runAsGroup?: number;
}

export interface PodSecurityContext {
  runAsNonRoot: boolean;
  seccompProfile: { type: 'RuntimeDefault' };
  fsGroup?: number;
  supplementalGroups?: number[];
}

export interface ContainerObject {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  ports: ContainerPort[];
  env: EnvVarObject[];
  envFrom?: unknown[];
  resources?: ResourceRequirements;
  volumeMounts: VolumeMount[];
  readinessProbe: Probe;
  securityContext: ContainerSecurityContext;
}

export type Volume =
  | { name: string; configMap: { name: string } }
  | { name: string; emptyDir: Record<string, never> }
  | { name: string; projected: { sources: { configMap: { name: string; items: { key: string; path: string }[] } }[] } };

export interface PodSpecObject {
  serviceAccountName: string;
  automountServiceAccountToken: false;
  securityContext: PodSecurityContext;
  containers: ContainerObject[];
  volumes: Volume[];
  imagePullSecrets?: { name: string }[];
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
  affinity?: unknown;
  priorityClassName?: string;
}

export interface DeploymentObject extends Child<'apps/v1', 'Deployment'> {
  spec: {
    replicas: number;
    selector: LabelSelector;
    template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: PodSpecObject };
  };
}

export interface NetworkPolicyPeer {
  namespaceSelector?: LabelSelector;
  podSelector?: LabelSelector;
  ipBlock?: { cidr: string };
}

export interface NetworkPolicyPort {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** A number, or a named container port. */
  port: number | string;
}

export interface NetworkPolicyIngressRule {
  from: NetworkPolicyPeer[];
  ports: NetworkPolicyPort[];
}

export interface NetworkPolicyEgressRule {
  to: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicyObject extends Child<'networking.k8s.io/v1', 'NetworkPolicy'> {
  spec: {
    podSelector: LabelSelector;
    policyTypes: ('Ingress' | 'Egress')[];
    ingress?: NetworkPolicyIngressRule[];
    egress?: NetworkPolicyEgressRule[];
  };
}

export interface ParentReference {
  group: string;
  kind: 'Gateway';
  name: string;
  namespace: string;
  sectionName?: string;
  port?: number;
}

export interface HTTPBackendRef {
  group: '';
  kind: 'Service';
  name: string;
  namespace?: string;
  port: number;
  weight: number;
}

export interface HTTPRouteRule {
  matches: { path: { type: 'PathPrefix'; value: string } }[];
  filters: { type: 'URLRewrite'; urlRewrite: { path: { type: 'ReplacePrefixMatch'; replacePrefixMatch: string } } }[];
  backendRefs: HTTPBackendRef[];
}

export interface HTTPRouteObject extends Child<'gateway.networking.k8s.io/v1', 'HTTPRoute'> {
  spec: { parentRefs: ParentReference[]; hostnames?: string[]; rules: HTTPRouteRule[] };
}

export interface ReferenceGrantObject extends Child<'gateway.networking.k8s.io/v1beta1', 'ReferenceGrant'> {
  spec: {
    from: { group: string; kind: 'HTTPRoute'; namespace: string }[];
    to: { group: ''; kind: 'Service'; name: string }[];
  };
}

/** Any object render returns for an Agent. */
export type AgentChild =
  | ServiceAccountObject
  | ConfigMapObject
  | NetworkPolicyObject
  | DeploymentObject
  | ServiceObject
  | ReferenceGrantObject
  | HTTPRouteObject;
