// The one rule for leader-election timings, client-go's (leaderelection.NewLeaderElector): the lease
// outlasts the renew deadline, and the renew deadline outlasts a jittered retry. The operator
// configuration's schema, the LeaderElector and the Helm chart's _validate.tpl all apply this rule,
// so a configuration one of them accepts is never refused by another (a crash loop after install).

/** client-go's JitterFactor, in tenths: an acquire retry waits up to retryPeriod × (1 + 1.2). */
const JITTER_TENTHS = 12;
export const RETRY_JITTER_FACTOR = JITTER_TENTHS / 10;

/** The three timings, all in the same unit. */
export interface LeaseTimings {
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
}

export interface LeaseTimingProblem {
  /** The timing to change. */
  field: keyof LeaseTimings;
  message: string;
}

/**
 * What is wrong with `timings`, one problem per broken rule, each naming the fields as `names` spells
 * them (`renewDeadlineSeconds`, `renewDeadlineMs` ...). Empty when the timings are usable.
 */
export function leaseTimingProblems(timings: LeaseTimings, names: Record<keyof LeaseTimings, string>): LeaseTimingProblem[] {
  const { leaseDuration, renewDeadline, retryPeriod } = timings;
  const problems: LeaseTimingProblem[] = [];
  if (!(renewDeadline < leaseDuration)) {
    problems.push({
      field: 'renewDeadline',
      message: `${names.renewDeadline} (${renewDeadline}) must be less than ${names.leaseDuration} (${leaseDuration})`,
    });
  }
  // In tenths (× 12 / 10, not × 1.2): 3 × 1.2 is 3.5999999999999996 in floating point, and the
  // chart's template makes the same comparison with integers.
  if (!(retryPeriod * JITTER_TENTHS < renewDeadline * 10)) {
    problems.push({
      field: 'retryPeriod',
      message: `${names.retryPeriod} × ${RETRY_JITTER_FACTOR} (${(retryPeriod * JITTER_TENTHS) / 10}) must be less than ${names.renewDeadline} (${renewDeadline})`,
    });
  }
  return problems;
}
