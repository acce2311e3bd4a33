// Which appProtocol an A2A agent's Service carries, per gateway implementation. The Gateway API
// requires an implementation to refuse a backend whose appProtocol it does not know
// (ResolvedRefs=False, UnsupportedProtocol; the request then gets a 500), so the A2A value that
// turns on agentgateway's and kgateway's A2A handling breaks routing through Traefik, and is
// meaningless elsewhere. `a2a.appProtocol: auto` (the default) picks the value from
// `gateway.controllerName`, the GatewayClass controller the operator is configured for.
import type { OperatorConfig } from './operator-config.js';

/** The A2A appProtocol agentgateway and kgateway act on (newer agentgateway also accepts agentgateway.dev/a2a). */
export const KGATEWAY_A2A_APP_PROTOCOL = 'kgateway.dev/a2a';
/** `a2a.appProtocol` keyword: derive the value from gateway.controllerName. */
export const APP_PROTOCOL_AUTO = 'auto';
/** `a2a.appProtocol` keyword: write no appProtocol (the port's name, `http`, says what it speaks). */
export const APP_PROTOCOL_NONE = 'none';

export interface GatewayAppProtocol {
  gateway: string;
  controllerName: string;
  /** What `auto` writes for it; undefined: no appProtocol. */
  appProtocol: string | undefined;
  why: string;
}

/** The table docs/gateway-api.md shows; a unit test keeps the two equal. */
export const GATEWAY_APP_PROTOCOLS: readonly GatewayAppProtocol[] = [
  { gateway: 'agentgateway', controllerName: 'agentgateway.dev/agentgateway', appProtocol: KGATEWAY_A2A_APP_PROTOCOL, why: 'turns on A2A handling (agent-card URL rewriting, A2A telemetry); newer releases also accept agentgateway.dev/a2a' },
  { gateway: 'agentgateway (kgateway 2.x)', controllerName: 'kgateway.dev/agentgateway', appProtocol: KGATEWAY_A2A_APP_PROTOCOL, why: 'turns on A2A handling' },
  { gateway: 'kgateway', controllerName: 'kgateway.dev/kgateway', appProtocol: KGATEWAY_A2A_APP_PROTOCOL, why: 'turns on A2A handling' },
  { gateway: 'Traefik', controllerName: 'traefik.io/gateway-controller', appProtocol: undefined, why: 'knows only http, https, kubernetes.io/h2c, ws and wss: any other value is ResolvedRefs=False/UnsupportedProtocol and a 500 (measured with v3.6)' },
  { gateway: 'Envoy Gateway', controllerName: 'gateway.envoyproxy.io/gatewayclass-controller', appProtocol: undefined, why: 'acts on kubernetes.io/h2c (and grpc); treats other values as HTTP/1.1, so the A2A value would only be noise' },
  { gateway: 'Istio', controllerName: 'istio.io/gateway-controller', appProtocol: undefined, why: "an appProtocol replaces the port name as the protocol declaration: an unknown value leaves the port to protocol sniffing instead of the port name's http" },
];

/**
 * The appProtocol of an A2A agent's Service port under `config`; undefined: none. An explicit
 * value wins; `auto` looks gateway.controllerName up in the table, and falls back to
 * kgateway.dev/a2a (the default since the first release) when it is unset or not in the table.
 */
export function a2aServiceAppProtocol(config: Pick<OperatorConfig, 'a2a' | 'gateway'>): string | undefined {
  const configured = config.a2a.appProtocol;
  if (configured === APP_PROTOCOL_NONE) return undefined;
  if (configured !== APP_PROTOCOL_AUTO) return configured;
  const known = GATEWAY_APP_PROTOCOLS.find((g) => g.controllerName === config.gateway.controllerName);
  return known === undefined ? KGATEWAY_A2A_APP_PROTOCOL : known.appProtocol;
}
