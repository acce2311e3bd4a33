// Scenarios render must succeed on: a schema-valid Agent, its ModelConfig (for a Declarative one)
// and an operator configuration that allows what the Agent asks for. Shared by the property tests
// (test/unit/render/render.property.test.ts) and the server-side dry-run of generated output
// (test/integration/render-dry-run.test.ts).
import fc from 'fast-check';

import type { ModelConfig } from '../../../src/api/model-config.js';
import { validateModelConfig } from '../../../src/api/validation.js';
import { operatorConfigSchema } from '../../../src/config/operator-config.js';
import type { OperatorConfig } from '../../../src/config/operator-config.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { renderInput } from '../../../src/render/render-input.js';
import type { RenderResult } from '../../../src/render/render-result.js';
import { agent, modelConfigFor, operatorConfigInput } from './agent-arbitraries.js';
import type { GeneratedAgent } from './agent-arbitraries.js';

export interface Scenario {
  agent: GeneratedAgent;
  modelConfig: ModelConfig | undefined;
  config: OperatorConfig;
}

export interface ScenarioPlacement {
  /** The Agent's namespace, instead of a generated one. */
  namespace?: string;
  /** Where routes go when the configuration places them outside the Agent's namespace. */
  routeNamespace?: string;
}

/**
 * An Agent, its ModelConfig (for Declarative agents) and a configuration under which it must render:
 * its ingress sources are brought within what the configuration allows, and the configuration allows
 * every pod field. With `placement`, the
 * namespaces are the given ones (a real API server refuses objects in namespaces that do not exist).
 */
export function renderable(placement: ScenarioPlacement = {}): fc.Arbitrary<Scenario> {
  return fc.tuple(agent, operatorConfigInput).chain(([generated, configInput]) => {
    const parsed = operatorConfigSchema.parse(configInput);
    // Permit what a generated Agent may ask for (hostnames, its own egress, opting out of its
    // NetworkPolicy): the refusals have targeted tests of their own.
    const routeNamespace = parsed.gateway.routeNamespace === undefined ? undefined : (placement.routeNamespace ?? parsed.gateway.routeNamespace);
    const config: OperatorConfig = {
      ...parsed,
      gateway: { ...parsed.gateway, allowedAgentHostnames: ['*'], ...(routeNamespace !== undefined && { routeNamespace }) },
      networkPolicy: { ...parsed.networkPolicy, allowOptOut: true, allowedEgressCidrs: ['0.0.0.0/0', '::/0'] },
      // Every pod field too (pod-policy.test.ts refuses each on its own).
      pods: {
        ...parsed.pods,
        allowedServiceAccountNames: ['*'],
        allowImagePullSecrets: true,
        allowedTolerations: [{ key: '*' }],
        allowedNodeSelectorKeys: ['*'],
        allowedAffinity: ['nodeAffinity', 'podAffinity', 'podAntiAffinity'],
        allowedPriorityClassNames: ['*'],
        maxReplicas: Number.MAX_SAFE_INTEGER,
        allowRunAsRoot: true,
        deniedLabelKeyPrefixes: [],
        deniedAnnotationKeyPrefixes: [],
      },
    };
    const placed = placement.namespace === undefined ? generated : { ...generated, metadata: { ...generated.metadata, namespace: placement.namespace } };
    const fitted = withoutSelfReference(withIngressAllowedBy(placed, config));
    const modelConfigName = fitted.spec.declarative?.modelConfig;
    const modelConfig = modelConfigName === undefined ? fc.constant(undefined) : modelConfigFor(modelConfigName, fitted.metadata.namespace).map(typedModelConfig);
    return modelConfig.map((m) => ({ agent: fitted, modelConfig: m, config }));
  });
}

type SystemMessageFrom = { systemMessageFrom?: { configMapKeyRef?: { name: string } } } | undefined;

/** A system message read from the agent's own generated ConfigMap is refused (tested on its own). */
function withoutSelfReference(generated: GeneratedAgent): GeneratedAgent {
  const ref = (generated.spec.declarative as SystemMessageFrom)?.systemMessageFrom?.configMapKeyRef;
  if (ref?.name !== generated.metadata.name) return generated;
  const copy = structuredClone(generated);
  const copied = (copy.spec.declarative as SystemMessageFrom)?.systemMessageFrom?.configMapKeyRef;
  if (copied) copied.name = `${ref.name}-prompt`;
  return copy;
}

function withIngressAllowedBy(generated: GeneratedAgent, config: OperatorConfig): GeneratedAgent {
  const policy = config.networkPolicy.allowedIngressNamespaces;
  const exposure = generated.spec.exposure as { networkPolicy?: { ingressFrom?: { namespace: string }[] } } | undefined;
  const ingressFrom = exposure?.networkPolicy?.ingressFrom;
  if (policy === 'All' || ingressFrom === undefined || exposure?.networkPolicy === undefined) return generated;
  const copy = structuredClone(generated);
  const networkPolicy = (copy.spec.exposure as { networkPolicy: { ingressFrom?: { namespace: string }[] } }).networkPolicy;
  if (policy === 'None') delete networkPolicy.ingressFrom;
  else networkPolicy.ingressFrom = ingressFrom.map((source) => ({ ...source, namespace: generated.metadata.namespace }));
  return copy;
}

/** The generated ModelConfig as the schema types it (the arbitraries' own test checks they are valid). */
function typedModelConfig(generated: unknown): ModelConfig {
  const result = validateModelConfig(generated);
  if (!result.success) throw new Error(`the ModelConfig arbitrary generated an invalid ModelConfig: ${result.issues.join('; ')}`);
  return result.data;
}

export function renderScenario(s: Scenario): RenderResult {
  return renderInput(s.agent, s.modelConfig === undefined ? {} : { modelConfig: s.modelConfig }, s.config);
}

/** The scenario's objects; throws (failing the property) when it does not render. */
export function rendered(s: Scenario): KubeObject[] {
  const result = renderScenario(s);
  if (!result.ok) throw new Error(`expected the scenario to render, got ${result.reason}: ${result.message}`);
  return result.objects;
}
