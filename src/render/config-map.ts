// The ConfigMap mounted into the agent pod: `agent.json` (runtime configuration) and, for agents that
// speak A2A, `agent-card.json`. Both pretty-printed with sorted keys, so `kubectl diff` and golden
// files show readable, stable changes.
import { agentCard } from './agent-card.js';
import { agentRuntimeConfig } from './agent-runtime-config.js';
import { inClusterUrl } from './agent-urls.js';
import { childMetadata } from './child-metadata.js';
import type { ConfigMapObject } from './child-objects.js';
import type { RenderContext } from './render-context.js';
import { AGENT_CARD_KEY, AGENT_CONFIG_KEY } from './runtime-contract.js';
import { prettySortedJson, sortedRecord } from './sorted-keys.js';

export function configMapData(ctx: RenderContext): Record<string, string> {
  const { agent } = ctx;
  const data: Record<string, string> = {
    [AGENT_CONFIG_KEY]: prettySortedJson(agentRuntimeConfig(ctx)),
  };
  if (agent.spec.a2aConfig !== undefined) {
    const url = (ctx.exposure.routed ? ctx.exposure.publicUrl : undefined) ?? inClusterUrl(ctx.name, ctx.namespace);
    data[AGENT_CARD_KEY] = prettySortedJson(
      agentCard({
        name: ctx.name,
        description: agent.spec.description,
        a2aConfig: agent.spec.a2aConfig,
        streamingByDefault: agent.spec.declarative?.stream ?? false,
        url,
        protocolVersion: ctx.config.a2a.protocolVersion,
        // Agentry's runtime speaks A2A 0.3 too; what a BYO image speaks is its own business.
        servesLegacyProtocol: agent.spec.type === 'Declarative',
      }),
    );
  }
  return sortedRecord(data);
}

export function configMap(ctx: RenderContext, data: Record<string, string>): ConfigMapObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: childMetadata(ctx), data };
}
