// The Routed condition: whether the gateway routes the agent, as the gateway itself reports it on
// the HTTPRoute's status.parents[].conditions.
import { ConditionReason } from '../api/condition.js';
import type { OperatorConfig } from '../config/operator-config.js';
import type { KubeObject } from '../kube/kube-object.js';
import type { ConditionInput } from './conditions.js';

type Routed = Omit<ConditionInput, 'type' | 'observedGeneration'>;

interface RouteParentStatus {
  parentRef?: { name?: string; namespace?: string; sectionName?: string };
  controllerName?: string;
  conditions?: { type: string; status: string; reason?: string; message?: string; observedGeneration?: number }[];
}

export function routedCondition(desired: KubeObject | undefined, live: KubeObject | undefined, config: OperatorConfig): Routed {
  if (!desired) return { status: 'False', reason: ConditionReason.ExposureDisabled, message: 'the agent is not exposed through a gateway' };
  const parents = ((live?.status as { parents?: RouteParentStatus[] } | undefined)?.parents ?? []).filter(
    (p) => !config.gateway.controllerName || p.controllerName === config.gateway.controllerName,
  );
  if (parents.length === 0) return { status: 'Unknown', reason: ConditionReason.GatewayNotReporting, message: 'no gateway has reported status on the HTTPRoute yet' };
  for (const parent of parents) {
    for (const type of ['Accepted', 'ResolvedRefs']) {
      const c = parent.conditions?.find((x) => x.type === type);
      if (!c || c.status !== 'True') {
        const gw = `${parent.parentRef?.namespace ?? live?.metadata.namespace}/${parent.parentRef?.name ?? '?'}`;
        return {
          status: c ? 'False' : 'Unknown',
          reason: c?.reason && /^[A-Za-z]/.test(c.reason) ? c.reason : ConditionReason.RouteNotAccepted,
          message: `gateway ${gw}: ${type}=${c?.status ?? 'missing'}${c?.message ? `: ${c.message}` : ''}`,
        };
      }
    }
  }
  return { status: 'True', reason: ConditionReason.RouteAccepted, message: `accepted by ${parents.length} gateway(s)` };
}
