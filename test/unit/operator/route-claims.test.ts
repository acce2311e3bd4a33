import { describe, expect, it } from '@jest/globals';
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
