import { delay } from './delay.js';
import { LeaseConflictError } from './lease-client.js';
import { leaseTimingProblems, RETRY_JITTER_FACTOR } from './lease-timing.js';
import type { Lease, LeaseClient, LeaseSpec } from './lease-client.js';
import { noopLogger } from './logger.js';
import type { Logger } from './logger.js';

export interface LeaderElectionOptions {
  client: LeaseClient;
  /** Namespace and name of the coordination.k8s.io/v1 Lease. */
  namespace: string;
  name: string;
  /** Unique per process, e.g. the pod name plus a random suffix. */
  identity: string;
  /** How long a lease stays valid after its last renewal, as seen by candidates. Default 15 s. */
  leaseDurationMs?: number;
  /** The leader gives up if it could not renew for this long. Default 10 s. */
  renewDeadlineMs?: number;
  /** Time between acquire/renew attempts. Default 2 s. */
  retryPeriodMs?: number;
  /** Clear holderIdentity on graceful stop so a standby takes over at once (default true). */
  releaseOnCancel?: boolean;
  /** Called on becoming leader; `signal` aborts when leadership ends. Not awaited. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called once leadership has ended (lost or released). */
  onStoppedLeading?: () => void | Promise<void>;
  /** Called whenever a different holder is observed (including this process). */
  onNewLeader?: (identity: string) => void;
  logger?: Logger;
  random?: () => number;
}

/** client-go's JitterFactor for acquire retries: waits in [retry, retry · 2.2]. */
const ACQUIRE_JITTER = RETRY_JITTER_FACTOR;

/**
 * Leader election on a Lease, following client-go's leaderelection package: a candidate takes the
 * lease when it is free or when it has not changed for a full lease duration *on the candidate's
 * own clock* (so clock skew between nodes cannot shorten a lease), the leader renews every retry
 * period, and a leader that cannot renew within the renew deadline steps down before its lease
 * can expire for others. Writes use resourceVersion, so of two candidates only one wins.
 */
export class LeaderElector {
  private readonly client: LeaseClient;
  private readonly namespace: string;
  private readonly leaseName: string;
  private readonly identity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly releaseOnCancel: boolean;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly stopController = new AbortController();
  private leading = false;
  private running: Promise<void> | undefined;
  /** The last lease seen and when (locally) it was first seen in that version. */
  private observed: { lease: Lease; atMs: number } | undefined;
  private lastHolder: string | undefined;

  constructor(private readonly options: LeaderElectionOptions) {
    this.client = options.client;
    this.namespace = options.namespace;
    this.leaseName = options.name;
    this.identity = options.identity;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.releaseOnCancel = options.releaseOnCancel ?? true;
    this.logger = (options.logger ?? noopLogger).child({ lease: `${this.namespace}/${this.leaseName}`, identity: this.identity });
    this.random = options.random ?? Math.random;
    if (!this.identity) throw new RangeError('leader election identity must not be empty');
    // The rule the operator configuration is validated with: a configuration that passed it never fails here.
    const [problem] = leaseTimingProblems(
      { leaseDuration: this.leaseDurationMs, renewDeadline: this.renewDeadlineMs, retryPeriod: this.retryPeriodMs },
      { leaseDuration: 'leaseDurationMs', renewDeadline: 'renewDeadlineMs', retryPeriod: 'retryPeriodMs' },
    );
    if (problem) throw new RangeError(problem.message);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Campaigns until this process leads, then leads until leadership is lost or the elector is
   * stopped (by `stop()` or `signal`). Resolves after onStoppedLeading has run; it does not
   * campaign again, because a process that lost its lease should normally restart cleanly.
   */
  run(signal?: AbortSignal): Promise<void> {
    if (this.running) throw new Error('leader elector already running');
    signal?.addEventListener('abort', () => this.stopController.abort(), { once: true });
    if (signal?.aborted) this.stopController.abort();
    this.running = this.campaignAndLead(this.stopController.signal);
    return this.running;
  }

  /** Stops campaigning or leading; a leader releases the lease first (unless releaseOnCancel is off). */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.running;
  }

  private async campaignAndLead(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (await this.attempt(() => this.tryAcquireOrRenew(), this.renewDeadlineMs)) {
        await this.lead(signal);
        return;
      }
      await delay(this.retryPeriodMs * (1 + ACQUIRE_JITTER * this.random()), signal);
    }
  }

  private async lead(signal: AbortSignal): Promise<void> {
    this.leading = true;
    const leadership = new AbortController();
    this.logger.info('acquired leadership');
    void Promise.resolve()
      .then(() => this.options.onStartedLeading(leadership.signal))
      .catch((err: unknown) => this.logger.error({ err }, 'onStartedLeading failed'));

    let lastRenewMs = Date.now();
    let lost = false;
    while (!signal.aborted) {
      await delay(this.retryPeriodMs, signal);
      if (signal.aborted) break;
      const remainingMs = this.renewDeadlineMs - (Date.now() - lastRenewMs);
      if (await this.attempt(() => this.tryAcquireOrRenew(), Math.max(remainingMs, 0))) {
        lastRenewMs = Date.now();
        continue;
      }
      const takenOver = this.lastHolder !== undefined && this.lastHolder !== this.identity;
      if (takenOver || Date.now() - lastRenewMs >= this.renewDeadlineMs) {
        lost = true;
        break;
      }
    }

    this.leading = false;
    leadership.abort();
    if (lost) {
      this.logger.error({ renewDeadlineMs: this.renewDeadlineMs, holder: this.lastHolder }, 'lost leadership');
    } else if (this.releaseOnCancel) {
      await this.attempt(() => this.release(), this.renewDeadlineMs);
    }
    try {
      await this.options.onStoppedLeading?.();
    } catch (err) {
      this.logger.error({ err }, 'onStoppedLeading failed');
    }
  }

  /** Runs one API round, turning errors and hung calls (beyond `timeoutMs`) into `false`. */
  private async attempt(round: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const timeout = new AbortController();
    try {
      return await Promise.race([round(), delay(timeoutMs, timeout.signal).then(() => false)]);
    } catch (err) {
      if (!(err instanceof LeaseConflictError)) this.logger.warn({ err }, 'lease request failed');
      return false;
    } finally {
      timeout.abort();
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const nowMs = Date.now();
    const existing = await this.client.get(this.namespace, this.leaseName);
    if (!existing) {
      const created = await this.client.create(this.namespace, this.leaseName, this.ourSpec(nowMs, nowMs, 0));
      this.observe(created);
      return true;
    }
    this.observe(existing);
    const holder = existing.spec.holderIdentity ?? '';
    const ours = holder === this.identity;
    if (holder !== '' && !ours && !this.observedLeaseExpired()) {
      return false;
    }
    const transitions = existing.spec.leaseTransitions ?? 0;
    const spec = ours
      ? this.ourSpec(existing.spec.acquireTimeMs ?? nowMs, nowMs, transitions)
      : this.ourSpec(nowMs, nowMs, transitions + 1);
    const updated = await this.client.update(this.namespace, this.leaseName, existing.resourceVersion, spec);
    this.observe(updated);
    return true;
  }

  /** Hands the lease back: empty holder and a 1 s duration, as client-go does on release. */
  private async release(): Promise<boolean> {
    const existing = await this.client.get(this.namespace, this.leaseName);
    if (!existing || existing.spec.holderIdentity !== this.identity) return false;
    const nowMs = Date.now();
    await this.client.update(this.namespace, this.leaseName, existing.resourceVersion, {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTimeMs: nowMs,
      renewTimeMs: nowMs,
      leaseTransitions: existing.spec.leaseTransitions ?? 0,
    });
    this.logger.info('released leadership');
    return true;
  }

  private ourSpec(acquireTimeMs: number, renewTimeMs: number, leaseTransitions: number): LeaseSpec {
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTimeMs,
      renewTimeMs,
      leaseTransitions,
    };
  }

  private observe(lease: Lease): void {
    if (this.observed?.lease.resourceVersion !== lease.resourceVersion) {
      this.observed = { lease, atMs: Date.now() };
    }
    const holder = lease.spec.holderIdentity ?? '';
    if (holder !== '' && holder !== this.lastHolder) {
      this.options.onNewLeader?.(holder);
    }
    this.lastHolder = holder;
  }

  private observedLeaseExpired(): boolean {
    if (!this.observed) return true;
    const durationMs = (this.observed.lease.spec.leaseDurationSeconds ?? this.leaseDurationMs / 1000) * 1000;
    return this.observed.atMs + durationMs <= Date.now();
  }
}
