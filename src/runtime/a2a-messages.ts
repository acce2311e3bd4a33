// Builders for the A2A 1.0 objects the runtime publishes (from their JSON wire shape, so every
// proto default is filled in by the SDK), and the one way text is read out of a message or task.
import { randomUUID } from 'node:crypto';

import { Message, Task, TaskState, type Artifact, type Part } from '@a2a-js/sdk';
import { AgentEvent, type AgentExecutionEvent } from '@a2a-js/sdk/server';

export { TaskState };

export function agentMessage(text: string, contextId: string, taskId: string): Message {
  return Message.fromJSON({ messageId: randomUUID(), role: 'ROLE_AGENT', contextId, taskId, parts: [{ text, mediaType: 'text/plain' }] });
}

export function userMessage(text: string, contextId?: string): Message {
  return Message.fromJSON({ messageId: randomUUID(), role: 'ROLE_USER', ...(contextId !== undefined && { contextId }), parts: [{ text }] });
}

export function submittedTask(taskId: string, contextId: string, first: Message): Task {
  return Task.fromJSON({
    id: taskId,
    contextId,
    status: { state: 'TASK_STATE_SUBMITTED', timestamp: new Date().toISOString() },
    history: [Message.toJSON(first)],
  });
}

export function statusUpdate(taskId: string, contextId: string, state: TaskState, message?: Message, metadata?: Record<string, unknown>): AgentExecutionEvent {
  return AgentEvent.statusUpdate({
    taskId,
    contextId,
    status: { state, message, timestamp: new Date().toISOString() },
    metadata,
  });
}

export const RESPONSE_ARTIFACT_NAME = 'response';

/** A chunk of the answer: the first creates the artifact, later ones append to it. */
export function responseChunk(taskId: string, contextId: string, artifactId: string, text: string, append: boolean, lastChunk: boolean): AgentExecutionEvent {
  const artifact: Artifact = { artifactId, name: RESPONSE_ARTIFACT_NAME, description: '', parts: [textPart(text)], metadata: undefined, extensions: [] };
  return AgentEvent.artifactUpdate({ taskId, contextId, artifact, append, lastChunk, metadata: undefined });
}

export function textPart(text: string): Part {
  return { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' };
}

/** The text parts of a message, joined; data parts as JSON (the model reads both as text). */
export function messageText(message: Message | undefined): string {
  if (message === undefined) return '';
  return partsText(message.parts);
}

export function partsText(parts: readonly Part[]): string {
  const texts: string[] = [];
  for (const part of parts) {
    const content = part.content;
    if (content?.$case === 'text') texts.push(content.value);
    else if (content?.$case === 'data') texts.push(JSON.stringify(content.value));
    else if (content?.$case === 'url') texts.push(content.value);
  }
  return texts.join('\n');
}

/** What an agent answered in a task: its artifacts' text, else its status message. */
export function taskAnswer(task: Task): string {
  const fromArtifacts = task.artifacts.map((a) => partsText(a.parts)).filter((t) => t !== '');
  if (fromArtifacts.length > 0) return fromArtifacts.join('\n');
  return messageText(task.status?.message);
}
