// A RemoteAgent through the gateway: whether it is routed, and the children that route it (an
// HTTPRoute, a ReferenceGrant when the route lives in another namespace, and for spec.url an
// ExternalName Service it owns). The same path rules and configuration as an Agent's route
// (gateway-exposure.ts, route-path.ts); the backend is the tenant's own Service, never modified.
import { REMOTE_AGENT_OWNER_KIND } from '../api/group-version.js';
import { DEFAULT_REMOTE_AGENT_PATH, RemoteAgentReason, type RemoteAgentSpec } from '../api/remote-agent.js';
import type { OperatorConfig } from '../config/operator-config.js';
import type { KubeObject, OwnerReference } from '../kube/kube-object.js';
import { childMetadata, type ChildOwnerContext } from './child-metadata.js';
import { resolveRoute, type GatewayExposure } from './gateway-exposure.js';
import { httpRoute, type RouteBackend } from './http-route.js';
import { referenceGrant } from './reference-grant.js';

export type RemoteAgentRoute = Extract<GatewayExposure, { routed: true }>;

/** Routed, or why not (the Routed condition's reason and message). */
export type RemoteAgentExposure = { routed: true; route: RemoteAgentRoute } | { routed: false; reason: string; message: string };

/** The suffix of every RemoteAgent route and grant name: Agents' names have no dot, so no name is both. */
export const REMOTE_AGENT_CHILD_SUFFIX = 'remoteagent';

/** `{name}.{namespace}.remoteagent`, wherever the route lives: two dots, which no Agent's route name has. */
export function remoteAgentRouteName(ra: { name: string; namespace: string }): string {
  return `${ra.name}.${ra.namespace}.${REMOTE_AGENT_CHILD_SUFFIX}`;
}

/** `{name}.remoteagent`, beside the backend Service. */
export function remoteAgentGrantName(name: string): string {
  return `${name}.${REMOTE_AGENT_CHILD_SUFFIX}`;
}

/**
 * Routed when the configuration names a gateway and the RemoteAgent does not opt out (it speaks A2A:
 * it is exposed by default as an Agent with a2aConfig is), and, for spec.url, only with
 * remoteAgents.allowExternalBackends. Throws RenderRejection (InvalidExposure) for a path or hostname
 * the configuration does not allow.
 */
export function resolveRemoteAgentExposure(ra: { name: string; namespace: string }, spec: RemoteAgentSpec, config: OperatorConfig): RemoteAgentExposure {
  const gateway = config.gateway;
  const requested = spec.exposure?.gateway;
  if (gateway.parentRefs.length === 0) return { routed: false, reason: 'ExposureDisabled', message: 'the operator configuration names no gateway (gateway.parentRefs)' };
  if (!(requested?.enabled ?? gateway.enabled)) return { routed: false, reason: 'ExposureDisabled', message: 'the remote agent is not exposed through a gateway' };
  if (spec.url !== undefined && !config.remoteAgents.allowExternalBackends) {
    return {
      routed: false,
      reason: RemoteAgentReason.ExternalBackendsNotAllowed,
      message: 'spec.url: a RemoteAgent outside the cluster is routed through the gateway only where the operator configuration allows external backends (remoteAgents.allowExternalBackends)',
    };
  }
  return { routed: true, route: resolveRoute(ra, requested, gateway, () => remoteAgentRouteName(ra)) };
}

/** The ownerReference of a RemoteAgent's same-namespace children. */
export function remoteAgentOwnerReference(ra: { metadata: { name: string; uid?: string } }, apiVersion: string): OwnerReference | undefined {
  const { name, uid } = ra.metadata;
  if (uid === undefined || uid === '') return undefined;
  return { apiVersion, kind: REMOTE_AGENT_OWNER_KIND, name, uid, controller: true, blockOwnerDeletion: true };
}

/** The ExternalName Service of a spec.url RemoteAgent: named like it, pointing at the URL's host. */
export interface ExternalNameServiceObject extends KubeObject {
  apiVersion: 'v1';
  kind: 'Service';
  spec: { type: 'ExternalName'; externalName: string; ports: { name: string; port: number; protocol: 'TCP' }[] };
}

export interface RemoteAgentChildrenInput {
  name: string;
  namespace: string;
  ownerReference: OwnerReference | undefined;
  spec: RemoteAgentSpec;
  config: OperatorConfig;
  route: RemoteAgentRoute;
}

/** The children that route a RemoteAgent, in the order they are applied (the backend before the route). */
export function remoteAgentRouteChildren(input: RemoteAgentChildrenInput): KubeObject[] {
  const ctx: ChildOwnerContext & { config: OperatorConfig } = {
    name: input.name,
    namespace: input.namespace,
    ownerReference: input.ownerReference,
    ownerKind: REMOTE_AGENT_OWNER_KIND,
    config: input.config,
  };
  const { spec, route } = input;
  const children: KubeObject[] = [];
  let backend: RouteBackend;
  if (spec.service !== undefined) {
    backend = { name: spec.service.name, port: spec.service.port, path: spec.service.path ?? DEFAULT_REMOTE_AGENT_PATH };
  } else {
    const url = new URL(spec.url ?? '');
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    const service: ExternalNameServiceObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: childMetadata(ctx),
      spec: { type: 'ExternalName', externalName: url.hostname, ports: [{ name: url.protocol === 'https:' ? 'https' : 'http', port, protocol: 'TCP' }] },
    };
    children.push(service);
    backend = { name: input.name, port, path: url.pathname === '' ? '/' : url.pathname };
  }
  if (route.crossNamespace) children.push(referenceGrant(ctx, route.routeNamespace, { grant: remoteAgentGrantName(input.name), service: backend.name }));
  children.push(httpRoute(ctx, route, backend));
  return children;
}
