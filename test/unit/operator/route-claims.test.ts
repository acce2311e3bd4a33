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
      expect(claims.beatenBy(newer.agent)).toEqual(older);
      expect(claims.beatenBy(older.agent)).toBeUndefined();
    }
  });

  it('breaks a same-second tie by name, so both sides agree', () => {
    const claims = new RouteClaims();
    claims.set({ namespace: 'ns', name: 'b' }, claim('b', '/p', '2026-01-01T00:00:00Z'));
    claims.set({ namespace: 'ns', name: 'a' }, claim('a', '/p', '2026-01-01T00:00:00Z'));
    expect(claims.beatenBy({ namespace: 'ns', name: 'b' })?.agent.name).toBe('a');
    expect(claims.beatenBy({ namespace: 'ns', name: 'a' })).toBeUndefined();
  });

  it('sees no conflict between disjoint hostnames, and one with a wildcard', () => {
    const claims = new RouteClaims();
    claims.set({ namespace: 'ns', name: 'a' }, claim('a', '/p', '2026-01-01T00:00:00Z', ['a.example.com']));
    claims.set({ namespace: 'ns', name: 'b' }, claim('b', '/p', '2026-01-02T00:00:00Z', ['b.example.com']));
    expect(claims.beatenBy({ namespace: 'ns', name: 'b' })).toBeUndefined();
    claims.set({ namespace: 'ns', name: 'c' }, claim('c', '/p', '2026-01-03T00:00:00Z', ['*.example.com']));
    expect(claims.beatenBy({ namespace: 'ns', name: 'c' })?.agent.name).toBe('a');
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

describe('RouteClaims, indexed by path', () => {
  /** The definition, by comparing every pair: what the path index must agree with. */
  class Reference {
    readonly claims = new Map<string, RouteClaim>();
    conflict(a: RouteClaim, b: RouteClaim): boolean {
      const hosts = a.hostnames.length === 0 || b.hostnames.length === 0 || a.hostnames.some((h) => b.hostnames.includes(h) || b.hostnames.some((g) => (g.startsWith('*.') && h.endsWith(g.slice(1))) || (h.startsWith('*.') && g.endsWith(h.slice(1)))));
      return pathsOverlap(a.path, b.path) && hosts;
    }
    set(name: string, c: RouteClaim | undefined): string[] {
      const before = this.claims.get(name);
      if (c) this.claims.set(name, c);
      else this.claims.delete(name);
      const same = !before || !c ? before === c : before.path === c.path && before.createdAt === c.createdAt && before.hostnames.join() === c.hostnames.join();
      if (same) return [];
      return [...this.claims.entries()].filter(([n, o]) => n !== name && ((before && this.conflict(before, o)) || (c && this.conflict(c, o)))).map(([n]) => n);
    }
    beatenBy(name: string): string | undefined {
      const mine = this.claims.get(name);
      if (!mine) return undefined;
      const older = [...this.claims.entries()].filter(([n, o]) => n !== name && this.conflict(mine, o) && (o.createdAt < mine.createdAt || (o.createdAt === mine.createdAt && `ns/${n}` < `ns/${name}`)));
      older.sort(([n1, a], [n2, b]) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : `ns/${n1}` < `ns/${n2}` ? -1 : 1));
      return older[0]?.[0];
    }
  }

  it('finds exactly the conflicts a pairwise comparison finds, through any sequence of changes', () => {
    const path = fc.array(fc.constantFrom('a', 'b', 'ab', ''), { minLength: 0, maxLength: 3 }).chain((segs) => fc.constantFrom(`/${segs.join('/')}`, `/${segs.join('/')}/`));
    const op = fc.record({
      name: fc.constantFrom('w', 'x', 'y', 'z'),
      gone: fc.boolean(),
      path,
      createdAt: fc.constantFrom('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'),
      hostnames: fc.constantFrom([], ['a.example.com'], ['*.example.com'], ['b.example.com']),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const claims = new RouteClaims();
        const reference = new Reference();
        for (const o of ops) {
          const c = o.gone ? undefined : claim(o.name, o.path, o.createdAt, [...o.hostnames]);
          const affected = claims.set({ namespace: 'ns', name: o.name }, c).map((r) => r.name).sort();
          expect(affected).toEqual(reference.set(o.name, c).sort());
          for (const name of ['w', 'x', 'y', 'z']) expect(claims.beatenBy({ namespace: 'ns', name })?.agent.name).toBe(reference.beatenBy(name));
        }
      }),
      { numRuns: 300 },
    );
  });
});
