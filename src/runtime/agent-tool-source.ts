// Another agent as a tool: the model passes a message, the peer answers over A2A (JSON-RPC 1.0) at
// the in-cluster URL the operator resolved. The client is built from that URL, not from the peer's
// published card, whose interface URL may be the gateway's public one.
import { AgentCard, TaskState, type Task } from '@a2a-js/sdk';
import { ClientFactory, type Client } from '@a2a-js/sdk/client';

import type { AgentToolConfig } from '../contract/agent-config.js';
import { messageText, taskAnswer, userMessage } from './a2a-messages.js';

export class AgentToolSource {
  private client: Promise<Client> | undefined;

  constructor(readonly config: AgentToolConfig) {}

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
    this.client ??= new ClientFactory().createFromAgentCard(peerCard(this.config)).catch((err: unknown) => {
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
    supportedInterfaces: [{ url: config.url, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
    capabilities: {},
    defaultInputModes: ['text'],
    defaultOutputModes: ['text'],
    skills: [],
  });
}

/** The peer's answer, or what stopped it (a failed task is a tool error, not an answer). */
function describeTask(task: Task): string {
  const state = task.status?.state;
  const answer = taskAnswer(task);
  if (state === TaskState.TASK_STATE_COMPLETED) return answer;
  if (state === TaskState.TASK_STATE_INPUT_REQUIRED) return `The agent needs more input: ${answer}`;
  throw new Error(`the agent's task ended in ${state === undefined ? 'no state' : TaskState[state]}: ${answer}`);
}
