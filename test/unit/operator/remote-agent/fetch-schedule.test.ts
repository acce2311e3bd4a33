import { describe, expect, it } from '@jest/globals';

import { FetchSchedule } from '../../../../src/operator/remote-agent/fetch-schedule.js';

const ok = { fetch: { ok: true as const, summary: { card: { name: 'a', protocolVersions: [], skills: [] }, skillCount: 0 }, digest: 'd', cardUrl: 'http://a/' } };
const failed = { fetch: { ok: false as const, condition: 'Reachable' as const, reason: 'Timeout', message: 'slow' } };

function schedule(random = 0.5) {
  let now = 0;
  const s = new FetchSchedule({ periodMs: 60_000, jitterPercent: 20, random: () => random, now: () => now });
  return { s, advance: (ms: number) => (now += ms) };
}

describe('FetchSchedule', () => {
  it('reuses the last read until the jittered period has passed', () => {
    const { s, advance } = schedule(1); // the latest draw: +20 %
    expect(s.current('k', 'in')).toBeUndefined();
    expect(s.record('k', 'in', ok)).toBe(72_000);
    advance(71_999);
    expect(s.current('k', 'in')).toBe(ok);
    advance(1);
    expect(s.current('k', 'in')).toBeUndefined();
  });

  it('spreads periods over ± jitter', () => {
    expect(schedule(0).s.record('k', 'in', ok)).toBe(48_000);
    expect(schedule(0.5).s.record('k', 'in', ok)).toBe(60_000);
  });

  it('reads again at once when the inputs change (a spec change)', () => {
    const { s } = schedule();
    s.record('k', 'generation 1', ok);
    expect(s.current('k', 'generation 1')).toBe(ok);
    expect(s.current('k', 'generation 2')).toBeUndefined();
  });

  it('retries a failure after 5 s, doubling up to the period, and starts again after a success', () => {
    const { s } = schedule();
    expect([1, 2, 3, 4, 5, 6].map(() => s.record('k', 'in', failed))).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
    expect(s.record('k', 'in', ok)).toBe(60_000);
    expect(s.record('k', 'in', failed)).toBe(5_000);
    // New inputs start the backoff again.
    s.record('k', 'in', failed);
    expect(s.record('k', 'other', failed)).toBe(5_000);
  });

  it('forgets a deleted RemoteAgent', () => {
    const { s } = schedule();
    s.record('k', 'in', ok);
    s.forget('k');
    expect(s.size).toBe(0);
    expect(s.dueInMs('k')).toBe(0);
  });
});
