import { ApiException, CoordinationV1Api, V1MicroTime, setHeaderOptions } from '@kubernetes/client-node';
import type { ConfigurationOptions, KubeConfig, V1Lease } from '@kubernetes/client-node';
import { LeaseConflictError } from './lease-client.js';
import type { Lease, LeaseClient, LeaseSpec } from './lease-client.js';

/**
 * client-node 1.4 types Lease times as V1MicroTime (a Date) but does not deserialize them: its
 * ObjectSerializer has no entry for V1MicroTime, so reads return the raw RFC 3339 string. Accept
 * both.
 */
function toEpochMs(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

function toLease(lease: V1Lease): Lease {
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

function toV1Lease(namespace: string, name: string, spec: LeaseSpec, resourceVersion?: string): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, resourceVersion },
    spec: {
      holderIdentity: spec.holderIdentity,
      leaseDurationSeconds: spec.leaseDurationSeconds,
      // V1MicroTime serializes with the microsecond precision the API server requires.
      acquireTime: spec.acquireTimeMs === undefined ? undefined : new V1MicroTime(spec.acquireTimeMs),
      renewTime: spec.renewTimeMs === undefined ? undefined : new V1MicroTime(spec.renewTimeMs),
      leaseTransitions: spec.leaseTransitions,
    },
  };
}

function statusCodeOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** LeaseClient over a real API server (coordination.k8s.io/v1). */
export class KubeLeaseClient implements LeaseClient {
  private readonly api: CoordinationV1Api;
  /** Per-request options: the User-Agent, so audit logs attribute Lease writes to this process. */
  private readonly requestOptions: ConfigurationOptions | undefined;

  constructor(kubeConfig: KubeConfig, options: { userAgent?: string } = {}) {
    this.api = kubeConfig.makeApiClient(CoordinationV1Api);
    this.requestOptions = options.userAgent ? setHeaderOptions('User-Agent', options.userAgent) : undefined;
  }

  async get(namespace: string, name: string): Promise<Lease | undefined> {
    try {
      return toLease(await this.api.readNamespacedLease({ namespace, name }, this.requestOptions));
    } catch (err) {
      if (statusCodeOf(err) === 404) return undefined;
      throw err;
    }
  }

  async create(namespace: string, name: string, spec: LeaseSpec): Promise<Lease> {
    try {
      return toLease(await this.api.createNamespacedLease({ namespace, body: toV1Lease(namespace, name, spec) }, this.requestOptions));
    } catch (err) {
      if (statusCodeOf(err) === 409) throw new LeaseConflictError(`lease ${namespace}/${name} already exists`);
      throw err;
    }
  }

  async update(namespace: string, name: string, resourceVersion: string, spec: LeaseSpec): Promise<Lease> {
    try {
      return toLease(
        await this.api.replaceNamespacedLease({ namespace, name, body: toV1Lease(namespace, name, spec, resourceVersion) }, this.requestOptions),
      );
    } catch (err) {
      if (statusCodeOf(err) === 409) throw new LeaseConflictError(`lease ${namespace}/${name} was modified concurrently`);
      throw err;
    }
  }
}
