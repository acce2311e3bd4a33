import { z } from 'zod';
import { KubeApiError } from '../kube/kube-api-error.js';
import type { KubeClient } from '../kube/kube-client.js';
import { resourcePath } from '../kube/resource-mapper.js';
import { LeaseConflictError } from './lease-client.js';
import type { Lease, LeaseClient, LeaseSpec } from './lease-client.js';

/**
 * A renew that hangs must fail before the renew deadline runs out, so that the elector can retry
 * (or step down) in time; the API server itself answers in milliseconds.
 */
const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

/** The wire form of a Lease's spec: MicroTime strings, which carry six fractional digits. */
interface WireLeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** What we read back; everything optional, as the API server may omit any of it. */
const wireLeaseSchema = z.looseObject({
  metadata: z.looseObject({ resourceVersion: z.string().optional() }).optional(),
  spec: z
    .looseObject({
      holderIdentity: z.string().optional(),
      leaseDurationSeconds: z.number().optional(),
      acquireTime: z.string().optional(),
      renewTime: z.string().optional(),
      leaseTransitions: z.number().optional(),
    })
    .optional(),
});

/** Epoch ms as a MicroTime: the API server rejects RFC 3339 with fewer than six fractional digits. */
export function toMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function toEpochMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function toLease(body: unknown): Lease {
  const lease = wireLeaseSchema.parse(body);
  const spec = lease.spec ?? {};
  return {
    resourceVersion: lease.metadata?.resourceVersion ?? '',
    spec: {
      holderIdentity: spec.holderIdentity,
      leaseDurationSeconds: spec.leaseDurationSeconds,
      acquireTimeMs: toEpochMs(spec.acquireTime),
      renewTimeMs: toEpochMs(spec.renewTime),
      leaseTransitions: spec.leaseTransitions,
    },
  };
}

function toWireLease(namespace: string, name: string, spec: LeaseSpec, resourceVersion?: string): object {
  const wire: WireLeaseSpec = {
    holderIdentity: spec.holderIdentity,
    leaseDurationSeconds: spec.leaseDurationSeconds,
    acquireTime: spec.acquireTimeMs === undefined ? undefined : toMicroTime(spec.acquireTimeMs),
    renewTime: spec.renewTimeMs === undefined ? undefined : toMicroTime(spec.renewTimeMs),
    leaseTransitions: spec.leaseTransitions,
  };
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: wire, // undefined fields are left out when KubeClient serializes the body
  };
}

const LEASES = { apiVersion: 'coordination.k8s.io/v1', plural: 'leases', namespaced: true };
const leasePath = (namespace: string, name?: string) => resourcePath(LEASES, namespace, name);

/**
 * LeaseClient over a real API server (coordination.k8s.io/v1). Give it a KubeClient of its own
 * (its own socket pool), so renewals never queue behind the operator's writes.
 */
export class KubeLeaseClient implements LeaseClient {
  private readonly timeoutMs: number;

  constructor(
    private readonly client: KubeClient,
    options: { requestTimeoutMs?: number } = {},
  ) {
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  async get(namespace: string, name: string): Promise<Lease | undefined> {
    try {
      return toLease(await this.client.request('GET', leasePath(namespace, name), { timeoutMs: this.timeoutMs }));
    } catch (err) {
      if (KubeApiError.isNotFound(err)) return undefined;
      throw err;
    }
  }

  async create(namespace: string, name: string, spec: LeaseSpec): Promise<Lease> {
    try {
      const body = toWireLease(namespace, name, spec);
      return toLease(await this.client.request('POST', leasePath(namespace), { body, timeoutMs: this.timeoutMs }));
    } catch (err) {
      if (KubeApiError.isConflict(err)) throw new LeaseConflictError(`lease ${namespace}/${name} already exists`);
      throw err;
    }
  }

  async update(namespace: string, name: string, resourceVersion: string, spec: LeaseSpec): Promise<Lease> {
    try {
      const body = toWireLease(namespace, name, spec, resourceVersion);
      return toLease(await this.client.request('PUT', leasePath(namespace, name), { body, timeoutMs: this.timeoutMs }));
    } catch (err) {
      if (KubeApiError.isConflict(err)) throw new LeaseConflictError(`lease ${namespace}/${name} was modified concurrently`);
      throw err;
    }
  }
}
