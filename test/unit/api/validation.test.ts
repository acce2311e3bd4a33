import { describe, expect, it } from '@jest/globals';

import { formatIssuePath, validateAgent, validateModelConfig } from '../../../src/api/validation.js';

describe('formatIssuePath', () => {
  it('writes paths the way the API server does', () => {
    expect(formatIssuePath(['spec', 'a2aConfig', 'skills', 1, 'id'])).toBe('spec.a2aConfig.skills[1].id');
    expect(formatIssuePath(['spec', 'deployment', 'podLabels', 'app.kubernetes.io/name'])).toBe('spec.deployment.podLabels[app.kubernetes.io/name]');
    expect(formatIssuePath([])).toBe('');
  });
});

describe('validateAgent', () => {
  const agent = { apiVersion: 'agentry.dev/v1alpha1', kind: 'Agent', metadata: { name: 'echo', namespace: 'default' } };

  it('returns the parsed Agent, with defaults applied', () => {
    const result = validateAgent({ ...agent, spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/echo:1' } } });
    expect(result.success && result.data.spec.byo?.port).toBe(8080);
  });

  it('reports every problem as "path: message", with "Required value" for missing fields', () => {
    const result = validateAgent({ ...agent, spec: { type: 'BYO', byo: {}, exposure: { gateway: { pathPrefix: 'x/' } } } });
    expect(result.success ? [] : result.issues).toEqual([
      'spec.byo.image: Required value',
      "spec.exposure.gateway.pathPrefix: pathPrefix must start with '/'",
      "spec.exposure.gateway.pathPrefix: pathPrefix must not end with '/' (and must not be '/' alone, which would claim the whole gateway)",
    ]);
  });

  it('keeps unknown metadata fields the operator must not lose', () => {
    const result = validateAgent({ ...agent, metadata: { ...agent.metadata, managedFields: [{ manager: 'kubectl' }] }, spec: { type: 'BYO', byo: { image: 'a' } } });
    expect(result.success && result.data.metadata).toMatchObject({ managedFields: [{ manager: 'kubectl' }] });
  });
});

describe('validateModelConfig', () => {
  it('applies the provider rules', () => {
    const base = { apiVersion: 'agentry.dev/v1alpha1', kind: 'ModelConfig', metadata: { name: 'm' } };
    expect(validateModelConfig({ ...base, spec: { provider: 'Ollama', model: 'llama3.1' } }).success).toBe(true);
    const azure = validateModelConfig({ ...base, spec: { provider: 'AzureOpenAI', model: 'gpt-4o' } });
    expect(azure.success ? [] : azure.issues).toEqual([
      'spec.baseUrl: baseUrl is required when provider is AzureOpenAI or OpenAICompatible',
      'spec.apiKeySecret: apiKeySecret is required when provider is OpenAI, Anthropic, AzureOpenAI or Gemini',
      'spec.azure: azure is required when provider is AzureOpenAI',
    ]);
  });
});
