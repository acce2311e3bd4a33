import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { RateLimiter } from '../../../src/controller/rate-limiter.js';
import { Priority, WorkQueue } from '../../../src/controller/work-queue.js';
import { runWorkers } from '../../../src/controller/worker-pool.js';

/** Settles pending microtasks (and timers due now) so promise chains can run. */
async function flush(): Promise<void> {
  await jest.advanceTimersByTimeAsync(0);
}

class FixedDelayLimiter implements RateLimiter {
  readonly failures = new Map<string, number>();
  constructor(private readonly delayMs: number) {}
  when(key: string): number {
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
    return this.delayMs;
  }
  forget(key: string): void {
    this.failures.delete(key);
  }
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

describe('WorkQueue', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('deduplicates keys that are queued but not yet taken', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    queue.add('b');
    queue.add('a');
    expect(queue.len()).toBe(2);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
    expect(queue.len()).toBe(0);
  });

  it('does not hand out a key that is being processed; re-adds run exactly once after done', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    expect(await queue.get()).toBe('a');

    queue.add('a');
    queue.add('a');
    expect(queue.len()).toBe(0); // not queued while a worker holds it
    let second: string | undefined;
    void queue.get().then((key) => (second = key));
    await flush();
    expect(second).toBeUndefined();

    queue.done('a');
    await flush();
    expect(second).toBe('a');
    queue.done('a');

    let third: string | undefined;
    void queue.get().then((key) => (third = key));
    await flush();
    expect(third).toBeUndefined();
    expect(queue.len()).toBe(0);
  });

  it('hands out higher priorities first, first-in first-out within one', async () => {
    const queue = new WorkQueue();
    queue.add('low-1', Priority.Low);
    queue.add('normal-1');
    queue.add('high-1', Priority.High);
    queue.add('low-2', Priority.Low);
    queue.add('normal-2', Priority.Normal);
    queue.add('high-2', Priority.High);
    expect(queue.len()).toBe(6);
    const order: (string | undefined)[] = [];
    for (let i = 0; i < 6; i++) order.push(await queue.get());
    expect(order).toEqual(['high-1', 'high-2', 'normal-1', 'normal-2', 'low-1', 'low-2']);
    expect(queue.len()).toBe(0);
  });

  it('raises a queued key to the highest priority it is added with, and never lowers it', async () => {
    const queue = new WorkQueue();
    queue.add('a', Priority.Low);
    queue.add('b');
    queue.add('a', Priority.High);
    queue.add('b', Priority.Low);
    expect(queue.len()).toBe(2);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
  });

  it('requeues a key re-added while processing at the highest priority it was re-added with', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    expect(await queue.get()).toBe('a');
    queue.add('a', Priority.Low);
    queue.add('a', Priority.High);
    queue.add('b');
    queue.done('a');
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
  });

  it('keeps the priority of a delayed add', async () => {
    const queue = new WorkQueue();
    queue.addAfter('late', 100, Priority.High);
    queue.add('now');
    await jest.advanceTimersByTimeAsync(100);
    expect(await queue.get()).toBe('late');
    expect(await queue.get()).toBe('now');
  });

  it('adds a key after a delay, keeping the earliest of competing delays', async () => {
    const queue = new WorkQueue();
    queue.addAfter('a', 1_000);
    queue.addAfter('a', 300);
    queue.addAfter('a', 5_000);
    await jest.advanceTimersByTimeAsync(299);
    expect(queue.len()).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(queue.len()).toBe(1);
    expect(await queue.get()).toBe('a');
    queue.done('a');
    await jest.advanceTimersByTimeAsync(10_000);
    expect(queue.len()).toBe(0);
  });

  it('treats a non-positive delay as an immediate add', () => {
    const queue = new WorkQueue();
    queue.addAfter('a', 0);
    expect(queue.len()).toBe(1);
  });

  it('addRateLimited waits for the limiter delay; forget resets the count', async () => {
    const limiter = new FixedDelayLimiter(250);
    const queue = new WorkQueue({ rateLimiter: limiter });
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    expect(queue.numRequeues('a')).toBe(2);
    await jest.advanceTimersByTimeAsync(249);
    expect(queue.len()).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(queue.len()).toBe(1);
    queue.forget('a');
    expect(queue.numRequeues('a')).toBe(0);
  });

  it('retries a key at the priority its worker took it at', async () => {
    const queue = new WorkQueue({ rateLimiter: new FixedDelayLimiter(100) });
    queue.add('urgent', Priority.High);
    expect(await queue.get()).toBe('urgent');
    queue.addRateLimited('urgent'); // its reconcile failed
    queue.done('urgent');
    // Meanwhile the initial list queued plenty at normal and low priority.
    queue.add('bulk-1', Priority.Low);
    queue.add('change', Priority.Normal);
    await jest.advanceTimersByTimeAsync(100);
    expect(await queue.get()).toBe('urgent');
    expect(await queue.get()).toBe('change');
    expect(await queue.get()).toBe('bulk-1');
  });

  it('shutDown wakes waiting workers with undefined and ignores further adds', async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.addAfter('later', 100);
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    queue.add('a');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(queue.len()).toBe(0);
    expect(await queue.get()).toBeUndefined();
    expect(queue.isShuttingDown()).toBe(true);
  });

  it('shutDownWithDrain resolves only when in-flight keys are done', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    queue.add('b');
    const a = await queue.get();
    const b = await queue.get();
    let drained = false;
    void queue.shutDownWithDrain().then(() => (drained = true));
    await flush();
    expect(drained).toBe(false);
    queue.done(a ?? '');
    await flush();
    expect(drained).toBe(false);
    queue.done(b ?? '');
    await flush();
    expect(drained).toBe(true);
  });

  it('shutDownWithDrain resolves at once when nothing is in flight', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    await expect(queue.shutDownWithDrain()).resolves.toBeUndefined();
  });
});

describe('runWorkers', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('processes with at most N keys in flight and never the same key twice at once', async () => {
    const queue = new WorkQueue();
    let running = 0;
    let maxRunning = 0;
    const active = new Set<string>();
    const processed: string[] = [];
    const workers = runWorkers(queue, 3, async (key) => {
      expect(active.has(key)).toBe(false);
      active.add(key);
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 10));
      if (key === 'k0' && !processed.includes('k0')) queue.add('k0'); // changed while processing
      processed.push(key);
      running -= 1;
      active.delete(key);
    });
    for (let i = 0; i < 10; i++) queue.add(`k${i}`);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(maxRunning).toBe(3);
    expect(processed.filter((k) => k === 'k0')).toHaveLength(2);
    expect(processed).toHaveLength(11);
    queue.shutDown();
    await workers;
  });

  it('keeps a worker alive when processing throws', async () => {
    const queue = new WorkQueue();
    const errors: string[] = [];
    const seen: string[] = [];
    const workers = runWorkers(
      queue,
      1,
      (key) => {
        seen.push(key);
        return key === 'bad' ? Promise.reject(new Error('boom')) : Promise.resolve();
      },
      (_err, key) => errors.push(key),
    );
    queue.add('bad');
    queue.add('good');
    await flush();
    expect(seen).toEqual(['bad', 'good']);
    expect(errors).toEqual(['bad']);
    queue.shutDown();
    await workers;
  });

  it('rejects a worker count below one', async () => {
    await expect(runWorkers(new WorkQueue(), 0, () => Promise.resolve())).rejects.toThrow(RangeError);
  });
});
