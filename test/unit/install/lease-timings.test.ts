// Lease timings have one rule (src/controller/lease-timing.ts). The Helm chart checks it in its own
// template language (_validate.tpl), so this table holds the three places that apply it to the same
// answer: what the chart installs, the operator's configuration schema accepts and its LeaderElector
// starts with; what the chart refuses, the schema refuses with the same message. A chart that
// accepts what the operator refuses installs an operator that crash-loops.
import { beforeAll, describe, expect, it } from '@jest/globals';

import { OperatorConfigError, parseOperatorConfig } from '../../../src/config/operator-config.js';
import { LeaderElector } from '../../../src/controller/leader-election.js';
import type { LeaseClient } from '../../../src/controller/lease-client.js';
import { helmBinary, helmTemplate, helmTemplateResult } from './support/helm.js';
import { findObject } from './support/manifests.js';

type Seconds = number | null;

/** lease duration, renew deadline, retry period (null: left to the default), and whether they work. */
const CASES: readonly [Seconds, Seconds, Seconds, 'ok' | 'refused'][] = [
  [15, 10, 2, 'ok'], // the defaults
  [null, null, null, 'ok'],
  [3, 2, 1, 'ok'],
  [10, 9, 7, 'ok'], // 8.4 < 9
  [15, 10, 8, 'ok'], // 9.6 < 10
  [3600, 3599, 2999, 'ok'],
  [15, 15, 2, 'refused'], // renew deadline not below the lease
  [15, 20, 2, 'refused'],
  [null, 15, null, 'refused'], // against the default lease duration
  [15, 10, 9, 'refused'], // 10.8 > 10: below the renew deadline, but not with client-go's jitter
  [15, 12, 10, 'refused'], // exactly 1.2 ×
  [2, 1, 1, 'refused'],
  [null, null, 9, 'refused'], // against the default renew deadline
  [3600, 3599, 3000, 'refused'],
  [5, 6, 5, 'refused'], // both rules broken
];

const FIELDS = ['leaseDurationSeconds', 'renewDeadlineSeconds', 'retryPeriodSeconds'] as const;

function leaderElectionOf(lease: Seconds, renew: Seconds, retry: Seconds): Record<string, number> {
  const values = [lease, renew, retry];
  return Object.fromEntries(FIELDS.flatMap((f, i) => (values[i] === null || values[i] === undefined ? [] : [[f, values[i]]])));
}

/** The schema's messages for these timings (empty when it accepts them). */
function schemaProblems(leaderElection: Record<string, number>): string[] {
  try {
    parseOperatorConfig(JSON.stringify({ leaderElection }));
    return [];
  } catch (err) {
    if (!(err instanceof OperatorConfigError)) throw err;
    return [...err.issues];
  }
}

const neverCalled: LeaseClient = {
  get: () => Promise.reject(new Error('not called')),
  create: () => Promise.reject(new Error('not called')),
  update: () => Promise.reject(new Error('not called')),
};

function elector(seconds: { leaseDurationSeconds: number; renewDeadlineSeconds: number; retryPeriodSeconds: number }): LeaderElector {
  return new LeaderElector({
    client: neverCalled,
    namespace: 'agentry-system',
    name: 'agentry-leader',
    identity: 'a',
    leaseDurationMs: seconds.leaseDurationSeconds * 1000,
    renewDeadlineMs: seconds.renewDeadlineSeconds * 1000,
    retryPeriodMs: seconds.retryPeriodSeconds * 1000,
    onStartedLeading: () => undefined,
  });
}

beforeAll(async () => {
  await helmBinary();
}, 600_000);

describe('lease timings: the chart, the configuration schema and the leader election agree', () => {
  it.each(CASES)('lease %p, renew deadline %p, retry period %p: %s', async (lease, renew, retry, verdict) => {
    const leaderElection = leaderElectionOf(lease, renew, retry);
    const setJson = Object.fromEntries(FIELDS.map((f, i) => [`config.leaderElection.${f}`, [lease, renew, retry][i]]));
    const problems = schemaProblems(leaderElection);

    if (verdict === 'ok') {
      expect(problems).toEqual([]);
      // What the chart writes is what the operator reads, and its elector starts with it.
      const data = findObject(await helmTemplate({ setJson }), 'ConfigMap').data as Record<string, string>;
      const config = parseOperatorConfig(data['config.yaml'] ?? '');
      expect(config.leaderElection).toMatchObject(leaderElection);
      expect(() => elector(config.leaderElection)).not.toThrow();
      return;
    }

    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(p).toMatch(/^leaderElection\.(renewDeadlineSeconds|retryPeriodSeconds): /);
    const result = await helmTemplateResult({ setJson });
    expect(result.code).not.toBe(0);
    // The chart stops at its first problem: one of the schema's, in the chart's field names.
    const inChart = problems.map((p) => p.replace(/^leaderElection\.\w+: /, '').replace(/\b(?=leaseDurationSeconds|renewDeadlineSeconds|retryPeriodSeconds)/g, 'config.leaderElection.'));
    expect(inChart.filter((m) => result.stderr.includes(m))).toHaveLength(1);
    // And the elector, given the timings with the operator's defaults filled in, refuses them too.
    const withDefaults = { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2, ...leaderElection };
    expect(() => elector(withDefaults)).toThrow(RangeError);
  });
});
