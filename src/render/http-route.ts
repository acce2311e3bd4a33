// The HTTPRoute that makes the agent reachable through the gateway: its path prefix is rewritten to
// '/', so the agent sees the same paths through the gateway as in the cluster.
//
// Fields the Gateway API CRD would default (parentRef group/kind, backendRef group/kind/weight) are
// written explicitly with those same defaults: the live object then equals what was applied, and the
// manifest says what it means without knowing the CRD's defaults.
import type { OperatorConfig } from '../config/operator-config.js';
import { childMetadata, type ChildOwnerContext } from './child-metadata.js';
import type { HTTPRouteObject } from './child-objects.js';
import type { GatewayExposure } from './gateway-exposure.js';
import { AGENT_SERVICE_PORT } from './runtime-contract.js';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

type Routed = Extract<GatewayExposure, { routed: true }>;

/** Who the route is for: an Agent's RenderContext, or a RemoteAgent's. */
export interface RouteOwnerContext extends ChildOwnerContext {
  readonly config: Pick<OperatorConfig, 'gateway'>;
}

/** The Service the route sends traffic to, in the owner's namespace: by default the Agent's own. */
export interface RouteBackend {
  name: string;
  port: number;
  /** The path the route's prefix is rewritten to: the backend's A2A endpoint; / by default. */
  path?: string;
}

export function httpRoute(ctx: RouteOwnerContext, exposure: Routed, backend: RouteBackend = { name: ctx.name, port: AGENT_SERVICE_PORT }): HTTPRouteObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: childMetadata(ctx, { namespace: exposure.routeNamespace, name: exposure.routeName }),
    spec: {
      parentRefs: ctx.config.gateway.parentRefs.map((ref) => ({
        group: GATEWAY_API_GROUP,
        kind: 'Gateway',
        name: ref.name,
        namespace: ref.namespace,
        ...(ref.sectionName !== undefined && { sectionName: ref.sectionName }),
        ...(ref.port !== undefined && { port: ref.port }),
      })),
      ...(exposure.hostnames.length > 0 && { hostnames: [...exposure.hostnames] }),
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: exposure.path } }],
          filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: backend.path ?? '/' } } }],
          backendRefs: [
            {
              group: '',
              kind: 'Service',
              name: backend.name,
              // Only across namespaces: the ReferenceGrant beside the Service allows exactly this.
              ...(exposure.crossNamespace && { namespace: ctx.namespace }),
              port: backend.port,
              weight: 1,
            },
          ],
        },
      ],
    },
  };
}
