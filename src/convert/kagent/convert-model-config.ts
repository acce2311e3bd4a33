// A kagent ModelConfig → an Agentry ModelConfig: provider and model, the API key's Secret name and key
// as one reference, the provider section's endpoint (OpenAI/Anthropic baseUrl, Azure's endpoint,
// deployment and API version, Ollama's host) and sampling parameters (strings in kagent, numbers in
// Agentry). Providers Agentry does not speak (Vertex AI, Bedrock, SAP AI Core) leave the ModelConfig
// out; settings it has no equivalent for are reported.
import type { z } from 'zod';

import { GROUP_VERSION, MODEL_CONFIG_RESOURCE } from '../../api/group-version.js';
import { keySelectorSchema } from '../../api/key-selector.js';
import { dns1123Subdomain } from '../../api/kubernetes-names.js';
import { azureOpenAISchema, baseUrlSchema, modelConfigSpecSchema as agentrySpecSchema, modelParametersSchema } from '../../api/model-config.js';
import { validateModelConfig } from '../../api/validation.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { sortKeysDeep } from '../../render/sorted-keys.js';
import { fitAgentry } from '../agentry-fit.js';
import type { FieldPath, ObjectReport } from '../conversion-report.js';
import { isUnset, reportUnknownFields } from '../unconverted-fields.js';
import { convertMetadata } from './convert-metadata.js';
import {
  anthropicConfigSchema,
  azureOpenAIConfigSchema,
  modelConfigSpecSchema,
  ollamaConfigSchema,
  openAIConfigSchema,
  PROVIDER_SECTIONS,
} from './kagent-model-config.js';
import type { KagentModelConfig, KagentModelConfigSpec } from './kagent-model-config.js';

type SpecInput = z.input<typeof agentrySpecSchema>;
type Parameters = z.input<typeof modelParametersSchema>;

export const MODEL_CONFIG_LEFT_OUT = 'the ModelConfig was left out of the output';

const WHY = {
  parameters: "Agentry's model parameters are temperature, maxTokens and topP",
  timeout: "Agentry's runtime sets its own timeout for model calls",
  defaultHeaders: 'Agentry sends no extra headers to the model API',
  tls: "Agentry verifies model endpoints against the runtime image's system CAs: custom CA bundles and disabling verification are not supported",
  apiKeyPassthrough: "Agentry authenticates to the model with the ModelConfig's API key, never with the caller's token",
  organization: 'Agentry sends no OpenAI organization',
  tokenExchange: 'Agentry does no token exchange for model calls',
  azureAdToken: 'Agentry authenticates to Azure OpenAI with an API key (apiKeySecret), not an Azure AD token',
} as const;

const parameter = modelParametersSchema.shape;

export function convertModelConfig(modelConfig: KagentModelConfig, report: ObjectReport): KubeObject | undefined {
  const metadata = convertMetadata(modelConfig.metadata, dns1123Subdomain(), report);
  if (metadata === undefined) return leftOut(report);
  const source = modelConfig.spec;
  reportUnknownFields(report, ['spec'], source, modelConfigSpecSchema);
  if (source.apiKeyPassthrough === true) report.notConverted(['spec', 'apiKeyPassthrough'], WHY.apiKeyPassthrough);
  if (!isUnset(source.defaultHeaders)) report.notConverted(['spec', 'defaultHeaders'], WHY.defaultHeaders);
  if (!isUnset(source.tls)) report.notConverted(['spec', 'tls'], WHY.tls);

  const spec = providerSpec(source, report);
  if (spec === undefined) return leftOut(report);
  const model = fitAgentry(agentrySpecSchema.shape.model, source.model, ['spec', 'model'], report);
  if (model === undefined) return leftOut(report);
  spec.model = model;
  if (!isUnset(source.apiKeySecret) && !isUnset(source.apiKeySecretKey)) {
    spec.apiKeySecret = fitAgentry(keySelectorSchema, { name: source.apiKeySecret, key: source.apiKeySecretKey }, ['spec', 'apiKeySecret'], report);
  }
  // An OpenAI-compatible server behind OpenAI's provider, without a key: Agentry's OpenAI provider always sends one.
  if (spec.provider === 'OpenAI' && spec.apiKeySecret === undefined && spec.baseUrl !== undefined) spec.provider = 'OpenAICompatible';

  const object = { apiVersion: GROUP_VERSION, kind: MODEL_CONFIG_RESOURCE.kind, metadata, spec };
  const valid = validateModelConfig(object);
  if (!valid.success) {
    return leftOut(report, `Agentry refuses it (${valid.issues.join('; ')})`);
  }
  return { apiVersion: GROUP_VERSION, kind: MODEL_CONFIG_RESOURCE.kind, metadata, spec: sortKeysDeep(spec) };
}

/** The provider, endpoint, Azure settings and parameters from kagent's provider section; model and key are filled in by the caller. */
function providerSpec(source: KagentModelConfigSpec, report: ObjectReport): SpecInput | undefined {
  const provider = source.provider;
  const path = ['spec'];
  const spec: SpecInput = { provider: 'OpenAI', model: source.model };
  const parameters: Parameters = {};
  switch (provider) {
    case 'OpenAI': {
      const section = source.openAI;
      if (section !== undefined) {
        const at = [...path, PROVIDER_SECTIONS.OpenAI];
        reportUnknownFields(report, at, section, openAIConfigSchema);
        setBaseUrl(spec, section.baseUrl, [...at, 'baseUrl'], report);
        copyParameters(parameters, section, at, report);
        if (!isUnset(section.organization)) report.notConverted([...at, 'organization'], WHY.organization);
        for (const key of ['frequencyPenalty', 'presencePenalty', 'seed', 'n', 'reasoningEffort'] as const) {
          if (!isUnset(section[key])) report.notConverted([...at, key], WHY.parameters);
        }
        if (!isUnset(section.timeout)) report.notConverted([...at, 'timeout'], WHY.timeout);
        if (!isUnset(section.tokenExchange)) report.notConverted([...at, 'tokenExchange'], WHY.tokenExchange);
      }
      break;
    }
    case 'Anthropic': {
      spec.provider = 'Anthropic';
      const section = source.anthropic;
      if (section !== undefined) {
        const at = [...path, PROVIDER_SECTIONS.Anthropic];
        reportUnknownFields(report, at, section, anthropicConfigSchema);
        setBaseUrl(spec, section.baseUrl, [...at, 'baseUrl'], report);
        copyParameters(parameters, section, at, report);
        if (!isUnset(section.topK) && section.topK !== 0) report.notConverted([...at, 'topK'], WHY.parameters);
      }
      break;
    }
    case 'AzureOpenAI': {
      spec.provider = 'AzureOpenAI';
      const section = source.azureOpenAI;
      const at = [...path, PROVIDER_SECTIONS.AzureOpenAI];
      if (section === undefined) {
        report.notConverted(at, 'not set: Agentry needs the Azure endpoint, deployment and API version');
        return undefined;
      }
      reportUnknownFields(report, at, section, azureOpenAIConfigSchema);
      setBaseUrl(spec, section.azureEndpoint, [...at, 'azureEndpoint'], report);
      let deployment = section.azureDeployment;
      if (isUnset(deployment)) {
        deployment = source.model;
        report.attention(
          [...at, 'azureDeployment'],
          `not set: Agentry needs the name of the Azure deployment, and spec.model (${JSON.stringify(source.model)}) was used as azure.deployment: check it`,
        );
      }
      const apiVersion = fitAgentry(azureOpenAISchema.shape.apiVersion, section.apiVersion, [...at, 'apiVersion'], report);
      const azureDeployment = fitAgentry(azureOpenAISchema.shape.deployment, deployment, [...at, 'azureDeployment'], report);
      if (apiVersion !== undefined && azureDeployment !== undefined) spec.azure = { apiVersion, deployment: azureDeployment };
      copyParameters(parameters, section, at, report);
      if (!isUnset(section.azureAdToken)) report.notConverted([...at, 'azureAdToken'], WHY.azureAdToken);
      break;
    }
    case 'Ollama': {
      spec.provider = 'Ollama';
      const section = source.ollama;
      if (section !== undefined) {
        const at = [...path, PROVIDER_SECTIONS.Ollama];
        reportUnknownFields(report, at, section, ollamaConfigSchema);
        // kagent prefixes a host without a scheme with http:// (OLLAMA_API_BASE).
        const host = section.host;
        if (!isUnset(host) && host !== undefined) setBaseUrl(spec, /^https?:\/\//.test(host) ? host : `http://${host}`, [...at, 'host'], report);
        copyOllamaOptions(parameters, section.options ?? {}, [...at, 'options'], report);
      }
      break;
    }
    case 'Gemini': {
      spec.provider = 'Gemini';
      if (source.gemini !== undefined) reportUnknownFields(report, [...path, PROVIDER_SECTIONS.Gemini], source.gemini, modelConfigSpecSchema.shape.gemini.unwrap());
      break;
    }
    default:
      report.notConverted(
        [...path, 'provider'],
        `${provider} has no Agentry equivalent (Agentry's providers: OpenAI, Anthropic, AzureOpenAI, Ollama, OpenAICompatible and Gemini): the Agents that use this ModelConfig need another`,
      );
      return undefined;
  }
  if (Object.keys(parameters).length > 0) spec.parameters = parameters;
  return spec;
}

function setBaseUrl(spec: { baseUrl?: string | undefined }, url: string | undefined, path: FieldPath, report: ObjectReport): void {
  if (url === undefined || isUnset(url)) return;
  spec.baseUrl = fitAgentry(baseUrlSchema, url, path, report);
}

interface SamplingSection {
  temperature?: string | number | undefined;
  topP?: string | number | undefined;
  maxTokens?: number | undefined;
}

function copyParameters(parameters: Parameters, section: SamplingSection, path: FieldPath, report: ObjectReport): void {
  setNumber(parameters, 'temperature', section.temperature, [...path, 'temperature'], report);
  setNumber(parameters, 'topP', section.topP, [...path, 'topP'], report);
  // A plain int in kagent: 0 is unset.
  if (section.maxTokens !== undefined && section.maxTokens !== 0) setNumber(parameters, 'maxTokens', section.maxTokens, [...path, 'maxTokens'], report);
}

/** Ollama's options are its own names, as strings: the three Agentry has are mapped. */
const OLLAMA_PARAMETERS: Readonly<Record<string, keyof Parameters>> = { temperature: 'temperature', top_p: 'topP', num_predict: 'maxTokens' };

function copyOllamaOptions(parameters: Parameters, options: Record<string, string>, path: FieldPath, report: ObjectReport): void {
  for (const [option, value] of Object.entries(options)) {
    const target = OLLAMA_PARAMETERS[option];
    if (target === undefined) report.notConverted([...path, option], WHY.parameters);
    else setNumber(parameters, target, value, [...path, option], report);
  }
}

function setNumber(parameters: Parameters, name: keyof Parameters, value: string | number | undefined, path: FieldPath, report: ObjectReport): void {
  if (value === undefined || value === '') return;
  const number = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(number)) {
    report.notConverted(path, `${JSON.stringify(value)} is not a number`);
    return;
  }
  const fitted = fitAgentry(parameter[name].unwrap(), number, path, report);
  if (fitted !== undefined) parameters[name] = fitted;
}

function leftOut(report: ObjectReport, reason?: string): undefined {
  report.notConverted([], reason === undefined ? MODEL_CONFIG_LEFT_OUT : `${MODEL_CONFIG_LEFT_OUT}: ${reason}`);
  return undefined;
}
