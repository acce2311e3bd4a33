// Another agent as a tool (an Agent or a RemoteAgent): the model passes a message, the peer answers
// over A2A JSON-RPC at the URL the operator resolved, in the protocol version it chose from the peer's
// card (1.0, or 0.3 for a RemoteAgent that offers only that), with the RemoteAgent's headers on every
// request. The client is built from that URL, not from the peer's published card, whose interface
// URL may be the gateway's public one (and which the agent's NetworkPolicy may not let it fetch).
import { AgentCard, TaskState, type Task } from '@a2a-js/sdk';
import { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory, type Client } from '@a2a-js/sdk/client';

import type { AgentToolConfig } from '../contract/agent-config.js';
import { messageText, taskAnswer, userMessage } from './a2a-messages.js';

export class AgentToolSource {
  private client: Promise<Client> | undefined;

  /** `headers`: header name → value, sent on every request (values never logged). */
  constructor(
    readonly config: AgentToolConfig,
    private readonly headers: Readonly<Record<string, string>> = {},
  ) {}

  get toolName(): string {
    return this.config.toolName;
  }

  get description(): string {
    const about = this.config.description ? `: ${this.config.description}` : '';
    return `Ask the agent ${this.config.namespace}/${this.config.name}${about}. Send it a self-contained message; it answers in text.`;
  }

  async ask(message: string, signal: AbortSignal): Promise<string> {
    const client = await this.connect();
    const result = await client.sendMessage(
      { tenant: '', message: userMessage(message), configuration: undefined, metadata: undefined },
      { signal },
    );
    if ('messageId' in result) return messageText(result);
    return describeTask(result);
  }

  private connect(): Promise<Client> {
    // Rebuilt after a failure, so a peer that was down at the first call is found later.
    this.client ??= clientFactory(this.headers).createFromAgentCard(peerCard(this.config)).catch((err: unknown) => {
      this.client = undefined;
      throw err;
    });
    return this.client;
  }
}

function peerCard(config: AgentToolConfig): AgentCard {
  return AgentCard.fromJSON({
    name: config.name,
    description: config.description ?? '',
    version: '0.0.0',
    supportedInterfaces: [{ url: config.url, protocolBinding: 'JSONRPC', protocolVersion: config.protocolVersion ?? '1.0' }],
    capabilities: {},
    defaultInputModes: ['text'],
    defaultOutputModes: ['text'],
    skills: [],
  });
}

/** JSON-RPC only, 0.3 through the SDK's compatibility transport, and the headers on every request. */
function clientFactory(headers: Readonly<Record<string, string>>): ClientFactory {
  const entries = Object.entries(headers);
  const fetchWithHeaders: typeof fetch = (input, init) => {
    if (entries.length === 0) return fetch(input, init);
    const merged = new Headers(init?.headers);
    for (const [name, value] of entries) merged.set(name, value);
    return fetch(input, { ...init, headers: merged });
  };
  return new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl: fetchWithHeaders, legacyCompat: { enabled: true } })],
    }),
  );
}

/** The peer's answer, or what stopped it (a failed task is a tool error, not an answer). */
function describeTask(task: Task): string {
  const state = task.status?.state;
  const answer = taskAnswer(task);
  if (state === TaskState.TASK_STATE_COMPLETED) return answer;
  if (state === TaskState.TASK_STATE_INPUT_REQUIRED) return `The agent needs more input: ${answer}`;
  throw new Error(`the agent's task ended in ${state === undefined ? 'no state' : TaskState[state]}: ${answer}`);
}
