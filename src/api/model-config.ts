// The ModelConfig custom resource: which model a declarative agent talks to, and how. Secrets stay
// in Secrets: the API key reaches the agent pod as a secretKeyRef environment variable.
import { z } from 'zod';

import { celRule } from './cel-rule.js';
import { conditionsSchema } from './condition.js';
import { GROUP_VERSION, MODEL_CONFIG_RESOURCE } from './group-version.js';
import { HTTP_URL_CEL, URL_USERINFO_CEL, hasUserInfo, isHttpUrl } from './http-url.js';
import { int32, int64 } from './integer-formats.js';
import { keySelectorSchema } from './key-selector.js';
import { dns1123Subdomain } from './kubernetes-names.js';
import { objectMetaSchemaWithName } from './object-meta.js';

export const modelProviderSchema = z.enum(['OpenAI', 'Anthropic', 'AzureOpenAI', 'Ollama', 'OpenAICompatible', 'Gemini']);
export type ModelProvider = z.output<typeof modelProviderSchema>;

/** Providers that have no default endpoint. */
export const PROVIDERS_REQUIRING_BASE_URL: readonly ModelProvider[] = ['AzureOpenAI', 'OpenAICompatible'];
/** Providers that always authenticate with an API key. Ollama and OpenAI-compatible servers may not. */
export const PROVIDERS_REQUIRING_API_KEY: readonly ModelProvider[] = ['OpenAI', 'Anthropic', 'AzureOpenAI', 'Gemini'];

const celList = (values: readonly string[]) => `[${values.map((v) => `'${v}'`).join(', ')}]`;
const englishList = (values: readonly string[]) => `${values.slice(0, -1).join(', ')} or ${values[values.length - 1] ?? ''}`;

export const baseUrlSchema = z
  .string()
  .min(1)
  .max(2048)
  .check(
    celRule<string>({
      rule: HTTP_URL_CEL,
      message: 'baseUrl must be an absolute http or https URL, such as https://example.openai.azure.com',
      holds: isHttpUrl,
    }),
    // The base URL is written into the agent's ConfigMap: credentials in it would leak there. Keys
    // belong in apiKeySecret.
    celRule<string>({
      rule: URL_USERINFO_CEL,
      message: 'baseUrl must not contain credentials (user:password@); put the API key in apiKeySecret',
      holds: (url) => !hasUserInfo(url),
    }),
  );

export const azureOpenAISchema = z
  .object({
    apiVersion: z
      .string()
      .max(32)
      .regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}(-[a-z]+)?$/, { message: 'must be an Azure OpenAI API version such as 2024-10-21 or 2025-01-01-preview' })
      .describe('Azure OpenAI API version, such as 2024-10-21.'),
    deployment: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9][-_.A-Za-z0-9]*$/, { message: "must consist of letters, digits, '-', '_' or '.'" })
      .describe('Name of the model deployment in the Azure OpenAI resource.'),
  })
  .describe('Required when provider is AzureOpenAI.');

export const modelParametersSchema = z
  .object({
    temperature: z.number().min(0).max(2).optional().describe('Sampling temperature, 0 to 2.'),
    maxTokens: int32().min(1).optional().describe('Maximum number of tokens to generate.'),
    topP: z.number().min(0).max(1).optional().describe('Nucleus sampling probability mass, 0 to 1.'),
  })
  .describe('Generation parameters passed to the model.');

const modelConfigSpecFields = z.object({
  provider: modelProviderSchema.describe('The model API: OpenAI, Anthropic, AzureOpenAI, Ollama, OpenAICompatible or Gemini.'),
  model: z.string().min(1).max(256).describe('Model name, such as gpt-4o or claude-sonnet-4-5.'),
  baseUrl: baseUrlSchema
    .optional()
    .describe("Endpoint of the model API (http or https). Required for AzureOpenAI and OpenAICompatible; the provider's public endpoint by default."),
  apiKeySecret: keySelectorSchema
    .optional()
    .describe('Secret key holding the API key. Required for OpenAI, Anthropic, AzureOpenAI and Gemini.'),
  azure: azureOpenAISchema.optional(),
  parameters: modelParametersSchema.optional(),
});
type ModelConfigSpecFields = z.output<typeof modelConfigSpecFields>;

export const modelConfigSpecSchema = modelConfigSpecFields
  .check(
    celRule<ModelConfigSpecFields>({
      rule: `!(self.provider in ${celList(PROVIDERS_REQUIRING_BASE_URL)}) || has(self.baseUrl)`,
      message: `baseUrl is required when provider is ${englishList(PROVIDERS_REQUIRING_BASE_URL)}`,
      fieldPath: '.baseUrl',
      reason: 'FieldValueRequired',
      holds: (s) => !PROVIDERS_REQUIRING_BASE_URL.includes(s.provider) || s.baseUrl !== undefined,
    }),
    celRule<ModelConfigSpecFields>({
      rule: `!(self.provider in ${celList(PROVIDERS_REQUIRING_API_KEY)}) || has(self.apiKeySecret)`,
      message: `apiKeySecret is required when provider is ${englishList(PROVIDERS_REQUIRING_API_KEY)}`,
      fieldPath: '.apiKeySecret',
      reason: 'FieldValueRequired',
      holds: (s) => !PROVIDERS_REQUIRING_API_KEY.includes(s.provider) || s.apiKeySecret !== undefined,
    }),
    celRule<ModelConfigSpecFields>({
      rule: "self.provider != 'AzureOpenAI' || has(self.azure)",
      message: 'azure is required when provider is AzureOpenAI',
      fieldPath: '.azure',
      reason: 'FieldValueRequired',
      holds: (s) => s.provider !== 'AzureOpenAI' || s.azure !== undefined,
    }),
    celRule<ModelConfigSpecFields>({
      rule: "self.provider == 'AzureOpenAI' || !has(self.azure)",
      message: 'azure may only be set when provider is AzureOpenAI',
      fieldPath: '.azure',
      reason: 'FieldValueForbidden',
      holds: (s) => s.provider === 'AzureOpenAI' || s.azure === undefined,
    }),
  )
  .describe('The model a declarative agent uses, and how to reach it.');
export type ModelConfigSpec = z.output<typeof modelConfigSpecSchema>;

export const modelConfigStatusSchema = z
  .object({
    observedGeneration: int64().min(0).optional().describe('The .metadata.generation the status was computed for.'),
    conditions: conditionsSchema.optional(),
  })
  .describe('The observed state of the ModelConfig, written by the operator.');
export type ModelConfigStatus = z.output<typeof modelConfigStatusSchema>;

export const modelConfigSchema = z.object({
  apiVersion: z.literal(GROUP_VERSION),
  kind: z.literal(MODEL_CONFIG_RESOURCE.kind),
  metadata: objectMetaSchemaWithName(dns1123Subdomain()),
  spec: modelConfigSpecSchema,
  status: modelConfigStatusSchema.optional(),
});
export type ModelConfig = z.output<typeof modelConfigSchema>;
