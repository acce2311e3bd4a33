// metav1.Condition, with the condition types and reasons Agentry reports.
import { z } from 'zod';

import { int64 } from './integer-formats.js';
import { listMapKeys } from './kubernetes-lists.js';

export const ConditionType = {
  /** The spec is valid and everything it references exists. */
  Accepted: 'Accepted',
  /** The agent's Deployment is available. */
  Ready: 'Ready',
  /** The gateway accepted the agent's HTTPRoute. */
  Routed: 'Routed',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const ConditionReason = {
  /** Accepted=True: the spec is valid and its references resolve. */
  Valid: 'Valid',
  /** Accepted=False: the spec failed validation (something the API server let through). */
  InvalidSpec: 'InvalidSpec',
  /** Accepted=False: `spec.declarative.modelConfig` names no ModelConfig in the namespace. */
  ModelConfigNotFound: 'ModelConfigNotFound',
  /** Accepted=False: the ModelConfig the agent uses is not valid. */
  InvalidModelConfig: 'InvalidModelConfig',
  /** Accepted=False: the exposure the Agent asks for is not allowed by the operator config. */
  InvalidExposure: 'InvalidExposure',
  /** Accepted=False: the Agent puts in its pods what the operator config's pods section does not allow (a ServiceAccount, a toleration, root, an image ...). */
  InvalidDeployment: 'InvalidDeployment',
  /** Accepted=False: a tool names an Agent or Service that does not exist. */
  ToolNotFound: 'ToolNotFound',
  /** Accepted=False: a tool cannot work as written (self-reference, namespace not allowed, peer without A2A, Service without pods). */
  InvalidTool: 'InvalidTool',
  /** Ready=False: the Agent is not accepted, so nothing runs for it. */
  NotAccepted: 'NotAccepted',
  /**
   * Accepted=False (or Routed=False, for a route or grant): an object named like one of the Agent's
   * children exists and is not the Agent's. Nothing is written over it; retried when it goes away.
   */
  ChildConflict: 'ChildConflict',
  /** Ready=False: applying a child object failed; retried with backoff. */
  ApplyFailed: 'ApplyFailed',
  /** Ready=True. */
  DeploymentAvailable: 'DeploymentAvailable',
  /** Ready=False: the Deployment has too few available replicas. */
  DeploymentUnavailable: 'DeploymentUnavailable',
  /** Ready=Unknown or False while a rollout is in progress. */
  Progressing: 'Progressing',
  /** Routed=False: another Agent already claims this path on the gateway. */
  PathConflict: 'PathConflict',
  /** Routed=True: every parent gateway accepted the route and resolved its backend. */
  RouteAccepted: 'RouteAccepted',
  /** Routed=False: a parent gateway rejected the route or could not resolve its backend. */
  RouteNotAccepted: 'RouteNotAccepted',
  /** Routed=Unknown: no gateway has written status on the route yet. */
  GatewayNotReporting: 'GatewayNotReporting',
  /** Routed=False: the agent is not exposed through the gateway. */
  ExposureDisabled: 'ExposureDisabled',
} as const;
export type ConditionReason = (typeof ConditionReason)[keyof typeof ConditionReason];

export const conditionStatusSchema = z.enum(['True', 'False', 'Unknown']);
export type ConditionStatus = z.output<typeof conditionStatusSchema>;

// Same constraints as metav1.Condition, so a condition accepted here is accepted by any client.
export const conditionSchema = z.object({
  type: z
    .string()
    .max(316)
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/)
    .describe('Type of condition in CamelCase: Accepted, Ready or Routed.'),
  status: conditionStatusSchema.describe('Status of the condition: True, False or Unknown.'),
  observedGeneration: int64().min(0).optional().describe('The .metadata.generation that the condition was set based upon.'),
  lastTransitionTime: z.iso.datetime({ offset: true }).describe('Last time the condition changed status.'),
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
    .describe("A programmatic identifier in CamelCase for the condition's last transition."),
  message: z.string().max(32768).describe('A human readable message about the transition.'),
});
export type Condition = z.output<typeof conditionSchema>;

export const conditionsSchema = z
  .array(conditionSchema)
  .max(16)
  .check(listMapKeys<Condition>('type'))
  .describe('The latest observations of the object, one per condition type.');
