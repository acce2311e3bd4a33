// Reconciles one Agent: render its children, apply the ones that differ from the cache, prune the
// ones no longer wanted, and report status. Reads only from informer caches; writes only when
// something would change.
import type { Logger } from '../controller/logger.js';
import { OwnWrites, writtenObjectKey } from '../controller/own-writes.js';
import type { ReconcileContext, ReconcileOutcome } from '../controller/reconciler.js';
import type { ObjectRef } from '../controller/object-key.js';
import { CLEANUP_FINALIZER, GROUP_VERSION, AGENT_RESOURCE } from '../api/group-version.js';
import { ConditionReason, ConditionType } from '../api/condition.js';
import type { OperatorConfig } from '../config/operator-config.js';
import type { RenderRelated } from '../render/render.js';
import { renderInput } from '../render/render-input.js';
import { remoteAgentServiceReference, toolReferences } from '../render/tool-references.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { KubeObject } from '../kube/kube-object.js';
import { ChildWriter } from './apply/child-writer.js';
import { canonicalJson, textHash } from './apply/content-hash.js';
import { childrenToPrune, decideChildWrite, FIELD_MANAGER, isOwnedBy, type ChildOwner, type WriteDecision } from './apply/write-decision.js';
import { computeAgentStatus, type Acceptance } from './agent-status.js';
import type { ObjectLookup } from './informer-set.js';
import type { ChildCaches } from './child-caches.js';
import { crossNamespaceChildren, setCleanupFinalizer } from './cleanup-finalizer.js';
import { onlyStatusChanged } from './child-change.js';
import { CHILD_KINDS } from './child-kinds.js';
import { findCondition, type Condition } from './conditions.js';
import type { EventRecorder } from './event-recorder.js';
import type { RouteBlocker, RouteClaims } from './route-claims.js';
import { DRIFT_GUARD_DEFAULTS, DriftGuard } from './drift-guard.js';
import { GATEWAY_API_NOT_INSTALLED, routedCondition } from './routing.js';
import { MAX_AGENT_BYTES, MAX_MODEL_CONFIG_BYTES, oversizeMessage } from './spec-size.js';

export interface AgentReconcilerDeps {
  client: KubeClient;
  agents: ObjectLookup;
  modelConfigs: ObjectLookup;
  /** Services the tools (and their RemoteAgents) may name, as toolServiceProjection caches them; without it none is found. */
  toolServices?: ObjectLookup;
  /** RemoteAgents the tools may name, with their status; without it none is found. */
  remoteAgents?: ObjectLookup;
  /**
   * Secrets of the watched namespaces as metadata (name, labels), when the operator config requires
   * a label on referenced Secrets; with that setting and without this, every reference is refused.
   */
  secrets?: ObjectLookup;
  /** The Agents whose tools name this one (an index lookup); without it an Agent admits no callers. */
  callersOf?: (agent: ObjectRef) => readonly KubeObject[];
  /** What is there under each child's name, and what names an Agent's uid as its owner. */
  children: ChildCaches;
  config: OperatorConfig;
  /**
   * False when the API server does not serve the Gateway API (its CRDs are optional): config then
   * has the gateway off, and Routed says why rather than that the agent is not exposed.
   */
  gatewayApi?: boolean;
  recorder: EventRecorder;
  /** Bounds drift corrections per child (a field fought over by another manager). */
  driftGuard?: DriftGuard;
  /** Who claims which gateway path; without it no conflicts are checked. */
  routeClaims?: RouteClaims;
  /** Queues Agents whose route claims this reconcile's verdict may have changed the outcome of. */
  requeue?: (agents: readonly ObjectRef[]) => void;
  /** Carries out the writes (one per reconciler: it remembers what it wrote). */
  writer?: ChildWriter;
  now?: () => Date;
}

/** How soon a reconcile that read a difference while the caches disagreed looks again, if no event of the child's came first. */
const SETTLING_RECHECK_MS = 2_000;

/** The children that route the agent through the gateway: a conflict on them costs the route only. */
const ROUTING_KINDS: ReadonlySet<string> = new Set(CHILD_KINDS.filter((k) => k.gatewayApi).map((k) => k.kind));

const isAgent = (obj: KubeObject) => obj.kind === AGENT_RESOURCE.kind && obj.apiVersion === GROUP_VERSION;

const childName = (obj: KubeObject, namespace: string) => `${obj.kind}/${obj.metadata.namespace ?? namespace}/${obj.metadata.name}`;

interface AgentView extends KubeObject {
  spec?: { type?: string; declarative?: { modelConfig?: string } };
  status?: { conditions?: Condition[] } & Record<string, unknown>;
}

/** What one reconcile wrote, for its log line. */
interface Writes {
  applied: string[];
  pruned: string[];
  statusWritten: boolean;
}

export class AgentReconciler {
  private readonly now: () => Date;

  private readonly driftGuard: DriftGuard;

  private readonly writer: ChildWriter;

  /**
   * The version each status write left its Agent at (its watch event is no news: own-writes.ts),
   * the version it was based on, and a hash of the status written.
   */
  private readonly statusWrites = new OwnWrites<{ basedOn: string | undefined; statusHash: string }>();

  /** Children a reconcile read while their caches disagreed (see awaitedEvent). */
  private readonly settling = new Set<string>();

  constructor(private readonly deps: AgentReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.driftGuard = deps.driftGuard ?? new DriftGuard(DRIFT_GUARD_DEFAULTS);
    this.writer = deps.writer ?? new ChildWriter(deps.client);
  }

  /**
   * Whether a watch event's object is exactly what this reconciler's last write of it left: a
   * child it created or patched, an Agent whose status it wrote. The reconcile that wrote it knew
   * what it wrote, so the event need not queue the Agent again (operator.ts's predicates).
   */
  isOwnWrite = (obj: KubeObject): boolean => (isAgent(obj) ? this.statusWrites.isEcho(obj) : this.writer.isOwnWrite(obj));

  /**
   * Whether a child's event is one a reconcile waits for: it read the child while its two caches
   * held different versions (write-decision.ts, settling). Answered once per wait.
   */
  awaitedEvent = (obj: KubeObject): boolean => this.settling.delete(writtenObjectKey(obj));

  /**
   * Whether an update of an Agent is the echo of this reconciler's status write: at the version the
   * write returned or, while the write is in flight (its event may come before its response), a
   * change of status only.
   */
  isOwnStatusWrite = (oldObj: KubeObject, newObj: KubeObject): boolean =>
    this.statusWrites.isEcho(newObj) || (this.statusWrites.isWriting(newObj) && onlyStatusChanged(oldObj, newObj));

  reconcile = async (req: ObjectRef, ctx: ReconcileContext): Promise<ReconcileOutcome | void> => {
    const namespace = req.namespace;
    if (!namespace) return;
    const agent = this.deps.agents.get(namespace, req.name);
    if (!agent) return; // Deleted: same-namespace children go with it (ownerReferences).
    const outcome: Writes = { applied: [], pruned: [], statusWritten: false };
    try {
      if (agent.metadata.deletionTimestamp) {
        await this.finalize(agent, ctx.logger, outcome);
        return;
      }
      return await this.sync(agent, ctx.logger, outcome);
    } finally {
      // A child written or pruned is news; a status write alone is at debug level (the Agent's
      // conditions say it): a line for every Agent turning Ready cost a writeSync each, 3 % of the
      // operator's CPU converging 1,000 Agents.
      if (outcome.applied.length || outcome.pruned.length) ctx.logger.info(outcome, 'reconciled');
      else if (outcome.statusWritten) ctx.logger.debug(outcome, 'reconciled');
    }
  };

  private async sync(agent: AgentView, log: Logger, outcome: Writes): Promise<ReconcileOutcome | void> {
    const { namespace = '', name, uid } = agent.metadata;
    if (!uid) return; // nothing can be owned by an Agent without a uid (the API server always sets one)
    const owner: ChildOwner = { namespace, name, uid };
    // Too large to be cached whole (spec-size.ts): refused, whatever the spec says.
    const tooLarge = oversizeMessage(agent, MAX_AGENT_BYTES);
    if (tooLarge) {
      await this.refuse(agent, ConditionReason.InvalidSpec, tooLarge, outcome);
      return;
    }
    const modelConfigName = agent.spec?.type === 'Declarative' ? agent.spec.declarative?.modelConfig : undefined;
    const modelConfig = modelConfigName ? this.deps.modelConfigs.get(namespace, modelConfigName) : undefined;
    const modelConfigTooLarge = modelConfig && oversizeMessage(modelConfig, MAX_MODEL_CONFIG_BYTES);
    if (modelConfigTooLarge) {
      await this.refuse(agent, ConditionReason.InvalidModelConfig, `ModelConfig ${JSON.stringify(modelConfigName)}: ${modelConfigTooLarge}`, outcome);
      return;
    }
    // Parsed here, at the boundary, by the schemas; a render that throws is a bug: the reconcile
    // fails and is retried with backoff (never reported as the Agent's InvalidSpec).
    const result = renderInput(agent, { ...(modelConfig && { modelConfig }), ...this.toolsRelated(agent), ...this.secretsRelated(namespace) }, this.deps.config);

    if (!result.ok) {
      // Nothing is applied for a spec we cannot render: children stay as they were (a running
      // agent keeps running while its ModelConfig is being fixed), none are created half-way.
      await this.refuse(agent, result.reason, result.message, outcome);
      return;
    }

    // A path another (older) Agent already claims: no route for this one, and no grant for a route
    // that does not exist. Whatever it had is pruned below.
    const beaten = this.deps.routeClaims?.beatenBy({ namespace, name });
    let desired = beaten ? result.objects.filter((o) => !ROUTING_KINDS.has(o.kind)) : result.objects;
    const pathConflict = beaten ? pathConflictMessage(beaten) : undefined;
    if (pathConflict) await this.deps.recorder.record(agent, 'Warning', ConditionReason.PathConflict, pathConflict);

    // Every write decided before any is made: an object named like a child that is not the Agent's
    // stops the Agent (or, for a route or grant, its route) with no write at all.
    let plan = desired.map((obj) => ({ obj, decision: this.decide(obj, owner) }));
    const conflicts = plan.flatMap((p) => (p.decision.action === 'conflict' ? [{ kind: p.obj.kind, message: p.decision.message }] : []));
    const workloadConflicts = conflicts.filter((c) => !ROUTING_KINDS.has(c.kind));
    if (workloadConflicts.length > 0) {
      await this.refuse(agent, ConditionReason.ChildConflict, workloadConflicts.map((c) => c.message).join('; '), outcome);
      return;
    }
    const routeConflict = conflicts.length > 0 ? conflicts.map((c) => c.message).join('; ') : undefined;
    // An Agent whose route is not its own to write holds no path: it blocks nobody.
    this.setEligible(agent, routeConflict === undefined);
    if (routeConflict) {
      await this.deps.recorder.record(agent, 'Warning', ConditionReason.ChildConflict, routeConflict);
      desired = desired.filter((o) => !ROUTING_KINDS.has(o.kind));
      plan = plan.filter((p) => !ROUTING_KINDS.has(p.obj.kind));
    }

    const crossNamespace = desired.some((o) => o.metadata.namespace !== namespace);
    if (crossNamespace && !agent.metadata.finalizers?.includes(CLEANUP_FINALIZER)) {
      await this.setFinalizer(agent, true);
      outcome.applied.push(`finalizer ${CLEANUP_FINALIZER}`);
    }

    let applyError: string | undefined;
    let retryInMs: number | undefined;
    /** What this reconcile's writes returned, by kind/namespace/name: newer than the cache, which has not had their events yet. */
    const writtenNow = new Map<string, KubeObject>();
    const retryIn = (ms: number) => (retryInMs = Math.min(retryInMs ?? ms, ms));
    for (const { obj, decision } of plan) {
      if (decision.action === 'none' && decision.why === 'settling' && decision.differs) {
        // A difference read while the caches disagree: look again once they agree. The event that
        // brings them together (often only a new resourceVersion) would queue nothing, so it is
        // awaited (awaitedEvent); and in case it came already, a recheck.
        this.settling.add(writtenObjectKey(obj));
        retryIn(SETTLING_RECHECK_MS);
        continue;
      }
      this.settling.delete(writtenObjectKey(obj));
      if (decision.action === 'none') {
        if (decision.why === 'in-sync') this.writer.forget(obj);
        continue;
      }
      if (decision.action === 'conflict') continue; // only routing conflicts are left, and their objects were dropped
      if (decision.action === 'patch' && decision.reason === 'drifted') {
        const verdict = this.driftGuard.check(childName(obj, namespace));
        if (!verdict.allowed) {
          retryIn(verdict.retryInMs);
          continue;
        }
        if (verdict.contested) {
          await this.deps.recorder.record(agent, 'Warning', 'DriftContested', `${obj.kind} ${obj.metadata.name}: ${decision.path ?? 'a field'} keeps being changed by another writer; corrections are being slowed down`);
        }
      }
      try {
        const done = await this.write(decision);
        if (done) writtenNow.set(childName(obj, namespace), done);
        else {
          // Someone made (or replaced) the object since the cache was read: its watch event brings
          // a new decision; come back soon in case it is already here.
          retryIn(1_000);
          continue;
        }
        outcome.applied.push(`${childName(obj, namespace)} (${decision.action === 'create' ? 'missing' : decision.reason}${decision.action === 'patch' && decision.path ? `: ${decision.path}` : ''})`);
      } catch (err) {
        applyError = `applying ${obj.kind} ${obj.metadata.name}: ${err instanceof Error ? err.message : String(err)}`;
        log.error({ err, kind: obj.kind, child: obj.metadata.name }, 'apply failed');
        await this.deps.recorder.record(agent, 'Warning', ConditionReason.ApplyFailed, applyError);
        break;
      }
    }

    if (!applyError) await this.prune(owner, desired, outcome);
    if (!applyError && !crossNamespace && agent.metadata.finalizers?.includes(CLEANUP_FINALIZER) && this.crossNamespaceChildren(owner).length === 0) {
      await this.setFinalizer(agent, false);
      outcome.pruned.push(`finalizer ${CLEANUP_FINALIZER}`);
    }

    // The Deployment as this reconcile's own write left it, if it wrote one: its status event is not
    // here yet, and its echo queues nothing.
    const deployment = writtenNow.get(`Deployment/${namespace}/${name}`) ?? this.ownedContent(owner, 'apps/v1', 'Deployment', namespace, name);
    const route = desired.find((o) => o.kind === 'HTTPRoute');
    const liveRoute = route ? this.ownedContent(owner, route.apiVersion, route.kind, route.metadata.namespace ?? namespace, route.metadata.name) : undefined;
    const routed = pathConflict
      ? { status: 'False' as const, reason: ConditionReason.PathConflict, message: pathConflict }
      : routeConflict
        ? { status: 'False' as const, reason: ConditionReason.ChildConflict, message: routeConflict }
        : !route && this.deps.gatewayApi === false
          ? GATEWAY_API_NOT_INSTALLED
          : routedCondition(route, liveRoute, this.deps.config);
    await this.writeStatus(agent, { accepted: true }, {
      deployment,
      routed,
      url: result.url,
      publicUrl: beaten || routeConflict ? undefined : result.publicUrl,
      applyError,
    }, outcome);
    if (applyError) throw new Error(applyError); // retried with backoff
    // A correction the drift guard held back, or a write that met a new object: come back when due.
    if (retryInMs !== undefined) return { requeueAfterMs: retryInMs };
  }

  /** Accepted=False with this reason: a Warning Event (folded while it repeats) and the status, no child write. */
  private async refuse(agent: AgentView, reason: string, message: string, outcome: Writes): Promise<void> {
    this.setEligible(agent, false); // not accepted: it holds no path, and blocks nobody's
    const previous = findCondition(agent.status?.conditions, ConditionType.Accepted);
    if (previous?.status !== 'False' || previous.reason !== reason || previous.message !== message) {
      await this.deps.recorder.record(agent, 'Warning', reason, message);
    }
    await this.writeStatus(agent, { accepted: false, reason, message }, undefined, outcome);
  }

  /** Tells the route claims whether this Agent can hold a route; the Agents that may win or lose by it are queued. */
  private setEligible(agent: AgentView, eligible: boolean): void {
    const affected = this.deps.routeClaims?.setEligible({ namespace: agent.metadata.namespace, name: agent.metadata.name }, eligible) ?? [];
    if (affected.length > 0) this.deps.requeue?.(affected);
  }

  /** The write decision for one desired child, from what the caches hold under its name. */
  private decide(obj: KubeObject, owner: ChildOwner): WriteDecision {
    const live = this.deps.children.live(obj.apiVersion, obj.kind, obj.metadata.namespace ?? owner.namespace, obj.metadata.name);
    return decideChildWrite(obj, live, owner, this.writer.lastWritten(obj));
  }

  /** Carries out a create or patch: the object written, or undefined when the object it was decided on is not there any more (or is not ours). */
  private async write(decision: Exclude<WriteDecision, { action: 'none' | 'conflict' }>): Promise<KubeObject | undefined> {
    if (decision.action === 'create') {
      const created = await this.writer.create(decision.desired);
      return created.created ? created.object : undefined;
    }
    const patched = await this.writer.patch(decision);
    return patched.patched ? patched.object : undefined;
  }

  /** The cached content of a child, only when it is this Agent's (a same-named foreign object reports nothing). */
  private ownedContent(owner: ChildOwner, apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined {
    const { content } = this.deps.children.live(apiVersion, kind, namespace, name);
    return content && isOwnedBy(content, owner) ? content : undefined;
  }

  /** The namespace's Secrets as metadata, when the operator config requires a label on those an Agent references. */
  private secretsRelated(namespace: string): Pick<RenderRelated, 'secrets'> {
    if (this.deps.config.pods.secretReferences.requiredLabel === undefined) return {};
    const cache = this.deps.secrets;
    return {
      secrets: (name) => {
        const secret = cache?.get(namespace, name);
        return secret && { name, labels: secret.metadata.labels ?? {} };
      },
    };
  }

  /** What the Agent's tools name and who names it, from the caches: render decides what is missing. */
  private toolsRelated(agent: AgentView): Pick<RenderRelated, 'toolAgents' | 'toolRemoteAgents' | 'toolServices' | 'callers'> {
    const references = toolReferences(agent);
    const found = (lookup: ObjectLookup | undefined, refs: readonly { namespace: string; name: string }[]) =>
      refs.flatMap((ref) => lookup?.get(ref.namespace, ref.name) ?? []);
    const toolRemoteAgents = found(this.deps.remoteAgents, references.remoteAgents);
    return {
      toolAgents: found(this.deps.agents, references.agents),
      toolRemoteAgents,
      toolServices: found(this.deps.toolServices, [...references.services, ...toolRemoteAgents.flatMap((r) => remoteAgentServiceReference(r) ?? [])]),
      callers: this.deps.callersOf?.({ namespace: agent.metadata.namespace, name: agent.metadata.name }) ?? [],
    };
  }

  /** Deletes children that this Agent owns (by uid, never by label) but no longer wants, each with its uid as a precondition. */
  private async prune(owner: ChildOwner, desired: KubeObject[], outcome: Writes): Promise<void> {
    const owned = [...this.sameNamespaceChildren(owner), ...this.crossNamespaceChildren(owner)];
    for (const child of childrenToPrune(owned, desired, owner)) {
      if (await this.writer.delete(child)) outcome.pruned.push(childName(child, owner.namespace));
    }
  }

  private sameNamespaceChildren(owner: ChildOwner): KubeObject[] {
    return this.deps.children.ownedBy(owner.uid, CHILD_KINDS).filter((o) => o.metadata.namespace === owner.namespace && isOwnedBy(o, owner));
  }

  /**
   * Children in the routes namespace (an HTTPRoute beside the gateway), which cannot carry an
   * ownerReference: owned by the owner-uid annotation, and only ever looked for there.
   */
  private crossNamespaceChildren(owner: ChildOwner): KubeObject[] {
    return crossNamespaceChildren(this.deps.children, this.deps.config, owner);
  }

  private async finalize(agent: AgentView, log: Logger, outcome: Writes): Promise<void> {
    if (!agent.metadata.finalizers?.includes(CLEANUP_FINALIZER)) return;
    const { namespace = '', name, uid } = agent.metadata;
    if (uid) {
      for (const child of this.crossNamespaceChildren({ namespace, name, uid })) {
        if (await this.writer.delete(child)) outcome.pruned.push(childName(child, namespace));
      }
    }
    await this.setFinalizer(agent, false);
    log.info('cleaned up cross-namespace children; finalizer removed');
  }

  private async setFinalizer(agent: AgentView, present: boolean): Promise<void> {
    await setCleanupFinalizer(this.deps.client, agent, present);
  }

  private async writeStatus(
    agent: AgentView,
    acceptance: Acceptance,
    seen: { deployment: KubeObject | undefined; routed: ReturnType<typeof routedCondition>; url: string; publicUrl: string | undefined; applyError: string | undefined } | undefined,
    outcome: Writes,
  ): Promise<void> {
    const status = computeAgentStatus(
      {
        generation: agent.metadata.generation,
        acceptance,
        deployment: seen?.deployment,
        routed: seen?.routed,
        url: seen?.url,
        publicUrl: seen?.publicUrl,
        applyError: seen?.applyError,
      },
      agent.status?.conditions,
      this.now(),
    );
    const id = { apiVersion: GROUP_VERSION, kind: AGENT_RESOURCE.kind, metadata: { name: agent.metadata.name, namespace: agent.metadata.namespace } };
    const statusJson = canonicalJson(status);
    // A cache still at the version our last status write was based on has not had that write's
    // event yet: what it says of status is older than what was written, which is what to compare with.
    const last = this.statusWrites.get(id);
    const cacheBehind = last !== undefined && last.uid === agent.metadata.uid && last.basedOn === agent.metadata.resourceVersion;
    if (cacheBehind ? last.statusHash === textHash(statusJson) : statusJson === canonicalJson(agent.status ?? {})) return;
    const written = await this.statusWrites.writing(id, () => this.deps.client.apply({ ...id, status }, { fieldManager: FIELD_MANAGER, force: true, subresource: 'status' }));
    this.statusWrites.record(written, { basedOn: agent.metadata.resourceVersion, statusHash: textHash(statusJson) });
    outcome.statusWritten = true;
  }
}

function pathConflictMessage(beaten: RouteBlocker): string {
  if (beaten.route) return `path ${beaten.path} is served by the HTTPRoute ${beaten.route.namespace ?? ''}/${beaten.route.name} on the same Gateway, which Agentry does not own: an Agent may not take part of a platform route's traffic`;
  return `path ${beaten.path} is already claimed by the older ${beaten.agent.kind ?? 'Agent'} ${beaten.agent.namespace ?? ''}/${beaten.agent.name}`;
}
