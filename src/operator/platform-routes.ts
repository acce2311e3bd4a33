// HTTPRoutes that the platform, not Agentry, put on the Gateways Agents are routed through: the paths
// they serve count as claims that no Agent may take part of (route-claims.ts). Only routes the
// operator can see count: those in the watched namespaces and the routes namespace.
//
// Cached cut down to what a claim needs (parentRefs, hostnames, PathPrefix values), whatever else a
// route holds; a route is the platform's when no Agent or RemoteAgent owns it (no controller
// ownerReference to one, no owner-uid annotation).
import { AGENT_RESOURCE, API_GROUP, OWNER_UID_ANNOTATION, REMOTE_AGENT_RESOURCE } from '../api/group-version.js';
import type { OperatorConfig } from '../config/operator-config.js';
import { isRecord, type KubeObject } from '../kube/kube-object.js';
import type { PlatformClaim } from './route-claims.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

interface ParentRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  sectionName?: string;
  port?: number;
}

interface RouteClaimSpec {
  parentRefs: ParentRef[];
  hostnames: string[];
  /** The PathPrefix values of its rules (a rule without matches serves '/'). */
  prefixes: string[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The cache transform: identity, and what of the spec makes a claim (bounded however large the route). */
export function platformRouteProjection(obj: KubeObject): KubeObject {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const parentRefs = list(spec.parentRefs)
    .slice(0, 32)
    .flatMap((p): ParentRef[] => {
      if (!isRecord(p) || typeof p.name !== 'string') return [];
      const port = typeof p.port === 'number' ? p.port : undefined;
      return [{ name: p.name, ...(str(p.group) !== undefined && { group: str(p.group) }), ...(str(p.kind) !== undefined && { kind: str(p.kind) }), ...(str(p.namespace) !== undefined && { namespace: str(p.namespace) }), ...(str(p.sectionName) !== undefined && { sectionName: str(p.sectionName) }), ...(port !== undefined && { port }) }];
    });
  const prefixes = new Set<string>();
  for (const rule of list(spec.rules).slice(0, 64)) {
    const matches = isRecord(rule) ? list(rule.matches) : [];
    if (matches.length === 0) prefixes.add('/');
    for (const match of matches.slice(0, 64)) {
      const path = isRecord(match) && isRecord(match.path) ? match.path : {};
      if ((str(path.type) ?? 'PathPrefix') === 'PathPrefix') prefixes.add(str(path.value) ?? '/');
    }
  }
  const claim: RouteClaimSpec = { parentRefs, hostnames: list(spec.hostnames).filter((h): h is string => typeof h === 'string').slice(0, 16), prefixes: [...prefixes].slice(0, 64) };
  const { name, namespace, uid, resourceVersion, ownerReferences, annotations } = obj.metadata;
  const controller = (ownerReferences ?? []).find((r) => r.controller === true);
  const owner = annotations?.[OWNER_UID_ANNOTATION];
  return JSON.parse(
    JSON.stringify({
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata: { name, namespace, uid, resourceVersion, ...(controller && { ownerReferences: [controller] }), ...(owner !== undefined && { annotations: { [OWNER_UID_ANNOTATION]: owner } }) },
      spec: claim,
    }),
  ) as KubeObject;
}

/** The kinds whose routes claim paths as Agentry's own (route-claims.ts), not as the platform's. */
const CLAIMANT_KINDS: ReadonlySet<string> = new Set([AGENT_RESOURCE.kind, REMOTE_AGENT_RESOURCE.kind]);

function ownedByAnAgent(route: KubeObject): boolean {
  if (route.metadata.annotations?.[OWNER_UID_ANNOTATION] !== undefined) return true;
  return (route.metadata.ownerReferences ?? []).some((r) => r.controller === true && CLAIMANT_KINDS.has(r.kind) && r.apiVersion.startsWith(`${API_GROUP}/`));
}

/** The paths a cached route claims on the configured Gateways: none for an Agent's route or one on other Gateways or listeners. */
export function platformClaimsOf(route: KubeObject, gateway: OperatorConfig['gateway']): PlatformClaim[] {
  if (ownedByAnAgent(route)) return [];
  const spec = route.spec as Partial<RouteClaimSpec> | undefined;
  const refs = spec?.parentRefs ?? [];
  const attached = refs.some((r) =>
    gateway.parentRefs.some(
      (g) =>
        (r.group ?? GATEWAY_GROUP) === GATEWAY_GROUP &&
        (r.kind ?? 'Gateway') === 'Gateway' &&
        r.name === g.name &&
        (r.namespace ?? route.metadata.namespace) === g.namespace &&
        // Different listeners (or ports) of one Gateway do not share paths.
        (r.sectionName === undefined || g.sectionName === undefined || r.sectionName === g.sectionName) &&
        (r.port === undefined || g.port === undefined || r.port === g.port),
    ),
  );
  if (!attached) return [];
  const ref = { namespace: route.metadata.namespace, name: route.metadata.name };
  return (spec?.prefixes ?? []).map((path) => ({ route: ref, path, hostnames: spec?.hostnames ?? [] }));
}
