// The RemoteAgent controller on the operator's Manager: what it reconciles (RemoteAgents), owns (its
// route, grant and ExternalName Service, by the kind-qualified owner labels), and watches (objects
// named like its children, the Services RemoteAgents name, its own claims on gateway paths). It
// shares the Agent controller's informers (operator.ts makes them): nothing here opens a watch.
import { Counter, type Registry } from 'prom-client';

import { REMOTE_AGENT_OWNER_KIND } from '../../api/group-version.js';
import { RemoteAgentConditionType, remoteAgentSpecSchema } from '../../api/remote-agent.js';
import type { OperatorConfig } from '../../config/operator-config.js';
import type { Controller } from '../../controller/controller.js';
import { enqueueForLabelledOwner, type RequestMapper } from '../../controller/event-mappers.js';
import type { Informer } from '../../controller/informer.js';
import type { Manager } from '../../controller/manager.js';
import { objectRefKey, type ObjectRef } from '../../controller/object-key.js';
import type { ReconcileRequest } from '../../controller/reconciler.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { isRecord } from '../../kube/kube-object.js';
import { REMOTE_AGENT_CHILD_SUFFIX, resolveRemoteAgentExposure } from '../../render/remote-agent-exposure.js';
import { registerConditionGauges } from '../agent-gauges.js';
import type { ObjectLookup } from '../informer-set.js';
import { OWNER_LABEL_KEYS } from '../owner-labels.js';
import type { ClaimantRef, RouteClaim, RouteClaims } from '../route-claims.js';
import { RemoteAgentReconciler, type RemoteAgentReconcilerDeps } from './remote-agent-reconciler.js';

/** RemoteAgents by the Service (`namespace/name`) their spec.service names. */
export const BY_REMOTE_AGENT_SERVICE = 'agentry.dev/remote-agent-service';

export function remoteAgentsByService(ra: KubeObject): string[] {
  const service = isRecord(ra.spec) && isRecord(ra.spec.service) ? ra.spec.service.name : undefined;
  return typeof service === 'string' && service !== '' ? [objectRefKey({ namespace: ra.metadata.namespace, name: service })] : [];
}

/** A RemoteAgent's children's events, to it: by the owner labels (owner-kind RemoteAgent). */
export const toOwningRemoteAgent: RequestMapper<KubeObject> = enqueueForLabelledOwner(REMOTE_AGENT_OWNER_KIND, OWNER_LABEL_KEYS);

/**
 * The RemoteAgent an object of a child kind would belong to by its name: `{name}.{namespace}.remoteagent`
 * (its route), `{name}.remoteagent` (its grant) or `{name}` (its ExternalName Service).
 */
export function remoteAgentNamedBy(child: KubeObject): ObjectRef | undefined {
  const { name, namespace } = child.metadata;
  if (!namespace) return undefined;
  const parts = name.split('.');
  if (parts.length === 1) return { namespace, name };
  if (parts.length === 2 && parts[1] === REMOTE_AGENT_CHILD_SUFFIX && parts[0]) return { namespace, name: parts[0] };
  if (parts.length === 3 && parts[2] === REMOTE_AGENT_CHILD_SUFFIX && parts[0] && parts[1]) return { namespace: parts[1], name: parts[0] };
  return undefined;
}

/** A RemoteAgent's claim on a gateway path, decided exactly as its reconcile decides its route. */
export function remoteAgentRouteClaimOf(ra: KubeObject, config: OperatorConfig): RouteClaim | undefined {
  const { namespace, name, creationTimestamp } = ra.metadata;
  if (!namespace) return undefined;
  const spec = remoteAgentSpecSchema.safeParse(ra.spec);
  if (!spec.success) return undefined;
  try {
    const exposure = resolveRemoteAgentExposure({ name, namespace }, spec.data, config);
    if (!exposure.routed) return undefined;
    return { agent: { kind: 'RemoteAgent', namespace, name }, path: exposure.route.path, hostnames: exposure.route.hostnames, createdAt: creationTimestamp ?? '' };
  } catch {
    return undefined; // an exposure the reconcile refuses claims nothing
  }
}

export interface RemoteAgentControllerOptions {
  manager: Manager;
  registry: Registry;
  /** One per watched namespace, indexed by BY_REMOTE_AGENT_SERVICE. */
  remoteAgentInformers: readonly Informer[];
  /** The labelled caches of the child kinds (content for owned children). */
  childInformers: readonly Informer[];
  /** Every object of the child kinds, as identity. */
  identityInformers: readonly Informer[];
  /** Every Service of the watched namespaces (toolServiceProjection). */
  serviceInformers: readonly Informer[];
  /** Claims shared with the Agent controller. */
  routeClaims: RouteClaims;
  /** Sends claimants whose outcome changed to their controllers (Agents to the Agent controller). */
  requeueClaimants: (refs: readonly ClaimantRef[]) => void;
  /** The effective operator configuration (no gateway when the Gateway API is not installed). */
  config: OperatorConfig;
  /** Looked up by service, for the Services' events. */
  remoteAgentsByServiceKey: (key: string) => readonly KubeObject[];
  deps: Omit<RemoteAgentReconcilerDeps, 'config' | 'routeClaims' | 'requeue' | 'onFetch'>;
  workers: number;
  /** Whether the caches are complete (this replica leads): the gauge has no samples before. */
  synced: () => boolean;
}

export function startRemoteAgentController(options: RemoteAgentControllerOptions): Controller {
  const { routeClaims, config } = options;
  const remoteAgents: ObjectLookup = options.deps.remoteAgents;
  const fetches = new Counter({
    name: 'agentry_remote_agent_card_fetches_total',
    help: "RemoteAgent agent card fetches, by outcome: 'ok', or the reason of the failure (Timeout, TooLarge, InvalidCard, SecretNotFound ...).",
    labelNames: ['result'],
    registers: [options.registry],
  });
  registerConditionGauges(
    options.registry,
    {
      name: 'agentry_remote_agents',
      help: 'RemoteAgents by condition type and status (one without the condition counts as Unknown), from the operator cache.',
      conditions: Object.values(RemoteAgentConditionType),
    },
    remoteAgents,
    options.synced,
  );
  const reconciler = new RemoteAgentReconciler({
    ...options.deps,
    config,
    routeClaims,
    requeue: (refs) => options.requeueClaimants(refs),
    onFetch: (result) => fetches.inc({ result }),
  });
  const refOf = (obj: KubeObject): ReconcileRequest => ({ namespace: obj.metadata.namespace, name: obj.metadata.name });
  // Read from the cache, as the Agent controller does: the store is updated before any handler runs.
  const claimChanged = (ra: KubeObject): ReconcileRequest[] => {
    const ref = refOf(ra);
    const current = remoteAgents.get(ref.namespace ?? '', ref.name);
    const claim = current && !current.metadata.deletionTimestamp ? remoteAgentRouteClaimOf(current, config) : undefined;
    options.requeueClaimants(routeClaims.set({ kind: 'RemoteAgent', ...ref }, claim));
    return [];
  };
  const toNamedRemoteAgent = (child: KubeObject): ReconcileRequest[] => {
    const ref = remoteAgentNamedBy(child);
    return ref && remoteAgents.get(ref.namespace ?? '', ref.name) ? [ref] : [];
  };
  const toServiceUsers = (svc: KubeObject): ReconcileRequest[] => options.remoteAgentsByServiceKey(objectRefKey(svc.metadata)).map(refOf);

  return options.manager
    .controller('remoteagent', { maxConcurrentReconciles: options.workers })
    .for(options.remoteAgentInformers)
    .owns(options.childInformers, toOwningRemoteAgent)
    .watches(options.identityInformers, toNamedRemoteAgent)
    .watches(options.remoteAgentInformers, claimChanged)
    .watches(options.serviceInformers, toServiceUsers)
    .complete(reconciler.reconcile);
}
