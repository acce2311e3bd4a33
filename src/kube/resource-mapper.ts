// Maps apiVersion + kind to the REST resource (plural, namespaced). The kinds the operator writes
// are known up front; anything else (for tools and tests) is looked up once through discovery.
import type { CallOptions, KubeClient } from './kube-client.js';

export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const KNOWN: ResourceInfo[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  { apiVersion: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  { apiVersion: 'events.k8s.io/v1', kind: 'Event', plural: 'events', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', plural: 'roles', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false },
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', plural: 'httproutes', namespaced: true },
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', plural: 'gateways', namespaced: true },
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', plural: 'gatewayclasses', namespaced: false },
  { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', plural: 'referencegrants', namespaced: true },
  { apiVersion: 'agentry.dev/v1alpha1', kind: 'Agent', plural: 'agents', namespaced: true },
  { apiVersion: 'agentry.dev/v1alpha1', kind: 'ModelConfig', plural: 'modelconfigs', namespaced: true },
  { apiVersion: 'agentry.dev/v1alpha1', kind: 'RemoteAgent', plural: 'remoteagents', namespaced: true },
];

export class ResourceMapper {
  private readonly byKey = new Map<string, ResourceInfo>(KNOWN.map((r) => [`${r.apiVersion}/${r.kind}`, r]));

  known(apiVersion: string, kind: string): ResourceInfo | undefined {
    return this.byKey.get(`${apiVersion}/${kind}`);
  }

  async resolve(client: KubeClient, apiVersion: string, kind: string, options: CallOptions = {}): Promise<ResourceInfo> {
    const hit = this.known(apiVersion, kind);
    if (hit) return hit;
    const list = (await client.request('GET', groupVersionPath(apiVersion), options)) as { resources?: { name: string; kind: string; namespaced: boolean }[] };
    for (const r of list.resources ?? []) {
      if (r.name.includes('/')) continue;
      this.byKey.set(`${apiVersion}/${r.kind}`, { apiVersion, kind: r.kind, plural: r.name, namespaced: r.namespaced });
    }
    const found = this.byKey.get(`${apiVersion}/${kind}`);
    if (!found) throw new Error(`the API server does not serve ${kind} in ${apiVersion}`);
    return found;
  }
}

/** The discovery path of a group version: `/api/v1` for the core group, `/apis/{group}/{version}` otherwise. */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/**
 * The REST path of a collection (no name; all namespaces when `namespace` is undefined) or an
 * object (with name), optionally of its subresource. The one builder of such paths.
 */
export function resourcePath(info: Pick<ResourceInfo, 'apiVersion' | 'plural' | 'namespaced'>, namespace: string | undefined, name?: string, subresource?: string): string {
  const base = groupVersionPath(info.apiVersion);
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const obj = name ? `/${encodeURIComponent(name)}` : '';
  const sub = name && subresource ? `/${subresource}` : '';
  return `${base}${ns}/${info.plural}${obj}${sub}`;
}
