// The errors a reconcile can end with, and what the controller does with each (controller-runtime's
// pkg/reconcile): any error is logged, counted and retried with per-key backoff, since most are
// transient (a conflict, a timeout) or a bug a later version fixes; a TerminalError is for what
// retrying cannot fix (the input is wrong and only a change to it helps): logged and counted as
// well, but the key is not retried until something about it changes and queues it again.

/** A reconcile error that retrying cannot fix. `cause` keeps the underlying error. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** True when `err`, or an error in its `cause` chain, is a TerminalError (Go's errors.As). */
export function isTerminal(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = err; e instanceof Error && !seen.has(e); e = e.cause) {
    if (e instanceof TerminalError) return true;
    seen.add(e);
  }
  return false;
}
