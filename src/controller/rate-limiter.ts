import { exponentialDelayMs, withJitter } from './backoff.js';

/** Decides how long a key waits before it is retried (client-go's workqueue.RateLimiter). */
export interface RateLimiter {
  /** The delay before the next attempt of `key`; each call counts as one more failure. */
  when(key: string): number;
  /** The key succeeded: forget its failures. */
  forget(key: string): void;
  /** How many times `key` has failed since it was last forgotten. */
  numRequeues(key: string): number;
}

export interface ItemExponentialOptions {
  /** controller-runtime's default: 5 ms. */
  baseDelayMs?: number;
  /** controller-runtime's default: 1000 s. */
  maxDelayMs?: number;
  /** Fraction of each delay randomised away (see BackoffOptions.jitter). Default 0.1. */
  jitter?: number;
  random?: () => number;
}

/** Per-key exponential backoff: base · 2^failures, capped, with jitter so failing keys spread out. */
export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(options: ItemExponentialOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 1_000_000;
    this.jitter = options.jitter ?? 0.1;
    this.random = options.random ?? Math.random;
  }

  when(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    return withJitter(exponentialDelayMs(failures, this.baseDelayMs, this.maxDelayMs), this.jitter, this.random);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

export interface TokenBucketOptions {
  /** Sustained retries per second across all keys (controller-runtime: 10). */
  qps: number;
  /** Retries allowed at once before the rate applies (controller-runtime: 100). */
  burst: number;
}

/**
 * An overall limit on retries, so that many keys failing at once (an API server outage) do not
 * produce a retry storm. Each `when` reserves a token; when none is left, the delay is how long
 * until one will have refilled, like golang.org/x/time/rate's Reserve.
 */
export class TokenBucketRateLimiter implements RateLimiter {
  private tokens: number;
  private lastRefill: number;

  constructor(private readonly options: TokenBucketOptions) {
    if (options.qps <= 0 || options.burst < 1) {
      throw new RangeError('token bucket needs qps > 0 and burst >= 1');
    }
    this.tokens = options.burst;
    this.lastRefill = Date.now();
  }

  when(_key: string): number {
    const now = Date.now();
    this.tokens = Math.min(this.options.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.options.qps);
    this.lastRefill = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.options.qps) * 1000;
  }

  forget(_key: string): void {
    // The bucket is shared by all keys; one key's success returns no tokens.
  }

  numRequeues(_key: string): number {
    return 0;
  }
}

/** Asks every limiter and waits for the longest answer. */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    // Every limiter must see the failure (it counts), so no short-circuiting.
    return this.limiters.reduce((longest, limiter) => Math.max(longest, limiter.when(key)), 0);
  }

  forget(key: string): void {
    for (const limiter of this.limiters) limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.limiters.reduce((most, limiter) => Math.max(most, limiter.numRequeues(key)), 0);
  }
}

export interface ControllerRateLimiterOptions extends ItemExponentialOptions {
  /** The overall token bucket; `false` turns it off. Default 10 qps, burst 100. */
  bucket?: TokenBucketOptions | false;
}

/** controller-runtime's default: per-key exponential backoff combined with an overall token bucket. */
export function defaultControllerRateLimiter(options: ControllerRateLimiterOptions = {}): RateLimiter {
  const { bucket = { qps: 10, burst: 100 }, ...itemOptions } = options;
  const perKey = new ItemExponentialRateLimiter(itemOptions);
  return bucket === false ? perKey : new MaxOfRateLimiter(perKey, new TokenBucketRateLimiter(bucket));
}
