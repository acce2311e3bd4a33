// Property-based tests of the Agent reconciler against a cluster that already holds children: those
// the operator applied for an earlier version of the Agent, some of them since edited or deleted by
// hand, plus objects that look like the Agent's but are not its own. Whatever the Agent and its
// history, one reconcile creates exactly the children that are missing and applies exactly those
// changed or drifted (the full desired object each time, never one read back), deletes exactly the
// children it owns and no longer wants, touches nothing it does not own, and leaves everything as it
// was for an Agent it refuses. Once its writes are in the cache, the next reconciles settle to zero
// writes.
//
// The cluster is an in-memory API server (creates refuse an existing name; server-side apply upserts,
// keeping server defaults and other managers' fields, and refuses a uid that is not the live one;
// deletes check the uid precondition) behind real informers.
import { isDeepStrictEqual } from 'node:util';

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { LABEL_KEYS, MANAGED_BY } from '../../../src/api/group-version.js';
import { Informer } from '../../../src/controller/informer.js';
import { noopLogger } from '../../../src/controller/logger.js';
import { KubeClient, type ApplyOptions } from '../../../src/kube/kube-client.js';
import { KubeConnection } from '../../../src/kube/kube-connection.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { AgentReconciler } from '../../../src/operator/agent-reconciler.js';
import { KubeApiError } from '../../../src/kube/kube-api-error.js';
import { BY_OWNER_UID, childrenByOwnerUid } from '../../../src/operator/cache-indexes.js';
import { ChildCaches } from '../../../src/operator/child-caches.js';
import { CHILD_KINDS } from '../../../src/operator/child-kinds.js';
import { identityProjection } from '../../../src/operator/child-projection.js';
import { EventRecorder } from '../../../src/operator/event-recorder.js';
import { InformerSet, type ObjectLookup } from '../../../src/operator/informer-set.js';
import type { OperatorConfig } from '../../../src/config/operator-config.js';
import { FakeListWatch } from '../controller/fakes/fake-list-watch.js';
import { renderable, type Scenario } from '../render/render-scenarios.js';

const AGENT_UID = '6f1c2a8e-0b7d-4c1e-9a52-5d3e8f0b1c2d';
const FOREIGN_UID = '0d9b7c6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
/** A field of another manager, which server-side apply keeps: never a reason to write. */
const OTHER_MANAGERS_ANNOTATION = 'example.com/touched-by';

type ObjectKeyString = string;
const keyOf = (o: Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } }): ObjectKeyString =>
  `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

interface Write {
  verb: 'create' | 'apply' | 'delete' | 'patch' | 'status';
  key: ObjectKeyString;
  body?: KubeObject;
  preconditionUid?: string;
}

/**
 * The API server, in memory, for the writes a reconcile makes: server-side apply upserts (the
 * applied object, with the server's own defaults and other managers' annotations kept), deletes
 * honour their uid precondition, a JSON patch changes the Agent's finalizers, a status apply its
 * status. Events are accepted and not recorded.
 */
class FakeApiServer extends KubeClient {
  readonly children = new Map<ObjectKeyString, KubeObject>();
  /** The one Agent this server holds. */
  agentObj: KubeObject | undefined;
  writes: Write[] = [];
  private version = 0;
  private uids = 0;

  constructor() {
    super(KubeConnection.fromOptions({ server: 'https://127.0.0.1:9' }));
  }

  override apply<T extends KubeObject>(obj: T, options: ApplyOptions): Promise<T> {
    const body = structuredClone(obj);
    if (options.subresource === 'status') {
      this.writes.push({ verb: 'status', key: keyOf(obj), body });
      if (this.agentObj) this.agentObj = { ...this.agentObj, status: body.status };
      return Promise.resolve(obj);
    }
    const existing = this.children.get(keyOf(obj));
    // The uid is immutable: an apply that names another object's refuses, as the API server does.
    const uid = obj.metadata.uid;
    if (uid !== undefined && existing === undefined) return Promise.reject(new KubeApiError(409, 'Conflict', 'uid mismatch: no existing object', undefined, 'PATCH', keyOf(obj)));
    if (uid !== undefined && existing?.metadata.uid !== uid) return Promise.reject(new KubeApiError(422, 'Invalid', 'metadata.uid: field is immutable', undefined, 'PATCH', keyOf(obj)));
    this.writes.push({ verb: 'apply', key: keyOf(obj), body });
    const stored = this.stored(body, existing);
    this.children.set(keyOf(obj), stored);
    return Promise.resolve(structuredClone(stored) as T);
  }

  override get<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<T> {
    const found = this.children.get(`${apiVersion}/${kind}/${namespace ?? ''}/${name}`);
    if (!found) return Promise.reject(new KubeApiError(404, 'NotFound', 'not found', undefined, 'GET', name));
    return Promise.resolve(structuredClone(found) as T);
  }

  override patch<T extends KubeObject = KubeObject>(ref: Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } }, patch: unknown): Promise<T> {
    const child = this.children.get(keyOf(ref));
    if (child) {
      // Only managedFields are ever patched on a child (the upgrade of a create's Update entry): they are not modelled here.
      const ops = patch as { op: string; path: string }[];
      if (!ops.every((op) => op.op === 'test' || op.path === '/metadata/managedFields')) throw new Error(`unexpected patch of ${keyOf(ref)}`);
      this.writes.push({ verb: 'patch', key: keyOf(ref) });
      return Promise.resolve(structuredClone(child) as T);
    }
    if (!this.agentObj || keyOf(ref) !== keyOf(this.agentObj)) throw new Error(`unexpected patch of ${keyOf(ref)}`);
    this.writes.push({ verb: 'patch', key: keyOf(ref) });
    const ops = patch as { op: string; path: string; value: unknown }[];
    for (const op of ops) {
      if (op.path !== '/metadata/finalizers') throw new Error(`unexpected patch path ${op.path}`);
      if (op.op === 'test' && !isDeepStrictEqual(this.agentObj.metadata.finalizers ?? null, op.value)) throw new Error('409 Conflict: the finalizers changed');
      if (op.op === 'add' || op.op === 'replace') this.agentObj = { ...this.agentObj, metadata: { ...this.agentObj.metadata, finalizers: op.value as string[] } };
    }
    return Promise.resolve(this.agentObj as T);
  }

  override delete(ref: Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } }, options: { preconditionUid?: string } = {}): Promise<boolean> {
    const key = keyOf(ref);
    this.writes.push({ verb: 'delete', key, ...(options.preconditionUid !== undefined && { preconditionUid: options.preconditionUid }) });
    const existing = this.children.get(key);
    if (!existing) return Promise.resolve(false);
    if (options.preconditionUid !== undefined && existing.metadata.uid !== options.preconditionUid) throw new Error(`409 Conflict: ${key} has another uid`);
    this.children.delete(key);
    return Promise.resolve(true);
  }

  override create<T extends KubeObject>(obj: T): Promise<T> {
    if (obj.kind === 'Event') return Promise.resolve(obj);
    if (this.children.has(keyOf(obj))) return Promise.reject(new KubeApiError(409, 'AlreadyExists', `${keyOf(obj)} already exists`, undefined, 'POST', keyOf(obj)));
    const body = structuredClone(obj);
    this.writes.push({ verb: 'create', key: keyOf(obj), body });
    const stored = this.stored(body, undefined);
    this.children.set(keyOf(obj), stored);
    return Promise.resolve(structuredClone(stored) as T);
  }

  /** An object as the server keeps it: with identity, defaults, and the annotations of other managers. */
  private stored(applied: KubeObject, existing: KubeObject | undefined): KubeObject {
    this.version += 1;
    const others = Object.entries(existing?.metadata.annotations ?? {}).filter(([k]) => k === OTHER_MANAGERS_ANNOTATION);
    const annotations = { ...Object.fromEntries(others), ...(applied.metadata.annotations ?? {}) };
    const object: KubeObject = {
      ...applied,
      metadata: {
        ...applied.metadata,
        ...(Object.keys(annotations).length > 0 && { annotations }),
        uid: existing?.metadata.uid ?? `uid-${++this.uids}`,
        resourceVersion: String(this.version),
        creationTimestamp: existing?.metadata.creationTimestamp ?? '2026-11-20T00:00:00Z',
      },
    };
    return withServerDefaults(object);
  }
}

/** A few of the defaults the API server fills in, which the operator never sets. */
function withServerDefaults(object: KubeObject): KubeObject {
  if (object.kind === 'Service') {
    const spec = object.spec as Record<string, unknown>;
    return { ...object, spec: { ...spec, clusterIP: '10.96.0.17', clusterIPs: ['10.96.0.17'], sessionAffinity: 'None', ipFamilies: ['IPv4'] } };
  }
  if (object.kind === 'Deployment') {
    const spec = object.spec as Record<string, unknown>;
    return { ...object, spec: { ...spec, progressDeadlineSeconds: 600, revisionHistoryLimit: 10 }, status: { observedGeneration: 1, replicas: 0 } };
  }
  return object;
}

function lookup(get: () => readonly KubeObject[]): ObjectLookup {
  return {
    get: (ns, name) => get().find((o) => o.metadata.namespace === ns && o.metadata.name === name),
    list: (ns, filter) => get().filter((o) => (ns === undefined || o.metadata.namespace === ns) && filter(o)),
  };
}

/** Both caches of every child kind, listed from the server's children: content (as listed) and identity. */
async function childCaches(server: FakeApiServer): Promise<{ children: ChildCaches; stop: () => Promise<void> }> {
  const content = new InformerSet();
  const identities = new InformerSet();
  const informers = CHILD_KINDS.flatMap((k) => {
    const objects = () => [...server.children.values()].filter((o) => o.apiVersion === k.apiVersion && o.kind === k.kind);
    const full = new Informer<KubeObject>({ listWatch: new FakeListWatch(objects()), name: k.kind, resyncPeriodMs: 0 });
    content.add(k.apiVersion, k.kind, full);
    const identity = new Informer<KubeObject>({ listWatch: new FakeListWatch(objects()), name: `${k.kind} (identity)`, resyncPeriodMs: 0, transform: identityProjection(k.apiVersion, k.kind) });
    identity.addIndex(BY_OWNER_UID, childrenByOwnerUid);
    identities.add(k.apiVersion, k.kind, identity);
    return [full, identity];
  });
  for (const informer of informers) informer.start();
  await Promise.all(informers.map((i) => i.waitForSync()));
  return { children: new ChildCaches(content, identities), stop: () => Promise.all(informers.map((i) => i.stop())).then(() => undefined) };
}

/** One reconcile of the server's Agent, reading from caches filled from the server; returns its writes. */
async function reconcile(server: FakeApiServer, config: OperatorConfig, modelConfigs: readonly KubeObject[]): Promise<Write[]> {
  const agent = server.agentObj;
  if (!agent) throw new Error('no Agent');
  server.writes = [];
  const caches = await childCaches(server);
  try {
    const reconciler = new AgentReconciler({
      client: server,
      agents: lookup(() => (server.agentObj ? [server.agentObj] : [])),
      modelConfigs: lookup(() => modelConfigs),
      children: caches.children,
      config,
      recorder: new EventRecorder(server, 'agentry', noopLogger),
      now: () => new Date('2026-11-21T00:00:00Z'),
    });
    await reconciler.reconcile({ namespace: agent.metadata.namespace, name: agent.metadata.name }, { signal: new AbortController().signal, logger: noopLogger });
  } finally {
    await caches.stop();
  }
  return server.writes;
}

function agentObject(spec: Scenario['agent'], generation: number): KubeObject {
  return { ...structuredClone(spec), metadata: { ...spec.metadata, uid: AGENT_UID, generation } };
}

/** What the reconciler applies for `agent` into an empty namespace: every desired child, by key. */
async function desiredApplies(agent: KubeObject, config: OperatorConfig, modelConfigs: readonly KubeObject[]): Promise<Map<ObjectKeyString, KubeObject>> {
  const server = new FakeApiServer();
  try {
    server.agentObj = structuredClone(agent);
    const writes = await reconcile(server, config, modelConfigs);
    return new Map(writes.filter((w) => w.verb === 'create' && w.body).map((w) => [w.key, w.body as KubeObject]));
  } finally {
    server.close();
  }
}

type Edit = 'none' | 'drift' | 'delete' | 'otherManager';

interface History {
  scenario: Scenario;
  /** What the Agent's spec changes from: which of these the earlier version had the other way. */
  toggles: { a2a: boolean; gateway: boolean; networkPolicy: boolean; serviceAccount: boolean; description: boolean };
  /** A hand edit of each previously applied child, in apply order. */
  edits: Edit[];
  /** The ModelConfig has since been deleted: the current Agent cannot be rendered. */
  modelConfigGone: boolean;
}

const history: fc.Arbitrary<History> = fc.record({
  scenario: renderable(),
  toggles: fc.record({ a2a: fc.boolean(), gateway: fc.boolean(), networkPolicy: fc.boolean(), serviceAccount: fc.boolean(), description: fc.boolean() }),
  edits: fc.array(fc.constantFrom<Edit>('none', 'none', 'drift', 'delete', 'otherManager'), { minLength: 7, maxLength: 7 }),
  modelConfigGone: fc.boolean(),
});

/** The Agent as it was before its spec was edited into the scenario's. */
function earlierSpec(h: History): Scenario['agent'] {
  const earlier = structuredClone(h.scenario.agent);
  const spec = earlier.spec as {
    a2aConfig?: unknown;
    description?: string;
    deployment?: { serviceAccountName?: string };
    exposure?: { gateway?: { enabled?: boolean }; networkPolicy?: { enabled?: boolean } };
  };
  if (h.toggles.a2a) {
    if (spec.a2aConfig === undefined) spec.a2aConfig = { skills: [{ id: 'earlier', name: 'Earlier skill' }] };
    else delete spec.a2aConfig;
  }
  if (h.toggles.gateway) spec.exposure = { ...spec.exposure, gateway: { ...spec.exposure?.gateway, enabled: !(spec.exposure?.gateway?.enabled ?? false) } };
  if (h.toggles.networkPolicy) {
    const enabled = spec.exposure?.networkPolicy?.enabled ?? h.scenario.config.networkPolicy.enabled;
    spec.exposure = { ...spec.exposure, networkPolicy: { ...spec.exposure?.networkPolicy, enabled: !enabled } };
  }
  if (h.toggles.serviceAccount) {
    if (spec.deployment?.serviceAccountName === undefined) spec.deployment = { ...spec.deployment, serviceAccountName: 'earlier-sa' };
    else delete spec.deployment.serviceAccountName;
  }
  if (h.toggles.description) spec.description = 'an earlier description';
  return earlier;
}

/** Objects labelled as this Agent's that are not its own: never to be applied or deleted. */
function foreignObjects(agent: KubeObject, config: OperatorConfig): KubeObject[] {
  const { name, namespace = '' } = agent.metadata;
  const labels = { [LABEL_KEYS.name]: name, [LABEL_KEYS.instance]: name, [LABEL_KEYS.managedBy]: MANAGED_BY, [LABEL_KEYS.partOf]: MANAGED_BY, [LABEL_KEYS.agent]: name };
  return [
    // Controlled by another object.
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${name}-notes`, namespace, uid: 'uid-foreign-1', labels, ownerReferences: [{ apiVersion: 'agentry.dev/v1alpha1', kind: 'Agent', name, uid: FOREIGN_UID, controller: true }] },
      data: { note: 'not the operator’s' },
    },
    // The route of a same-named Agent in another namespace, beside the gateway.
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: `${name}.elsewhere`, namespace: config.gateway.routeNamespace ?? namespace, uid: 'uid-foreign-2', labels: { ...labels, [LABEL_KEYS.agentNamespace]: 'elsewhere' } },
      spec: {},
    },
  ];
}

describe('the reconciler, over children it applied before', () => {
  it('applies what is missing, changed or drifted, prunes what it owns and no longer wants, and then settles', async () => {
    await fc.assert(
      fc.asyncProperty(history, async (h) => {
        const { config } = h.scenario;
        const modelConfigs = h.scenario.modelConfig === undefined ? [] : [h.scenario.modelConfig];
        const server = new FakeApiServer();
        try {
          // The operator applied the earlier version's children...
          server.agentObj = agentObject(earlierSpec(h), 1);
          await reconcile(server, config, modelConfigs);
          const earlierApplied = new Map(server.writes.filter((w) => w.verb === 'create').map((w) => [w.key, w.body]));
          // ...then the Agent was edited, and some of its children by hand, beside objects that are not its own.
          const before = server.agentObj;
          const current = agentObject(h.scenario.agent, 2);
          server.agentObj = {
            ...current,
            metadata: { ...current.metadata, ...(before.metadata.finalizers !== undefined && { finalizers: before.metadata.finalizers }) },
            ...(before.status !== undefined && { status: before.status }),
          };
          const edited = new Map<ObjectKeyString, Edit>();
          [...server.children.keys()].forEach((key, index) => {
            const edit = h.edits[index] ?? 'none';
            const child = server.children.get(key);
            if (!child || edit === 'none') return;
            edited.set(key, edit);
            if (edit === 'delete') server.children.delete(key);
            if (edit === 'drift') server.children.set(key, { ...child, metadata: { ...child.metadata, labels: { ...child.metadata.labels, [LABEL_KEYS.name]: 'edited-by-hand' } } });
            if (edit === 'otherManager') server.children.set(key, { ...child, metadata: { ...child.metadata, annotations: { ...child.metadata.annotations, [OTHER_MANAGERS_ANNOTATION]: 'kubectl' } } });
          });
          for (const foreign of foreignObjects(server.agentObj, config)) server.children.set(keyOf(foreign), foreign);
          const live = new Map(server.children);
          const currentModelConfigs = h.modelConfigGone && h.scenario.agent.spec.type === 'Declarative' ? [] : modelConfigs;
          const desired = await desiredApplies(server.agentObj, config, currentModelConfigs);

          const writes = await reconcile(server, config, currentModelConfigs);
          const created = writes.filter((w) => w.verb === 'create');
          const applied = writes.filter((w) => w.verb === 'apply');
          const deleted = writes.filter((w) => w.verb === 'delete');

          if (desired.size === 0) {
            // Refused (its ModelConfig is gone): every child stays as it is, drifted or not.
            expect(writes.filter((w) => w.verb !== 'status').map((w) => `${w.verb} ${w.key}`)).toEqual([]);
            return;
          }
          const expectedCreates = [...desired.keys()].filter((key) => !live.has(key));
          const expectedApplies = [...desired.keys()].filter((key) => live.has(key) && (!isDeepStrictEqual(earlierApplied.get(key), desired.get(key)) || edited.get(key) === 'drift'));
          expect(created.map((w) => w.key).sort()).toEqual(expectedCreates.sort());
          expect(applied.map((w) => w.key).sort()).toEqual(expectedApplies.sort());
          // The whole desired object each time, never one read back from the cache; an apply names the live uid.
          for (const w of created) expect({ key: w.key, body: w.body }).toEqual({ key: w.key, body: desired.get(w.key) });
          for (const w of applied) {
            const uid = live.get(w.key)?.metadata.uid;
            expect({ key: w.key, body: w.body }).toEqual({ key: w.key, body: { ...desired.get(w.key), metadata: { ...desired.get(w.key)?.metadata, uid } } });
          }
          const expectedDeletes = [...earlierApplied.keys()].filter((key) => live.has(key) && !desired.has(key));
          expect(deleted.map((w) => w.key).sort()).toEqual(expectedDeletes.sort());
          for (const w of deleted) expect(w.preconditionUid).toBe(live.get(w.key)?.metadata.uid);
          for (const foreign of foreignObjects(server.agentObj, config)) expect(server.children.get(keyOf(foreign))).toEqual(foreign);

          // With its own writes in the cache, the operator has nothing left to do: at most the
          // finalizer of a route it just pruned, and then nothing at all.
          const next = await reconcile(server, config, currentModelConfigs);
          expect(next.filter((w) => w.verb === 'create' || w.verb === 'apply' || w.verb === 'delete').map((w) => `${w.verb} ${w.key}`)).toEqual([]);
          expect((await reconcile(server, config, currentModelConfigs)).map((w) => `${w.verb} ${w.key}`)).toEqual([]);
        } finally {
          server.close();
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});

// Junk where the spec should be (what a CRD with schema validation off, or a bug, could deliver).
const junkSpec = fc.oneof(fc.anything(), fc.dictionary(fc.constantFrom('type', 'declarative', 'byo', 'a2aConfig', 'deployment', 'exposure'), fc.anything()));

describe('the reconciler, for an Agent it cannot accept', () => {
  it('writes only its status (Accepted=False with a reason and message), even over children it applied before', async () => {
    await fc.assert(
      fc.asyncProperty(renderable(), junkSpec, async (s, spec) => {
        const modelConfigs = s.modelConfig === undefined ? [] : [s.modelConfig];
        const server = new FakeApiServer();
        try {
          server.agentObj = agentObject(s.agent, 1);
          await reconcile(server, s.config, modelConfigs);
          const children = new Map(server.children);
          server.agentObj = { ...server.agentObj, spec, metadata: { ...server.agentObj.metadata, generation: 2 } };
          const writes = await reconcile(server, s.config, modelConfigs);
          const conditions = (server.agentObj.status as { conditions?: { type: string; status: string; reason: string; message: string }[] } | undefined)?.conditions ?? [];
          const accepted = conditions.find((c) => c.type === 'Accepted');
          if (accepted?.status === 'True') return; // a junk spec that happens to be a valid one
          expect(accepted).toMatchObject({ status: 'False', reason: expect.stringMatching(/^[A-Za-z]+$/) });
          expect(accepted?.message.length).toBeGreaterThan(0);
          expect(writes.filter((w) => w.verb !== 'status').map((w) => `${w.verb} ${w.key}`)).toEqual([]);
          expect(server.children).toEqual(children);
        } finally {
          server.close();
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);

});
