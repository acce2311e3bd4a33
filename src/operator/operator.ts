// Wires the Agent controller together: caches for Agents, ModelConfigs, every child kind and the
// Services tools may name (in the watched namespaces), the controller and its watches, leader election, the probe/metrics server,
// and graceful shutdown. Everything Agent-specific lives in the reconciler; this is plumbing.
import { readFileSync } from 'node:fs';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AGENT_RESOURCE, GROUP_VERSION, MODEL_CONFIG_RESOURCE } from '../api/group-version.js';
import type { OperatorConfig } from '../config/operator-config.js';
import { Controller } from '../controller/controller.js';
import { enqueueForObject, enqueueMapped } from '../controller/event-mappers.js';
import { Informer } from '../controller/informer.js';
import { KubeLeaseClient } from '../controller/kube-lease-client.js';
import { KubeListWatch } from '../controller/kube-list-watch.js';
import { LeaderElector } from '../controller/leader-election.js';
import { objectRefKey } from '../controller/object-key.js';
import type { IndexFunc } from '../controller/object-store.js';
import type { Logger } from '../controller/logger.js';
import { ControllerMetrics } from '../controller/metrics.js';
import { Priority } from '../controller/work-queue.js';
import type { ReconcileRequest } from '../controller/reconciler.js';
import { KubeClient } from '../kube/kube-client.js';
import type { KubeConnection } from '../kube/kube-connection.js';
import { KubeApiError } from '../kube/kube-api-error.js';
import type { KubeObject } from '../kube/kube-object.js';
import { AgentReconciler } from './agent-reconciler.js';
import { FIELD_MANAGER } from './apply/write-decision.js';
import { toolServiceProjection } from '../render/tool-service.js';
import {
  BY_MODEL_CONFIG,
  BY_OWNER_UID,
  BY_TOOL_AGENT,
  BY_TOOL_SERVICE,
  BY_UID,
  agentNamedBy,
  agentsByModelConfig,
  agentsByToolAgent,
  agentsByToolService,
  agentsByUid,
  childrenByOwnerUid,
} from './cache-indexes.js';
import { ChildCaches } from './child-caches.js';
import { identityProjection, ownedProjection, withoutBookkeeping } from './child-projection.js';
import { registerAgentGauges } from './agent-gauges.js';
import { CHILD_KINDS, CHILD_LABEL_SELECTOR, CONTENT_PAGE_SIZE, IDENTITY_PAGE_SIZE } from './child-kinds.js';
import { EventRecorder } from './event-recorder.js';
import { HealthServer } from './health-server.js';
import { InformerSet } from './informer-set.js';
import { RouteClaims } from './route-claims.js';
import { routeClaimOf } from './route-claim-of.js';
import { ToolPeerMapper } from './tool-peer-mapper.js';

export const COMPONENT = 'agentry';

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

/** How one kind is cached. */
interface CacheOptions {
  labelSelector?: string;
  /** List and watch metadata only (see KubeListWatchOptions.metadataOnly). */
  metadataOnly?: boolean;
  /** Objects per list page: bounds what one page of large objects costs while it is parsed. */
  pageSize?: number;
  /** What is kept of each object (see child-cache.ts). */
  transform: (obj: KubeObject) => KubeObject;
  /** Re-deliver every object each resync period. */
  resync: boolean;
  indexes?: Record<string, IndexFunc<KubeObject>>;
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

/** The namespace the operator runs in: POD_NAMESPACE (downward API), the service account's, or default. */
function ownNamespace(): string {
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  try {
    return readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim();
  } catch {
    return 'default';
  }
}

async function served(client: KubeClient, apiVersion: string, kind: string): Promise<boolean> {
  try {
    await client.resource(apiVersion, kind);
    return true;
  } catch (err) {
    if (KubeApiError.isNotFound(err) || (err instanceof Error && err.message.includes('does not serve'))) return false;
    throw err;
  }
}

export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const { connection, config, logger } = options;
  const userAgent = options.userAgent ?? `${COMPONENT}/0.1.0`;
  const registry = options.registry ?? new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'rest_client_requests_total', help: 'Kubernetes API requests by status code, method and host.', labelNames: ['code', 'method', 'host'], registers: [registry] });
  const latency = new Histogram({ name: 'rest_client_request_duration_seconds', help: 'Kubernetes API request latency by verb.', labelNames: ['verb'], registers: [registry], buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60] });
  const host = connection.server.host;
  const observeRequest = (method: string, _path: string, code: number, ms: number) => {
    requests.inc({ code: String(code), method, host });
    latency.observe({ verb: method }, ms / 1000);
  };
  const client = new KubeClient(connection, { userAgent, observe: observeRequest });

  // Lists and watches are GETs in client-go's rest_client_* metrics too.
  const observeRead = (_verb: 'LIST' | 'WATCH', code: number, ms: number) => {
    requests.inc({ code: String(code), method: 'GET', host });
    latency.observe({ verb: 'GET' }, ms / 1000);
  };
  const gatewayApi = (await served(client, 'gateway.networking.k8s.io/v1', 'HTTPRoute')) && (await served(client, 'gateway.networking.k8s.io/v1beta1', 'ReferenceGrant'));
  if (!gatewayApi) logger.warn('the Gateway API CRDs are not installed: HTTPRoutes and ReferenceGrants will not be managed');

  const namespaces: (string | undefined)[] = config.watchNamespaces?.length ? config.watchNamespaces : [undefined];
  const resyncPeriodMs = config.resyncPeriodSeconds * 1000;
  const caches = new InformerSet();
  // Only the Agent informers resync: a reconcile reads all of an Agent's children from the cache, so
  // re-delivering every child and ModelConfig too would only reconcile each Agent eight more times.
  // Services that tools name live beside the operator's own Services in the same namespaces, but are
  // cached apart (projected to what render reads), in a set of their own.
  const toolServiceCaches = new InformerSet();
  // Every object of each child kind, as identity only (child-projection.ts): what exists under a
  // child's name and who owns it, whatever its labels.
  const identities = new InformerSet();
  const informer = (apiVersion: string, kind: string, path: (ns?: string) => string, ns: string | undefined, cache: CacheOptions, into = caches) => {
    const inf = new Informer<KubeObject>({
      name: `${kind}${ns ? `/${ns}` : ''}${cache.metadataOnly ? ' (identity)' : ''}`,
      listWatch: new KubeListWatch(connection, {
        path: path(ns),
        ...(cache.labelSelector ? { labelSelector: cache.labelSelector } : {}),
        ...(cache.metadataOnly ? { metadataOnly: true } : {}),
        ...(cache.pageSize ? { pageSize: cache.pageSize } : {}),
        observe: observeRead,
        userAgent,
      }),
      // The informer binds its own name (kind and namespace) to the log lines.
      logger,
      resyncPeriodMs: cache.resync ? resyncPeriodMs : 0,
      transform: cache.transform,
    });
    for (const [name, indexFunc] of Object.entries(cache.indexes ?? {})) inf.addIndex(name, indexFunc);
    into.add(apiVersion, kind, inf);
    return inf;
  };
  const agentPath = (ns?: string) => `/apis/${GROUP_VERSION}${ns ? `/namespaces/${ns}` : ''}/${AGENT_RESOURCE.plural}`;
  const modelConfigPath = (ns?: string) => `/apis/${GROUP_VERSION}${ns ? `/namespaces/${ns}` : ''}/${MODEL_CONFIG_RESOURCE.plural}`;
  const agentInformers = namespaces.map((ns) =>
    informer(GROUP_VERSION, AGENT_RESOURCE.kind, agentPath, ns, {
      transform: withoutBookkeeping,
      resync: true,
      indexes: { [BY_MODEL_CONFIG]: agentsByModelConfig, [BY_TOOL_AGENT]: agentsByToolAgent, [BY_TOOL_SERVICE]: agentsByToolService, [BY_UID]: agentsByUid },
    }),
  );
  const modelConfigInformers = namespaces.map((ns) => informer(GROUP_VERSION, MODEL_CONFIG_RESOURCE.kind, modelConfigPath, ns, { transform: withoutBookkeeping, resync: false }));
  // Every Service of the watched namespaces, not only Agentry's: any may be an MCP server's. Never
  // whole (toolServiceProjection): a tenant's Services must not be able to grow the operator's memory.
  const servicePath = (ns?: string) => `/api/v1${ns ? `/namespaces/${ns}` : ''}/services`;
  const toolServiceInformers = namespaces.map((ns) => informer('v1', 'Service', servicePath, ns, { transform: toolServiceProjection, resync: false }, toolServiceCaches));
  // Routes may live in one fixed namespace beside the gateway. Unless it is watched anyway, only
  // HTTPRoutes are cached there: that is all the operator puts there, and all its RBAC allows there
  // (ROUTE_NAMESPACE_RULES in rbac-requirements.ts).
  const routeOnlyNamespace =
    config.gateway.routeNamespace && !namespaces.includes(undefined) && !namespaces.includes(config.gateway.routeNamespace) ? config.gateway.routeNamespace : undefined;
  const childKinds = CHILD_KINDS.filter((k) => gatewayApi || !k.gatewayApi);
  const childNamespaces = (kind: string) => [...namespaces, ...(routeOnlyNamespace && kind === 'HTTPRoute' ? [routeOnlyNamespace] : [])];
  // Only the children of existing Agents keep content: any other object labelled as Agentry's is
  // held as identity, so labels cannot make the operator hold a tenant's objects.
  const isAgentUid = (uid: string) => caches.byIndex(GROUP_VERSION, AGENT_RESOURCE.kind, BY_UID, uid).length > 0;
  const childInformers = childKinds.flatMap((k) =>
    childNamespaces(k.kind).map((ns) =>
      informer(k.apiVersion, k.kind, (n) => k.path(n), ns, {
        labelSelector: CHILD_LABEL_SELECTOR,
        pageSize: CONTENT_PAGE_SIZE,
        transform: ownedProjection({ manager: FIELD_MANAGER, keepStatus: k.readsStatus === true, isAgentUid }),
        resync: false,
      }),
    ),
  );
  const identityInformers = childKinds.flatMap((k) =>
    childNamespaces(k.kind).map((ns) =>
      informer(k.apiVersion, k.kind, (n) => k.path(n), ns, {
        metadataOnly: true,
        pageSize: IDENTITY_PAGE_SIZE,
        transform: identityProjection(k.apiVersion, k.kind),
        resync: false,
        indexes: { [BY_OWNER_UID]: childrenByOwnerUid },
      }, identities),
    ),
  );

  const agents = caches.of(GROUP_VERSION, AGENT_RESOURCE.kind);
  const agentsByIndex = (index: string, ref: { namespace?: string; name: string }) => caches.byIndex(GROUP_VERSION, AGENT_RESOURCE.kind, index, objectRefKey(ref));
  const callersOf = (agent: { namespace?: string; name: string }) => agentsByIndex(BY_TOOL_AGENT, agent);
  const effectiveConfig = gatewayApi ? config : { ...config, gateway: { ...config.gateway, enabled: false, parentRefs: [] } };
  const routeClaims = new RouteClaims();
  const recorder = new EventRecorder(client, COMPONENT, logger);
  const reconciler = new AgentReconciler({
    client,
    agents,
    modelConfigs: caches.of(GROUP_VERSION, MODEL_CONFIG_RESOURCE.kind),
    toolServices: toolServiceCaches.of('v1', 'Service'),
    callersOf,
    children: new ChildCaches(caches, identities),
    config: effectiveConfig,
    recorder,
    routeClaims,
  });

  const [primary, ...otherAgentInformers] = agentInformers;
  if (!primary) throw new Error('no namespaces to watch');
  const metrics = new ControllerMetrics(registry);
  const controller = new Controller({
    name: 'agent',
    primary,
    reconcile: reconciler.reconcile,
    maxConcurrentReconciles: config.workers,
    metrics,
    logger,
  });
  for (const inf of otherAgentInformers) controller.watch(inf, enqueueForObject());
  // Keep the route claims current; when a claim changes, Agents it overlapped may win or lose.
  const updateClaim = (agent: KubeObject, gone = false) => {
    const ref = { namespace: agent.metadata.namespace, name: agent.metadata.name };
    const claim = gone || agent.metadata.deletionTimestamp ? undefined : routeClaimOf(agent, effectiveConfig);
    for (const affected of routeClaims.set(ref, claim)) controller.enqueue(affected);
  };
  for (const inf of agentInformers) {
    inf.addEventHandler({ onAdd: (a) => updateClaim(a), onUpdate: (_old, a) => updateClaim(a), onDelete: (a) => updateClaim(a, true) });
  }
  // A child maps to the Agent it is named after, whoever owns it (see agentNamedBy): an object
  // named like a child appearing or going away concerns that Agent as much as its own child's
  // changes. Objects named after no Agent that exists queue nothing.
  const toNamedAgent = enqueueMapped<KubeObject>((child): ReconcileRequest[] => {
    const agent = agentNamedBy(child);
    return agent && agents.get(agent.namespace ?? '', agent.name) ? [agent] : [];
  });
  // High: a child's change concerns work already under way (an Agent's Deployment became available,
  // drift to put back), which should not wait behind a burst of Agents not yet started.
  for (const inf of [...childInformers, ...identityInformers]) controller.watch(inf, toNamedAgent, { priority: Priority.High });
  const toReferencingAgents = enqueueMapped<KubeObject>((mc) =>
    caches
      .byIndex(GROUP_VERSION, AGENT_RESOURCE.kind, BY_MODEL_CONFIG, objectRefKey({ namespace: mc.metadata.namespace, name: mc.metadata.name }))
      .map((a) => ({ namespace: a.metadata.namespace, name: a.metadata.name })),
  );
  for (const inf of modelConfigInformers) controller.watch(inf, toReferencingAgents);
  // A Service appearing, changing or going away: the Agents whose MCP tools name it.
  const toToolServiceUsers = enqueueMapped<KubeObject>((svc) =>
    agentsByIndex(BY_TOOL_SERVICE, svc.metadata).map((a) => ({ namespace: a.metadata.namespace, name: a.metadata.name })),
  );
  for (const inf of toolServiceInformers) controller.watch(inf, toToolServiceUsers);
  // An Agent's tools changing: the peers it names now and named before (their ingress admits it);
  // a peer appearing, changing what callers see of it, or going away: its callers.
  const toolPeers = new ToolPeerMapper(callersOf);
  for (const inf of agentInformers) {
    const enqueue = (refs: ReconcileRequest[]) => {
      const priority = inf.hasSynced() ? Priority.Normal : Priority.Low;
      for (const ref of refs) controller.enqueue(ref, priority);
    };
    inf.addEventHandler({
      onAdd: (a) => enqueue(toolPeers.added(a)),
      onUpdate: (old, a) => enqueue(toolPeers.updated(old, a)),
      onDelete: (a) => enqueue(toolPeers.deleted(a)),
    });
  }

  let leader = !config.leaderElection.enabled;
  let synced = false;
  registerAgentGauges(registry, agents, () => synced);
  const probe = options.probeAddress
    ? new HealthServer({
        ...options.probeAddress,
        registry,
        healthy: () => true,
        // A standby is ready: it is healthy and waiting for the lease.
        ready: () => !leader || synced,
      })
    : undefined;
  const probePort = await probe?.listen();

  const stopController = new AbortController();
  let resolveLeading!: () => void;
  const leading = new Promise<void>((r) => (resolveLeading = r));
  // Resolves with why the operator stopped: a requested stop, or a lost lease (the process should
  // exit then, as controller-runtime managers do, and come back as a standby).
  let resolveDone!: (why: 'stopped' | 'lost-lease') => void;
  const done = new Promise<'stopped' | 'lost-lease'>((r) => (resolveDone = r));

  const runController = async (signal: AbortSignal) => {
    leader = true;
    logger.info({ workers: config.workers, namespaces: namespaces.map((n) => n ?? '*') }, 'starting the Agent controller');
    // Agents first: the child caches keep content only for the children of Agents they know.
    for (const inf of agentInformers) inf.start();
    await Promise.all(agentInformers.map((inf) => inf.waitForSync(signal)));
    await controller.start(signal); // resolves once every cache has synced and the workers run
    if (signal.aborted) return;
    synced = true;
    resolveLeading();
  };

  let stopping: Promise<void> | undefined;
  const stop = (why: 'stopped' | 'lost-lease' = 'stopped'): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ why }, 'shutting down: draining the work queue');
      stopController.abort();
      await controller.stop();
      await elector?.stop();
      await probe?.close();
      client.close();
      logger.info('stopped');
      resolveDone(why);
    })();
    return stopping;
  };

  let elector: LeaderElector | undefined;
  if (config.leaderElection.enabled) {
    const le = config.leaderElection;
    elector = new LeaderElector({
      // A client (and socket pool) of its own: renewals must not queue behind a burst of applies.
      client: new KubeLeaseClient(new KubeClient(connection, { userAgent, observe: observeRequest, maxSockets: 2 }), {
        requestTimeoutMs: (le.renewDeadlineSeconds * 1000) / 2,
      }),
      namespace: le.leaseNamespace ?? ownNamespace(),
      name: le.leaseName,
      identity: options.identity,
      leaseDurationMs: le.leaseDurationSeconds * 1000,
      renewDeadlineMs: le.renewDeadlineSeconds * 1000,
      retryPeriodMs: le.retryPeriodSeconds * 1000,
      logger,
      onStartedLeading: (signal) => runController(signal),
      onStoppedLeading: () => {
        leader = false;
        if (!stopping) logger.warn('lost the leader-election lease');
      },
    });
    // Not tied to stopController: stop() releases the Lease only after the controller has drained,
    // so a standby never reconciles while this replica's last reconciles still write.
    void elector.run().then(() => stop(stopping ? 'stopped' : 'lost-lease'));
  } else {
    void runController(stopController.signal).catch((err: unknown) => {
      logger.error({ err }, 'controller failed');
      void stop();
    });
  }

  return { client, registry, probePort, leading, isLeader: () => leader && synced, stop: () => stop(), done };
}
