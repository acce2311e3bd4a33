// LeaderElector on an in-memory Lease, under fake timers: time moves only when a test moves it, so
// "not leader after 14 s" is a statement about the clock, not about a pause long enough. What a
// candidate did not do (take a held lease, write it) is asserted beside what it did do: its reads of
// the Lease, one per retry period. Each test has its own Lease store and candidates.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { LeaderElector } from '../../../src/controller/leader-election.js';
import type { LeaderElectionOptions } from '../../../src/controller/leader-election.js';
import type { LeaseClient } from '../../../src/controller/lease-client.js';
import { FakeLeaseClient } from './fakes/fake-lease-client.js';

const NS = 'agentry-system';
const NAME = 'agentry-leader';

interface Candidate {
  elector: LeaderElector;
  /** This candidate's Lease requests, in order: 'get', 'create', 'update'. */
  calls: string[];
  started: number;
  stopped: number;
  leadershipSignal: AbortSignal | undefined;
  done: Promise<void>;
}

/** `client`, with every request recorded in `calls`. */
function recorded(client: LeaseClient, calls: string[]): LeaseClient {
  return {
    get: (namespace, name) => (calls.push('get'), client.get(namespace, name)),
    create: (namespace, name, spec) => (calls.push('create'), client.create(namespace, name, spec)),
    update: (namespace, name, resourceVersion, spec) => (calls.push('update'), client.update(namespace, name, resourceVersion, spec)),
  };
}

/** Lease writes among a candidate's requests. */
const writes = (c: Candidate) => c.calls.filter((call) => call !== 'get');
const reads = (c: Candidate) => c.calls.filter((call) => call === 'get').length;

function candidate(client: FakeLeaseClient, identity: string, overrides: Partial<LeaderElectionOptions> = {}): Candidate {
  const calls: string[] = [];
  const c: Candidate = { calls, started: 0, stopped: 0, leadershipSignal: undefined, done: Promise.resolve(), elector: undefined as never };
  c.elector = new LeaderElector({
    client: recorded(client, calls),
    namespace: NS,
    name: NAME,
    identity,
    random: () => 0, // acquire retries exactly every retry period
    onStartedLeading: (signal) => {
      c.started += 1;
      c.leadershipSignal = signal;
    },
    onStoppedLeading: () => {
      c.stopped += 1;
    },
    ...overrides,
  });
  c.done = c.elector.run();
  return c;
}

async function advance(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

describe('LeaderElector', () => {
  /** The candidates of the running test, stopped after it. */
  let running: Candidate[] = [];

  beforeEach(() => {
    running = [];
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
  });

  afterEach(async () => {
    for (const c of running) await c.elector.stop();
    jest.useRealTimers();
  });

  function start(client: FakeLeaseClient, identity: string, overrides?: Partial<LeaderElectionOptions>): Candidate {
    const c = candidate(client, identity, overrides);
    running.push(c);
    return c;
  }

  it('acquires a lease that does not exist yet', async () => {
    const client = new FakeLeaseClient();
    const a = start(client, 'a');
    await advance(0);
    expect(a.elector.isLeader()).toBe(true);
    expect(a.started).toBe(1);
    expect(client.peek(NS, NAME)?.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
  });

  it('renews every retry period while leading', async () => {
    const client = new FakeLeaseClient();
    start(client, 'a');
    await advance(0);
    const firstRenew = client.peek(NS, NAME)?.spec.renewTimeMs ?? 0;
    await advance(2_000);
    expect(client.peek(NS, NAME)?.spec.renewTimeMs).toBe(firstRenew + 2_000);
    expect(client.peek(NS, NAME)?.spec.acquireTimeMs).toBe(firstRenew);
  });

  it('does not acquire a lease another holder keeps renewing', async () => {
    const client = new FakeLeaseClient();
    client.put(NS, NAME, { holderIdentity: 'other', leaseDurationSeconds: 15, renewTimeMs: Date.now(), leaseTransitions: 4 });
    const b = start(client, 'b');
    for (let i = 0; i < 30; i++) {
      await advance(2_000);
      client.put(NS, NAME, { holderIdentity: 'other', leaseDurationSeconds: 15, renewTimeMs: Date.now(), leaseTransitions: 4 });
    }
    expect(b.elector.isLeader()).toBe(false);
    expect(b.started).toBe(0);
    expect(client.peek(NS, NAME)?.spec.holderIdentity).toBe('other');
    // It kept trying, once per retry period, and never wrote the Lease.
    expect(reads(b)).toBeGreaterThanOrEqual(30);
    expect(writes(b)).toEqual([]);
  });

  it('takes over a lease that stopped being renewed for a full lease duration, counting a transition', async () => {
    const client = new FakeLeaseClient();
    client.put(NS, NAME, { holderIdentity: 'crashed', leaseDurationSeconds: 15, renewTimeMs: Date.now(), leaseTransitions: 4 });
    const newLeaders: string[] = [];
    const b = start(client, 'b', { onNewLeader: (id) => newLeaders.push(id) });
    await advance(14_000);
    expect(b.elector.isLeader()).toBe(false);
    // It read the Lease every retry period (at 0, 2, ... 14 s) and found it still valid each time.
    expect(reads(b)).toBe(8);
    expect(writes(b)).toEqual([]);
    await advance(2_000);
    expect(b.elector.isLeader()).toBe(true);
    expect(client.peek(NS, NAME)?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 5, acquireTimeMs: Date.now() });
    expect(newLeaders).toEqual(['crashed', 'b']);
  });

  it('lets only one of two racing candidates win (resourceVersion conflicts)', async () => {
    const client = new FakeLeaseClient();
    const a = start(client, 'a');
    const b = start(client, 'b');
    await advance(10_000);
    expect([a.elector.isLeader(), b.elector.isLeader()].filter(Boolean)).toHaveLength(1);
  });

  it('treats a write that lost a resourceVersion race as not acquired', async () => {
    const client = new FakeLeaseClient();
    client.put(NS, NAME, { holderIdentity: '', leaseDurationSeconds: 1 });
    client.beforeUpdate = () => {
      client.beforeUpdate = undefined;
      client.put(NS, NAME, { holderIdentity: 'sneaky', leaseDurationSeconds: 15, renewTimeMs: Date.now() });
    };
    const a = start(client, 'a');
    await advance(0);
    expect(a.elector.isLeader()).toBe(false);
    expect(client.peek(NS, NAME)?.spec.holderIdentity).toBe('sneaky');
  });

  it('steps down when it cannot renew within the renew deadline', async () => {
    const client = new FakeLeaseClient();
    const a = start(client, 'a');
    await advance(0);
    expect(a.elector.isLeader()).toBe(true);
    client.failing = true;
    await advance(8_000); // renewals at 2, 4, 6, 8 s failed: 8 s < 10 s deadline
    expect(a.calls.slice(-4)).toEqual(['get', 'get', 'get', 'get']); // each renewal tried, and failed at its read
    expect(a.elector.isLeader()).toBe(true);
    expect(a.leadershipSignal?.aborted).toBe(false);
    await advance(2_000);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.leadershipSignal?.aborted).toBe(true);
    expect(a.stopped).toBe(1);
    await a.done; // run() returns after losing leadership
  });

  it('steps down at once when it sees another holder took over', async () => {
    const client = new FakeLeaseClient();
    const a = start(client, 'a');
    await advance(0);
    client.put(NS, NAME, { holderIdentity: 'usurper', leaseDurationSeconds: 15, renewTimeMs: Date.now() });
    await advance(2_000);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.stopped).toBe(1);
  });

  it('releases the lease on stop so a standby takes over within a retry period', async () => {
    const client = new FakeLeaseClient();
    const a = start(client, 'a');
    await advance(0);
    const b = start(client, 'b');
    await advance(4_000);
    expect(b.elector.isLeader()).toBe(false);
    expect(reads(b)).toBe(3); // at 0, 2 and 4 s, each time held by a
    expect(writes(b)).toEqual([]);

    await a.elector.stop();
    expect(a.elector.isLeader()).toBe(false);
    expect(a.stopped).toBe(1);
    expect(client.peek(NS, NAME)?.spec.holderIdentity).toBe('');
    await advance(2_000);
    expect(b.elector.isLeader()).toBe(true);
    expect(client.peek(NS, NAME)?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('keeps the lease on stop when releaseOnCancel is off', async () => {
    const client = new FakeLeaseClient();
    const a = start(client, 'a', { releaseOnCancel: false });
    await advance(0);
    await a.elector.stop();
    expect(client.peek(NS, NAME)?.spec.holderIdentity).toBe('a');
  });

  it('rejects timings that cannot work', () => {
    const client = new FakeLeaseClient();
    const base = { client, namespace: NS, name: NAME, identity: 'x', onStartedLeading: () => undefined };
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).toThrow(RangeError);
    expect(() => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })).toThrow(RangeError);
    expect(() => new LeaderElector({ ...base, identity: '' })).toThrow(RangeError);
  });
});
