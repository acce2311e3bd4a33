// The abort signal of the work an API request is made for. A reconcile runs inside
// withRequestSignal(ctx.signal, ...) (the controller does that), and every KubeClient request made
// during it, however deep in the reconciler and whatever helper makes it, is aborted with it: the
// signal reaches each API call without every function in between having to pass it on. A request
// can also be given a signal of its own (RequestOptionsExtra.signal); it then ends on either.
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<AbortSignal>();

/** Runs `work` with `signal` as the signal of every API request it makes (including in callbacks and timers it starts). */
export function withRequestSignal<R>(signal: AbortSignal, work: () => R): R {
  return current.run(signal, work);
}

/** The signal of the work under way, if any. */
export function currentRequestSignal(): AbortSignal | undefined {
  return current.getStore();
}

/** The signal a request ends on: its own, the ambient one, or both. */
export function requestSignal(own: AbortSignal | undefined): AbortSignal | undefined {
  const ambient = current.getStore();
  if (!own) return ambient;
  if (!ambient || ambient === own) return own;
  return AbortSignal.any([own, ambient]);
}
