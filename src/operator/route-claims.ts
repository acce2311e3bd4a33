// Which Agent claims which path on the gateway, to settle conflicts: two Agents on the same path, or
// one whose path is a prefix of another's (a gateway would send part of one agent's traffic to the
// other). The older Agent keeps the route; the later one gets none and reports PathConflict.
//
// Claims are kept up to date from Agent informer events (the whole set is known before the first
// reconcile, as the controller starts its workers only after the caches synced), so deciding is
// independent of the order in which Agents happen to be reconciled.
import { objectRefKey, type ObjectRef } from '../controller/object-key.js';

export interface RouteClaim {
  agent: ObjectRef;
  /** The path prefix, e.g. /agents/finance/expenses. */
  path: string;
  /** Empty: every hostname of the gateway. */
  hostnames: readonly string[];
  /** RFC 3339 creation time: the older claim wins. */
  createdAt: string;
}

/** One path is the other, or a segment-wise prefix of it (`/a/b` vs `/a/b/c`, not `/a/bc`). */
export function pathsOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return long.startsWith(short.endsWith('/') ? short : `${short}/`);
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
  return objectRefKey(a.agent) < objectRefKey(b.agent); // same second: a stable tie-break
}

export class RouteClaims {
  private readonly claims = new Map<string, RouteClaim>();

  /**
   * Records (or with undefined, drops) an Agent's claim; returns the other Agents whose outcome may
   * have changed (they overlapped the old or the new claim) and so need reconciling again.
   */
  set(agent: ObjectRef, claim: RouteClaim | undefined): ObjectRef[] {
    const key = objectRefKey(agent);
    const before = this.claims.get(key);
    if (claim) this.claims.set(key, claim);
    else this.claims.delete(key);
    if (sameClaim(before, claim)) return [];
    const affected = new Map<string, ObjectRef>();
    for (const [otherKey, other] of this.claims) {
      if (otherKey === key) continue;
      if ((before && this.conflict(before, other)) || (claim && this.conflict(claim, other))) affected.set(otherKey, other.agent);
    }
    return [...affected.values()];
  }

  /** The claim that beats this Agent's (the oldest overlapping one that is older), if any. */
  beatenBy(agent: ObjectRef): RouteClaim | undefined {
    const mine = this.claims.get(objectRefKey(agent));
    if (!mine) return undefined;
    let winner: RouteClaim | undefined;
    for (const other of this.claims.values()) {
      if (other === mine || !this.conflict(mine, other) || !older(other, mine)) continue;
      if (!winner || older(other, winner)) winner = other;
    }
    return winner;
  }

  get size(): number {
    return this.claims.size;
  }

  private conflict(a: RouteClaim, b: RouteClaim): boolean {
    return pathsOverlap(a.path, b.path) && hostnamesOverlap(a.hostnames, b.hostnames);
  }
}

function sameClaim(a: RouteClaim | undefined, b: RouteClaim | undefined): boolean {
  if (!a || !b) return a === b;
  return a.path === b.path && a.createdAt === b.createdAt && a.hostnames.join(',') === b.hostnames.join(',');
}
