// The agent container's environment: who the agent is, where its secrets come from (by reference:
// secretKeyRef / configMapKeyRef, never a value), then the user's own variables.
import type { EnvVar } from '../api/env-var.js';
import type { EnvVarObject } from './child-objects.js';
import type { RenderContext } from './render-context.js';
import { ConditionReason } from '../api/condition.js';
import { RenderRejection } from './render-result.js';
import { AGENT_ENV } from './runtime-contract.js';
import { quantityText } from './quantity-text.js';
import { sortKeysDeep } from './sorted-keys.js';

/**
 * The operator's variables come first so that the user's may refer to them with $(AGENTRY_AGENT_NAME)
 * (Kubernetes expands only variables defined earlier in the list). A user variable with the same name
 * as one of the operator's is rejected rather than silently dropped or allowed to shadow it: the list
 * is keyed by name, and a duplicate would make the Deployment itself invalid.
 */
export function containerEnv(ctx: RenderContext): EnvVarObject[] {
  const operatorVars = operatorEnv(ctx);
  const reserved = new Set(operatorVars.map((v) => v.name));
  const userVars = ctx.agent.spec.deployment?.env ?? [];
  userVars.forEach((variable, index) => {
    if (reserved.has(variable.name)) {
      throw new RenderRejection(
        ConditionReason.InvalidSpec,
        `spec.deployment.env[${index}].name: ${variable.name} is set by the operator and cannot be overridden`,
      );
    }
  });
  return [...operatorVars, ...userVars.map(userEnvVar)];
}

function operatorEnv(ctx: RenderContext): EnvVarObject[] {
  const env: EnvVarObject[] = [
    { name: AGENT_ENV.agentName, value: ctx.name },
    { name: AGENT_ENV.agentNamespace, value: ctx.namespace },
  ];
  const apiKeySecret = ctx.modelConfig?.spec.apiKeySecret;
  if (ctx.agent.spec.type === 'Declarative' && apiKeySecret !== undefined) {
    env.push({ name: AGENT_ENV.modelApiKey, valueFrom: { secretKeyRef: { name: apiKeySecret.name, key: apiKeySecret.key } } });
  }
  const systemMessageFrom = ctx.agent.spec.declarative?.systemMessageFrom;
  if (systemMessageFrom?.configMapKeyRef !== undefined) {
    const { name, key } = systemMessageFrom.configMapKeyRef;
    // The agent's own ConfigMap is generated from this very spec: reading the system message from
    // it is circular (and its keys are Agentry's, not the author's).
    if (name === ctx.name) {
      throw new RenderRejection(
        ConditionReason.InvalidSpec,
        `spec.declarative.systemMessageFrom.configMapKeyRef.name: ${JSON.stringify(name)} is the ConfigMap Agentry generates for this agent; keep the system message in a ConfigMap of your own`,
      );
    }
    env.push({ name: AGENT_ENV.systemMessage, valueFrom: { configMapKeyRef: { name, key } } });
  } else if (systemMessageFrom?.secretKeyRef !== undefined) {
    const { name, key } = systemMessageFrom.secretKeyRef;
    env.push({ name: AGENT_ENV.systemMessage, valueFrom: { secretKeyRef: { name, key } } });
  }
  // MCP headers (an Authorization token, say): by reference, named in agent.json, never copied.
  for (const header of ctx.tools.headerEnv) env.push({ name: header.name, valueFrom: { secretKeyRef: { ...header.secretKeyRef } } });
  return env;
}

function userEnvVar(variable: EnvVar): EnvVarObject {
  const divisor = variable.valueFrom?.resourceFieldRef?.divisor;
  const copy = sortKeysDeep(variable) as EnvVarObject;
  if (divisor !== undefined) {
    const valueFrom = copy.valueFrom as { resourceFieldRef: Record<string, unknown> };
    valueFrom.resourceFieldRef.divisor = quantityText(divisor);
  }
  return copy;
}
