import { describe, expect, it } from '@jest/globals';
import { DriftGuard } from '../../../src/operator/drift-guard.js';

function guard() {
  const clock = { t: 0 };
  return { clock, g: new DriftGuard({ freeCorrections: 3, windowMs: 60_000, baseDelayMs: 1_000, maxDelayMs: 8_000, now: () => clock.t }) };
}

describe('DriftGuard', () => {
  it('lets a few corrections through at once, then spaces them out exponentially up to a cap', () => {
    const { clock, g } = guard();
    for (let i = 0; i < 3; i++) expect(g.check('svc')).toEqual({ allowed: true, contested: false });
    expect(g.check('svc')).toEqual({ allowed: true, contested: true }); // 4th: allowed, next one waits 1 s
    expect(g.check('svc')).toEqual({ allowed: false, retryInMs: 1_000 });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const verdict = g.check('svc');
      if (verdict.allowed) throw new Error('expected a wait');
      delays.push(verdict.retryInMs);
      clock.t += verdict.retryInMs;
      expect(g.check('svc')).toMatchObject({ allowed: true, contested: true });
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('keeps objects apart and forgives after a quiet window', () => {
    const { clock, g } = guard();
    for (let i = 0; i < 4; i++) g.check('a');
    expect(g.check('a').allowed).toBe(false);
    expect(g.check('b')).toEqual({ allowed: true, contested: false });
    clock.t += 61_000;
    expect(g.check('a')).toEqual({ allowed: true, contested: false });
  });
});
