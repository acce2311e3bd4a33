/**
 * The few Lease operations leader election needs, behind an interface so tests can use an
 * in-memory fake and production KubeLeaseClient. Times are epoch milliseconds: the wire format
 * (MicroTime strings) stays inside the implementation.
 */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTimeMs?: number;
  renewTimeMs?: number;
  leaseTransitions?: number;
}

export interface Lease {
  /** Optimistic concurrency token: an update must carry the version it read. */
  resourceVersion: string;
  spec: LeaseSpec;
}

export interface LeaseClient {
  /** The lease, or undefined when it does not exist. */
  get(namespace: string, name: string): Promise<Lease | undefined>;
  /** Creates the lease; throws LeaseConflictError when it already exists. */
  create(namespace: string, name: string, spec: LeaseSpec): Promise<Lease>;
  /** Replaces the lease's spec; throws LeaseConflictError when `resourceVersion` is stale. */
  update(namespace: string, name: string, resourceVersion: string, spec: LeaseSpec): Promise<Lease>;
}

/** Somebody else wrote the lease first (409 AlreadyExists / Conflict). */
export class LeaseConflictError extends Error {
  override readonly name = 'LeaseConflictError';
}
