import type { WorkQueue } from './work-queue.js';

/**
 * Runs `count` workers that take keys from `queue` and process them one at a time each, so at
 * most `count` keys are processed concurrently. Resolves when the queue has shut down and every
 * worker has finished its current key. `process` should handle its own errors; anything it throws
 * goes to `onError` and the worker carries on.
 */
export async function runWorkers(
  queue: WorkQueue,
  count: number,
  process: (key: string) => Promise<void>,
  onError: (err: unknown, key: string) => void = () => undefined,
): Promise<void> {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`worker count must be a positive integer, got ${count}`);
  }
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await process(key);
      } catch (err) {
        onError(err, key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: count }, worker));
}
