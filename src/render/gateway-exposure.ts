// Whether an agent is routed through the gateway, and how: the route's namespace, name, path and
// hostnames. Decided from the Agent's spec.exposure.gateway and the operator configuration.
import type { AgentSpec } from '../api/agent.js';
import { publicUrl } from './agent-urls.js';
import { ConditionReason } from '../api/condition.js';
import { RenderRejection } from './render-result.js';
import { resolveRoutePath } from './route-path.js';
import { expandPathTemplate } from '../config/path-template.js';
import type { GatewayConfig } from './route-path.js';

export type GatewayExposure =
  | { readonly routed: false }
  | {
      readonly routed: true;
      readonly routeNamespace: string;
      readonly routeName: string;
      /** The route lives outside the Agent's namespace: it needs a ReferenceGrant and has no owner. */
      readonly crossNamespace: boolean;
      readonly path: string;
      /** Empty: the route matches any hostname of the gateway's listeners. */
      readonly hostnames: readonly string[];
      readonly publicUrl: string | undefined;
    };

/**
 * An agent is routed when the configuration names at least one gateway (parentRefs) and either the
 * Agent asks for it (exposure.gateway.enabled: true) or, when it does not say, it speaks A2A and the
 * configuration exposes agents by default (gateway.enabled). exposure.gateway.enabled: false always
 * wins. Throws RenderRejection (InvalidExposure) for a path the configuration does not allow.
 */
export function resolveGatewayExposure(agent: { name: string; namespace: string }, spec: AgentSpec, gateway: GatewayConfig): GatewayExposure {
  if (!isRouted(spec, gateway)) return { routed: false };
  // Agent names are DNS-1035 labels and namespaces DNS-1123 labels: neither contains a dot, so
  // `{name}.{namespace}` can never collide between two Agents, nor with a same-namespace route name.
  return resolveRoute(agent, spec.exposure?.gateway, gateway, (crossNamespace) => (crossNamespace ? `${agent.name}.${agent.namespace}` : agent.name));
}

/** What an owner asks of its route: `spec.exposure.gateway` of an Agent or a RemoteAgent. */
export type RequestedGatewayExposure = NonNullable<NonNullable<AgentSpec['exposure']>['gateway']>;

/**
 * The route of an owner that is routed: its path (the template, or its own prefix where allowed),
 * hostnames, namespace and name (`routeName`, told whether the route lives in another namespace).
 * Throws RenderRejection (InvalidExposure) for a path or hostname the configuration does not allow.
 */
export function resolveRoute(
  owner: { name: string; namespace: string },
  requested: RequestedGatewayExposure | undefined,
  gateway: GatewayConfig,
  routeName: (crossNamespace: boolean) => string,
): Extract<GatewayExposure, { routed: true }> {
  const path = resolveRoutePath(owner, requested?.pathPrefix, gateway);
  if (!path.ok) throw new RenderRejection(ConditionReason.InvalidExposure, path.message);

  checkAgentHostnames(owner, requested?.hostnames ?? [], gateway.allowedAgentHostnames);
  const routeNamespace = gateway.routeNamespace ?? owner.namespace;
  const crossNamespace = routeNamespace !== owner.namespace;
  return {
    routed: true,
    routeNamespace,
    routeName: routeName(crossNamespace),
    crossNamespace,
    path: path.path,
    hostnames: requested?.hostnames ?? gateway.hostnames ?? [],
    publicUrl: gateway.publicBaseUrl === undefined ? undefined : publicUrl(gateway.publicBaseUrl, path.path),
  };
}

function isRouted(spec: AgentSpec, gateway: GatewayConfig): boolean {
  if (gateway.parentRefs.length === 0) return false;
  return spec.exposure?.gateway?.enabled ?? (gateway.enabled && spec.a2aConfig !== undefined);
}

/**
 * An Agent's own hostnames must each be one the configuration's templates give its namespace, or a
 * subdomain of one (`a.team-a.agents.example.com`, `*.team-a.agents.example.com` under
 * `{namespace}.agents.example.com`): hostnames are shared by every tenant of the gateway, so without
 * this one tenant could claim another's. Throws RenderRejection (InvalidExposure).
 */
export function checkAgentHostnames(agent: { name: string; namespace: string }, hostnames: readonly string[], templates: readonly string[]): void {
  if (hostnames.length === 0) return;
  const field = 'spec.exposure.gateway.hostnames';
  if (templates.length === 0) {
    throw new RenderRejection(ConditionReason.InvalidExposure, `${field}: the operator configuration lets no Agent choose its hostnames (gateway.allowedAgentHostnames is empty)`);
  }
  if (templates.includes('*')) return;
  const allowed = templates.map((t) => expandPathTemplate(t, agent));
  hostnames.forEach((hostname, i) => {
    if (!allowed.some((a) => hostname === a || hostname.endsWith(`.${a}`))) {
      throw new RenderRejection(
        ConditionReason.InvalidExposure,
        `${field}[${i}]: ${JSON.stringify(hostname)} is not a hostname this namespace may use: the operator configuration allows ${allowed.map((a) => JSON.stringify(a)).join(', ')} and their subdomains (gateway.allowedAgentHostnames)`,
      );
    }
  });
}
