// Bounds how often the operator corrects drift on one object. Correcting drift once is the point;
// correcting it forever, as fast as another controller (or a script) changes the field back, is a
// write war. After `freeCorrections` corrections within `windowMs`, each further one waits twice as
// long as the last (up to `maxDelayMs`), and the caller is told to report the fight.
export interface DriftGuardOptions {
  freeCorrections: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  now?: () => number;
}

/** The operator's guard: five corrections a minute for free, then 1 s, 2 s, 4 s ... up to 5 min apart. */
export const DRIFT_GUARD_DEFAULTS: Readonly<DriftGuardOptions> = { freeCorrections: 5, windowMs: 60_000, baseDelayMs: 1_000, maxDelayMs: 5 * 60_000 };

interface History {
  corrections: number[];
  nextAllowedAt: number;
  delayMs: number;
}

export type DriftVerdict = { allowed: true; contested: boolean } | { allowed: false; retryInMs: number };

export class DriftGuard {
  private readonly history = new Map<string, History>();
  private readonly now: () => number;

  constructor(private readonly options: DriftGuardOptions) {
    this.now = options.now ?? Date.now;
  }

  /** May the object `key` be corrected now? When allowed, the correction is counted. */
  check(key: string): DriftVerdict {
    const now = this.now();
    const h = this.history.get(key) ?? { corrections: [], nextAllowedAt: 0, delayMs: 0 };
    h.corrections = h.corrections.filter((t) => now - t < this.options.windowMs);
    if (h.corrections.length === 0) h.delayMs = 0; // a quiet window forgives
    if (now < h.nextAllowedAt) {
      this.history.set(key, h);
      return { allowed: false, retryInMs: h.nextAllowedAt - now };
    }
    h.corrections.push(now);
    const contested = h.corrections.length > this.options.freeCorrections;
    if (contested) {
      h.delayMs = Math.min(this.options.maxDelayMs, h.delayMs === 0 ? this.options.baseDelayMs : h.delayMs * 2);
      h.nextAllowedAt = now + h.delayMs;
    }
    this.history.set(key, h);
    if (this.history.size > 50_000) this.forgetQuiet(now);
    return { allowed: true, contested };
  }

  private forgetQuiet(now: number): void {
    for (const [key, h] of this.history) if (h.corrections.every((t) => now - t >= this.options.windowMs) && now >= h.nextAllowedAt) this.history.delete(key);
  }
}
