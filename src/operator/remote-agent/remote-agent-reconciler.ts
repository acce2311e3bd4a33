// Reconciles one RemoteAgent: check its spec against the operator configuration, read its agent card
// when a fetch is due (fetch-schedule.ts), route it through the gateway like an Agent (an HTTPRoute
// to the tenant's Service, a ReferenceGrant across namespaces, an ExternalName Service for spec.url
// where allowed), and report status, written only when it changed. Reads only from informer caches,
// except the Secrets and ConfigMap a fetch needs (fetch-credentials.ts).
import { CLEANUP_FINALIZER, GROUP_VERSION, REMOTE_AGENT_RESOURCE } from '../../api/group-version.js';
import { ConditionReason } from '../../api/condition.js';
import { RemoteAgentConditionType, RemoteAgentReason, remoteAgentSchema, type RemoteAgentSpec } from '../../api/remote-agent.js';
import { validateWith } from '../../api/validation.js';
import type { OperatorConfig } from '../../config/operator-config.js';
import type { Logger } from '../../controller/logger.js';
import type { ObjectRef } from '../../controller/object-key.js';
import type { ReconcileContext, ReconcileOutcome } from '../../controller/reconciler.js';
import type { KubeClient } from '../../kube/kube-client.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { RenderRejection } from '../../render/render-result.js';
import { remoteAgentOwnerReference, remoteAgentRouteChildren, resolveRemoteAgentExposure, type RemoteAgentExposure } from '../../render/remote-agent-exposure.js';
import { ChildWriter } from '../apply/child-writer.js';
import { canonicalJson } from '../apply/content-hash.js';
import { childrenToPrune, decideChildWrite, FIELD_MANAGER, isOwnedBy, type ChildOwner, type WriteDecision } from '../apply/write-decision.js';
import type { ChildCaches } from '../child-caches.js';
import { crossNamespaceChildren, setCleanupFinalizer } from '../cleanup-finalizer.js';
import { CHILD_KINDS } from '../child-kinds.js';
import { findCondition, type Condition } from '../conditions.js';
import { DRIFT_GUARD_DEFAULTS, DriftGuard } from '../drift-guard.js';
import type { EventRecorder } from '../event-recorder.js';
import type { ObjectLookup } from '../informer-set.js';
import type { ClaimantRef, RouteBlocker, RouteClaims } from '../route-claims.js';
import { routedCondition } from '../routing.js';
import { oversizeMessage } from '../spec-size.js';
import { fetchAgentCard, type CardFetchOptions, type CardFetchResult } from './card-fetcher.js';
import { summarizeCard } from './card-summary.js';
import { readFetchCredentials } from './fetch-credentials.js';
import { FetchSchedule, type FetchRecord } from './fetch-schedule.js';
import { parseHostPolicy, type HostPolicy } from './host-policy.js';
import { resolveRemoteEndpoint, type RemoteEndpoint } from './remote-agent-endpoint.js';
import { computeRemoteAgentStatus, type Acceptance, type FetchOutcome, type LastCard, type RemoteAgentStatusValue } from './remote-agent-status.js';

/** A RemoteAgent's metadata and spec, as JSON: its fields are few and bounded; annotations are not. */
export const MAX_REMOTE_AGENT_BYTES = 32 * 1024;

const SPEC_ONLY = remoteAgentSchema.pick({ spec: true });

export interface RemoteAgentReconcilerDeps {
  client: KubeClient;
  remoteAgents: ObjectLookup;
  /** Services of the watched namespaces, as toolServiceProjection caches them (ClusterIP and ports). */
  services: ObjectLookup;
  children: ChildCaches;
  config: OperatorConfig;
  recorder: EventRecorder;
  /** Who claims which gateway path, shared with the Agent controller. */
  routeClaims?: RouteClaims;
  /** Queues the claimants (Agents or RemoteAgents) whose outcome this reconcile's verdict may change. */
  requeue?: (refs: readonly ClaimantRef[]) => void;
  /** Counts each fetch by its outcome (`ok` or the failure's reason). */
  onFetch?: (result: string) => void;
  fetchCard?: (options: CardFetchOptions) => Promise<CardFetchResult>;
  writer?: ChildWriter;
  /** Bounds drift corrections per child (a field of its route fought over by another manager). */
  driftGuard?: DriftGuard;
  schedule?: FetchSchedule;
  now?: () => Date;
}

interface RemoteAgentView extends KubeObject {
  status?: { conditions?: Condition[] } & LastCard & Record<string, unknown>;
}

interface Writes {
  applied: string[];
  pruned: string[];
  statusWritten: boolean;
  fetched?: string;
}

const childName = (obj: KubeObject, namespace: string) => `${obj.kind}/${obj.metadata.namespace ?? namespace}/${obj.metadata.name}`;

const claimant = (namespace: string, name: string): ClaimantRef => ({ kind: 'RemoteAgent', namespace, name });

export class RemoteAgentReconciler {
  private readonly now: () => Date;
  private readonly writer: ChildWriter;
  private readonly driftGuard: DriftGuard;
  private readonly schedule: FetchSchedule;
  private readonly hostPolicy: HostPolicy;
  private readonly fetchCard: (options: CardFetchOptions) => Promise<CardFetchResult>;

  constructor(private readonly deps: RemoteAgentReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.writer = deps.writer ?? new ChildWriter(deps.client);
    this.driftGuard = deps.driftGuard ?? new DriftGuard(DRIFT_GUARD_DEFAULTS);
    const remote = deps.config.remoteAgents;
    this.schedule = deps.schedule ?? new FetchSchedule({ periodMs: remote.refreshPeriodSeconds * 1000, jitterPercent: remote.refreshJitterPercent });
    this.hostPolicy = parseHostPolicy(remote.allowedHosts);
    this.fetchCard = deps.fetchCard ?? fetchAgentCard;
  }

  reconcile = async (req: ObjectRef, ctx: ReconcileContext): Promise<ReconcileOutcome | void> => {
    const namespace = req.namespace;
    if (!namespace) return;
    const key = `${namespace}/${req.name}`;
    const ra = this.deps.remoteAgents.get(namespace, req.name);
    if (!ra) {
      this.schedule.forget(key); // deleted: same-namespace children go with it (ownerReferences)
      return;
    }
    const outcome: Writes = { applied: [], pruned: [], statusWritten: false };
    try {
      if (ra.metadata.deletionTimestamp) {
        this.schedule.forget(key);
        await this.finalize(ra, ctx.logger, outcome);
        return;
      }
      return await this.sync(ra, key, ctx, outcome);
    } finally {
      if (outcome.applied.length || outcome.pruned.length || outcome.statusWritten || outcome.fetched) {
        ctx.logger.info({ applied: outcome.applied, pruned: outcome.pruned, statusWritten: outcome.statusWritten, ...(outcome.fetched && { fetched: outcome.fetched }) }, 'reconciled');
      }
    }
  };

  private async sync(ra: RemoteAgentView, key: string, ctx: ReconcileContext, outcome: Writes): Promise<ReconcileOutcome | void> {
    const { namespace = '', name, uid } = ra.metadata;
    if (!uid) return;
    const owner: ChildOwner = { namespace, name, uid, kind: REMOTE_AGENT_RESOURCE.kind };

    const tooLarge = oversizeMessage(ra, MAX_REMOTE_AGENT_BYTES);
    if (tooLarge) return this.refuse(ra, { reason: ConditionReason.InvalidSpec, message: tooLarge }, outcome);
    // Parsed here, at the boundary, with the CRD's own rules: issues read `spec.url: …`, as kubectl's do.
    const parsed = validateWith(SPEC_ONLY, { spec: ra.spec });
    if (!parsed.success) return this.refuse(ra, { reason: ConditionReason.InvalidSpec, message: parsed.issues.join('; ') }, outcome);
    const spec = parsed.data.spec;
    if (spec.headersFrom !== undefined && spec.headersFrom.length > 0 && !this.deps.config.remoteAgents.headersFromSecrets) {
      return this.refuse(ra, {
        reason: RemoteAgentReason.HeadersFromNotAllowed,
        message: 'spec.headersFrom: the operator configuration does not let the operator read Secrets for RemoteAgents (remoteAgents.headersFromSecrets)',
      }, outcome);
    }
    const resolved = resolveRemoteEndpoint({ name, namespace }, spec, this.deps.services, this.deps.config.remoteAgents, this.hostPolicy);
    if (!resolved.ok) return this.refuse(ra, resolved, outcome);
    const endpoint = resolved.endpoint;
    let exposure: RemoteAgentExposure;
    try {
      exposure = resolveRemoteAgentExposure({ name, namespace }, spec, this.deps.config);
    } catch (err) {
      if (err instanceof RenderRejection) return this.refuse(ra, { reason: err.reason, message: err.message }, outcome);
      throw err;
    }

    // The card: read again only when due (or when what it is read from changed).
    const inputs = canonicalJson({ generation: ra.metadata.generation, url: endpoint.cardUrl.href, connectTo: endpoint.connectTo ?? null, headersFrom: spec.headersFrom ?? [], tls: spec.tls ?? {} });
    let record = this.schedule.current(key, inputs);
    if (!record) {
      record = await this.fetch(ra, spec, endpoint, ctx.signal);
      // The controller is shutting down: what the fetch saw says nothing about the remote agent.
      if (record.fetch?.ok === false && record.fetch.reason === 'Aborted') return;
      this.schedule.record(key, inputs, record);
      outcome.fetched = record.refusal ? record.refusal.reason : record.fetch.ok ? 'ok' : record.fetch.reason;
      this.deps.onFetch?.(outcome.fetched);
      await this.recordFetchEvent(ra, record);
    }
    if (record.refusal) {
      await this.refuse(ra, record.refusal, outcome);
      return { requeueAfterMs: this.schedule.dueInMs(key) };
    }

    // The route: like an Agent's, unless another claim holds its path or an object it does not own is in the way.
    const beaten = exposure.routed ? this.deps.routeClaims?.beatenBy(claimant(namespace, name)) : undefined;
    const pathConflict = beaten ? pathConflictMessage(beaten) : undefined;
    if (pathConflict) await this.deps.recorder.record(ra, 'Warning', ConditionReason.PathConflict, pathConflict);
    let desired =
      exposure.routed && !beaten
        ? remoteAgentRouteChildren({ name, namespace, ownerReference: remoteAgentOwnerReference(ra, GROUP_VERSION), spec, config: this.deps.config, route: exposure.route })
        : [];
    const plan = desired.map((obj) => ({ obj, decision: this.decide(obj, owner) }));
    const conflicts = plan.flatMap((p) => (p.decision.action === 'conflict' ? [p.decision.message] : []));
    const routeConflict = conflicts.length > 0 ? conflicts.join('; ') : undefined;
    this.setEligible(namespace, name, routeConflict === undefined);
    if (routeConflict) {
      await this.deps.recorder.record(ra, 'Warning', ConditionReason.ChildConflict, routeConflict);
      desired = [];
    }

    const crossNamespace = desired.some((o) => o.metadata.namespace !== namespace);
    if (crossNamespace && !ra.metadata.finalizers?.includes(CLEANUP_FINALIZER)) {
      await this.setFinalizer(ra, true);
      outcome.applied.push(`finalizer ${CLEANUP_FINALIZER}`);
    }
    let applyError: string | undefined;
    let retryInMs: number | undefined;
    if (!routeConflict) {
      for (const { obj, decision } of plan) {
        if (decision.action === 'none') {
          if (decision.why === 'in-sync') this.writer.forget(obj);
          continue;
        }
        if (decision.action === 'conflict') continue;
        if (decision.action === 'patch' && decision.reason === 'drifted') {
          // Another writer that keeps changing the route must not make two controllers a loop.
          const verdict = this.driftGuard.check(childName(obj, namespace));
          if (!verdict.allowed) {
            retryInMs = Math.min(retryInMs ?? verdict.retryInMs, verdict.retryInMs);
            continue;
          }
          if (verdict.contested) {
            await this.deps.recorder.record(ra, 'Warning', 'DriftContested', `${obj.kind} ${obj.metadata.name}: ${decision.path ?? 'a field'} keeps being changed by another writer; corrections are being slowed down`);
          }
        }
        try {
          if (!(await this.write(decision))) {
            retryInMs = Math.min(retryInMs ?? 1_000, 1_000); // someone made or replaced the object since the cache was read
            continue;
          }
          outcome.applied.push(`${childName(obj, namespace)} (${decision.action === 'create' ? 'missing' : decision.reason})`);
        } catch (err) {
          applyError = `applying ${obj.kind} ${obj.metadata.name}: ${err instanceof Error ? err.message : String(err)}`;
          ctx.logger.error({ err, kind: obj.kind, child: obj.metadata.name }, 'apply failed');
          await this.deps.recorder.record(ra, 'Warning', ConditionReason.ApplyFailed, applyError);
          break;
        }
      }
    }
    if (!applyError) await this.prune(owner, desired, outcome);
    if (!applyError && !crossNamespace && ra.metadata.finalizers?.includes(CLEANUP_FINALIZER) && this.crossNamespaceChildren(owner).length === 0) {
      await this.setFinalizer(ra, false);
      outcome.pruned.push(`finalizer ${CLEANUP_FINALIZER}`);
    }

    const route = desired.find((o) => o.kind === 'HTTPRoute');
    const liveRoute = route ? this.ownedContent(owner, route) : undefined;
    const routed = !exposure.routed
      ? { status: 'False' as const, reason: exposure.reason, message: exposure.message }
      : pathConflict
        ? { status: 'False' as const, reason: ConditionReason.PathConflict, message: pathConflict }
        : routeConflict
          ? { status: 'False' as const, reason: ConditionReason.ChildConflict, message: routeConflict }
          : routedCondition(route, liveRoute, this.deps.config);
    await this.writeStatus(ra, {
      acceptance: { accepted: true },
      fetch: record.fetch,
      exposed: exposure.routed,
      routed,
      url: endpoint.url,
      publicUrl: exposure.routed && !beaten && !routeConflict ? exposure.route.publicUrl : undefined,
      applyError,
    }, outcome);
    if (applyError) throw new Error(applyError); // retried with backoff
    const due = this.schedule.dueInMs(key);
    return { requeueAfterMs: Math.max(1, retryInMs === undefined ? due : Math.min(due, retryInMs)) };
  }

  /** Reads the credentials, then the card. Never throws for the remote side's failures. */
  private async fetch(ra: RemoteAgentView, spec: RemoteAgentSpec, endpoint: RemoteEndpoint, signal: AbortSignal): Promise<FetchRecord> {
    const credentials = await readFetchCredentials(this.deps.client, ra.metadata.namespace ?? '', spec);
    if (!credentials.ok) return { refusal: { reason: credentials.reason, message: credentials.message } };
    const remote = this.deps.config.remoteAgents;
    const result = await this.fetchCard({
      url: endpoint.cardUrl,
      timeoutMs: remote.fetchTimeoutSeconds * 1000,
      maxBytes: remote.maxCardBytes,
      allowHttp: endpoint.allowHttp,
      signal,
      ...(Object.keys(credentials.credentials.headers).length > 0 && { headers: credentials.credentials.headers }),
      ...(credentials.credentials.caBundle !== undefined && { caBundle: credentials.credentials.caBundle }),
      ...(endpoint.hostPolicy && { hostPolicy: endpoint.hostPolicy }),
      ...(endpoint.connectTo && { connectTo: endpoint.connectTo }),
    });
    const fetch: FetchOutcome = result.ok
      ? { ok: true, summary: summarizeCard(result.card), digest: result.digest, cardUrl: endpoint.cardUrl.href }
      : { ok: false, condition: result.condition, reason: result.reason, message: result.message };
    return { fetch };
  }

  /** A Warning when a fetch fails (folded while it repeats), a Normal event when the card changed. */
  private async recordFetchEvent(ra: RemoteAgentView, record: FetchRecord): Promise<void> {
    if (record.refusal) return; // refuse() records it
    const f = record.fetch;
    if (!f.ok) {
      await this.deps.recorder.record(ra, 'Warning', f.reason, f.message);
      return;
    }
    const before = ra.status?.cardDigest;
    if (before !== undefined && before !== f.digest) await this.deps.recorder.record(ra, 'Normal', 'CardChanged', `the agent card changed: ${f.summary.skillCount} skill(s)`);
  }

  /** Accepted=False: a Warning Event (folded while it repeats) and the status; no child is written. */
  private async refuse(ra: RemoteAgentView, refusal: { reason: string; message: string }, outcome: Writes): Promise<void> {
    this.setEligible(ra.metadata.namespace ?? '', ra.metadata.name, false);
    const previous = findCondition(ra.status?.conditions, RemoteAgentConditionType.Accepted);
    if (previous?.status !== 'False' || previous.reason !== refusal.reason || previous.message !== refusal.message) {
      await this.deps.recorder.record(ra, 'Warning', refusal.reason, refusal.message);
    }
    const acceptance: Acceptance = { accepted: false, reason: refusal.reason, message: refusal.message };
    await this.writeStatus(ra, { acceptance, fetch: undefined, exposed: false, routed: undefined, url: undefined, publicUrl: undefined, applyError: undefined }, outcome);
  }

  private setEligible(namespace: string, name: string, eligible: boolean): void {
    const affected = this.deps.routeClaims?.setEligible(claimant(namespace, name), eligible) ?? [];
    if (affected.length > 0) this.deps.requeue?.(affected);
  }

  private decide(obj: KubeObject, owner: ChildOwner): WriteDecision {
    const live = this.deps.children.live(obj.apiVersion, obj.kind, obj.metadata.namespace ?? owner.namespace, obj.metadata.name);
    return decideChildWrite(obj, live, owner, this.writer.lastWritten(obj));
  }

  private async write(decision: Exclude<WriteDecision, { action: 'none' | 'conflict' }>): Promise<boolean> {
    if (decision.action === 'create') return (await this.writer.create(decision.desired)).created;
    return (await this.writer.patch(decision)).patched;
  }

  private ownedContent(owner: ChildOwner, obj: KubeObject): KubeObject | undefined {
    const { content } = this.deps.children.live(obj.apiVersion, obj.kind, obj.metadata.namespace ?? owner.namespace, obj.metadata.name);
    return content && isOwnedBy(content, owner) ? content : undefined;
  }

  /** Deletes children this RemoteAgent owns (by uid) but no longer wants, each with its uid as a precondition. */
  private async prune(owner: ChildOwner, desired: KubeObject[], outcome: Writes): Promise<void> {
    const sameNamespace = this.deps.children.ownedBy(owner.uid, CHILD_KINDS).filter((o) => o.metadata.namespace === owner.namespace && isOwnedBy(o, owner));
    for (const child of childrenToPrune([...sameNamespace, ...this.crossNamespaceChildren(owner)], desired, owner)) {
      if (await this.writer.delete(child)) outcome.pruned.push(childName(child, owner.namespace));
    }
  }

  private crossNamespaceChildren(owner: ChildOwner): KubeObject[] {
    return crossNamespaceChildren(this.deps.children, this.deps.config, owner);
  }

  private async finalize(ra: RemoteAgentView, log: Logger, outcome: Writes): Promise<void> {
    if (!ra.metadata.finalizers?.includes(CLEANUP_FINALIZER)) return;
    const { namespace = '', name, uid } = ra.metadata;
    if (uid) {
      for (const child of this.crossNamespaceChildren({ namespace, name, uid })) {
        if (await this.writer.delete(child)) outcome.pruned.push(childName(child, namespace));
      }
    }
    await this.setFinalizer(ra, false);
    log.info('cleaned up cross-namespace children; finalizer removed');
  }

  private async setFinalizer(ra: RemoteAgentView, present: boolean): Promise<void> {
    await setCleanupFinalizer(this.deps.client, ra, present);
  }

  private async writeStatus(ra: RemoteAgentView, inputs: Omit<Parameters<typeof computeRemoteAgentStatus>[0], 'generation'>, outcome: Writes): Promise<void> {
    const live = ra.status ?? {};
    const status = computeRemoteAgentStatus({ generation: ra.metadata.generation, ...inputs }, live, this.now());
    if (sameStatus(status, live)) return;
    await this.deps.client.apply(
      { apiVersion: GROUP_VERSION, kind: REMOTE_AGENT_RESOURCE.kind, metadata: { name: ra.metadata.name, namespace: ra.metadata.namespace }, status },
      { fieldManager: FIELD_MANAGER, force: true, subresource: 'status' },
    );
    outcome.statusWritten = true;
  }
}

function sameStatus(next: RemoteAgentStatusValue, live: Record<string, unknown>): boolean {
  return canonicalJson(next) === canonicalJson(live);
}

function pathConflictMessage(beaten: RouteBlocker): string {
  if (beaten.route) return `path ${beaten.path} is served by the HTTPRoute ${beaten.route.namespace ?? ''}/${beaten.route.name} on the same Gateway, which Agentry does not own: a RemoteAgent may not take part of a platform route's traffic`;
  return `path ${beaten.path} is already claimed by the older ${beaten.agent.kind ?? 'Agent'} ${beaten.agent.namespace ?? ''}/${beaten.agent.name}`;
}
