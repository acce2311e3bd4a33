// The NetworkPolicy around the agent pods: default-deny in both directions (both policyTypes are
// listed explicitly, so an empty rule list means "nothing" rather than "not restricted"), then
// ingress to the agent port only from the gateway, the sources the configuration lets the Agent add
// and the Agents that call it as a tool, and egress only to DNS, the configured model endpoints, the
// Agent's own additions, the pods of its in-cluster tools and (to call peer agents) the gateway.
import { cidrWithin } from '../api/cidr.js';
import { childMetadata } from './child-metadata.js';
import type { NetworkPolicyEgressRule, NetworkPolicyObject, NetworkPolicyPeer, NetworkPolicyPort } from './child-objects.js';
import { selectorLabels } from './labels.js';
import type { RenderContext } from './render-context.js';
import { ConditionReason } from '../api/condition.js';
import { RenderRejection } from './render-result.js';
import { sortedRecord } from './sorted-keys.js';

/** Set by Kubernetes on every namespace: the one namespace label that cannot be forged by its users. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

const DNS_PORT = 53;

type Peer = NetworkPolicyPeer;
type Port = NetworkPolicyPort;

export function networkPolicyEnabled(ctx: RenderContext): boolean {
  const requested = ctx.agent.spec.exposure?.networkPolicy?.enabled;
  if (requested === false && ctx.config.networkPolicy.enabled && !ctx.config.networkPolicy.allowOptOut) {
    throw new RenderRejection(
      ConditionReason.InvalidExposure,
      'spec.exposure.networkPolicy.enabled: the operator configuration does not let an Agent turn its NetworkPolicy off (networkPolicy.allowOptOut: false)',
    );
  }
  return requested ?? ctx.config.networkPolicy.enabled;
}

export function networkPolicy(ctx: RenderContext): NetworkPolicyObject {
  // The Agents that call this one as a tool: without them its gateway-only ingress would drop the
  // calls their egress lets out.
  const callerPeers = ctx.callers.map((caller) => namespacePeer(caller.namespace, selectorLabels(caller.name)));
  const ingressPeers = [...gatewayPeers(ctx), ...agentIngressPeers(ctx), ...callerPeers];
  const egress = egressRules(ctx);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMetadata(ctx),
    spec: {
      podSelector: { matchLabels: selectorLabels(ctx.name) },
      policyTypes: ['Ingress', 'Egress'],
      // A rule without peers would admit everyone: with no allowed source there is no rule at all,
      // which (with policyType Ingress) denies all ingress.
      ...(ingressPeers.length > 0 && { ingress: [{ from: ingressPeers, ports: [{ protocol: 'TCP', port: ctx.containerPort }] }] }),
      ...(egress.length > 0 && { egress }),
    },
  };
}

/**
 * The namespaces of the gateway's pods: the configured one, or else those of the gateways the routes
 * attach to (which is where the pods of most in-cluster gateways run).
 */
function gatewayNamespaces(ctx: RenderContext): string[] {
  const configured = ctx.config.networkPolicy.gatewayNamespace;
  if (configured !== undefined) return [configured];
  return [...new Set(ctx.config.gateway.parentRefs.map((ref) => ref.namespace))].sort();
}

function gatewayPeers(ctx: RenderContext): Peer[] {
  return gatewayNamespaces(ctx).map((namespace) => namespacePeer(namespace, ctx.config.networkPolicy.gatewayPodLabels));
}

/**
 * The Agent's own ingress sources, within what the configuration allows. A source that is not allowed
 * fails the render (InvalidExposure) rather than being dropped: silently ignoring it would leave the
 * author debugging blocked traffic.
 */
function agentIngressPeers(ctx: RenderContext): Peer[] {
  const sources = ctx.agent.spec.exposure?.networkPolicy?.ingressFrom ?? [];
  const policy = ctx.config.networkPolicy.allowedIngressNamespaces;
  sources.forEach((source, index) => {
    const field = `spec.exposure.networkPolicy.ingressFrom[${index}]`;
    if (policy === 'None') {
      throw new RenderRejection(
        ConditionReason.InvalidExposure,
        `${field}: the operator configuration allows no extra ingress sources (networkPolicy.allowedIngressNamespaces: None)`,
      );
    }
    if (policy === 'Same' && source.namespace !== ctx.namespace) {
      throw new RenderRejection(
        ConditionReason.InvalidExposure,
        `${field}.namespace: ${JSON.stringify(source.namespace)} is not allowed: the operator configuration allows only the agent's own namespace ${JSON.stringify(ctx.namespace)} (networkPolicy.allowedIngressNamespaces: Same)`,
      );
    }
  });
  return sources.map((source) => namespacePeer(source.namespace, source.podLabels));
}

function egressRules(ctx: RenderContext): NetworkPolicyEgressRule[] {
  const { dns, modelEndpoints, peerAgentsViaGateway } = ctx.config.networkPolicy.egress;
  const rules: NetworkPolicyEgressRule[] = [
    {
      to: [namespacePeer(dns.namespace, dns.podLabels)],
      ports: [
        { protocol: 'UDP', port: DNS_PORT },
        { protocol: 'TCP', port: DNS_PORT },
      ],
    },
  ];
  for (const endpoint of modelEndpoints) rules.push(ipBlockRule(endpoint.cidr, endpoint.ports));
  // An Agent's own egress only within the networks the configuration allows (refused otherwise: a
  // tenant must not be able to open, say, 0.0.0.0/0 for its pods on its own).
  const allowed = ctx.config.networkPolicy.allowedEgressCidrs;
  (ctx.agent.spec.exposure?.networkPolicy?.egressTo ?? []).forEach((destination, index) => {
    if (!allowed.some((outer) => cidrWithin(destination.cidr, outer))) {
      throw new RenderRejection(
        ConditionReason.InvalidExposure,
        `spec.exposure.networkPolicy.egressTo[${index}].cidr: ${destination.cidr} is not within the networks the operator configuration allows (networkPolicy.allowedEgressCidrs: ${allowed.length ? allowed.join(', ') : 'none'})`,
      );
    }
  });
  for (const destination of ctx.agent.spec.exposure?.networkPolicy?.egressTo ?? []) {
    rules.push(ipBlockRule(destination.cidr, (destination.ports ?? []).map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' }))));
  }
  // Each in-cluster tool: its pods on the one port it serves (a Service's targetPort: policies
  // match pod ports, after the Service has translated its own). URL tools open nothing here.
  for (const destination of ctx.tools.destinations) {
    rules.push({ to: [namespacePeer(destination.namespace, destination.podLabels)], ports: [{ protocol: destination.protocol, port: destination.port }] });
  }
  if (peerAgentsViaGateway) {
    // The configuration does not know the gateway's ports: all ports of the gateway pods.
    const peers = gatewayPeers(ctx);
    if (peers.length > 0) rules.push({ to: peers });
  }
  return rules;
}

/** No ports: every port (NetworkPolicy semantics), so an empty list is not written. */
function ipBlockRule(cidr: string, ports: readonly Port[]): NetworkPolicyEgressRule {
  return {
    to: [{ ipBlock: { cidr } }],
    ...(ports.length > 0 && { ports: ports.map((p) => ({ protocol: p.protocol, port: p.port })) }),
  };
}

/** Pods of one namespace, all of them or those with `podLabels` (ANDed: one peer, both selectors). */
function namespacePeer(namespace: string, podLabels: Readonly<Record<string, string>> | undefined): Peer {
  return {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
    ...(podLabels !== undefined && Object.keys(podLabels).length > 0 && { podSelector: { matchLabels: sortedRecord(podLabels) } }),
  };
}
