// What render returns: the desired children, or why there are none. A failure is a value, never an
// exception, so the reconciler can turn it into an Accepted=False condition and an Event as it is.
import type { KubeObject } from '../kube/kube-object.js';

export const RenderFailureReason = {
  /** The Agent does not pass the zod schema (something the API server let through). */
  InvalidSpec: 'InvalidSpec',
  /** A Declarative Agent's ModelConfig was not given (it does not exist in the namespace). */
  ModelConfigNotFound: 'ModelConfigNotFound',
  /** The Agent's ModelConfig does not pass the zod schema. */
  InvalidModelConfig: 'InvalidModelConfig',
  /** The Agent asks for exposure the operator configuration does not allow (a custom path, an ingress source). */
  InvalidExposure: 'InvalidExposure',
  /** A tool names an Agent or Service that does not exist (yet): retried when it appears. */
  ToolNotFound: 'ToolNotFound',
  /** A tool can never work as written: a self-reference, a namespace the configuration does not allow, a peer that does not speak A2A, a Service without pods to open. */
  InvalidTool: 'InvalidTool',
} as const;
export type RenderFailureReason = (typeof RenderFailureReason)[keyof typeof RenderFailureReason];

export interface RenderSuccess {
  ok: true;
  /** In the order they should be applied: what a pod needs first, routing last. */
  objects: KubeObject[];
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
 * builder would bury what they build.
 */
export class RenderRejection extends Error {
  readonly reason: RenderFailureReason;

  constructor(reason: RenderFailureReason, message: string) {
    super(message);
    this.name = 'RenderRejection';
    this.reason = reason;
  }
}
