// The path an agent is routed under on the gateway. Paths are a shared namespace across every Agent
// on a gateway, so an Agent author may choose one only within what the operator's configuration
// allows. (Whether another Agent already claims the same path is the reconciler's concern: render
// sees one Agent.)
import { pathPrefixSchema } from '../api/agent-exposure.js';
import type { OperatorConfig } from '../config/operator-config.js';
import { expandPathTemplate } from '../config/path-template.js';
import type { PathTemplateValues } from '../config/path-template.js';

export type GatewayConfig = OperatorConfig['gateway'];

export type RoutePathResult = { ok: true; path: string } | { ok: false; message: string };

/** The agent's path: the configuration's template, or the Agent's own pathPrefix where allowed. */
export function resolveRoutePath(
  agent: PathTemplateValues,
  requestedPrefix: string | undefined,
  gateway: Pick<GatewayConfig, 'pathTemplate' | 'allowCustomPathPrefix' | 'allowedPathPrefixes'>,
): RoutePathResult {
  const defaultPath = expandPathTemplate(gateway.pathTemplate, agent);
  if (requestedPrefix === undefined) return { ok: true, path: defaultPath };

  const field = 'spec.exposure.gateway.pathPrefix';
  if (!gateway.allowCustomPathPrefix) {
    return {
      ok: false,
      message: `${field} ${JSON.stringify(requestedPrefix)} is not allowed: the operator configuration does not allow custom path prefixes (gateway.allowCustomPathPrefix); remove it to be routed under ${defaultPath}`,
    };
  }
  if (/^\/*$/.test(requestedPrefix)) {
    return { ok: false, message: `${field} must not be '/': it would claim every path of the gateway` };
  }
  // The schema checks this too; render checks again because it must never emit a route the Gateway
  // API would reject, whatever its input went through.
  const syntax = pathPrefixSchema.safeParse(requestedPrefix);
  if (!syntax.success) {
    return { ok: false, message: `${field} ${JSON.stringify(requestedPrefix)} is not a valid path prefix: ${syntax.error.issues.map((i) => i.message).join('; ')}` };
  }
  if (gateway.allowedPathPrefixes !== undefined) {
    const allowed = gateway.allowedPathPrefixes.map((template) => expandPathTemplate(template, agent));
    if (!allowed.some((prefix) => isWithinPrefix(requestedPrefix, prefix))) {
      return {
        ok: false,
        message: `${field} ${JSON.stringify(requestedPrefix)} is not within the path prefixes the operator configuration allows for this agent: ${allowed.map((p) => JSON.stringify(p)).join(', ')}`,
      };
    }
  }
  return { ok: true, path: requestedPrefix };
}

/**
 * Whether `path` lies within `allowed`, segment by segment ('/team-a' does not contain '/team-ab').
 * An allowed prefix ending in '/' (such as '/agents/finance/') grants only paths strictly below it,
 * so no single agent can claim the whole area; one without (such as '/team-a') also grants itself.
 */
export function isWithinPrefix(path: string, allowed: string): boolean {
  if (allowed.endsWith('/')) return path.startsWith(allowed) && path.length > allowed.length;
  return path === allowed || path.startsWith(`${allowed}/`);
}
