// The Agent controller on a Manager (src/controller/manager.ts): which informers it reads from the
// shared cache (Agents, ModelConfigs, both caches of every child kind, the Services tools may name,
// in the watched namespaces), what it reconciles, owns and watches, and the reconciler with its
// dependencies. Probes, metrics, leader election and the one shutdown path are the Manager's;
// everything Agent-specific is the reconciler's. A second controller (a RemoteAgent's, say) is
// another registration on the same Manager, sharing its informers.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AGENT_RESOURCE, GROUP_VERSION, MODEL_CONFIG_RESOURCE, REMOTE_AGENT_RESOURCE } from '../api/group-version.js';
import type { OperatorConfig } from '../config/operator-config.js';
import type { Informer } from '../controller/informer.js';
import { KubeLeaseClient } from '../controller/kube-lease-client.js';
import { KubeListWatch } from '../controller/kube-list-watch.js';
import type { Logger } from '../controller/logger.js';
import { Manager } from '../controller/manager.js';
import { objectRefKey } from '../controller/object-key.js';
import type { ReconcileRequest } from '../controller/reconciler.js';
import type { InformerSpec, ListWatchFactory } from '../controller/shared-cache.js';
import { Priority } from '../controller/work-queue.js';
import { KubeApiError } from '../kube/kube-api-error.js';
import { KubeClient, type RequestObserver } from '../kube/kube-client.js';
import { serviceAccountNamespace, type KubeConnection } from '../kube/kube-connection.js';
import type { KubeObject } from '../kube/kube-object.js';
import { groupVersionPath, resourcePath } from '../kube/resource-mapper.js';
import { remoteAgentHeaderSecrets } from '../render/tool-references.js';
import { toolServiceProjection } from '../render/tool-service.js';
import { GATEWAY_API_GROUP } from '../render/http-route.js';
import { registerAgentGauges } from './agent-gauges.js';
import { AgentReconciler } from './agent-reconciler.js';
import { FIELD_MANAGER } from './apply/write-decision.js';
import {
  BY_MODEL_CONFIG,
  BY_OWNER_UID,
  BY_TOOL_AGENT,
  BY_TOOL_REMOTE_AGENT,
  BY_TOOL_SERVICE,
  BY_UID,
  BY_SECRET,
  agentNamedBy,
  agentsBySecret,
  agentsByModelConfig,
  agentsByToolAgent,
  agentsByToolRemoteAgent,
  agentsByToolService,
  agentsByUid,
  childrenByOwnerUid,
} from './cache-indexes.js';
import { ChildCaches } from './child-caches.js';
import { childUpdateConcernsAgent } from './child-change.js';
import { CHILD_KINDS, CHILD_LABEL_SELECTOR, CONTENT_PAGE_SIZE, IDENTITY_PAGE_SIZE, type ChildKind } from './child-kinds.js';
import { identityProjection, ownedProjection, secretLabelProjection } from './child-projection.js';
import { boundedSize, MAX_AGENT_BYTES, MAX_MODEL_CONFIG_BYTES } from './spec-size.js';
import { EventRecorder } from './event-recorder.js';
import { InformerSet } from './informer-set.js';
import { toOwningAgent } from './owner-labels.js';
import { routeClaimOf } from './route-claim-of.js';
import { RouteClaims } from './route-claims.js';
import { platformClaimsOf, platformRouteProjection } from './platform-routes.js';
import { BY_REMOTE_AGENT_SERVICE, remoteAgentsByService, startRemoteAgentController } from './remote-agent/remote-agent-controller.js';
import { MAX_REMOTE_AGENT_BYTES } from './remote-agent/remote-agent-reconciler.js';
import type { ClaimantRef } from './route-claims.js';
import { ToolPeerMapper } from './tool-peer-mapper.js';

export const COMPONENT = 'agentry';

// Agents and ModelConfigs are cached whole up to a size (spec-size.ts), as identity beyond it.
const agentCacheForm = boundedSize(MAX_AGENT_BYTES);
const modelConfigCacheForm = boundedSize(MAX_MODEL_CONFIG_BYTES);
const remoteAgentCacheForm = boundedSize(MAX_REMOTE_AGENT_BYTES);

export interface OperatorOptions {
  /** The API server and credentials (see KubeConnection.fromDefault). */
  connection: KubeConnection;
  config: OperatorConfig;
  logger: Logger;
  /** host:port for /healthz, /readyz, /metrics; port 0 picks a free one; undefined disables. */
  probeAddress?: { host: string; port: number };
  /** Identity in the leader-election Lease (the pod name in a cluster). */
  identity: string;
  registry?: Registry;
  /** User-Agent on every API request (tests tell operators apart in the API server's audit log). */
  userAgent?: string;
}

export interface RunningOperator {
  client: KubeClient;
  registry: Registry;
  probePort: number | undefined;
  /** Resolves once this replica leads and its caches are synced (never, for a standby). */
  leading: Promise<void>;
  isLeader(): boolean;
  stop(): Promise<void>;
  /** Resolves when the operator stopped: after stop(), or after losing the lease. */
  done: Promise<'stopped' | 'lost-lease'>;
}

/** client-go's rest_client_* metrics: every request, reads (lists and watches, as GETs) included. */
function restClientMetrics(registry: Registry, host: string): { observe: RequestObserver; observeRead: (verb: 'LIST' | 'WATCH', code: number, ms: number) => void } {
  const requests = new Counter({ name: 'rest_client_requests_total', help: 'Kubernetes API requests by status code, method and host.', labelNames: ['code', 'method', 'host'], registers: [registry] });
  const latency = new Histogram({ name: 'rest_client_request_duration_seconds', help: 'Kubernetes API request latency by verb.', labelNames: ['verb'], registers: [registry], buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60] });
  const observe: RequestObserver = (method, _path, code, ms) => {
    requests.inc({ code: String(code), method, host });
    latency.observe({ verb: method }, ms / 1000);
  };
  return { observe, observeRead: (_verb, code, ms) => observe('GET', '', code, ms) };
}

/**
 * Whether the API server serves `plural` in `apiVersion`, by discovery (which every authenticated
 * user may read, whatever the operator's RBAC): a CRD added in a release is missing after a Helm
 * upgrade, which never upgrades crds/.
 */
async function servesResource(client: KubeClient, apiVersion: string, plural: string): Promise<boolean> {
  try {
    const list = (await client.request('GET', groupVersionPath(apiVersion))) as { resources?: { name?: unknown }[] } | undefined;
    return (list?.resources ?? []).some((r) => r.name === plural);
  } catch (err) {
    if (KubeApiError.isNotFound(err)) return false;
    throw err;
  }
}

export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const { connection, config, logger } = options;
  const userAgent = options.userAgent ?? `${COMPONENT}/0.1.0`;
  const registry = options.registry ?? new Registry();
  collectDefaultMetrics({ register: registry });
  const { observe, observeRead } = restClientMetrics(registry, connection.server.host);
  const client = new KubeClient(connection, { userAgent, observe });

  // Discovery, not client.resource(): the resource mapper's static table knows the Gateway API kinds
  // whether or not their CRDs are installed, and an informer on an unserved resource never syncs.
  const gatewayApi = (await servesResource(client, `${GATEWAY_API_GROUP}/v1`, 'httproutes')) && (await servesResource(client, `${GATEWAY_API_GROUP}/v1beta1`, 'referencegrants'));
  if (!gatewayApi) logger.warn('the Gateway API CRDs are not installed: HTTPRoutes and ReferenceGrants will not be managed');

  // Without the RemoteAgent CRD (installed before it existed, upgraded with Helm) the operator runs
  // as before, without RemoteAgents, rather than waiting forever for a cache that cannot fill.
  const remoteAgentApi = await servesResource(client, GROUP_VERSION, REMOTE_AGENT_RESOURCE.plural);
  if (!remoteAgentApi) logger.warn('the RemoteAgent CRD is not installed (apply crds/: Helm does not upgrade CRDs): RemoteAgents will not be managed');

  const listWatch: ListWatchFactory = (source, { pageSize }) =>
    new KubeListWatch(connection, {
      path: resourcePath({ apiVersion: source.apiVersion, plural: source.plural, namespaced: true }, source.namespace),
      ...(source.labelSelector !== undefined && { labelSelector: source.labelSelector }),
      ...(source.metadataOnly && { metadataOnly: true }),
      ...(pageSize !== undefined && { pageSize }),
      observe: observeRead,
      userAgent,
    });
  const le = config.leaderElection;
  const manager = new Manager({
    logger,
    registry,
    listWatch,
    resyncPeriodMs: config.resyncPeriodSeconds * 1000,
    ...(options.probeAddress && { probeAddress: options.probeAddress }),
    ...(le.enabled && {
      leaderElection: {
        // A client (and socket pool) of its own: renewals must not queue behind a burst of applies.
        client: new KubeLeaseClient(new KubeClient(connection, { userAgent, observe, maxSockets: 2 }), { requestTimeoutMs: (le.renewDeadlineSeconds * 1000) / 2 }),
        // The namespace the operator runs in: POD_NAMESPACE (downward API), its ServiceAccount's, or default.
        namespace: le.leaseNamespace ?? process.env.POD_NAMESPACE ?? serviceAccountNamespace() ?? 'default',
        name: le.leaseName,
        identity: options.identity,
        leaseDurationMs: le.leaseDurationSeconds * 1000,
        renewDeadlineMs: le.renewDeadlineSeconds * 1000,
        retryPeriodMs: le.retryPeriodSeconds * 1000,
      },
    }),
  });
  manager.addStopHook(() => client.close());

  // The informers, one per kind and watched namespace (all namespaces when none is configured).
  const namespaces: (string | undefined)[] = config.watchNamespaces?.length ? config.watchNamespaces : [undefined];
  const informers = (spec: Omit<InformerSpec, 'namespace'>, inNamespaces = namespaces): Informer[] =>
    inNamespaces.map((namespace) => manager.informer({ ...spec, ...(namespace !== undefined && { namespace }) }));
  const caches = new InformerSet();
  const cached = (apiVersion: string, kind: string, list: Informer[], into = caches): Informer[] => {
    for (const informer of list) into.add(apiVersion, kind, informer);
    return list;
  };
  // Only the Agent informers resync: a reconcile reads all of an Agent's children from the cache, so
  // re-delivering every child and ModelConfig too would only reconcile each Agent eight more times.
  const agentInformers = cached(
    GROUP_VERSION,
    AGENT_RESOURCE.kind,
    informers({
      apiVersion: GROUP_VERSION,
      kind: AGENT_RESOURCE.kind,
      plural: AGENT_RESOURCE.plural,
      transform: agentCacheForm,
      resync: true,
      indexes: {
        [BY_MODEL_CONFIG]: agentsByModelConfig,
        [BY_TOOL_AGENT]: agentsByToolAgent,
        [BY_TOOL_REMOTE_AGENT]: agentsByToolRemoteAgent,
        [BY_TOOL_SERVICE]: agentsByToolService,
        [BY_UID]: agentsByUid,
        [BY_SECRET]: agentsBySecret,
      },
    }),
  );
  // RemoteAgents, whole up to their size limit: the RemoteAgent controller reconciles them, and the
  // Agent controller reads them for tools[].remoteAgent (caches.of(GROUP_VERSION, 'RemoteAgent')).
  const remoteAgentInformers = remoteAgentApi
    ? cached(
        GROUP_VERSION,
        REMOTE_AGENT_RESOURCE.kind,
        informers({
          apiVersion: GROUP_VERSION,
          kind: REMOTE_AGENT_RESOURCE.kind,
          plural: REMOTE_AGENT_RESOURCE.plural,
          transform: remoteAgentCacheForm,
          resync: true,
          indexes: { [BY_UID]: agentsByUid, [BY_REMOTE_AGENT_SERVICE]: remoteAgentsByService },
        }),
      )
    : [];
  const modelConfigInformers = cached(
    GROUP_VERSION,
    MODEL_CONFIG_RESOURCE.kind,
    informers({ apiVersion: GROUP_VERSION, kind: MODEL_CONFIG_RESOURCE.kind, plural: MODEL_CONFIG_RESOURCE.plural, transform: modelConfigCacheForm }),
  );
  // Every Service of the watched namespaces, not only Agentry's: any may be an MCP server's. Never
  // whole (toolServiceProjection): a tenant's Services must not be able to grow the operator's memory.
  // Cached apart from the operator's own Services, in a set of their own.
  const toolServiceCaches = new InformerSet();
  const toolServiceInformers = cached('v1', 'Service', informers({ apiVersion: 'v1', kind: 'Service', plural: 'services', transform: toolServiceProjection }), toolServiceCaches);
  // With pods.secretReferences.requiredLabel, the Secrets of the watched namespaces, as metadata only
  // (a metadata-only watch: no value ever reaches the operator), cut down to the one label it reads.
  const requiredSecretLabel = config.pods.secretReferences.requiredLabel;
  const secretCaches = new InformerSet();
  const secretInformers = requiredSecretLabel
    ? cached('v1', 'Secret', informers({ apiVersion: 'v1', kind: 'Secret', plural: 'secrets', metadataOnly: true, transform: secretLabelProjection(requiredSecretLabel.key) }), secretCaches)
    : [];

  // Routes may live in one fixed namespace beside the gateway. Unless it is watched anyway, only
  // HTTPRoutes are cached there: that is all the operator puts there, and all its RBAC allows there
  // (ROUTE_NAMESPACE_RULES in rbac-requirements.ts).
  const routeOnlyNamespace =
    config.gateway.routeNamespace && !namespaces.includes(undefined) && !namespaces.includes(config.gateway.routeNamespace) ? config.gateway.routeNamespace : undefined;
  const childKinds = CHILD_KINDS.filter((k) => gatewayApi || !k.gatewayApi);
  const childNamespaces = (kind: string) => [...namespaces, ...(routeOnlyNamespace && kind === 'HTTPRoute' ? [routeOnlyNamespace] : [])];
  // Only the children of existing Agents keep content: any other object labelled as Agentry's is
  // held as identity, so labels cannot make the operator hold a tenant's objects. Hence these
  // informers start once the Agents are cached.
  const isAgentUid = (uid: string) =>
    caches.byIndex(GROUP_VERSION, AGENT_RESOURCE.kind, BY_UID, uid).length > 0 || caches.byIndex(GROUP_VERSION, REMOTE_AGENT_RESOURCE.kind, BY_UID, uid).length > 0;
  const perChildKind = (spec: (k: ChildKind) => Omit<InformerSpec, 'apiVersion' | 'kind' | 'plural' | 'namespace'>, into: InformerSet): Informer[] =>
    childKinds.flatMap((k) => cached(k.apiVersion, k.kind, informers({ apiVersion: k.apiVersion, kind: k.kind, plural: k.plural, ...spec(k) }, childNamespaces(k.kind)), into));
  const childInformers = perChildKind(
    (k) => ({
      labelSelector: CHILD_LABEL_SELECTOR,
      pageSize: CONTENT_PAGE_SIZE,
      transform: ownedProjection({ manager: FIELD_MANAGER, keepStatus: k.readsStatus === true, isAgentUid }),
      startAfter: [...agentInformers, ...remoteAgentInformers],
    }),
    caches,
  );
  // Every object of each child kind, as identity only (child-projection.ts): what exists under a
  // child's name and who owns it, whatever its labels.
  const identities = new InformerSet();
  const identityInformers = perChildKind(
    (k) => ({ metadataOnly: true, pageSize: IDENTITY_PAGE_SIZE, transform: identityProjection(k.apiVersion, k.kind), indexes: { [BY_OWNER_UID]: childrenByOwnerUid } }),
    identities,
  );
  // Every HTTPRoute there, cut down to the paths it claims: a platform's route on the configured
  // Gateways holds its paths before any Agent (platform-routes.ts). Only with Gateway API.
  const platformRouteCaches = new InformerSet();
  const platformRouteInformers = gatewayApi
    ? cached(`${GATEWAY_API_GROUP}/v1`, 'HTTPRoute', informers({ apiVersion: `${GATEWAY_API_GROUP}/v1`, kind: 'HTTPRoute', plural: 'httproutes', pageSize: CONTENT_PAGE_SIZE, transform: platformRouteProjection }, childNamespaces('HTTPRoute')), platformRouteCaches)
    : [];

  const agents = caches.of(GROUP_VERSION, AGENT_RESOURCE.kind);
  const agentsByIndex = (index: string, ref: { namespace?: string; name: string }) => caches.byIndex(GROUP_VERSION, AGENT_RESOURCE.kind, index, objectRefKey(ref));
  const refOf = (obj: KubeObject): ReconcileRequest => ({ namespace: obj.metadata.namespace, name: obj.metadata.name });
  const callersOf = (agent: { namespace?: string; name: string }) => agentsByIndex(BY_TOOL_AGENT, agent);
  const effectiveConfig = gatewayApi ? config : { ...config, gateway: { ...config.gateway, enabled: false, parentRefs: [] } };
  const routeClaims = new RouteClaims();
  // Agents and RemoteAgents share the gateway's paths: a verdict on one may move the other kind's
  // outcome, so each claimant goes to its own kind's controller.
  const requeueClaimants = (refs: readonly ClaimantRef[]): ReconcileRequest[] => {
    const agentRefs: ReconcileRequest[] = [];
    for (const { kind, ...ref } of refs) {
      if (kind === 'RemoteAgent') remoteAgentController?.enqueue(ref);
      else agentRefs.push(ref);
    }
    return agentRefs;
  };
  const reconciler = new AgentReconciler({
    client,
    agents,
    modelConfigs: caches.of(GROUP_VERSION, MODEL_CONFIG_RESOURCE.kind),
    toolServices: toolServiceCaches.of('v1', 'Service'),
    remoteAgents: caches.of(GROUP_VERSION, REMOTE_AGENT_RESOURCE.kind),
    ...(requiredSecretLabel && { secrets: secretCaches.of('v1', 'Secret') }),
    callersOf,
    children: new ChildCaches(caches, identities),
    config: effectiveConfig,
    gatewayApi,
    recorder: new EventRecorder(client, COMPONENT, logger),
    routeClaims,
    // A reconcile's verdict on whether an Agent can hold its route moves other Agents' outcomes.
    requeue: (refs) => {
      for (const ref of requeueClaimants(refs)) controller.enqueue(ref);
    },
  });

  // A route claim is read from the cache, never from the event: the store is updated before any
  // handler runs, so whichever handler sees the event first, the claim is the Agent's current one
  // (gone once the Agent is deleted or being deleted). The Agents whose claims it overlapped, now
  // or before, may win or lose their path.
  const claimChanged = (agent: KubeObject): ReconcileRequest[] => {
    const ref = refOf(agent);
    const current = agents.get(ref.namespace ?? '', ref.name);
    return requeueClaimants(routeClaims.set(ref, current && !current.metadata.deletionTimestamp ? routeClaimOf(current, effectiveConfig) : undefined));
  };
  // A platform route appearing, changing or going away: the Agents whose paths lie at or below its own.
  const platformRouteChanged = (route: KubeObject): ReconcileRequest[] => {
    const ref = refOf(route);
    const current = platformRouteCaches.get(route.apiVersion, route.kind, ref.namespace ?? '', ref.name);
    return requeueClaimants(routeClaims.setPlatformRoute(ref, current ? platformClaimsOf(current, effectiveConfig.gateway) : undefined));
  };
  // A child maps to the Agent it is named after, whoever owns it (see agentNamedBy): an object
  // named like a child appearing or going away concerns that Agent as much as its own child's
  // changes. Objects named after no Agent that exists queue nothing.
  const toNamedAgent = (child: KubeObject): ReconcileRequest[] => {
    const agent = agentNamedBy(child);
    return agent && agents.get(agent.namespace ?? '', agent.name) ? [agent] : [];
  };
  const toReferencingAgents = (mc: KubeObject): ReconcileRequest[] => agentsByIndex(BY_MODEL_CONFIG, mc.metadata).map(refOf);
  // A RemoteAgent appearing, changing (its status too: only an Accepted one is a tool) or going
  // away: the Agents whose tools name it.
  const toRemoteAgentToolUsers = (ra: KubeObject): ReconcileRequest[] => agentsByIndex(BY_TOOL_REMOTE_AGENT, ra.metadata).map(refOf);
  // A Service appearing, changing or going away: the Agents whose MCP tools name it, and those
  // calling a RemoteAgent that names it (their egress is to its pods).
  const toToolServiceUsers = (svc: KubeObject): ReconcileRequest[] => [
    ...agentsByIndex(BY_TOOL_SERVICE, svc.metadata),
    ...caches.byIndex(GROUP_VERSION, REMOTE_AGENT_RESOURCE.kind, BY_REMOTE_AGENT_SERVICE, objectRefKey(svc.metadata)).flatMap((ra) => agentsByIndex(BY_TOOL_REMOTE_AGENT, ra.metadata)),
  ].map(refOf);
  // A Secret's label changing: the Agents that name it, and those whose ModelConfig's API key it is.
  const modelConfigs = caches.of(GROUP_VERSION, MODEL_CONFIG_RESOURCE.kind);
  const toSecretUsers = (secret: KubeObject): ReconcileRequest[] => {
    const { namespace, name } = secret.metadata;
    const keyUsers = modelConfigs
      .list(namespace, (mc) => (mc.spec as { apiKeySecret?: { name?: unknown } } | undefined)?.apiKeySecret?.name === name)
      .flatMap((mc) => agentsByIndex(BY_MODEL_CONFIG, mc.metadata));
    // And the callers of the RemoteAgents whose headersFrom name it: their pods carry its values.
    const headerUsers = caches
      .of(GROUP_VERSION, REMOTE_AGENT_RESOURCE.kind)
      .list(namespace, (ra) => remoteAgentHeaderSecrets(ra).includes(name))
      .flatMap((ra) => agentsByIndex(BY_TOOL_REMOTE_AGENT, ra.metadata));
    return [...agentsByIndex(BY_SECRET, secret.metadata), ...keyUsers, ...headerUsers].map(refOf);
  };

  // The echo of the reconciler's own write (a child it created or patched, an Agent whose status it
  // wrote) queues nothing: the reconcile that wrote it knew what it wrote (own-writes.ts). Nor does
  // a child's update that changes nothing a reconcile reads (child-change.ts), unless a reconcile
  // waits for it (its caches disagreed). Anyone else's change does, and so does every resync.
  const notOwnWrite = (obj: KubeObject) => !reconciler.isOwnWrite(obj);
  const childPredicates = {
    add: notOwnWrite,
    update: (oldObj: KubeObject, newObj: KubeObject) => reconciler.awaitedEvent(newObj) || (notOwnWrite(newObj) && childUpdateConcernsAgent(oldObj, newObj)),
  };
  const controller = manager
    .controller('agent', { maxConcurrentReconciles: config.workers })
    .for(agentInformers, { predicates: { update: (oldAgent, agent) => !reconciler.isOwnStatusWrite(oldAgent, agent) } })
    // The children, to the Agent their owner labels name (at high priority: a child's change
    // concerns work already under way, a Deployment become available or drift to put back, which
    // should not wait behind a burst of Agents not yet started). Every object of the child kinds,
    // labelled or not, to the Agent it is named after.
    .owns(childInformers, toOwningAgent, { predicates: childPredicates })
    .watches(identityInformers, toNamedAgent, { priority: Priority.High, predicates: childPredicates })
    .watches(agentInformers, claimChanged)
    .watches(platformRouteInformers, platformRouteChanged)
    .watches(modelConfigInformers, toReferencingAgents)
    .watches(toolServiceInformers, toToolServiceUsers)
    .watches(remoteAgentInformers, toRemoteAgentToolUsers)
    .watches(secretInformers, toSecretUsers)
    .complete(reconciler.reconcile);

  // An Agent's tools changing: the peers it names now and named before (their ingress admits it);
  // a peer appearing, changing what callers see of it, or going away: its callers. Compares the old
  // and the new object, so it is an event handler rather than a mapper; it only queues.
  const toolPeers = new ToolPeerMapper(callersOf);
  for (const informer of agentInformers) {
    const enqueue = (refs: ReconcileRequest[]) => {
      const priority = informer.hasSynced() ? Priority.Normal : Priority.Low;
      for (const ref of refs) controller.enqueue(ref, priority);
    };
    informer.addEventHandler({
      onAdd: (a) => enqueue(toolPeers.added(a)),
      onUpdate: (old, a) => enqueue(toolPeers.updated(old, a)),
      onDelete: (a) => enqueue(toolPeers.deleted(a)),
    });
  }

  const remoteAgents = caches.of(GROUP_VERSION, REMOTE_AGENT_RESOURCE.kind);
  const remoteAgentController = remoteAgentApi
    ? startRemoteAgentController({
        manager,
        registry,
        remoteAgentInformers,
        childInformers,
        identityInformers,
        serviceInformers: toolServiceInformers,
        routeClaims,
        requeueClaimants: (refs) => {
          for (const ref of requeueClaimants(refs)) controller.enqueue(ref);
        },
        config: effectiveConfig,
        remoteAgentsByServiceKey: (key) => caches.byIndex(GROUP_VERSION, REMOTE_AGENT_RESOURCE.kind, BY_REMOTE_AGENT_SERVICE, key),
        deps: {
          client,
          remoteAgents,
          services: toolServiceCaches.of('v1', 'Service'),
          children: new ChildCaches(caches, identities),
          recorder: new EventRecorder(client, COMPONENT, logger),
        },
        workers: config.workers,
        synced: () => manager.isLeader(),
      })
    : undefined;

  registerAgentGauges(registry, agents, () => manager.isLeader());
  logger.info({ workers: config.workers, namespaces: namespaces.map((n) => n ?? '*') }, 'starting the Agent controller');
  await manager.start();
  return {
    client,
    registry,
    probePort: manager.probePort,
    leading: manager.leading,
    isLeader: () => manager.isLeader(),
    stop: () => manager.stop(),
    done: manager.done,
  };
}
