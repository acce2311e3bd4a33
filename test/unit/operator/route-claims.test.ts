import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { pathsOverlap, RouteClaims, type RouteClaim } from '../../../src/operator/route-claims.js';

const claim = (name: string, path: string, createdAt: string, hostnames: string[] = []): RouteClaim => ({ agent: { namespace: 'ns', name }, path, hostnames, createdAt });

describe('pathsOverlap', () => {
  it.each([
    ['/agents/ns/a', '/agents/ns/a', true],
    ['/agents/ns/a', '/agents/ns/a/sub', true],
    ['/agents/ns/a/sub', '/agents/ns/a', true],
    ['/agents/ns/a', '/agents/ns/ab', false],
    ['/agents/ns/a', '/agents/ns/b', false],
  ])('%s vs %s → %s', (a, b, overlap) => expect(pathsOverlap(a, b)).toBe(overlap));
});

describe('RouteClaims', () => {
  it('gives the path to the older claim, whatever the order claims arrive in', () => {
    for (const order of [0, 1]) {
      const claims = new RouteClaims();
      const older = claim('first', '/agents/ns/first', '2026-01-01T00:00:00Z');
      const newer = claim('second', '/agents/ns/first/sub', '2026-01-02T00:00:00Z');
      for (const c of order ? [newer, older] : [older, newer]) claims.set(c.agent, c);
      expect(claims.beatenBy(newer.agent)).toEqual({ path: older.path, agent: older.agent });
      expect(claims.beatenBy(older.agent)).toBeUndefined();
    }
  });

  it('keeps an Agent and a RemoteAgent of the same name apart, and hands each back with its kind', () => {
    const claims = new RouteClaims();
    const remote = { kind: 'RemoteAgent' as const, namespace: 'ns', name: 'echo' };
    claims.set(remote, { agent: remote, path: '/agents/ns/echo', hostnames: [], createdAt: '2026-01-01T00:00:00Z' });
    // The Agent's claim does not replace the RemoteAgent's (the keys are kind-qualified): it loses to it.
    const affected = claims.set({ namespace: 'ns', name: 'echo' }, claim('echo', '/agents/ns/echo', '2026-01-02T00:00:00Z'));
    expect(affected).toEqual([remote]);
    expect(claims.size).toBe(2);
    expect(claims.beatenBy({ namespace: 'ns', name: 'echo' })).toEqual({ path: '/agents/ns/echo', agent: remote });
    expect(claims.beatenBy(remote)).toBeUndefined();
    // A RemoteAgent that cannot hold its route blocks nobody: the Agent is requeued and wins.
    expect(claims.setEligible(remote, false)).toEqual([{ namespace: 'ns', name: 'echo' }]);
    expect(claims.beatenBy({ namespace: 'ns', name: 'echo' })).toBeUndefined();
  });

  it('breaks a same-second tie by name, so both sides agree', () => {
    const claims = new RouteClaims();
    claims.set({ namespace: 'ns', name: 'b' }, claim('b', '/p', '2026-01-01T00:00:00Z'));
    claims.set({ namespace: 'ns', name: 'a' }, claim('a', '/p', '2026-01-01T00:00:00Z'));
    expect(claims.beatenBy({ namespace: 'ns', name: 'b' })?.agent?.name).toBe('a');
    expect(claims.beatenBy({ namespace: 'ns', name: 'a' })).toBeUndefined();
  });

  it('sees no conflict between disjoint hostnames, and one with a wildcard', () => {
    const claims = new RouteClaims();
    claims.set({ namespace: 'ns', name: 'a' }, claim('a', '/p', '2026-01-01T00:00:00Z', ['a.example.com']));
    claims.set({ namespace: 'ns', name: 'b' }, claim('b', '/p', '2026-01-02T00:00:00Z', ['b.example.com']));
    expect(claims.beatenBy({ namespace: 'ns', name: 'b' })).toBeUndefined();
    claims.set({ namespace: 'ns', name: 'c' }, claim('c', '/p', '2026-01-03T00:00:00Z', ['*.example.com']));
    expect(claims.beatenBy({ namespace: 'ns', name: 'c' })?.agent?.name).toBe('a');
  });

  it('names the Agents to reconcile again when a claim appears, moves or goes', () => {
    const claims = new RouteClaims();
    expect(claims.set({ namespace: 'ns', name: 'a' }, claim('a', '/p', '2026-01-01T00:00:00Z'))).toEqual([]);
    expect(claims.set({ namespace: 'ns', name: 'b' }, claim('b', '/p/x', '2026-01-02T00:00:00Z'))).toEqual([{ namespace: 'ns', name: 'a' }]);
    // An unchanged claim (a status update, a resync) wakes nobody.
    expect(claims.set({ namespace: 'ns', name: 'b' }, claim('b', '/p/x', '2026-01-02T00:00:00Z'))).toEqual([]);
    expect(claims.set({ namespace: 'ns', name: 'a' }, undefined)).toEqual([{ namespace: 'ns', name: 'b' }]);
    expect(claims.beatenBy({ namespace: 'ns', name: 'b' })).toBeUndefined();
  });
});

describe('RouteClaims: only a claim that holds its route blocks others', () => {
  it('does not let a squatter that gets no route take the paths under it', () => {
    const claims = new RouteClaims();
    const holder = claim('holder', '/agents', '2026-01-01T00:00:00Z');
    const squatter = claim('squatter', '/agents', '2026-01-02T00:00:00Z');
    const newer = claim('newer', '/agents/ns/newer', '2026-01-03T00:00:00Z');
    for (const c of [holder, squatter, newer]) claims.set(c.agent, c);
    // holder holds /agents: both others are beaten by it, not by the squatter.
    expect(claims.beatenBy(newer.agent)?.agent?.name).toBe('holder');
    // holder is gone: the squatter holds /agents, and newer (under it) is beaten by the squatter...
    expect(claims.set(holder.agent, undefined).map((r) => r.name).sort()).toEqual(['newer', 'squatter']);
    expect(claims.beatenBy(newer.agent)?.agent?.name).toBe('squatter');
    // ...unless the squatter cannot hold a route (refused, or its route is in conflict): then newer is routed.
    expect(claims.setEligible(squatter.agent, false).map((r) => r.name)).toEqual(['newer']);
    expect(claims.beatenBy(newer.agent)).toBeUndefined();
    expect(claims.setEligible(squatter.agent, false)).toEqual([]); // unchanged: nobody queued
  });

  it('lets a platform route on the same Gateway hold its paths first: nothing at or below them', () => {
    const claims = new RouteClaims();
    const under = claim('under', '/api/v2', '2026-01-01T00:00:00Z', ['www.example.com']);
    const beside = claim('beside', '/apix', '2026-01-01T00:00:00Z', ['www.example.com']);
    const above = claim('above', '/', '2026-01-01T00:00:00Z', ['other.example.com']);
    for (const c of [under, beside, above]) claims.set(c.agent, c);
    const route = { namespace: 'platform', name: 'api' };
    // Queued: under, and the Agents whose outcome can follow from its (those it overlaps, and theirs).
    expect(claims.setPlatformRoute(route, [{ route, path: '/api', hostnames: ['www.example.com'] }]).map((r) => r.name)).toContain('under');
    expect(claims.beatenBy(under.agent)).toEqual({ path: '/api', route });
    expect(claims.beatenBy(beside.agent)).toBeUndefined();
    // Above it (the platform's more specific route keeps its traffic), on other hostnames: no conflict.
    expect(claims.beatenBy(above.agent)).toBeUndefined();
    const platformOnAllHosts = { namespace: 'platform', name: 'root' };
    claims.setPlatformRoute(platformOnAllHosts, [{ route: platformOnAllHosts, path: '/x', hostnames: [] }]);
    expect(claims.beatenBy(above.agent)).toBeUndefined();
    claims.setPlatformRoute(platformOnAllHosts, undefined);
    // A platform-blocked claim blocks no Agent below it.
    const deeper = claim('deeper', '/api/v2/x', '2026-01-02T00:00:00Z', ['www.example.com']);
    claims.set(deeper.agent, deeper);
    expect(claims.beatenBy(deeper.agent)).toEqual({ path: '/api', route });
    expect(claims.setPlatformRoute(route, undefined).map((r) => r.name)).toEqual(expect.arrayContaining(['deeper', 'under']));
    expect(claims.beatenBy(deeper.agent)?.agent?.name).toBe('under');
  });
});

describe('RouteClaims, indexed by path', () => {
  /** The definition, by comparing every pair: what the path index must agree with. */
  class Reference {
    readonly claims = new Map<string, RouteClaim>();
    conflict(a: RouteClaim, b: RouteClaim): boolean {
      const hosts = a.hostnames.length === 0 || b.hostnames.length === 0 || a.hostnames.some((h) => b.hostnames.includes(h) || b.hostnames.some((g) => (g.startsWith('*.') && h.endsWith(g.slice(1))) || (h.startsWith('*.') && g.endsWith(h.slice(1)))));
      return pathsOverlap(a.path, b.path) && hosts;
    }
    readonly ineligible = new Set<string>();
    set(name: string, c: RouteClaim | undefined): void {
      if (c) this.claims.set(name, c);
      else this.claims.delete(name);
    }
    private isOlder(n1: string, a: RouteClaim, n2: string, b: RouteClaim): boolean {
      return a.createdAt < b.createdAt || (a.createdAt === b.createdAt && `ns/${n1}` < `ns/${n2}`);
    }
    /** Holds its route: eligible, and no older conflicting claim holds. */
    holds(name: string): boolean {
      const mine = this.claims.get(name);
      if (!mine || this.ineligible.has(name)) return false;
      return ![...this.claims.entries()].some(([n, o]) => n !== name && this.conflict(mine, o) && this.isOlder(n, o, name, mine) && this.holds(n));
    }
    beatenBy(name: string): string | undefined {
      const mine = this.claims.get(name);
      if (!mine) return undefined;
      const older = [...this.claims.entries()].filter(([n, o]) => n !== name && this.conflict(mine, o) && this.isOlder(n, o, name, mine) && this.holds(n));
      older.sort(([n1, a], [n2, b]) => (this.isOlder(n1, a, n2, b) ? -1 : 1));
      return older[0]?.[0];
    }
  }

  it('decides as a pairwise comparison does, and queues every Agent whose outcome changed, through any sequence of changes', () => {
    const path = fc.array(fc.constantFrom('a', 'b', 'ab', ''), { minLength: 0, maxLength: 3 }).chain((segs) => fc.constantFrom(`/${segs.join('/')}`, `/${segs.join('/')}/`));
    const op = fc.record({
      name: fc.constantFrom('w', 'x', 'y', 'z'),
      gone: fc.boolean(),
      eligible: fc.option(fc.boolean(), { nil: undefined }),
      path,
      createdAt: fc.constantFrom('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'),
      hostnames: fc.constantFrom([], ['a.example.com'], ['*.example.com'], ['b.example.com']),
    });
    const names = ['w', 'x', 'y', 'z'];
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const claims = new RouteClaims();
        const reference = new Reference();
        for (const o of ops) {
          const before = names.map((n) => reference.beatenBy(n));
          let affected: string[];
          if (o.eligible !== undefined) {
            if (o.eligible) reference.ineligible.delete(o.name);
            else reference.ineligible.add(o.name);
            affected = claims.setEligible({ namespace: 'ns', name: o.name }, o.eligible).map((r) => r.name);
          } else {
            const c = o.gone ? undefined : claim(o.name, o.path, o.createdAt, [...o.hostnames]);
            if (!c) reference.ineligible.delete(o.name);
            reference.set(o.name, c);
            affected = claims.set({ namespace: 'ns', name: o.name }, c).map((r) => r.name);
          }
          names.forEach((n, i) => {
            expect({ n, beatenBy: claims.beatenBy({ namespace: 'ns', name: n })?.agent?.name }).toEqual({ n, beatenBy: reference.beatenBy(n) });
            if (n !== o.name && reference.beatenBy(n) !== before[i]) expect({ n, queued: affected.includes(n) }).toEqual({ n, queued: true });
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});
