// `agent.json`: the resolved configuration the Agentry runtime reads at start-up. Everything is
// resolved here (the ModelConfig is inlined) so the runtime needs no Kubernetes API access. Secret
// material is never written: only the *names* of the environment variables that carry it.
import type { A2AConfig } from '../api/a2a-config.js';
import type { Agent } from '../api/agent.js';
import type { ModelConfig } from '../api/model-config.js';
import { AGENT_ENV } from './runtime-contract.js';

export function agentRuntimeConfig(agent: Agent, namespace: string, modelConfig: ModelConfig | undefined): Record<string, unknown> {
  const metadata = {
    agent: {
      name: agent.metadata.name,
      namespace,
      ...(agent.spec.description !== undefined && { description: agent.spec.description }),
    },
    type: agent.spec.type,
  };
  const declarative = agent.spec.declarative;
  // BYO images bring their own configuration: they get only who they are.
  if (agent.spec.type !== 'Declarative' || declarative === undefined || modelConfig === undefined) return metadata;

  return {
    ...metadata,
    model: modelSection(modelConfig),
    ...(declarative.systemMessage !== undefined && { systemMessage: declarative.systemMessage }),
    ...(declarative.systemMessageFrom !== undefined && { systemMessageEnv: AGENT_ENV.systemMessage }),
    stream: declarative.stream ?? false,
    ...(agent.spec.a2aConfig !== undefined && { skills: runtimeSkills(agent.spec.a2aConfig) }),
  };
}

function modelSection(modelConfig: ModelConfig): Record<string, unknown> {
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

function runtimeSkills(a2aConfig: A2AConfig): Record<string, unknown>[] {
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
