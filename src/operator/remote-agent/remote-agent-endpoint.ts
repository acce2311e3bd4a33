// Where a RemoteAgent's A2A endpoint is, and where its card is read from, decided before anything is
// fetched: a Service of its own namespace (connected to at its ClusterIP, with the Service's DNS name
// as Host), or spec.url, only over https unless the operator allows http, and only on a host the
// operator configuration allows (remoteAgents.allowedHosts): the operator's network position must
// not become a tenant's proxy. What the host resolves to is checked again when the card is fetched.
import { DEFAULT_REMOTE_AGENT_PATH, RemoteAgentReason, type RemoteAgentSpec } from '../../api/remote-agent.js';
import type { OperatorConfig } from '../../config/operator-config.js';
import type { ObjectLookup } from '../informer-set.js';
import { cardUrlOf } from './card-fetcher.js';
import type { HostPolicy } from './host-policy.js';

export interface RemoteEndpoint {
  /** The A2A endpoint, as status.url publishes it. */
  url: string;
  /** `<endpoint with a trailing slash>.well-known/agent-card.json` (cardUrlOf). */
  cardUrl: URL;
  /** The Service's ClusterIP and port: connected to instead of resolving the URL's host. */
  connectTo?: { host: string; port: number };
  /** For spec.url: the allowlist the resolved address is checked against too. */
  hostPolicy?: HostPolicy;
  allowHttp: boolean;
}

export type EndpointResolution = { ok: true; endpoint: RemoteEndpoint } | { ok: false; reason: string; message: string };

/** What the operator's Service cache holds of a Service (toolServiceProjection). */
interface ServiceView {
  spec?: { type?: string; clusterIP?: string; externalName?: string; ports?: { port: number }[] };
}

export function resolveRemoteEndpoint(
  ra: { name: string; namespace: string },
  spec: RemoteAgentSpec,
  services: ObjectLookup,
  config: OperatorConfig['remoteAgents'],
  hostPolicy: HostPolicy,
): EndpointResolution {
  if (spec.service !== undefined) {
    const { name, port } = spec.service;
    const service = services.get(ra.namespace, name) as (ServiceView & { metadata: unknown }) | undefined;
    if (!service) return { ok: false, reason: RemoteAgentReason.ServiceNotFound, message: `spec.service.name: no Service ${JSON.stringify(name)} in namespace ${ra.namespace}` };
    const spec_ = service.spec ?? {};
    // An ExternalName Service points wherever its author says: reading the card through it would
    // bypass remoteAgents.allowedHosts. Such an endpoint is a spec.url.
    if (spec_.type === 'ExternalName') {
      return {
        ok: false,
        reason: RemoteAgentReason.ServiceNotFound,
        message: `spec.service.name: the Service ${JSON.stringify(name)} is an ExternalName Service (to ${JSON.stringify(spec_.externalName ?? '')}); name the endpoint in spec.url instead, where remoteAgents.allowedHosts applies`,
      };
    }
    const ports = spec_.ports ?? [];
    if (!ports.some((p) => p.port === port)) {
      const has = ports.length > 0 ? `its ports: ${ports.map((p) => p.port).join(', ')}` : 'it has none';
      return { ok: false, reason: RemoteAgentReason.ServicePortNotFound, message: `spec.service.port: the Service ${JSON.stringify(name)} has no port ${port} (${has})` };
    }
    const path = spec.service.path ?? DEFAULT_REMOTE_AGENT_PATH;
    const url = `http://${name}.${ra.namespace}.svc:${port}${path}`;
    const clusterIP = spec_.clusterIP;
    // A headless Service has no ClusterIP: its DNS name resolves to its pods.
    const connectTo = clusterIP !== undefined && clusterIP !== '' && clusterIP !== 'None' ? { host: clusterIP, port } : undefined;
    return { ok: true, endpoint: { url, cardUrl: cardUrlOf(new URL(url)), ...(connectTo && { connectTo }), allowHttp: true } };
  }

  const text = spec.url ?? '';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'InvalidSpec', message: `spec.url: ${JSON.stringify(text)} is not a URL` };
  }
  if (url.protocol === 'http:' && !config.allowHttp) {
    return { ok: false, reason: RemoteAgentReason.InsecureScheme, message: 'spec.url: http is not allowed by the operator configuration (remoteAgents.allowHttp); use https' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: RemoteAgentReason.InsecureScheme, message: `spec.url: the scheme ${JSON.stringify(url.protocol.slice(0, -1))} is not http or https` };
  }
  const refusal = hostPolicy.refusal(url.hostname);
  if (refusal !== undefined) return { ok: false, reason: RemoteAgentReason.HostNotAllowed, message: `spec.url: ${refusal}` };
  return { ok: true, endpoint: { url: text, cardUrl: cardUrlOf(url), hostPolicy, allowHttp: config.allowHttp } };
}
