// Which Agent claims which path on the gateway, to settle conflicts: two Agents on the same path, or
// one whose path is a prefix of another's (a gateway would send part of one agent's traffic to the
// other). The older Agent keeps the route; the later one gets none and reports PathConflict.
//
// Claims are kept up to date from Agent informer events (the whole set is known before the first
// reconcile, as the controller starts its workers only after the caches synced), so deciding is
// independent of the order in which Agents happen to be reconciled.
import { objectRefKey, type ObjectRef } from '../controller/object-key.js';
import { PathTrie } from './path-trie.js';

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
  /** The claims' keys by path: who may overlap whom, without comparing every pair. */
  private readonly byPath = new PathTrie();

  /**
   * Records (or with undefined, drops) an Agent's claim; returns the other Agents whose outcome may
   * have changed (they overlapped the old or the new claim) and so need reconciling again.
   */
  set(agent: ObjectRef, claim: RouteClaim | undefined): ObjectRef[] {
    const key = objectRefKey(agent);
    const before = this.claims.get(key);
    if (before) this.byPath.remove(before.path, key);
    if (claim) {
      this.claims.set(key, claim);
      this.byPath.add(claim.path, key);
    } else {
      this.claims.delete(key);
    }
    if (sameClaim(before, claim)) return [];
    const affected = new Map<string, ObjectRef>();
    for (const changed of [before, claim]) {
      if (!changed) continue;
      for (const other of this.overlapping(changed, key)) affected.set(objectRefKey(other.agent), other.agent);
    }
    return [...affected.values()];
  }

  /** The claim that beats this Agent's (the oldest overlapping one that is older), if any. */
  beatenBy(agent: ObjectRef): RouteClaim | undefined {
    const key = objectRefKey(agent);
    const mine = this.claims.get(key);
    if (!mine) return undefined;
    let winner: RouteClaim | undefined;
    for (const other of this.overlapping(mine, key)) {
      if (!older(other, mine)) continue;
      if (!winner || older(other, winner)) winner = other;
    }
    return winner;
  }

  get size(): number {
    return this.claims.size;
  }

  /** Other Agents' claims that conflict with `claim` (the path index narrows, conflict() decides). */
  private overlapping(claim: RouteClaim, ownKey: string): RouteClaim[] {
    const found: RouteClaim[] = [];
    for (const key of this.byPath.candidates(claim.path)) {
      const other = this.claims.get(key);
      if (key !== ownKey && other && this.conflict(claim, other)) found.push(other);
    }
    return found;
  }

  private conflict(a: RouteClaim, b: RouteClaim): boolean {
    return pathsOverlap(a.path, b.path) && hostnamesOverlap(a.hostnames, b.hostnames);
  }
}

function sameClaim(a: RouteClaim | undefined, b: RouteClaim | undefined): boolean {
  if (!a || !b) return a === b;
  return a.path === b.path && a.createdAt === b.createdAt && a.hostnames.join(',') === b.hostnames.join(',');
}
