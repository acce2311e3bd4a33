// Reconciles one Agent: render its children, apply the ones that differ from the cache, prune the
// ones no longer wanted, and report status. Reads only from informer caches; writes only when
// something would change.
import type { Logger } from '../controller/logger.js';
import type { ReconcileContext, ReconcileOutcome } from '../controller/reconciler.js';
import { objectRefKey, type ObjectRef } from '../controller/object-key.js';
import { CLEANUP_FINALIZER, GROUP_VERSION, LABEL_KEYS, AGENT_RESOURCE } from '../api/group-version.js';
import { ConditionReason, ConditionType } from '../api/condition.js';
import type { OperatorConfig } from '../config/operator-config.js';
import type { RenderRelated } from '../render/render.js';
import { renderInput } from '../render/render-input.js';
import { toolReferences } from '../render/tool-references.js';
import type { KubeClient } from '../kube/kube-client.js';
import { KubeApiError } from '../kube/kube-api-error.js';
import type { KubeObject } from '../kube/kube-object.js';
import { applyChild, decideApply } from './apply/child-applier.js';
import { canonicalJson } from './apply/applied-hash.js';
import { computeAgentStatus, type Acceptance, type AgentStatusValue } from './agent-status.js';
import type { InformerSet, ObjectLookup } from './informer-set.js';
import { BY_AGENT } from './cache-indexes.js';
import { CHILD_KINDS, type ChildKind } from './child-kinds.js';
import { findCondition, type Condition } from './conditions.js';
import type { EventRecorder } from './event-recorder.js';
import type { RouteClaims } from './route-claims.js';
import { DRIFT_GUARD_DEFAULTS, DriftGuard } from './drift-guard.js';
import { FIELD_MANAGER } from './apply/child-applier.js';
import { routedCondition } from './routing.js';

export interface AgentReconcilerDeps {
  client: KubeClient;
  agents: ObjectLookup;
  modelConfigs: ObjectLookup;
  /** Services the tools may name, as toolServiceProjection caches them; without it none is found. */
  toolServices?: ObjectLookup;
  /** The Agents whose tools name this one (an index lookup); without it an Agent admits no callers. */
  callersOf?: (agent: ObjectRef) => readonly KubeObject[];
  children: InformerSet;
  config: OperatorConfig;
  recorder: EventRecorder;
  /** Bounds drift corrections per child (a field fought over by another manager). */
  driftGuard?: DriftGuard;
  /** Who claims which gateway path; without it no conflicts are checked. */
  routeClaims?: RouteClaims;
  now?: () => Date;
}

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

  constructor(private readonly deps: AgentReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.driftGuard = deps.driftGuard ?? new DriftGuard(DRIFT_GUARD_DEFAULTS);
  }

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
      if (outcome.applied.length || outcome.pruned.length || outcome.statusWritten) {
        ctx.logger.info({ applied: outcome.applied, pruned: outcome.pruned, statusWritten: outcome.statusWritten }, 'reconciled');
      }
    }
  };

  private async sync(agent: AgentView, log: Logger, outcome: Writes): Promise<ReconcileOutcome | void> {
    const { namespace = '', name } = agent.metadata;
    const modelConfigName = agent.spec?.type === 'Declarative' ? agent.spec.declarative?.modelConfig : undefined;
    const modelConfig = modelConfigName ? this.deps.modelConfigs.get(namespace, modelConfigName) : undefined;
    // Parsed here, at the boundary, by the schemas; a render that throws is a bug: the reconcile
    // fails and is retried with backoff (never reported as the Agent's InvalidSpec).
    const result = renderInput(agent, { ...(modelConfig && { modelConfig }), ...this.toolsRelated(agent) }, this.deps.config);

    if (!result.ok) {
      // Nothing is applied for a spec we cannot render: children stay as they were (a running
      // agent keeps running while its ModelConfig is being fixed), none are created half-way.
      const previous = findCondition(agent.status?.conditions, ConditionType.Accepted);
      if (previous?.status !== 'False' || previous.reason !== result.reason || previous.message !== result.message) {
        await this.deps.recorder.record(agent, 'Warning', result.reason, result.message);
      }
      await this.writeStatus(agent, { accepted: false, reason: result.reason, message: result.message }, undefined, outcome);
      return;
    }

    // A path another (older) Agent already claims: no route for this one, and no grant for a route
    // that does not exist. Whatever it had is pruned below.
    const beaten = this.deps.routeClaims?.beatenBy({ namespace, name });
    const desired = beaten ? result.objects.filter((o) => o.kind !== 'HTTPRoute' && o.kind !== 'ReferenceGrant') : result.objects;
    if (beaten) {
      const message = `path ${beaten.path} is already claimed by the older Agent ${beaten.agent.namespace}/${beaten.agent.name}`;
      await this.deps.recorder.record(agent, 'Warning', ConditionReason.PathConflict, message);
    }
    const crossNamespace = desired.some((o) => o.metadata.namespace !== namespace);
    if (crossNamespace && !agent.metadata.finalizers?.includes(CLEANUP_FINALIZER)) {
      await this.setFinalizer(agent, true);
      outcome.applied.push(`finalizer ${CLEANUP_FINALIZER}`);
    }

    let applyError: string | undefined;
    let retryInMs: number | undefined;
    for (const obj of desired) {
      const live = this.deps.children.get(obj.apiVersion, obj.kind, obj.metadata.namespace ?? namespace, obj.metadata.name);
      const decision = decideApply(obj, live);
      if (!decision.reason) continue;
      if (decision.reason === 'drifted') {
        const key = `${obj.apiVersion}/${obj.kind}/${obj.metadata.namespace ?? namespace}/${obj.metadata.name}`;
        const verdict = this.driftGuard.check(key);
        if (!verdict.allowed) {
          retryInMs = Math.min(retryInMs ?? verdict.retryInMs, verdict.retryInMs);
          continue;
        }
        if (verdict.contested) {
          await this.deps.recorder.record(agent, 'Warning', 'DriftContested', `${obj.kind} ${obj.metadata.name}: ${decision.path ?? 'a field'} keeps being changed by another writer; corrections are being slowed down`);
        }
      }
      try {
        await applyChild(this.deps.client, decision);
        outcome.applied.push(`${obj.kind}/${obj.metadata.namespace ?? namespace}/${obj.metadata.name} (${decision.reason}${decision.path ? `: ${decision.path}` : ''})`);
      } catch (err) {
        applyError = `applying ${obj.kind} ${obj.metadata.name}: ${err instanceof Error ? err.message : String(err)}`;
        log.error({ err, kind: obj.kind, child: obj.metadata.name }, 'apply failed');
        await this.deps.recorder.record(agent, 'Warning', ConditionReason.ApplyFailed, applyError);
        break;
      }
    }

    if (!applyError) await this.prune(agent, desired, outcome);
    if (!applyError && !crossNamespace && agent.metadata.finalizers?.includes(CLEANUP_FINALIZER) && this.crossNamespaceChildren(agent).length === 0) {
      await this.setFinalizer(agent, false);
      outcome.pruned.push(`finalizer ${CLEANUP_FINALIZER}`);
    }

    const deployment = this.deps.children.get('apps/v1', 'Deployment', namespace, name);
    const route = desired.find((o) => o.kind === 'HTTPRoute');
    const liveRoute = route ? this.deps.children.get(route.apiVersion, route.kind, route.metadata.namespace ?? namespace, route.metadata.name) : undefined;
    const routed = beaten
      ? { status: 'False' as const, reason: ConditionReason.PathConflict, message: `path ${beaten.path} is already claimed by the older Agent ${beaten.agent.namespace}/${beaten.agent.name}` }
      : routedCondition(route, liveRoute, this.deps.config);
    await this.writeStatus(agent, { accepted: true }, {
      deployment,
      routed,
      url: result.url,
      publicUrl: beaten ? undefined : result.publicUrl,
      applyError,
    }, outcome);
    if (applyError) throw new Error(applyError); // retried with backoff
    // A correction the drift guard held back: come back when it is due.
    if (retryInMs !== undefined) return { requeueAfterMs: retryInMs };
  }

  /** What the Agent's tools name and who names it, from the caches: render decides what is missing. */
  private toolsRelated(agent: AgentView): Pick<RenderRelated, 'toolAgents' | 'toolServices' | 'callers'> {
    const references = toolReferences(agent);
    const found = (lookup: ObjectLookup | undefined, refs: readonly { namespace: string; name: string }[]) =>
      refs.flatMap((ref) => lookup?.get(ref.namespace, ref.name) ?? []);
    return {
      toolAgents: found(this.deps.agents, references.agents),
      toolServices: found(this.deps.toolServices, references.services),
      callers: this.deps.callersOf?.({ namespace: agent.metadata.namespace, name: agent.metadata.name }) ?? [],
    };
  }

  /** Deletes children that this Agent owns but no longer wants. Found by label, confirmed by owner. */
  private async prune(agent: AgentView, desired: KubeObject[], outcome: Writes): Promise<void> {
    const { namespace = '' } = agent.metadata;
    const wanted = new Set(desired.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? namespace}/${o.metadata.name}`));
    const owned = [...this.sameNamespaceChildren(agent), ...this.crossNamespaceChildren(agent)];
    for (const child of owned) {
      const key = `${child.apiVersion}/${child.kind}/${child.metadata.namespace}/${child.metadata.name}`;
      if (wanted.has(key)) continue;
      await this.deps.client.delete(child, child.metadata.uid ? { preconditionUid: child.metadata.uid } : {});
      outcome.pruned.push(`${child.kind}/${child.metadata.namespace}/${child.metadata.name}`);
    }
  }

  private sameNamespaceChildren(agent: AgentView): KubeObject[] {
    const { namespace = '', uid } = agent.metadata;
    return this.labelledChildren(agent, CHILD_KINDS).filter(
      (o) => o.metadata.namespace === namespace && (o.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === uid),
    );
  }

  /**
   * Children in other namespaces (an HTTPRoute beside the gateway): identified by labels only, as an
   * ownerReference cannot cross namespaces. Only Gateway API kinds are ever placed elsewhere.
   */
  private crossNamespaceChildren(agent: AgentView): KubeObject[] {
    const { namespace = '' } = agent.metadata;
    return this.labelledChildren(agent, CHILD_KINDS.filter((k) => k.gatewayApi)).filter(
      (o) => o.metadata.namespace !== namespace && o.metadata.labels?.[LABEL_KEYS.agentNamespace] === namespace,
    );
  }

  /** Cached children of these kinds whose labels name this Agent: an index lookup, not a scan of the cache. */
  private labelledChildren(agent: AgentView, kinds: readonly ChildKind[]): KubeObject[] {
    const key = objectRefKey({ namespace: agent.metadata.namespace, name: agent.metadata.name });
    return kinds.flatMap((k) => this.deps.children.byIndex(k.apiVersion, k.kind, BY_AGENT, key));
  }

  private async finalize(agent: AgentView, log: Logger, outcome: Writes): Promise<void> {
    if (!agent.metadata.finalizers?.includes(CLEANUP_FINALIZER)) return;
    for (const child of this.crossNamespaceChildren(agent)) {
      await this.deps.client.delete(child);
      outcome.pruned.push(`${child.kind}/${child.metadata.namespace}/${child.metadata.name}`);
    }
    await this.setFinalizer(agent, false);
    log.info('cleaned up cross-namespace children; finalizer removed');
  }

  private async setFinalizer(agent: AgentView, present: boolean): Promise<void> {
    const current = agent.metadata.finalizers ?? [];
    const next = present ? [...current, CLEANUP_FINALIZER] : current.filter((f) => f !== CLEANUP_FINALIZER);
    // A JSON patch that tests the current list: another controller's concurrent finalizer edit makes
    // it fail (and the reconcile retry) instead of being overwritten.
    try {
      await this.deps.client.patch(agent, [
        { op: 'test', path: '/metadata/finalizers', value: agent.metadata.finalizers ?? null },
        { op: agent.metadata.finalizers ? 'replace' : 'add', path: '/metadata/finalizers', value: next },
      ], 'json');
    } catch (err) {
      if (KubeApiError.isNotFound(err)) return;
      throw err;
    }
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
    if (sameStatus(status, agent.status)) return;
    await this.deps.client.apply(
      { apiVersion: GROUP_VERSION, kind: AGENT_RESOURCE.kind, metadata: { name: agent.metadata.name, namespace: agent.metadata.namespace }, status },
      { fieldManager: FIELD_MANAGER, force: true, subresource: 'status' },
    );
    outcome.statusWritten = true;
  }
}

function sameStatus(next: AgentStatusValue, live: Record<string, unknown> | undefined): boolean {
  return canonicalJson(next) === canonicalJson(live ?? {});
}
