import type { Logger } from './logger.js';
import type { ObjectRef } from './object-key.js';

/** Which object to reconcile. Deliberately only a name: the reconciler reads current state from the cache. */
export type ReconcileRequest = ObjectRef;

export interface ReconcileOutcome {
  /** Reconcile again after this long, without counting as a failure (e.g. to poll a rollout). */
  requeueAfterMs?: number;
  /** Reconcile again with the per-key backoff, without reporting an error. */
  requeue?: boolean;
}

export interface ReconcileContext {
  /** Aborted when the controller shuts down and the grace period for in-flight work has run out. */
  signal: AbortSignal;
  /** Bound to the controller, request and a per-reconcile id. */
  logger: Logger;
}

/**
 * Makes the world match the desired state of `request`'s object. A thrown error retries the key
 * with backoff; returning normally forgets its failures.
 */
export type Reconciler = (request: ReconcileRequest, ctx: ReconcileContext) => Promise<ReconcileOutcome | void>;
