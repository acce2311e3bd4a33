// The agent's ClusterIP Service. Its port carries the configured A2A appProtocol exactly when the
// agent speaks A2A: that is what makes agentgateway turn on its A2A handling (agent-card URL
// rewriting, A2A telemetry) for traffic to this backend. For other agents the key is not written at
// all, so server-side apply removes a previously set appProtocol when a2aConfig is dropped.
import type { KubeObject } from '../kube/kube-object.js';
import { childMetadata } from './child-metadata.js';
import { selectorLabels } from './labels.js';
import type { RenderContext } from './render-context.js';
import { AGENT_PORT_NAME, AGENT_SERVICE_PORT } from './runtime-contract.js';

export function service(ctx: RenderContext): KubeObject {
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
          ...(ctx.speaksA2A && { appProtocol: ctx.config.a2a.appProtocol }),
        },
      ],
    },
  };
}
