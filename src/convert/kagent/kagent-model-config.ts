// kagent's `ModelConfig` (kagent.dev/v1alpha2, modelconfig_types.go): a provider, a model, the API
// key as a Secret name plus key, and one section per provider. kagent types sampling parameters as
// strings ("0.7"); numbers are read too. Sections of providers Agentry has no equivalent for are read
// as they are, to be reported. The validation rules are kagent's CEL rules.
import { z } from 'zod';

import { KAGENT_V1ALPHA2 } from './kagent-api.js';
import { objectMetaSchema } from './kagent-object-meta.js';

/** A number kagent carries as a string (`temperature: "0.7"`). */
const numberText = z.union([z.string(), z.number()]);

export const openAIConfigSchema = z.looseObject({
  baseUrl: z.string().optional(),
  organization: z.string().optional(),
  temperature: numberText.optional(),
  maxTokens: z.int().optional(),
  topP: numberText.optional(),
  frequencyPenalty: numberText.optional(),
  presencePenalty: numberText.optional(),
  seed: z.int().optional(),
  n: z.int().optional(),
  timeout: z.int().optional(),
  reasoningEffort: z.string().optional(),
  tokenExchange: z.unknown().optional(),
});

export const anthropicConfigSchema = z.looseObject({
  baseUrl: z.string().optional(),
  maxTokens: z.int().optional(),
  temperature: numberText.optional(),
  topP: numberText.optional(),
  topK: z.int().optional(),
});

export const azureOpenAIConfigSchema = z.looseObject({
  azureEndpoint: z.string(),
  apiVersion: z.string(),
  azureDeployment: z.string().optional(),
  azureAdToken: z.string().optional(),
  temperature: numberText.optional(),
  maxTokens: z.int().optional(),
  topP: numberText.optional(),
});

export const ollamaConfigSchema = z.looseObject({
  host: z.string().optional(),
  options: z.record(z.string(), z.string()).optional(),
});

export const geminiConfigSchema = z.looseObject({});

/** Provider name → the spec field holding its section. */
export const PROVIDER_SECTIONS = {
  OpenAI: 'openAI',
  Anthropic: 'anthropic',
  AzureOpenAI: 'azureOpenAI',
  Ollama: 'ollama',
  Gemini: 'gemini',
  GeminiVertexAI: 'geminiVertexAI',
  AnthropicVertexAI: 'anthropicVertexAI',
  Bedrock: 'bedrock',
  SAPAICore: 'sapAICore',
} as const;

const sectionFields = Object.entries(PROVIDER_SECTIONS);

export const modelConfigSpecSchema = z
  .looseObject({
    model: z.string(),
    apiKeySecret: z.string().optional(),
    apiKeySecretKey: z.string().optional(),
    apiKeyPassthrough: z.boolean().optional(),
    defaultHeaders: z.record(z.string(), z.string()).optional(),
    provider: z.string().default('OpenAI'),
    openAI: openAIConfigSchema.optional(),
    anthropic: anthropicConfigSchema.optional(),
    azureOpenAI: azureOpenAIConfigSchema.optional(),
    ollama: ollamaConfigSchema.optional(),
    gemini: geminiConfigSchema.optional(),
    geminiVertexAI: z.unknown().optional(),
    anthropicVertexAI: z.unknown().optional(),
    bedrock: z.unknown().optional(),
    sapAICore: z.unknown().optional(),
    tls: z.unknown().optional(),
  })
  .superRefine((spec, ctx) => {
    for (const [provider, field] of sectionFields) {
      if (spec[field] !== undefined && spec.provider !== provider) {
        ctx.addIssue({ code: 'custom', path: [field], message: `provider.${field} must be nil if the provider is not ${provider}` });
      }
    }
    const keyOptional = spec.provider === 'Bedrock' || spec.provider === 'SAPAICore';
    if (spec.apiKeySecretKey !== undefined && spec.apiKeySecret === undefined) {
      ctx.addIssue({ code: 'custom', path: ['apiKeySecret'], message: 'apiKeySecret must be set if apiKeySecretKey is set' });
    }
    if (spec.apiKeySecret !== undefined && spec.apiKeySecretKey === undefined && !keyOptional) {
      ctx.addIssue({ code: 'custom', path: ['apiKeySecretKey'], message: 'apiKeySecretKey must be set if apiKeySecret is set' });
    }
    if (spec.apiKeyPassthrough === true && spec.apiKeySecret !== undefined && spec.apiKeySecret !== '') {
      ctx.addIssue({ code: 'custom', path: ['apiKeyPassthrough'], message: 'apiKeyPassthrough and apiKeySecret are mutually exclusive' });
    }
  });
export type KagentModelConfigSpec = z.output<typeof modelConfigSpecSchema>;

export const kagentModelConfigSchema = z.looseObject({
  apiVersion: z.literal(KAGENT_V1ALPHA2),
  kind: z.literal('ModelConfig'),
  metadata: objectMetaSchema,
  spec: modelConfigSpecSchema,
});
export type KagentModelConfig = z.output<typeof kagentModelConfigSchema>;
