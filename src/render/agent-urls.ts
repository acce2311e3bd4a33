// Where an agent is reached: inside the cluster through its Service, and outside through the gateway.
import { AGENT_SERVICE_PORT } from './runtime-contract.js';

export function inClusterUrl(name: string, namespace: string): string {
  return `http://${name}.${namespace}.svc:${AGENT_SERVICE_PORT}/`;
}

/**
 * The public base URL plus the route's path. The trailing '/' matters: the route rewrites the path
 * prefix to '/', so `{path}/` is the agent's root, where its A2A endpoint is.
 */
export function publicUrl(publicBaseUrl: string, routePath: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${routePath}/`;
}
