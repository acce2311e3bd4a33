import { LeaseConflictError } from '../../../../src/controller/lease-client.js';
import type { Lease, LeaseClient, LeaseSpec } from '../../../../src/controller/lease-client.js';

/**
 * In-memory Lease storage with the API server's optimistic concurrency: create fails when the
 * lease exists, update fails when the caller's resourceVersion is not the current one.
 */
export class FakeLeaseClient implements LeaseClient {
  private readonly leases = new Map<string, Lease>();
  private rv = 0;
  /** While set, every call fails (an unreachable API server). */
  failing = false;
  /** Runs between an update's arrival and its version check, to simulate a racing writer. */
  beforeUpdate: (() => void) | undefined;
  readonly calls: string[] = [];

  get(namespace: string, name: string): Promise<Lease | undefined> {
    return this.call('get', () => {
      const lease = this.leases.get(`${namespace}/${name}`);
      return lease ? structuredClone(lease) : undefined;
    });
  }

  create(namespace: string, name: string, spec: LeaseSpec): Promise<Lease> {
    return this.call('create', () => {
      const key = `${namespace}/${name}`;
      if (this.leases.has(key)) throw new LeaseConflictError('already exists');
      return this.store(key, spec);
    });
  }

  update(namespace: string, name: string, resourceVersion: string, spec: LeaseSpec): Promise<Lease> {
    return this.call('update', () => {
      this.beforeUpdate?.();
      const key = `${namespace}/${name}`;
      const current = this.leases.get(key);
      if (!current || current.resourceVersion !== resourceVersion) throw new LeaseConflictError('conflict');
      return this.store(key, spec);
    });
  }

  /** Writes directly, as another process would. */
  put(namespace: string, name: string, spec: LeaseSpec): Lease {
    return this.store(`${namespace}/${name}`, spec);
  }

  peek(namespace: string, name: string): Lease | undefined {
    return this.leases.get(`${namespace}/${name}`);
  }

  private store(key: string, spec: LeaseSpec): Lease {
    this.rv += 1;
    const lease: Lease = { resourceVersion: String(this.rv), spec: { ...spec } };
    this.leases.set(key, lease);
    return structuredClone(lease);
  }

  private async call<R>(name: string, body: () => R): Promise<R> {
    this.calls.push(name);
    await Promise.resolve();
    if (this.failing) throw new Error('connection refused');
    return body();
  }
}
