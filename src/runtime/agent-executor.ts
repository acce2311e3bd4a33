// The agent's behaviour behind the A2A server: one task run is one exchange with the model (a tool
// loop of at most limits.maxSteps model calls), published as A2A events: SUBMITTED → WORKING →
// COMPLETED | FAILED | CANCELED, or INPUT_REQUIRED when a tool call needs the user's approval. The
// SDK's request handler stores the task; the conversation of each contextId is kept here for the
// model.
import { performance } from 'node:perf_hooks';

import { TaskState, type Message } from '@a2a-js/sdk';
import { AgentEvent, type AgentExecutor, type ExecutionEventBus, type RequestContext } from '@a2a-js/sdk/server';
import { generateText, stepCountIs, streamText, type LanguageModel, type LanguageModelUsage, type ModelMessage, type ToolSet } from 'ai';
import type { Logger } from 'pino';

import type { DeclarativeAgentConfig } from '../contract/agent-config.js';
import { agentMessage, messageText, responseChunk, statusUpdate, submittedTask } from './a2a-messages.js';
import type { AgentToolSource } from './agent-tool-source.js';
import { approvalDecision, approvalQuestion, type PendingToolCall } from './approval.js';
import { BoundedLru } from './bounded-lru.js';
import type { ConversationStore } from './conversation-store.js';
import type { McpToolSource } from './mcp-tool-source.js';
import { describeModelError } from './model-error.js';
import type { RuntimeMetrics } from './runtime-metrics.js';
import { scrubDeep, type RuntimeSecrets } from './runtime-secrets.js';
import { StreamBatcher } from './stream-batcher.js';
import { buildToolSet } from './tool-set.js';

export interface AgentExecutorDeps {
  config: DeclarativeAgentConfig;
  secrets: RuntimeSecrets;
  model: LanguageModel;
  conversations: ConversationStore;
  mcpSources: readonly McpToolSource[];
  agentSources: readonly AgentToolSource[];
  metrics: RuntimeMetrics;
  logger: Logger;
  /** Per model call (each step of the tool loop). */
  modelTimeoutMs: number;
  /** Retries of a model call that failed with 408/409/429/5xx, with the AI SDK's exponential backoff. */
  modelMaxRetries: number;
  /** Bounds of the approvals waiting for an answer (like the task store's). */
  pendingLimits: { maxEntries: number; maxAgeMs: number };
}

interface Run {
  readonly contextId: string;
  readonly controller: AbortController;
  /** Set by cancelTask (or a vanished stream client) before it aborts: the abort is not a failure. */
  canceledBecause: string | undefined;
}

interface PendingApproval {
  contextId: string;
  calls: PendingToolCall[];
  /** The exchange so far (the user's message, the model's tool calls), continued after the decision. */
  turn: ModelMessage[];
}

interface ModelOutcome {
  responseMessages: ModelMessage[];
  approvals: PendingToolCall[];
  usage: LanguageModelUsage;
  /** The model's last step asked for tools: with no approval pending, the step limit cut the loop. */
  endedOnToolCalls: boolean;
}

export class AgentryExecutor implements AgentExecutor {
  private readonly runs = new Map<string, Run>();

  private readonly pending: BoundedLru<string, PendingApproval>;

  private draining = false;

  constructor(private readonly deps: AgentExecutorDeps) {
    this.pending = new BoundedLru(deps.pendingLimits);
  }

  get inFlight(): number {
    return this.runs.size;
  }

  execute = async (requestContext: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const { taskId, contextId } = requestContext;
    const user = requestContext.userMessage;
    const log = this.deps.logger.child({ taskId, contextId });
    const started = performance.now();
    bus.publish(AgentEvent.task(requestContext.task ?? submittedTask(taskId, contextId, user)));
    if (this.draining) {
      this.finish(bus, taskId, contextId, TaskState.TASK_STATE_FAILED, 'the agent is shutting down; send the message again', started, log);
      return;
    }
    bus.publish(statusUpdate(taskId, contextId, TaskState.TASK_STATE_WORKING));
    const run: Run = { contextId, controller: new AbortController(), canceledBecause: undefined };
    this.runs.set(taskId, run);
    this.deps.metrics.tasksInFlight.inc();
    log.info({ event: 'task_started', resumed: requestContext.task !== undefined }, 'task started');
    try {
      const turn = this.turnFor(taskId, user, log);
      const outcome = await this.callModel(this.deps.conversations.history(contextId), turn, run.controller.signal, bus, taskId, contextId);
      if (outcome.approvals.length > 0) {
        this.pending.set(taskId, { contextId, calls: outcome.approvals, turn: [...turn, ...outcome.responseMessages] });
        // The model wrote the tool inputs: what the user is shown of them is scrubbed like an answer.
        const { scrub } = this.deps.secrets;
        this.finish(bus, taskId, contextId, TaskState.TASK_STATE_INPUT_REQUIRED, scrub(approvalQuestion(outcome.approvals)), started, log, {
          pendingToolCalls: outcome.approvals.map((c) => ({ tool: c.toolName, input: scrubDeep(c.input, scrub) })),
        });
        return;
      }
      this.deps.conversations.append(contextId, [...turn, ...outcome.responseMessages]);
      if (outcome.endedOnToolCalls) {
        // Not an answer: the model was still working when limits.maxSteps ran out. The exchange is
        // kept in the conversation, so "go on" in this context continues where it stopped.
        const steps = this.deps.config.limits.maxSteps;
        this.finish(bus, taskId, contextId, TaskState.TASK_STATE_FAILED, `the model was still calling tools after ${steps} steps (limits.maxSteps) and gave no answer; ask it to go on`, started, log);
        return;
      }
      this.finish(bus, taskId, contextId, TaskState.TASK_STATE_COMPLETED, undefined, started, log);
    } catch (err) {
      if (run.canceledBecause !== undefined) {
        // cancelTask published CANCELED already; a vanished client's task is closed here.
        if (run.canceledBecause !== 'canceled') this.finish(bus, taskId, contextId, TaskState.TASK_STATE_CANCELED, run.canceledBecause, started, log);
        else this.observeEnd(TaskState.TASK_STATE_CANCELED, started, log);
        return;
      }
      const message = describeModelError(err, this.deps.secrets.scrub, this.deps.modelTimeoutMs);
      this.finish(bus, taskId, contextId, TaskState.TASK_STATE_FAILED, message, started, log);
    } finally {
      this.runs.delete(taskId);
      this.deps.metrics.tasksInFlight.dec();
      bus.finished();
    }
  };

  cancelTask = (taskId: string, bus: ExecutionEventBus): Promise<void> => {
    const run = this.runs.get(taskId);
    const waiting = this.pending.get(taskId);
    this.pending.delete(taskId);
    if (run !== undefined) {
      run.canceledBecause = 'canceled';
      run.controller.abort();
    }
    // The SDK calls this only for a task it has a live event bus for: one running or waiting for
    // approval, so its context is known (the status message carries it to clients).
    const contextId = run?.contextId ?? waiting?.contextId ?? '';
    bus.publish(statusUpdate(taskId, contextId, TaskState.TASK_STATE_CANCELED, agentMessage('The task was canceled.', contextId, taskId)));
    bus.finished();
    return Promise.resolve();
  };

  /** Aborts a task whose streaming client went away (no one is left to read the answer). */
  abandon(taskId: string): void {
    const run = this.runs.get(taskId);
    if (run === undefined || run.canceledBecause !== undefined) return;
    run.canceledBecause = 'the client disconnected before the task finished';
    run.controller.abort();
  }

  /** Refuses new tasks and resolves when the running ones have ended, or aborts them at the deadline. */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    const deadline = Date.now() + graceMs;
    while (this.runs.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    for (const run of this.runs.values()) {
      run.canceledBecause ??= 'the agent shut down before the task finished';
      run.controller.abort();
    }
  }

  /** The messages this run adds: the user's text, or (resuming an approval) the user's decision. */
  private turnFor(taskId: string, user: Message, log: Logger): ModelMessage[] {
    const waiting = this.pending.get(taskId);
    if (waiting === undefined) return [{ role: 'user', content: messageText(user) }];
    this.pending.delete(taskId);
    const decision = approvalDecision(user);
    log.info({ event: 'approval', approved: decision.approved, tools: waiting.calls.map((c) => c.toolName) }, 'tool approval answered');
    if (!decision.approved) for (const call of waiting.calls) this.deps.metrics.toolCalls.inc({ tool: call.toolName, outcome: 'denied' });
    return [
      ...waiting.turn,
      {
        role: 'tool',
        content: waiting.calls.map((call) => ({
          type: 'tool-approval-response' as const,
          approvalId: call.approvalId,
          approved: decision.approved,
          ...(decision.reason !== undefined && { reason: decision.reason }),
        })),
      },
    ];
  }

  private async callModel(
    history: ModelMessage[],
    turn: ModelMessage[],
    signal: AbortSignal,
    bus: ExecutionEventBus,
    taskId: string,
    contextId: string,
  ): Promise<ModelOutcome> {
    const { config, secrets } = this.deps;
    const built = buildToolSet(this.deps.mcpSources, this.deps.agentSources, this.deps.metrics);
    const system = built.unavailable.length === 0 ? secrets.systemMessage : `${secrets.systemMessage}\n\n(Unavailable tools right now: ${built.unavailable.join('; ')}.)`;
    const hasTools = Object.keys(built.tools).length > 0;
    const settings = {
      model: this.deps.model,
      system,
      messages: [...history, ...turn],
      ...(hasTools && { tools: built.tools satisfies ToolSet, stopWhen: stepCountIs(config.limits.maxSteps) }),
      abortSignal: signal,
      maxRetries: this.deps.modelMaxRetries,
      timeout: { stepMs: this.deps.modelTimeoutMs },
      ...(config.model.parameters?.temperature !== undefined && { temperature: config.model.parameters.temperature }),
      ...(config.model.parameters?.topP !== undefined && { topP: config.model.parameters.topP }),
      ...(config.model.parameters?.maxTokens !== undefined && { maxOutputTokens: config.model.parameters.maxTokens }),
    };
    const artifactId = `${taskId}-response`;
    let outcome: ModelOutcome;
    if (config.stream) {
      const result = streamText({
        ...settings,
        // The SDK's default prints the whole error (provider message, request) to the console; it
        // arrives as the stream's error part anyway, and is reported (scrubbed) from there.
        onError: ({ error }) => this.deps.logger.debug({ taskId, contextId, err: error }, 'model stream error'),
      });
      let text = '';
      let streamed = false;
      const redactor = secrets.redactor();
      const publish = (piece: string) => {
        if (piece === '') return;
        bus.publish(responseChunk(taskId, contextId, artifactId, piece, streamed, false));
        streamed = true;
      };
      const batcher = new StreamBatcher(publish);
      const approvals: PendingToolCall[] = [];
      for await (const part of result.fullStream) {
        if (part.type === 'text-delta') {
          if (part.text === '') continue;
          batcher.push(redactor.push(part.text));
          text += part.text;
          continue;
        }
        batcher.flush();
        if (part.type === 'tool-approval-request') {
          const input: unknown = part.toolCall.input;
          approvals.push({ approvalId: part.approvalId, toolName: part.toolCall.toolName, input });
        } else if (part.type === 'error') {
          throw part.error;
        }
      }
      batcher.push(redactor.end());
      batcher.flush();
      // The last event replaces the streamed pieces with the whole answer (append: false), so the
      // stored task, and a client that polls it, holds one text part rather than one per token.
      if (text !== '') bus.publish(responseChunk(taskId, contextId, artifactId, secrets.scrub(text), false, true));
      const response = await result.response;
      outcome = { responseMessages: response.messages, approvals, usage: await result.totalUsage, endedOnToolCalls: (await result.finishReason) === 'tool-calls' };
    } else {
      const result = await generateText(settings);
      const approvals: PendingToolCall[] = result.content
        .filter((part) => part.type === 'tool-approval-request')
        .map((part) => {
          const input: unknown = part.toolCall.input;
          return { approvalId: part.approvalId, toolName: part.toolCall.toolName, input };
        });
      if (result.text !== '') bus.publish(responseChunk(taskId, contextId, artifactId, secrets.scrub(result.text), false, true));
      outcome = { responseMessages: result.response.messages, approvals, usage: result.totalUsage, endedOnToolCalls: result.finishReason === 'tool-calls' };
    }
    this.deps.metrics.modelTokens.inc({ direction: 'input' }, outcome.usage.inputTokens ?? 0);
    this.deps.metrics.modelTokens.inc({ direction: 'output' }, outcome.usage.outputTokens ?? 0);
    return outcome;
  }

  private finish(
    bus: ExecutionEventBus,
    taskId: string,
    contextId: string,
    state: TaskState,
    text: string | undefined,
    started: number,
    log: Logger,
    metadata?: Record<string, unknown>,
  ): void {
    const message = text === undefined ? undefined : agentMessage(text, contextId, taskId);
    bus.publish(statusUpdate(taskId, contextId, state, message, metadata));
    this.observeEnd(state, started, log, text);
  }

  private observeEnd(state: TaskState, started: number, log: Logger, detail?: string): void {
    const seconds = (performance.now() - started) / 1000;
    const name = TaskState[state];
    this.deps.metrics.taskDuration.observe({ state: name }, seconds);
    const entry = { event: 'task_ended', state: name, durationMs: Math.round(seconds * 1000), ...(detail !== undefined && { detail }) };
    if (state === TaskState.TASK_STATE_FAILED) log.warn(entry, 'task failed');
    else log.info(entry, 'task ended');
  }
}
