// What an Agent's status should say, computed from what reconcile saw. Pure.
import { ConditionReason, ConditionType } from '../api/condition.js';
import type { KubeObject } from '../kube/kube-object.js';
import { mergeConditions, type Condition, type ConditionInput } from './conditions.js';

export interface AgentStatusValue {
  observedGeneration?: number;
  conditions: Condition[];
  url?: string;
  publicUrl?: string;
  replicas?: number;
  readyReplicas?: number;
}

export type Acceptance = { accepted: true } | { accepted: false; reason: string; message: string };

export interface StatusInputs {
  generation: number | undefined;
  acceptance: Acceptance;
  deployment: KubeObject | undefined;
  /** The Routed condition, decided by the routing step (undefined while it has not run). */
  routed: Omit<ConditionInput, 'type' | 'observedGeneration'> | undefined;
  url: string | undefined;
  publicUrl: string | undefined;
  /** A failure applying children, reported on Ready. */
  applyError: string | undefined;
}

interface DeploymentView {
  metadata: { generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}


function readiness(inputs: StatusInputs): Omit<ConditionInput, 'type' | 'observedGeneration'> {
  if (!inputs.acceptance.accepted) return { status: 'False', reason: ConditionReason.NotAccepted, message: 'the Agent is not accepted; see the Accepted condition' };
  if (inputs.applyError) return { status: 'False', reason: ConditionReason.ApplyFailed, message: inputs.applyError };
  const d = inputs.deployment as DeploymentView | undefined;
  if (!d) return { status: 'False', reason: ConditionReason.Progressing, message: 'waiting for the Deployment to be created' };
  const wanted = d.spec?.replicas ?? 1;
  const status = d.status ?? {};
  if ((status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
    return { status: 'False', reason: ConditionReason.Progressing, message: 'the Deployment controller has not observed the latest spec yet' };
  }
  const available = status.availableReplicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  if (wanted === 0) return { status: 'True', reason: ConditionReason.DeploymentAvailable, message: 'scaled to zero replicas' };
  if (available >= wanted && updated >= wanted && (status.replicas ?? 0) <= wanted) {
    return { status: 'True', reason: ConditionReason.DeploymentAvailable, message: `${available}/${wanted} replicas available` };
  }
  const stalled = status.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
  if (stalled) return { status: 'False', reason: ConditionReason.DeploymentUnavailable, message: stalled.message ?? 'the rollout exceeded its progress deadline' };
  return { status: 'False', reason: ConditionReason.Progressing, message: `${Math.min(available, updated)}/${wanted} updated replicas available` };
}

export function computeAgentStatus(inputs: StatusInputs, previous: readonly Condition[] | undefined, now: Date): AgentStatusValue {
  const gen = inputs.generation !== undefined ? { observedGeneration: inputs.generation } : {};
  const accepted: ConditionInput = inputs.acceptance.accepted
    ? { type: ConditionType.Accepted, status: 'True', reason: ConditionReason.Valid, message: 'the spec is valid and its references resolve', ...gen }
    : { type: ConditionType.Accepted, status: 'False', reason: inputs.acceptance.reason, message: inputs.acceptance.message, ...gen };
  const next: ConditionInput[] = [accepted, { type: ConditionType.Ready, ...readiness(inputs), ...gen }];
  if (inputs.routed) next.push({ type: ConditionType.Routed, ...inputs.routed, ...gen });
  const d = inputs.deployment as DeploymentView | undefined;
  return {
    ...gen,
    conditions: mergeConditions(previous, next, now),
    ...(inputs.acceptance.accepted && inputs.url ? { url: inputs.url } : {}),
    ...(inputs.acceptance.accepted && inputs.publicUrl ? { publicUrl: inputs.publicUrl } : {}),
    ...(d ? { replicas: d.status?.replicas ?? 0, readyReplicas: d.status?.readyReplicas ?? 0 } : {}),
  };
}
