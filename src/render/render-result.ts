// What render returns: the desired children, or why there are none. A failure is a value, so the
// reconciler can turn it into an Accepted=False condition and an Event as it is; it is only ever a
// problem with the Agent (or what it references). A bug throws, and is retried, never reported as
// the user's mistake.
import type { ConditionReason } from '../api/condition.js';
import type { AgentChild } from './child-objects.js';

/**
 * Why render returns no objects: one of the Accepted=False reasons of the Agent's conditions
 * (api/condition.ts, the one list of reasons), each a problem with what the user wrote.
 */
export type RenderFailureReason = Extract<
  ConditionReason,
  'InvalidSpec' | 'ModelConfigNotFound' | 'InvalidModelConfig' | 'InvalidExposure' | 'InvalidDeployment' | 'ToolNotFound' | 'InvalidTool'
>;

export interface RenderSuccess {
  ok: true;
  /** In the order they should be applied: what a pod needs first, routing last. */
  objects: AgentChild[];
  /** The in-cluster A2A endpoint, `http://{name}.{namespace}.svc:8080/`. */
  url: string;
  /** The endpoint through the gateway, when the agent is routed and the configuration has a public base URL. */
  publicUrl?: string;
}

export interface RenderFailure {
  ok: false;
  reason: RenderFailureReason;
  message: string;
}

export type RenderResult = RenderSuccess | RenderFailure;

/**
 * Thrown by the object builders when the input cannot be rendered, and turned into a RenderFailure by
 * render(): deep inside a builder is where the problem is found, and threading results through every
 * builder would bury what they build. Only for problems with the input: anything else is a bug.
 */
export class RenderRejection extends Error {
  readonly reason: RenderFailureReason;

  constructor(reason: RenderFailureReason, message: string) {
    super(message);
    this.name = 'RenderRejection';
    this.reason = reason;
  }
}
