// `agent.json`: the resolved configuration the Agentry runtime reads at start-up, in the shape of the
// shared contract (src/contract/agent-config.ts). Everything is resolved here (the ModelConfig
// inlined, tools turned into URLs) so the runtime needs no Kubernetes API access. Secret material is
// never written: only the *names* of the environment variables that carry it.
import type { A2AConfig } from '../api/a2a-config.js';
import type { ModelConfig } from '../api/model-config.js';
import type { AgentConfig, DeclarativeAgentConfig, ModelSection } from '../contract/agent-config.js';
import type { RenderContext } from './render-context.js';
import { ConditionReason } from '../api/condition.js';
import { RenderRejection } from './render-result.js';
import { AGENT_ENV } from './runtime-contract.js';

type RuntimeSkill = NonNullable<DeclarativeAgentConfig['skills']>[number];

export function agentRuntimeConfig(ctx: RenderContext): AgentConfig {
  const { agent, modelConfig } = ctx;
  const identity = {
    name: ctx.name,
    namespace: ctx.namespace,
    ...(agent.spec.description !== undefined && { description: agent.spec.description }),
  };
  // BYO images bring their own configuration: they get only who they are.
  if (agent.spec.type === 'BYO') return { agent: identity, type: 'BYO' };
  const declarative = agent.spec.declarative;
  // resolveContext looked the ModelConfig up (or refused the Agent); the schema requires declarative.
  if (declarative === undefined || modelConfig === undefined) {
    throw new RenderRejection(ConditionReason.InvalidSpec, 'spec.declarative: a Declarative agent needs its declarative section and ModelConfig');
  }
  return {
    agent: identity,
    type: 'Declarative',
    model: modelSection(modelConfig),
    ...(declarative.systemMessage !== undefined && { systemMessage: declarative.systemMessage }),
    ...(declarative.systemMessageFrom !== undefined && { systemMessageEnv: AGENT_ENV.systemMessage }),
    stream: declarative.stream ?? false,
    ...(agent.spec.a2aConfig !== undefined && { skills: runtimeSkills(agent.spec.a2aConfig) }),
    ...(ctx.tools.section !== undefined && { tools: ctx.tools.section }),
    limits: { maxSteps: ctx.config.tools.maxSteps },
  };
}

function modelSection(modelConfig: ModelConfig): ModelSection {
  const { provider, model, baseUrl, parameters, azure, apiKeySecret } = modelConfig.spec;
  return {
    provider,
    model,
    ...(baseUrl !== undefined && { baseUrl }),
    ...(parameters !== undefined && Object.keys(parameters).length > 0 && { parameters: { ...parameters } }),
    ...(azure !== undefined && { azure: { apiVersion: azure.apiVersion, deployment: azure.deployment } }),
    ...(apiKeySecret !== undefined && { apiKeyEnv: AGENT_ENV.modelApiKey }),
  };
}

function runtimeSkills(a2aConfig: A2AConfig): RuntimeSkill[] {
  return a2aConfig.skills.map((skill) => ({
    id: skill.id,
    name: skill.name,
    ...(skill.description !== undefined && { description: skill.description }),
    ...(skill.tags !== undefined && { tags: [...skill.tags] }),
    ...(skill.examples !== undefined && { examples: [...skill.examples] }),
    ...(skill.inputModes !== undefined && { inputModes: [...skill.inputModes] }),
    ...(skill.outputModes !== undefined && { outputModes: [...skill.outputModes] }),
  }));
}
