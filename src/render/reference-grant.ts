// The ReferenceGrant that lets an HTTPRoute in another namespace (beside the gateway) send traffic to
// the agent's Service. It lives in the agent's namespace (the grant is given by the referenced side)
// and names exactly this agent's Service: never a wildcard, so a route in the gateway's namespace can
// reach nothing else in the agent's namespace through it.
import { childMetadata } from './child-metadata.js';
import type { ReferenceGrantObject } from './child-objects.js';
import { GATEWAY_API_GROUP } from './http-route.js';
import type { RenderContext } from './render-context.js';

export function referenceGrant(ctx: RenderContext, routeNamespace: string): ReferenceGrantObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: childMetadata(ctx),
    spec: {
      from: [{ group: GATEWAY_API_GROUP, kind: 'HTTPRoute', namespace: routeNamespace }],
      to: [{ group: '', kind: 'Service', name: ctx.name }],
    },
  };
}
