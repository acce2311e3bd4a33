// The agent's ClusterIP Service. Its port carries the configured A2A appProtocol exactly when the
// agent speaks A2A (and the gateway accepts one): that is what makes agentgateway turn on its A2A
// handling (agent-card URL rewriting, A2A telemetry) for traffic to this backend. For other agents
// the key is not written at all, so server-side apply removes a previously set appProtocol when
// a2aConfig is dropped.
import { a2aServiceAppProtocol } from '../config/app-protocol.js';
import { childMetadata } from './child-metadata.js';
import type { ServiceObject } from './child-objects.js';
import { selectorLabels } from './labels.js';
import type { RenderContext } from './render-context.js';
import { AGENT_PORT_NAME, AGENT_SERVICE_PORT } from './runtime-contract.js';

export function service(ctx: RenderContext): ServiceObject {
  // The value depends on the gateway (src/config/app-protocol.ts): some refuse the A2A one.
  const appProtocol = ctx.speaksA2A ? a2aServiceAppProtocol(ctx.config) : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(ctx),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(ctx.name),
      ports: [
        {
          name: AGENT_PORT_NAME,
          port: AGENT_SERVICE_PORT,
          // By name: a BYO agent's own port reaches the same Service port 8080.
          targetPort: AGENT_PORT_NAME,
          protocol: 'TCP',
          ...(appProtocol !== undefined && { appProtocol }),
        },
      ],
    },
  };
}
