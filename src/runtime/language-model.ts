// One AI SDK language model for the agent's ModelConfig provider. Each provider's package is loaded
// only when it is the one configured, so an agent pays memory for one provider, not six.
//
// OpenAI, Azure OpenAI, Ollama and OpenAI-compatible servers are all spoken to with the Chat
// Completions API (the one every compatible server implements); Ollama through its OpenAI-compatible
// endpoint at `{baseUrl}/v1`.
import type { LanguageModel } from 'ai';

import type { ModelSection } from '../contract/agent-config.js';

export const OLLAMA_DEFAULT_BASE_URL = 'http://localhost:11434';

/** `fetch` is the runtime's instrumented one (model latency and outcome per HTTP call, retries included). */
export async function languageModel(model: ModelSection, apiKey: string | undefined, fetch: typeof globalThis.fetch): Promise<LanguageModel> {
  const baseUrl = model.baseUrl?.replace(/\/+$/, '');
  switch (model.provider) {
    case 'OpenAI': {
      const { createOpenAI } = await import('@ai-sdk/openai');
      return createOpenAI({ apiKey: apiKey ?? '', fetch, ...(baseUrl !== undefined && { baseURL: baseUrl }) }).chat(model.model);
    }
    case 'OpenAICompatible':
    case 'Ollama': {
      const { createOpenAI } = await import('@ai-sdk/openai');
      const baseURL = model.provider === 'Ollama' ? `${baseUrl ?? OLLAMA_DEFAULT_BASE_URL}/v1` : (baseUrl ?? '');
      // Servers without authentication get no Authorization header at all, not an empty bearer.
      return createOpenAI({ baseURL, apiKey: apiKey ?? '', fetch: apiKey === undefined ? withoutAuthorization(fetch) : fetch }).chat(model.model);
    }
    case 'AzureOpenAI': {
      const { createAzure } = await import('@ai-sdk/azure');
      if (model.azure === undefined || baseUrl === undefined) throw new Error('an AzureOpenAI model needs baseUrl and azure.deployment');
      return createAzure({ apiKey: apiKey ?? '', fetch, baseURL: `${baseUrl}/openai`, apiVersion: model.azure.apiVersion, useDeploymentBasedUrls: true }).chat(model.azure.deployment);
    }
    case 'Anthropic': {
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      return createAnthropic({ apiKey: apiKey ?? '', fetch, ...(baseUrl !== undefined && { baseURL: baseUrl }) })(model.model);
    }
    case 'Gemini': {
      const { createGoogleGenerativeAI } = await import('@ai-sdk/google');
      return createGoogleGenerativeAI({ apiKey: apiKey ?? '', fetch, ...(baseUrl !== undefined && { baseURL: baseUrl }) })(model.model);
    }
  }
}

function withoutAuthorization(inner: typeof globalThis.fetch): typeof globalThis.fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.delete('authorization');
    return inner(input, { ...init, headers });
  };
}
