export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs: number;
  /** Upper bound of any delay, jitter included. */
  maxMs: number;
  /** Growth per failure; 2 doubles the delay. */
  factor?: number;
  /**
   * Fraction of the delay that is randomised away: a delay `d` becomes a value in
   * `[d * (1 - jitter), d]`. Jitter is subtracted rather than added so `maxMs` stays a hard cap
   * while retries that hit the cap still spread out instead of arriving in lockstep.
   */
  jitter?: number;
  /** Source of randomness in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

/** The delay for the given number of previous failures (0 → `initialMs`), before jitter. */
export function exponentialDelayMs(failures: number, initialMs: number, maxMs: number, factor = 2): number {
  const raw = initialMs * factor ** failures;
  // factor ** failures overflows to Infinity after ~1000 failures; the cap covers that too.
  return Number.isFinite(raw) ? Math.min(raw, maxMs) : maxMs;
}

export function withJitter(delayMs: number, jitter: number, random: () => number): number {
  return delayMs * (1 - jitter * random());
}

/** A stateful exponential backoff: each `next()` is (about) `factor` times the previous one. */
export class ExponentialBackoff {
  private failures = 0;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 0;
    this.random = options.random ?? Math.random;
    if (this.jitter < 0 || this.jitter > 1) {
      throw new RangeError(`jitter must be within [0, 1], got ${this.jitter}`);
    }
  }

  next(): number {
    const base = exponentialDelayMs(this.failures, this.options.initialMs, this.options.maxMs, this.factor);
    this.failures += 1;
    return withJitter(base, this.jitter, this.random);
  }

  reset(): void {
    this.failures = 0;
  }

  attempts(): number {
    return this.failures;
  }
}
