import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  TokenBucketRateLimiter,
  defaultControllerRateLimiter,
} from '../../../src/controller/rate-limiter.js';
import { ExponentialBackoff } from '../../../src/controller/backoff.js';

/** A repeatable sequence in [0, 1) so jitter is exercised without flakiness. */
function seededRandom(seed = 42): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('ItemExponentialRateLimiter', () => {
  it('doubles per failure within the jitter band and caps at the maximum', () => {
    const limiter = new ItemExponentialRateLimiter({ baseDelayMs: 5, maxDelayMs: 1_000, jitter: 0.2, random: seededRandom() });
    const delays = Array.from({ length: 12 }, () => limiter.when('a'));
    delays.forEach((d, failures) => {
      const nominal = Math.min(5 * 2 ** failures, 1_000);
      expect(d).toBeLessThanOrEqual(nominal);
      expect(d).toBeGreaterThanOrEqual(nominal * 0.8);
    });
    expect(new Set(delays.slice(-4)).size).toBeGreaterThan(1); // capped retries still spread out
    expect(limiter.numRequeues('a')).toBe(12);
  });

  it('tracks keys independently and forget starts a key over', () => {
    const limiter = new ItemExponentialRateLimiter({ baseDelayMs: 10, jitter: 0 });
    expect([limiter.when('a'), limiter.when('a'), limiter.when('a')]).toEqual([10, 20, 40]);
    expect(limiter.when('b')).toBe(10);
    limiter.forget('a');
    expect(limiter.numRequeues('a')).toBe(0);
    expect(limiter.when('a')).toBe(10);
  });

  it('uses controller-runtime defaults of 5 ms to 1000 s', () => {
    const limiter = new ItemExponentialRateLimiter({ jitter: 0 });
    expect(limiter.when('a')).toBe(5);
    for (let i = 0; i < 2_000; i++) limiter.when('a'); // far past the cap, and past 2^1024
    expect(limiter.when('a')).toBe(1_000_000);
  });
});

describe('TokenBucketRateLimiter', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('allows a burst, then spaces retries at the rate, and refills over time', () => {
    const bucket = new TokenBucketRateLimiter({ qps: 10, burst: 2 });
    expect([bucket.when('a'), bucket.when('b'), bucket.when('c'), bucket.when('d')]).toEqual([0, 0, 100, 200]);
    jest.advanceTimersByTime(1_000); // pays back the two borrowed tokens and refills the burst
    expect([bucket.when('e'), bucket.when('f'), bucket.when('g')]).toEqual([0, 0, 100]);
  });
});

describe('MaxOfRateLimiter / defaultControllerRateLimiter', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('waits for the slower of per-key backoff and the overall bucket', () => {
    const limiter = new MaxOfRateLimiter(
      new ItemExponentialRateLimiter({ baseDelayMs: 5, jitter: 0 }),
      new TokenBucketRateLimiter({ qps: 1, burst: 1 }),
    );
    expect(limiter.when('a')).toBe(5); // bucket has a token; backoff decides
    expect(limiter.when('b')).toBe(1_000); // bucket is empty; it decides
    expect(limiter.numRequeues('a')).toBe(1);
    limiter.forget('a');
    expect(limiter.numRequeues('a')).toBe(0);
  });

  it('defaults to per-key backoff plus a 10 qps / 100 burst bucket, which can be turned off', () => {
    const withBucket = defaultControllerRateLimiter({ jitter: 0 });
    const delays = Array.from({ length: 101 }, (_, i) => withBucket.when(`k${i}`));
    expect(delays.slice(0, 100).every((d) => d === 5)).toBe(true);
    expect(delays[100]).toBe(100);

    const withoutBucket = defaultControllerRateLimiter({ jitter: 0, bucket: false });
    const unlimited = Array.from({ length: 101 }, (_, i) => withoutBucket.when(`k${i}`));
    expect(unlimited.every((d) => d === 5)).toBe(true);
  });
});

describe('ExponentialBackoff', () => {
  it('grows by the factor, caps, and resets', () => {
    const backoff = new ExponentialBackoff({ initialMs: 100, maxMs: 500, factor: 3 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 300, 500]);
    expect(backoff.attempts()).toBe(3);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('rejects jitter outside [0, 1]', () => {
    expect(() => new ExponentialBackoff({ initialMs: 1, maxMs: 2, jitter: 1.5 })).toThrow(RangeError);
  });
});
