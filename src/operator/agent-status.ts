// What an Agent's status should say, computed from what reconcile saw. Pure. It changes once per
// meaningful transition (accepted or not, rolling out, Ready, failed), not with every step of a
// rollout: each change is a status write, and each write an event every watcher of Agents receives.
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


type Readiness = Omit<ConditionInput, 'type' | 'observedGeneration'>;

/**
 * What the Deployment's state means for the Agent's Ready condition. While it rolls out the message
 * is one and the same whatever the progress (replicas updated, ready, available): progress is not a
 * transition, so it causes no status write (and no reconcile: see deploymentReport).
 */
function deploymentReadiness(d: DeploymentView): Readiness {
  const wanted = d.spec?.replicas ?? 1;
  const status = d.status ?? {};
  if (wanted === 0 && (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)) {
    return { status: 'True', reason: ConditionReason.DeploymentAvailable, message: 'scaled to zero replicas' };
  }
  const available = status.availableReplicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const observed = (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
  if (observed && available >= wanted && updated >= wanted && (status.replicas ?? 0) <= wanted) {
    return { status: 'True', reason: ConditionReason.DeploymentAvailable, message: `${available}/${wanted} replicas available` };
  }
  const stalled = observed && status.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
  if (stalled) return { status: 'False', reason: ConditionReason.DeploymentUnavailable, message: stalled.message ?? 'the rollout exceeded its progress deadline' };
  return { status: 'False', reason: ConditionReason.Progressing, message: `the Deployment is rolling out: waiting for ${wanted} updated replica${wanted === 1 ? '' : 's'} to be available` };
}

function readiness(inputs: StatusInputs): Readiness {
  if (!inputs.acceptance.accepted) return { status: 'False', reason: ConditionReason.NotAccepted, message: 'the Agent is not accepted; see the Accepted condition' };
  if (inputs.applyError) return { status: 'False', reason: ConditionReason.ApplyFailed, message: inputs.applyError };
  const d = inputs.deployment as DeploymentView | undefined;
  if (!d) return { status: 'False', reason: ConditionReason.Progressing, message: 'waiting for the Deployment to be created' };
  return deploymentReadiness(d);
}

/** The replica counts the status reports: none while the Deployment rolls out (progress, not a transition). */
function replicaCounts(d: DeploymentView, ready: Readiness): { replicas: number; readyReplicas: number } | undefined {
  if (ready.reason === ConditionReason.Progressing) return undefined;
  return { replicas: d.status?.replicas ?? 0, readyReplicas: d.status?.readyReplicas ?? 0 };
}

/**
 * Everything the Agent's status takes from its Deployment, as one comparable string: two versions
 * of a Deployment with the same report cannot change the Agent's status, so an update between them
 * need not reconcile the Agent (operator.ts). The one definition of it, with computeAgentStatus.
 */
export function deploymentReport(deployment: KubeObject): string {
  const d = deployment as DeploymentView;
  const ready = deploymentReadiness(d);
  const counts = replicaCounts(d, ready);
  return `${ready.status}/${ready.reason}/${ready.message}${counts ? `/${counts.replicas}/${counts.readyReplicas}` : ''}`;
}

export function computeAgentStatus(inputs: StatusInputs, previous: readonly Condition[] | undefined, now: Date): AgentStatusValue {
  const gen = inputs.generation !== undefined ? { observedGeneration: inputs.generation } : {};
  const accepted: ConditionInput = inputs.acceptance.accepted
    ? { type: ConditionType.Accepted, status: 'True', reason: ConditionReason.Valid, message: 'the spec is valid and its references resolve', ...gen }
    : { type: ConditionType.Accepted, status: 'False', reason: inputs.acceptance.reason, message: inputs.acceptance.message, ...gen };
  const ready = readiness(inputs);
  const next: ConditionInput[] = [accepted, { type: ConditionType.Ready, ...ready, ...gen }];
  if (inputs.routed) next.push({ type: ConditionType.Routed, ...inputs.routed, ...gen });
  const d = inputs.deployment as DeploymentView | undefined;
  const counts = d ? replicaCounts(d, ready) : undefined;
  return {
    ...gen,
    conditions: mergeConditions(previous, next, now),
    ...(inputs.acceptance.accepted && inputs.url ? { url: inputs.url } : {}),
    ...(inputs.acceptance.accepted && inputs.publicUrl ? { publicUrl: inputs.publicUrl } : {}),
    ...counts,
  };
}
