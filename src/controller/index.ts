// The controller core: a small, generic controller-runtime for TypeScript. Nothing in this folder
// knows about Agents; the operator composes these pieces.
export type { KubeObject, ObjectMeta, OwnerReference } from '../kube/kube-object.js';
export { InvalidKubeObjectError, toKubeObject } from '../kube/kube-object.js';
export type { ObjectRef } from './object-key.js';
export { objectKey, objectRefKey, parseObjectKey } from './object-key.js';
export type { LogFn, Logger } from './logger.js';
export { noopLogger } from './logger.js';
export type { BackoffOptions } from './backoff.js';
export { ExponentialBackoff } from './backoff.js';
export type { ListResult, ListWatch, WatchEvent, WatchHandle } from './list-watch.js';
export { KubeStatusError, ResourceExpiredError } from './list-watch.js';
export type { KubeListWatchOptions } from './kube-list-watch.js';
export { KubeListWatch } from './kube-list-watch.js';
export type { IndexFunc } from './object-store.js';
export { NAMESPACE_INDEX, ObjectStore } from './object-store.js';
export type { InformerBackoffOptions, InformerEventHandler, InformerOptions } from './informer.js';
export { Informer } from './informer.js';
export type { ControllerRateLimiterOptions, ItemExponentialOptions, RateLimiter, TokenBucketOptions } from './rate-limiter.js';
export {
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  TokenBucketRateLimiter,
  defaultControllerRateLimiter,
} from './rate-limiter.js';
export type { WorkQueueOptions } from './work-queue.js';
export { Priority, WorkQueue } from './work-queue.js';
export { runWorkers } from './worker-pool.js';
export type { InFlightWork, ReconcileMetrics, ReconcileResult, WorkQueueMetrics } from './metrics.js';
export { ControllerMetrics } from './metrics.js';
export type { ReconcileContext, ReconcileOutcome, ReconcileRequest, Reconciler } from './reconciler.js';
export type { EnqueueForOwnerOptions, RequestMapper } from './event-mappers.js';
export { apiGroupOf, enqueueForObject, enqueueForOwner, enqueueMapped } from './event-mappers.js';
export type { ControllerOptions, WatchOptions } from './controller.js';
export { Controller } from './controller.js';
export type { Lease, LeaseClient, LeaseSpec } from './lease-client.js';
export { LeaseConflictError } from './lease-client.js';
export { KubeLeaseClient } from './kube-lease-client.js';
export type { LeaderElectionOptions } from './leader-election.js';
export { LeaderElector } from './leader-election.js';
