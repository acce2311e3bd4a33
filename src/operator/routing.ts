// The Routed condition: whether the gateway routes the agent, as the gateway itself reports it on
// the HTTPRoute's status.parents[].conditions, for the route's current generation.
import { ConditionReason } from '../api/condition.js';
import { APP_PROTOCOL_AUTO, APP_PROTOCOL_NONE, GATEWAY_APP_PROTOCOLS, a2aServiceAppProtocol } from '../config/app-protocol.js';
import type { OperatorConfig } from '../config/operator-config.js';
import type { KubeObject } from '../kube/kube-object.js';
import type { ConditionInput } from './conditions.js';

type Routed = Omit<ConditionInput, 'type' | 'observedGeneration'>;

interface RouteParentStatus {
  parentRef?: { name?: string; namespace?: string; sectionName?: string };
  controllerName?: string;
  conditions?: { type: string; status: string; reason?: string; message?: string; observedGeneration?: number }[];
}

/** Routed without the Gateway API CRDs, which are optional: nothing can be routed until they are installed. */
export const GATEWAY_API_NOT_INSTALLED: Routed = {
  status: 'False',
  reason: ConditionReason.ExposureDisabled,
  message: 'the Gateway API CRDs (HTTPRoute, ReferenceGrant) are not installed: no agent is exposed through a gateway (install them and restart the operator)',
};

export function routedCondition(desired: KubeObject | undefined, live: KubeObject | undefined, config: OperatorConfig): Routed {
  if (!desired) return { status: 'False', reason: ConditionReason.ExposureDisabled, message: 'the agent is not exposed through a gateway' };
  const parents = ((live?.status as { parents?: RouteParentStatus[] } | undefined)?.parents ?? []).filter(
    (p) => !config.gateway.controllerName || p.controllerName === config.gateway.controllerName,
  );
  if (parents.length === 0) return { status: 'Unknown', reason: ConditionReason.GatewayNotReporting, message: 'no gateway has reported status on the HTTPRoute yet' };
  const generation = live?.metadata.generation;
  for (const parent of parents) {
    const gw = `${parent.parentRef?.namespace ?? live?.metadata.namespace}/${parent.parentRef?.name ?? '?'}`;
    // A condition the gateway set for an older spec of the route says nothing about this one (the
    // route was just changed, or the gateway is behind): not yet reported, whatever it says.
    const stale = generation === undefined ? undefined : parent.conditions?.find((x) => x.observedGeneration !== undefined && x.observedGeneration < generation);
    if (stale) {
      return {
        status: 'Unknown',
        reason: ConditionReason.GatewayNotReporting,
        message: `gateway ${gw} has not reported on generation ${generation} of the HTTPRoute yet (its ${stale.type} is for generation ${stale.observedGeneration})`,
      };
    }
    for (const type of ['Accepted', 'ResolvedRefs']) {
      const c = parent.conditions?.find((x) => x.type === type);
      if (!c || c.status !== 'True') {
        const hint = c?.reason === UNSUPPORTED_PROTOCOL ? `; ${appProtocolHint(parent.controllerName, config)}` : '';
        return {
          status: c ? 'False' : 'Unknown',
          reason: c?.reason && /^[A-Za-z]/.test(c.reason) ? c.reason : ConditionReason.RouteNotAccepted,
          message: `gateway ${gw}: ${type}=${c?.status ?? 'missing'}${c?.message ? `: ${c.message}` : ''}${hint}`,
        };
      }
    }
  }
  return { status: 'True', reason: ConditionReason.RouteAccepted, message: `accepted by ${parents.length} gateway(s)` };
}

/** The Gateway API's reason for a backend whose (app)protocol the gateway does not support. */
const UNSUPPORTED_PROTOCOL = 'UnsupportedProtocol';

/**
 * What fixes an UnsupportedProtocol: the only protocol field Agentry sets on the agent's Service is
 * the A2A appProtocol, so the message names the operator config fields that choose it.
 */
function appProtocolHint(controllerName: string | undefined, config: OperatorConfig): string {
  const current = a2aServiceAppProtocol(config);
  const refused = current === undefined ? 'the agent Service' : `the agent Service's appProtocol ${JSON.stringify(current)}`;
  const known = GATEWAY_APP_PROTOCOLS.find((g) => g.controllerName === controllerName);
  if (known !== undefined && known.appProtocol !== current) {
    const auto = `gateway.controllerName: ${known.controllerName} with a2a.appProtocol: ${APP_PROTOCOL_AUTO}`;
    return `${known.gateway} does not accept ${refused}: set the operator config's a2a.appProtocol to ${known.appProtocol ?? APP_PROTOCOL_NONE} (or ${auto}, which picks it); see docs/gateway-api.md`;
  }
  return `the gateway does not accept ${refused}: set the operator config's a2a.appProtocol to one it accepts, or to ${APP_PROTOCOL_NONE} for no appProtocol; see docs/gateway-api.md`;
}
