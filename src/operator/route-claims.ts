// Which Agent holds which path on the gateway, to settle conflicts: two Agents on the same path, or
// one whose path is a prefix of another's (a gateway would send part of one agent's traffic to the
// other), and Agents against the routes the platform put on the same Gateway.
//
// The rules:
//  - a platform route (an HTTPRoute on one of the configured Gateways that no Agent owns) holds its
//    PathPrefix paths first: an Agent whose path is one of them or lies below one (it would take that
//    part of the platform's traffic) does not get its route;
//  - among Agents the older claim wins, but only a claim that holds its route blocks others: an Agent
//    that is not accepted, whose route is in conflict with an object it does not own, or that is
//    itself beaten, blocks nobody (a claim of /agents that gets no route must not take every path
//    under it from the Agents there).
//
// Claims are kept up to date from Agent and HTTPRoute informer events and from the reconciler's
// verdicts (setEligible), so deciding is independent of the order in which Agents are reconciled.
//
// Agents and RemoteAgents share the one path space: a claimant is named by kind as well (an Agent and
// a RemoteAgent may have the same name), and its kind comes back with every ref that needs requeueing
// so that each goes to its own controller.
import { objectRefKey, type ObjectRef } from '../controller/object-key.js';
import { PathTrie } from './path-trie.js';

/** The kinds that claim paths. */
export type ClaimantKind = 'Agent' | 'RemoteAgent';

/** Who claims a path: an Agent when kind is unset (the Agent controller's refs carry none). */
export interface ClaimantRef extends ObjectRef {
  kind?: ClaimantKind;
}

/** The claimant's kind, `Agent` when unset. */
export function claimantKind(ref: ClaimantRef): ClaimantKind {
  return ref.kind ?? 'Agent';
}

/** `Kind:namespace/name`: claims of an Agent and a RemoteAgent of the same name never collide. */
export function claimKey(ref: ClaimantRef): string {
  return `${claimantKind(ref)}:${objectRefKey(ref)}`;
}

export interface RouteClaim {
  agent: ClaimantRef;
  /** The path prefix, e.g. /agents/finance/expenses. */
  path: string;
  /** Empty: every hostname of the gateway. */
  hostnames: readonly string[];
  /** RFC 3339 creation time: the older claim wins. */
  createdAt: string;
}

/** A path a platform route serves on one of the configured Gateways. */
export interface PlatformClaim {
  route: ObjectRef;
  /** A PathPrefix of the route. */
  path: string;
  /** Empty: every hostname of the listener. */
  hostnames: readonly string[];
}

/** What keeps an Agent from its path. */
export type RouteBlocker = { path: string; agent: ClaimantRef; route?: undefined } | { path: string; route: ObjectRef; agent?: undefined };

/** One path is the other, or a segment-wise prefix of it (`/a/b` vs `/a/b/c`, not `/a/bc`). */
export function pathsOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return long.startsWith(short.endsWith('/') ? short : `${short}/`);
}

/** `path` is `prefix` or lies below it, segment-wise. */
export function pathWithin(path: string, prefix: string): boolean {
  if (path === prefix || prefix === '/') return true;
  return path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

function hostnamesOverlap(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  return a.some((h) => b.includes(h) || b.some((g) => wildcardMatch(h, g) || wildcardMatch(g, h)));
}

/** Gateway API wildcard hostnames: `*.example.com` matches `a.example.com` (and `a.b.example.com`). */
function wildcardMatch(pattern: string, host: string): boolean {
  return pattern.startsWith('*.') && host.endsWith(pattern.slice(1));
}

function older(a: RouteClaim, b: RouteClaim): boolean {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt;
  return claimKey(a.agent) < claimKey(b.agent); // same second: a stable tie-break
}

export class RouteClaims {
  private readonly claims = new Map<string, RouteClaim>();
  /** Agents the reconciler found cannot hold a route (not accepted, route in conflict): they block nobody. */
  private readonly ineligible = new Set<string>();
  /** The claims' keys by path: who may overlap whom, without comparing every pair. */
  private readonly byPath = new PathTrie();
  private readonly platform = new Map<string, readonly PlatformClaim[]>();
  private readonly platformByPath = new PathTrie();

  /**
   * Records (or with undefined, drops) an Agent's claim; returns the other Agents whose outcome may
   * have changed (they overlapped the old or the new claim, directly or through claims whose
   * outcome changes with it) and so need reconciling again.
   */
  set(agent: ClaimantRef, claim: RouteClaim | undefined): ClaimantRef[] {
    const key = claimKey(agent);
    const before = this.claims.get(key);
    if (sameClaim(before, claim)) return [];
    if (before) this.byPath.remove(before.path, key);
    if (claim) {
      this.claims.set(key, claim);
      this.byPath.add(claim.path, key);
    } else {
      this.claims.delete(key);
      this.ineligible.delete(key);
    }
    return this.affected([before, claim], key);
  }

  /** Whether the Agent can hold its route at all (the reconciler's verdict); returns the Agents whose outcome may change. */
  setEligible(agent: ClaimantRef, eligible: boolean): ClaimantRef[] {
    const key = claimKey(agent);
    if (eligible !== this.ineligible.has(key)) return [];
    if (eligible) this.ineligible.delete(key);
    else this.ineligible.add(key);
    const claim = this.claims.get(key);
    return claim ? this.affected([claim], key) : [];
  }

  /** Records (or with undefined or none, drops) the paths a platform route serves; returns the Agents they concern. */
  setPlatformRoute(route: ObjectRef, claims: readonly PlatformClaim[] | undefined): ClaimantRef[] {
    const key = objectRefKey(route);
    const before = this.platform.get(key) ?? [];
    const after = claims ?? [];
    if (JSON.stringify(before) === JSON.stringify(after)) return [];
    for (const c of before) this.platformByPath.remove(c.path, key);
    if (after.length > 0) this.platform.set(key, after);
    else this.platform.delete(key);
    for (const c of after) this.platformByPath.add(c.path, key);
    const touched = new Map<string, RouteClaim>();
    for (const c of [...before, ...after]) {
      for (const k of this.byPath.candidates(c.path)) {
        const claim = this.claims.get(k);
        if (claim && pathWithin(claim.path, c.path) && hostnamesOverlap(claim.hostnames, c.hostnames)) touched.set(k, claim);
      }
    }
    return this.affected([...touched.values()], undefined, true);
  }

  /** What keeps this Agent from its path: a platform route, or the oldest older claim that holds its route. */
  beatenBy(agent: ClaimantRef): RouteBlocker | undefined {
    const key = claimKey(agent);
    const mine = this.claims.get(key);
    if (!mine) return undefined;
    const platform = this.platformBlocker(mine);
    if (platform) return { path: platform.path, route: platform.route };
    const holds = new Map<string, boolean>();
    let winner: RouteClaim | undefined;
    for (const [otherKey, other] of this.overlapping(mine, key)) {
      if (!older(other, mine) || !this.holds(otherKey, other, holds)) continue;
      if (!winner || older(other, winner)) winner = other;
    }
    return winner ? { path: winner.path, agent: winner.agent } : undefined;
  }

  get size(): number {
    return this.claims.size;
  }

  /** Whether a claim holds its route: eligible, not under a platform route, and no older overlapping claim holds. */
  private holds(key: string, claim: RouteClaim, memo: Map<string, boolean>): boolean {
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result = !this.ineligible.has(key) && this.platformBlocker(claim) === undefined;
    if (result) {
      for (const [otherKey, other] of this.overlapping(claim, key)) {
        if (older(other, claim) && this.holds(otherKey, other, memo)) {
          result = false;
          break;
        }
      }
    }
    memo.set(key, result);
    return result;
  }

  private platformBlocker(claim: RouteClaim): PlatformClaim | undefined {
    for (const key of this.platformByPath.candidates(claim.path)) {
      for (const p of this.platform.get(key) ?? []) {
        if (pathWithin(claim.path, p.path) && hostnamesOverlap(claim.hostnames, p.hostnames)) return p;
      }
    }
    return undefined;
  }

  /** The claims reachable from `from` through overlaps (a holder's change moves the outcome of the chain below it). */
  private affected(from: (RouteClaim | undefined)[], ownKey: string | undefined, includeFrom = false): ClaimantRef[] {
    const seen = new Map<string, RouteClaim>();
    const queue: [string, RouteClaim][] = [];
    for (const c of from) {
      if (!c) continue;
      const k = claimKey(c.agent);
      if (includeFrom && k !== ownKey && !seen.has(k)) {
        seen.set(k, c);
        queue.push([k, c]);
      }
      for (const [otherKey, other] of this.overlapping(c, k)) {
        if (otherKey !== ownKey && !seen.has(otherKey)) {
          seen.set(otherKey, other);
          queue.push([otherKey, other]);
        }
      }
    }
    for (let next = queue.shift(); next; next = queue.shift()) {
      for (const [otherKey, other] of this.overlapping(next[1], next[0])) {
        if (otherKey !== ownKey && !seen.has(otherKey)) {
          seen.set(otherKey, other);
          queue.push([otherKey, other]);
        }
      }
    }
    return [...seen.values()].map((c) => c.agent);
  }

  /** Other Agents' claims that conflict with `claim` (the path index narrows, the rule decides). */
  private overlapping(claim: RouteClaim, ownKey: string): [string, RouteClaim][] {
    const found: [string, RouteClaim][] = [];
    for (const key of this.byPath.candidates(claim.path)) {
      const other = this.claims.get(key);
      if (key !== ownKey && other && pathsOverlap(claim.path, other.path) && hostnamesOverlap(claim.hostnames, other.hostnames)) found.push([key, other]);
    }
    return found;
  }
}

function sameClaim(a: RouteClaim | undefined, b: RouteClaim | undefined): boolean {
  if (!a || !b) return a === b;
  return a.path === b.path && a.createdAt === b.createdAt && a.hostnames.join(',') === b.hostnames.join(',');
}
