// An Agent's claim on a gateway path, decided exactly as render decides its HTTPRoute.
import type { AgentSpec } from '../api/agent.js';
import type { OperatorConfig } from '../config/operator-config.js';
import type { KubeObject } from '../kube/kube-object.js';
import { resolveGatewayExposure } from '../render/gateway-exposure.js';
import type { RouteClaim } from './route-claims.js';

export function routeClaimOf(agent: KubeObject, config: OperatorConfig): RouteClaim | undefined {
  const { namespace, name, creationTimestamp } = agent.metadata;
  if (!namespace || !agent.spec) return undefined;
  try {
    const exposure = resolveGatewayExposure({ name, namespace }, agent.spec as AgentSpec, config.gateway);
    if (!exposure.routed) return undefined;
    return { agent: { namespace, name }, path: exposure.path, hostnames: exposure.hostnames, createdAt: creationTimestamp ?? '' };
  } catch {
    return undefined; // an exposure render refuses claims nothing (the Agent is not accepted)
  }
}
