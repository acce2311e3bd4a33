// The ReferenceGrant that lets an HTTPRoute in another namespace (beside the gateway) send traffic to
// the agent's Service. It lives in the agent's namespace (the grant is given by the referenced side)
// and names exactly this agent's Service: never a wildcard, so a route in the gateway's namespace can
// reach nothing else in the agent's namespace through it.
import { childMetadata, type ChildOwnerContext, type ChildPlacement } from './child-metadata.js';
import type { ReferenceGrantObject } from './child-objects.js';
import { GATEWAY_API_GROUP } from './http-route.js';

/**
 * By default the grant and the Service it names are both named like the Agent; a RemoteAgent names
 * the grant after itself and the Service it routes to (the tenant's, or its ExternalName Service).
 */
export function referenceGrant(ctx: ChildOwnerContext, routeNamespace: string, names: { grant: string; service: string } = { grant: ctx.name, service: ctx.name }): ReferenceGrantObject {
  const placement: ChildPlacement = { namespace: ctx.namespace, name: names.grant };
  return {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: childMetadata(ctx, placement),
    spec: {
      from: [{ group: GATEWAY_API_GROUP, kind: 'HTTPRoute', namespace: routeNamespace }],
      to: [{ group: '', kind: 'Service', name: names.service }],
    },
  };
}
