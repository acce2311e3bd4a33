// Never adopt, as a property: whatever sequence of Agents created and deleted, of objects of the
// platform's created and deleted with the same names (labelled as Agentry's or not, owned by
// something else or by nothing), and of reconciles in between, no foreign object is ever written or
// deleted by the operator, and each one that is still there is exactly as its owner made it.
//
// The real reconciler, write decision and child writer run against an in-memory API server: creates
// refuse a name that exists, server-side apply refuses a uid that is not the live one, deletes check
// their uid precondition, an Agent with finalizers is only marked for deletion, and the garbage
// collector removes what names a deleted Agent as its controller. The caches are listed from it
// before each reconcile. (The real API server: test/integration/tenant-safety.test.ts.)
import { isDeepStrictEqual } from 'node:util';

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { LABEL_KEYS, MANAGED_BY } from '../../../src/api/group-version.js';
import { defaultOperatorConfig, type OperatorConfig } from '../../../src/config/operator-config.js';
import { Informer } from '../../../src/controller/informer.js';
import { noopLogger } from '../../../src/controller/logger.js';
import { KubeApiError } from '../../../src/kube/kube-api-error.js';
import { KubeClient, type ApplyOptions } from '../../../src/kube/kube-client.js';
import { KubeConnection } from '../../../src/kube/kube-connection.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { AgentReconciler } from '../../../src/operator/agent-reconciler.js';
import { BY_OWNER_UID, childrenByOwnerUid } from '../../../src/operator/cache-indexes.js';
import { ChildCaches } from '../../../src/operator/child-caches.js';
import { CHILD_KINDS } from '../../../src/operator/child-kinds.js';
import { identityProjection, ownedProjection } from '../../../src/operator/child-projection.js';
import { EventRecorder } from '../../../src/operator/event-recorder.js';
import { InformerSet, type ObjectLookup } from '../../../src/operator/informer-set.js';
import { FIELD_MANAGER } from '../../../src/operator/apply/write-decision.js';
import { FakeListWatch } from '../controller/fakes/fake-list-watch.js';

const TEAM = 'team';
const GATEWAY = 'gateway';
const NAMES = ['a', 'b', 'c'] as const;
const AGENT_API = 'agentry.dev/v1alpha1';

type Ref = Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } };
const keyOf = (o: Ref) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** The API server, in memory, for everything the reconciler does; every write names its target's uid. */
class FakeApiServer extends KubeClient {
  readonly objects = new Map<string, KubeObject>();
  /** uids the operator wrote (created, applied, patched) or deleted. */
  readonly touched = new Set<string>();
  private uids = 0;
  private version = 0;

  constructor() {
    super(KubeConnection.fromOptions({ server: 'https://127.0.0.1:9' }));
  }

  /** Stores an object as its author made it (the platform's, or an Agent as a user creates it). */
  put(obj: KubeObject): KubeObject {
    const stored = { ...structuredClone(obj), metadata: { ...structuredClone(obj.metadata), uid: `uid-${++this.uids}`, resourceVersion: String(++this.version), creationTimestamp: `2026-01-01T00:00:${String(this.uids).padStart(2, '0')}Z` } };
    this.objects.set(keyOf(stored), stored);
    return stored;
  }

  private stamp(obj: KubeObject, uid: string): KubeObject {
    return { ...obj, metadata: { ...obj.metadata, uid, resourceVersion: String(++this.version) } };
  }

  override create<T extends KubeObject>(obj: T): Promise<T> {
    if (obj.kind === 'Event') return Promise.resolve(obj);
    if (this.objects.has(keyOf(obj))) return Promise.reject(new KubeApiError(409, 'AlreadyExists', 'exists', undefined, 'POST', keyOf(obj)));
    const stored = this.put({ ...obj, metadata: { ...obj.metadata, managedFields: [{ manager: FIELD_MANAGER, operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: fieldsOf(obj) }] } });
    this.touched.add(stored.metadata.uid ?? '');
    return Promise.resolve(structuredClone(stored) as T);
  }

  override apply<T extends KubeObject>(obj: T, options: ApplyOptions): Promise<T> {
    const existing = this.objects.get(keyOf(obj));
    if (options.subresource === 'status') {
      if (existing) this.objects.set(keyOf(obj), this.stamp({ ...existing, status: obj.status }, existing.metadata.uid ?? ''));
      return Promise.resolve(obj);
    }
    const uid = obj.metadata.uid;
    if (!existing) return Promise.reject(new KubeApiError(409, 'Conflict', 'uid mismatch: no existing object', undefined, 'PATCH', keyOf(obj)));
    if (uid === undefined) throw new Error(`an apply without a uid precondition: ${keyOf(obj)}`);
    if (existing.metadata.uid !== uid) return Promise.reject(new KubeApiError(422, 'Invalid', 'metadata.uid: field is immutable', undefined, 'PATCH', keyOf(obj)));
    this.touched.add(uid);
    const stored = this.stamp({ ...structuredClone(obj), metadata: { ...structuredClone(obj.metadata), creationTimestamp: existing.metadata.creationTimestamp, managedFields: [{ manager: FIELD_MANAGER, operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: fieldsOf(obj) }] } }, uid);
    this.objects.set(keyOf(obj), stored);
    return Promise.resolve(structuredClone(stored) as T);
  }

  override get<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<T> {
    const found = this.objects.get(`${apiVersion}/${kind}/${namespace ?? ''}/${name}`);
    return found ? Promise.resolve(structuredClone(found) as T) : Promise.reject(new KubeApiError(404, 'NotFound', 'not found', undefined, 'GET', name));
  }

  override patch<T extends KubeObject = KubeObject>(ref: Ref, patch: unknown): Promise<T> {
    const existing = this.objects.get(keyOf(ref));
    if (!existing) return Promise.reject(new KubeApiError(404, 'NotFound', 'not found', undefined, 'PATCH', keyOf(ref)));
    const ops = patch as { op: string; path: string; value?: unknown }[];
    for (const op of ops) {
      if (op.op === 'test' && op.path === '/metadata/uid' && op.value !== existing.metadata.uid) return Promise.reject(new KubeApiError(422, 'Invalid', 'test failed', undefined, 'PATCH', keyOf(ref)));
    }
    this.touched.add(existing.metadata.uid ?? '');
    let next = structuredClone(existing);
    for (const op of ops) {
      if (op.path === '/metadata/finalizers' && (op.op === 'add' || op.op === 'replace')) next = { ...next, metadata: { ...next.metadata, finalizers: op.value as string[] } };
    }
    this.objects.set(keyOf(ref), this.stamp(next, existing.metadata.uid ?? ''));
    if (next.kind === 'Agent' && next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) this.remove(keyOf(ref));
    return Promise.resolve(next as T);
  }

  override delete(ref: Ref, options: { preconditionUid?: string } = {}): Promise<boolean> {
    const existing = this.objects.get(keyOf(ref));
    if (!existing) return Promise.resolve(false);
    if (options.preconditionUid === undefined) throw new Error(`a delete without a uid precondition: ${keyOf(ref)}`);
    if (existing.metadata.uid !== options.preconditionUid) return Promise.reject(new KubeApiError(409, 'Conflict', 'precondition failed', undefined, 'DELETE', keyOf(ref)));
    this.touched.add(options.preconditionUid);
    this.remove(keyOf(ref));
    return Promise.resolve(true);
  }

  /** A user deletes an Agent: marked while it has finalizers, gone (with what it controls) once it has none. */
  deleteAgent(name: string): void {
    const key = `${AGENT_API}/Agent/${TEAM}/${name}`;
    const agent = this.objects.get(key);
    if (!agent) return;
    if ((agent.metadata.finalizers ?? []).length > 0) this.objects.set(key, { ...agent, metadata: { ...agent.metadata, deletionTimestamp: '2026-01-02T00:00:00Z' } });
    else this.remove(key);
  }

  /** Removes an object, and (the garbage collector) whatever names it as its controller. */
  private remove(key: string): void {
    const gone = this.objects.get(key);
    this.objects.delete(key);
    if (!gone || gone.kind !== 'Agent') return;
    for (const [k, o] of [...this.objects]) {
      if ((o.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === gone.metadata.uid)) this.objects.delete(k);
    }
  }

  agents(): KubeObject[] {
    return [...this.objects.values()].filter((o) => o.kind === 'Agent');
  }
}

/** A FieldsV1 of every field of `obj` (the fake's managedFields: what the write set). */
function fieldsOf(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== 'apiVersion' && k !== 'kind' && k !== 'status')
      .map(([k, v]) => [`f:${k}`, Array.isArray(v) ? {} : fieldsOf(v)]),
  );
}

const lookup = (get: () => readonly KubeObject[]): ObjectLookup => ({
  get: (ns, name) => get().find((o) => o.metadata.namespace === ns && o.metadata.name === name),
  list: (ns, filter) => get().filter((o) => (ns === undefined || o.metadata.namespace === ns) && filter(o)),
});

/** Both caches of every child kind, as the operator keeps them, listed from the server now. */
async function childCaches(server: FakeApiServer, isAgentUid: (uid: string) => boolean): Promise<{ children: ChildCaches; stop: () => Promise<void> }> {
  const content = new InformerSet();
  const identities = new InformerSet();
  const informers = CHILD_KINDS.flatMap((k) => {
    const objects = [...server.objects.values()].filter((o) => o.apiVersion === k.apiVersion && o.kind === k.kind);
    const labelled = objects.filter((o) => o.metadata.labels?.[LABEL_KEYS.managedBy] === MANAGED_BY);
    const full = new Informer<KubeObject>({ listWatch: new FakeListWatch(labelled), resyncPeriodMs: 0, transform: ownedProjection({ manager: FIELD_MANAGER, keepStatus: k.readsStatus === true, isAgentUid }) });
    const identity = new Informer<KubeObject>({ listWatch: new FakeListWatch(objects), resyncPeriodMs: 0, transform: identityProjection(k.apiVersion, k.kind) });
    identity.addIndex(BY_OWNER_UID, childrenByOwnerUid);
    content.add(k.apiVersion, k.kind, full);
    identities.add(k.apiVersion, k.kind, identity);
    return [full, identity];
  });
  for (const i of informers) i.start();
  await Promise.all(informers.map((i) => i.waitForSync()));
  return { children: new ChildCaches(content, identities), stop: () => Promise.all(informers.map((i) => i.stop())).then(() => undefined) };
}

async function reconcileAll(server: FakeApiServer, config: OperatorConfig): Promise<void> {
  for (const agent of server.agents()) {
    const uids = new Set(server.agents().map((a) => a.metadata.uid));
    const caches = await childCaches(server, (uid) => uids.has(uid));
    try {
      const reconciler = new AgentReconciler({
        client: server,
        agents: lookup(() => server.agents()),
        modelConfigs: lookup(() => []),
        children: caches.children,
        config,
        recorder: new EventRecorder(server, 'agentry', noopLogger),
      });
      await reconciler.reconcile({ namespace: TEAM, name: agent.metadata.name }, { signal: new AbortController().signal, logger: noopLogger });
    } finally {
      await caches.stop();
    }
  }
}

/** A platform object of a child kind named like an Agent's child: labelled as Agentry's or not, controlled by something else or by nothing. */
function foreign(kind: (typeof CHILD_KINDS)[number], name: string, variant: { labelled: boolean; owner: 'none' | 'other' | 'agentLabelsOnly' }): KubeObject {
  const crossNamespace = kind.kind === 'HTTPRoute';
  const labels: Record<string, string> =
    variant.labelled || variant.owner === 'agentLabelsOnly' ? { [LABEL_KEYS.managedBy]: MANAGED_BY, [LABEL_KEYS.agent]: name, ...(crossNamespace && { [LABEL_KEYS.agentNamespace]: TEAM }) } : { team: 'platform' };
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    metadata: {
      name: crossNamespace ? `${name}.${TEAM}` : name,
      namespace: crossNamespace ? GATEWAY : TEAM,
      labels,
      ...(variant.owner === 'other' && { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'platform', uid: 'platform-uid', controller: true }] }),
    },
    spec: { platform: true },
    data: { owner: 'platform' },
  };
}

type Step =
  | { op: 'createAgent' | 'deleteAgent'; name: string }
  | { op: 'createForeign'; kind: number; name: string; labelled: boolean; owner: 'none' | 'other' | 'agentLabelsOnly' }
  | { op: 'deleteForeign'; kind: number; name: string }
  | { op: 'reconcile' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constantFrom('createAgent' as const, 'deleteAgent' as const), name: fc.constantFrom(...NAMES) }),
  fc.record({ op: fc.constant('createForeign' as const), kind: fc.nat({ max: CHILD_KINDS.length - 1 }), name: fc.constantFrom(...NAMES), labelled: fc.boolean(), owner: fc.constantFrom('none' as const, 'other' as const, 'agentLabelsOnly' as const) }),
  fc.record({ op: fc.constant('deleteForeign' as const), kind: fc.nat({ max: CHILD_KINDS.length - 1 }), name: fc.constantFrom(...NAMES) }),
  fc.constant({ op: 'reconcile' as const }),
);

describe('never adopt', () => {
  it('no sequence of Agents and same-named foreign objects ends with a foreign object written or deleted', async () => {
    // That the sequences exercise both sides: Agents that got children, and Agents that met a conflict.
    let childrenMade = 0;
    let conflictsReported = 0;
    const base = defaultOperatorConfig();
    // Routes beside the gateway too (the owner-uid annotation, the finalizer), with a ReferenceGrant.
    const config: OperatorConfig = { ...base, gateway: { ...base.gateway, parentRefs: [{ name: 'gw', namespace: GATEWAY }], routeNamespace: GATEWAY } };
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const server = new FakeApiServer();
        const platform = new Map<string, KubeObject>(); // key → the object as its owner made it
        try {
          for (const s of [...steps, { op: 'reconcile' as const }, { op: 'reconcile' as const }]) {
            if (s.op === 'createAgent') {
              if (!server.objects.has(`${AGENT_API}/Agent/${TEAM}/${s.name}`)) {
                server.put({ apiVersion: AGENT_API, kind: 'Agent', metadata: { name: s.name, namespace: TEAM, generation: 1 }, spec: { type: 'BYO', byo: { image: 'ghcr.io/acme/agent:1', port: 9000 }, a2aConfig: { skills: [{ id: 'x', name: 'X' }] } } });
              }
            } else if (s.op === 'deleteAgent') {
              server.deleteAgent(s.name);
            } else if (s.op === 'createForeign') {
              const kind = CHILD_KINDS[s.kind];
              if (!kind) continue;
              const obj = foreign(kind, s.name, s);
              if (!server.objects.has(keyOf(obj))) platform.set(keyOf(obj), server.put(obj));
            } else if (s.op === 'deleteForeign') {
              const kind = CHILD_KINDS[s.kind];
              if (!kind) continue;
              const key = keyOf(foreign(kind, s.name, { labelled: false, owner: 'none' }));
              if (platform.has(key)) {
                server.objects.delete(key);
                platform.delete(key);
              }
            } else {
              await reconcileAll(server, config);
              for (const a of server.agents()) {
                const reasons = ((a.status as { conditions?: { reason: string }[] } | undefined)?.conditions ?? []).map((c) => c.reason);
                if (reasons.includes('ChildConflict')) conflictsReported++;
              }
              childrenMade = Math.max(childrenMade, server.touched.size);
            }
            // The invariant, after every step: each platform object is there, exactly as made, and
            // the operator has written or deleted none of them.
            for (const [key, made] of platform) {
              expect({ key, touched: server.touched.has(made.metadata.uid ?? '') }).toEqual({ key, touched: false });
              expect({ key, same: isDeepStrictEqual(server.objects.get(key), made) }).toEqual({ key, same: true });
            }
          }
        } finally {
          server.close();
        }
      }),
      { numRuns: 120 },
    );
    expect(childrenMade).toBeGreaterThan(0);
    expect(conflictsReported).toBeGreaterThan(0);
  }, 300_000);
});
