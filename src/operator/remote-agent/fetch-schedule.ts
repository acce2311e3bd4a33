// When each RemoteAgent's card is read next. A reconcile runs for many reasons (its route's status,
// a Service, a resync), and most must not cost a request to someone else's server: the card is read
// when the inputs of the fetch changed (the spec's generation, the Service's address), and otherwise
// only when the refresh period, jittered so that RemoteAgents made together spread out, has passed.
// A failing fetch is retried sooner, with a backoff that doubles up to the period: never a hot loop,
// never given up. The reconciler asks the controller to come back when the next fetch is due
// (a requeue-after), so no timer of its own runs.
import type { FetchOutcome } from './remote-agent-status.js';

export interface FetchScheduleOptions {
  periodMs: number;
  /** 20: each period is drawn from [0.8, 1.2] times periodMs. */
  jitterPercent: number;
  /** First retry after a failure; doubled for each further one, capped at the period. */
  retryBaseMs?: number;
  random?: () => number;
  now?: () => number;
}

/** A refusal found while preparing the fetch (a missing Secret, say): reported on Accepted, retried like a failed fetch. */
export interface Refusal {
  reason: string;
  message: string;
}

export type FetchRecord = { fetch: FetchOutcome; refusal?: undefined } | { refusal: Refusal; fetch?: undefined };

interface Entry {
  /** What the fetch was made for: another value makes the next reconcile fetch at once. */
  inputs: string;
  record: FetchRecord;
  failures: number;
  dueAt: number;
}

export const DEFAULT_RETRY_BASE_MS = 5_000;

export class FetchSchedule {
  private readonly entries = new Map<string, Entry>();
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly retryBaseMs: number;

  constructor(private readonly options: FetchScheduleOptions) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.retryBaseMs = Math.min(options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS, options.periodMs);
  }

  /** The last record for these inputs while it is not due, else undefined (fetch now). */
  current(key: string, inputs: string): FetchRecord | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.inputs !== inputs || this.now() >= entry.dueAt) return undefined;
    return entry.record;
  }

  /** The last record, whatever its inputs (the card status keeps while a new fetch is prepared). */
  last(key: string): FetchRecord | undefined {
    return this.entries.get(key)?.record;
  }

  /** Records a fetch (or a refusal) made now; returns how long until the next one is due. */
  record(key: string, inputs: string, record: FetchRecord): number {
    const before = this.entries.get(key);
    const failed = record.refusal !== undefined || !record.fetch.ok;
    // A failure for the same inputs continues the backoff; new inputs start it again.
    const failures = failed ? (before && before.inputs === inputs ? before.failures : 0) + 1 : 0;
    const delay = failed ? Math.min(this.retryBaseMs * 2 ** (failures - 1), this.jittered()) : this.jittered();
    this.entries.set(key, { inputs, record, failures, dueAt: this.now() + delay });
    return delay;
  }

  /** Milliseconds until the next fetch is due (0 when it is, or none was made). */
  dueInMs(key: string): number {
    const entry = this.entries.get(key);
    return entry ? Math.max(0, entry.dueAt - this.now()) : 0;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private jittered(): number {
    const spread = this.options.jitterPercent / 100;
    return Math.max(1, Math.round(this.options.periodMs * (1 + spread * (2 * this.random() - 1))));
  }
}
