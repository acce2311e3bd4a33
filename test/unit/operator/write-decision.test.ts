// The one rule of "should I write?" (src/operator/apply/write-decision.ts), table by table: create
// when missing, conflict when a same-named object is not the Agent's, patch when it is and differs,
// nothing otherwise; and what "differs" means, pointer booleans and list-map keys included.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { OWNER_UID_ANNOTATION } from '../../../src/api/group-version.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { parseQuantity, sameQuantity } from '../../../src/kube/quantity.js';
import { canonicalJson, contentHash } from '../../../src/operator/apply/content-hash.js';
import {
  APPLIED_HASH_ANNOTATION,
  childrenToPrune,
  decideChildWrite,
  firstDifference,
  isOwnedBy,
  securityRepairs,
  withAppliedHash,
  type LiveChild,
  type WriteDecision,
} from '../../../src/operator/apply/write-decision.js';

const owner = { namespace: 'team', name: 'a', uid: 'agent-uid' };
const controllerRef = (uid = owner.uid, kind = 'Agent') => ({ apiVersion: 'agentry.dev/v1alpha1', kind, name: 'a', uid, controller: true });

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'a', namespace: 'team', labels: { 'app.kubernetes.io/managed-by': 'agentry' }, ownerReferences: [{ ...controllerRef(), blockOwnerDeletion: true }] },
    spec: {
      replicas: 1,
      template: {
        metadata: { labels: { app: 'a' } },
        spec: {
          serviceAccountName: 'a',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'agent',
              image: 'ghcr.io/acme/agent:1',
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
              resources: { requests: { cpu: '0.5', memory: '1024Mi' } },
              volumeMounts: [{ name: 'config', mountPath: '/etc/agentry', readOnly: true }],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true },
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: 'a' } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}

const serviceAccount = (): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'a', namespace: 'team', ownerReferences: [controllerRef()] }, automountServiceAccountToken: false });

const networkPolicy = (): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'a', namespace: 'team', ownerReferences: [controllerRef()] },
  spec: {
    podSelector: { matchLabels: { app: 'a' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }] }],
  },
});

const route = (annotations: Record<string, string> = { [OWNER_UID_ANNOTATION]: owner.uid }): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'a.team', namespace: 'gateway', labels: { 'agentry.dev/agent': 'a', 'agentry.dev/agent-namespace': 'team' }, annotations },
  spec: { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/agents/team/a' } }] }] },
});

/** The object as the API server keeps it after the operator wrote `desired`: identity and defaults added. */
function stored(desired: KubeObject, edit: (o: KubeObject) => void = () => undefined, meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  const obj = structuredClone(withAppliedHash(desired));
  Object.assign(obj.metadata, { uid: 'live-uid', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z' }, meta);
  if (obj.kind === 'Deployment') {
    const spec = obj.spec as { revisionHistoryLimit?: number; template: { spec: Record<string, unknown> } };
    spec.revisionHistoryLimit = 10;
    spec.template.spec.dnsPolicy = 'ClusterFirst';
  }
  edit(obj);
  return obj;
}

const podSpec = (o: KubeObject) => (o.spec as { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } }).template.spec;
const container = (o: KubeObject) => podSpec(o).containers[0] as Record<string, unknown> & { env: Record<string, unknown>[]; securityContext: Record<string, unknown>; volumeMounts: Record<string, unknown>[] };

const inCache = (obj: KubeObject): LiveChild => ({ identity: obj, content: obj });
const summary = (d: WriteDecision) => (d.action === 'patch' ? { action: d.action, reason: d.reason, ...(d.path !== undefined && { path: d.path }) } : d.action === 'none' ? { action: d.action, why: d.why } : { action: d.action });

describe('decideChildWrite', () => {
  const desired = deployment();
  const rows: [string, KubeObject, LiveChild, ReturnType<typeof summary>][] = [
    ['nothing there: create', desired, {}, { action: 'create' }],
    ['ours and unchanged: nothing', desired, inCache(stored(desired)), { action: 'none', why: 'in-sync' }],
    ['ours, being deleted: nothing until it is gone', desired, inCache(stored(desired, undefined, { deletionTimestamp: '2026-01-02T00:00:00Z' })), { action: 'none', why: 'deleting' }],
    ['ours, the content cache behind the identity cache: nothing yet', desired, { identity: stored(desired, undefined, { resourceVersion: '8' }), content: stored(desired) }, { action: 'none', why: 'settling' }],
    ['ours, but not cached with content (labels taken off): patch', desired, { identity: stored(desired) }, { action: 'patch', reason: 'unverified' }],
    ['ours, and we changed our mind: patch', deployment(), inCache(stored(desired, (o) => (o.metadata.annotations = { [APPLIED_HASH_ANNOTATION]: 'older' }))), { action: 'patch', reason: 'changed' }],
    [
      'allowPrivilegeEscalation: false removed: drift',
      desired,
      inCache(stored(desired, (o) => delete container(o).securityContext.allowPrivilegeEscalation)),
      { action: 'patch', reason: 'drifted', path: 'spec.template.spec.containers[name=agent].securityContext' },
    ],
    ['automountServiceAccountToken: false removed: drift', desired, inCache(stored(desired, (o) => delete podSpec(o).automountServiceAccountToken)), { action: 'patch', reason: 'drifted', path: 'spec.template.spec.automountServiceAccountToken' }],
    ['automountServiceAccountToken turned true: drift', desired, inCache(stored(desired, (o) => (podSpec(o).automountServiceAccountToken = true))), { action: 'patch', reason: 'drifted', path: 'spec.template.spec.automountServiceAccountToken' }],
    [
      'privileged: true added beside our securityContext: drift',
      desired,
      inCache(stored(desired, (o) => (container(o).securityContext.privileged = true))),
      { action: 'patch', reason: 'drifted', path: 'spec.template.spec.containers[name=agent].securityContext' },
    ],
    ['pod runAsNonRoot removed: drift', desired, inCache(stored(desired, (o) => delete (podSpec(o).securityContext as Record<string, unknown>).runAsNonRoot)), { action: 'patch', reason: 'drifted', path: 'spec.template.spec.securityContext' }],
    ['readOnly: true of a volumeMount removed: drift', desired, inCache(stored(desired, (o) => delete container(o).volumeMounts[0]?.readOnly)), { action: 'patch', reason: 'drifted', path: 'spec.template.spec.containers[name=agent].volumeMounts[mountPath=/etc/agentry].readOnly' }],
    ['an env value changed: drift, named by its merge key', desired, inCache(stored(desired, (o) => (container(o).env[1] = { name: 'B', value: 'x' }))), { action: 'patch', reason: 'drifted', path: 'spec.template.spec.containers[name=agent].env[name=B].value' }],
    ['an env var removed: drift', desired, inCache(stored(desired, (o) => container(o).env.splice(0, 1))), { action: 'patch', reason: 'drifted', path: 'spec.template.spec.containers[name=agent].env[name=A]' }],
    ["another manager's env var, and env in another order: nothing", desired, inCache(stored(desired, (o) => container(o).env.reverse().push({ name: 'INJECTED', value: '1' }))), { action: 'none', why: 'in-sync' }],
    ['a sidecar container added by another manager: nothing', desired, inCache(stored(desired, (o) => podSpec(o).containers.unshift({ name: 'sidecar', image: 'x' }))), { action: 'none', why: 'in-sync' }],
    ['quantities written differently by the server: nothing', desired, inCache(stored(desired, (o) => (container(o).resources = { requests: { cpu: '500m', memory: '1Gi' } }))), { action: 'none', why: 'in-sync' }],
    ['an empty emptyDir stored as absent: nothing', desired, inCache(stored(desired, (o) => ((podSpec(o).volumes as Record<string, unknown>[])[1] = { name: 'tmp' }))), { action: 'none', why: 'in-sync' }],
    ['replicas changed by hand: drift', desired, inCache(stored(desired, (o) => ((o.spec as Record<string, unknown>).replicas = 3))), { action: 'patch', reason: 'drifted', path: 'spec.replicas' }],
    ['ServiceAccount automountServiceAccountToken: false removed: drift', serviceAccount(), inCache(stored(serviceAccount(), (o) => delete o.automountServiceAccountToken)), { action: 'patch', reason: 'drifted', path: 'automountServiceAccountToken' }],
    [
      'NetworkPolicy: an allow-all ingress rule added: drift',
      networkPolicy(),
      inCache(stored(networkPolicy(), (o) => (o.spec as { ingress: unknown[] }).ingress.push({}))),
      { action: 'patch', reason: 'drifted', path: 'spec' },
    ],
    ['NetworkPolicy: the egress rules removed: drift', networkPolicy(), inCache(stored(networkPolicy(), (o) => delete (o.spec as Record<string, unknown>).egress)), { action: 'patch', reason: 'drifted', path: 'spec' }],
    ['NetworkPolicy unchanged: nothing', networkPolicy(), inCache(stored(networkPolicy())), { action: 'none', why: 'in-sync' }],
    ['same name, no owner (a platform object): conflict', desired, { identity: stored(desired, (o) => delete o.metadata.ownerReferences) }, { action: 'conflict' }],
    ['same name, controlled by something else: conflict', desired, { identity: stored(desired, (o) => (o.metadata.ownerReferences = [controllerRef('other', 'Deployment')])) }, { action: 'conflict' }],
    ['same name, controlled by another Agent (another uid): conflict', desired, { identity: stored(desired, (o) => (o.metadata.ownerReferences = [controllerRef('other-agent')])) }, { action: 'conflict' }],
    ['same name, our uid but not as controller: conflict', desired, { identity: stored(desired, (o) => (o.metadata.ownerReferences = [{ ...controllerRef(), controller: false }])) }, { action: 'conflict' }],
    ['same name, labelled as ours but not owned: conflict', desired, { identity: stored(desired, (o) => delete o.metadata.ownerReferences), content: stored(desired, (o) => delete o.metadata.ownerReferences) }, { action: 'conflict' }],
    ['a route beside the gateway with our owner-uid annotation: ours', route(), inCache(stored(route())), { action: 'none', why: 'in-sync' }],
    ['a route beside the gateway with our labels only: conflict', route(), { identity: stored(route(), (o) => delete o.metadata.annotations) }, { action: 'conflict' }],
    ["a route beside the gateway with another Agent's uid: conflict", route(), { identity: stored(route(), (o) => (o.metadata.annotations = { [OWNER_UID_ANNOTATION]: 'other' })) }, { action: 'conflict' }],
  ];

  it.each(rows)('%s', (_what, want, live, expected) => {
    expect(summary(decideChildWrite(want, live, owner))).toEqual(expected);
  });

  it('writes nothing for the version its own last write returned, before the cache has it', () => {
    const live = stored(desired, (o) => delete container(o).securityContext.allowPrivilegeEscalation);
    const appliedHash = withAppliedHash(desired).metadata.annotations?.[APPLIED_HASH_ANNOTATION];
    expect(decideChildWrite(desired, { identity: live }, owner, { uid: 'live-uid', resourceVersion: '7', appliedHash })).toEqual({ action: 'none', why: 'just-written' });
    expect(decideChildWrite(desired, { identity: live }, owner, { uid: 'live-uid', resourceVersion: '6', appliedHash }).action).toBe('patch');
    expect(decideChildWrite(desired, { identity: live }, owner, { uid: 'other-uid', resourceVersion: '7', appliedHash }).action).toBe('patch');
    // A write of what we wanted before is no reason to wait: we want something else now.
    expect(decideChildWrite(desired, { identity: live }, owner, { uid: 'live-uid', resourceVersion: '7', appliedHash: 'older' }).action).toBe('patch');
  });

  it('waits for the caches to agree, and says whether the one it read differs from desired (the reconcile then looks again)', () => {
    const drifted = stored(desired, (o) => delete container(o).securityContext.allowPrivilegeEscalation, { resourceVersion: '9' });
    const appliedHash = withAppliedHash(desired).metadata.annotations?.[APPLIED_HASH_ANNOTATION];
    // The identity cache still at our own last write, the content cache already at someone else's
    // change after it: not "just written" (the identity's event, a new resourceVersion only, queues nothing).
    expect(decideChildWrite(desired, { identity: stored(desired), content: drifted }, owner, { uid: 'live-uid', resourceVersion: '7', appliedHash })).toEqual({ action: 'none', why: 'settling', differs: true });
    expect(decideChildWrite(desired, { identity: stored(desired), content: stored(desired, undefined, { resourceVersion: '9' }) }, owner)).toEqual({ action: 'none', why: 'settling', differs: false });
  });

  it('creates the desired object with its hash, and patches it with the live uid as a precondition', () => {
    expect(decideChildWrite(desired, {}, owner)).toEqual({ action: 'create', desired: withAppliedHash(desired) });
    const patch = decideChildWrite(desired, { identity: stored(desired) }, owner);
    expect(patch).toMatchObject({ action: 'patch', desired: { metadata: { uid: 'live-uid' } } });
    if (patch.action === 'patch') expect({ ...patch.desired, metadata: { ...patch.desired.metadata, uid: undefined } }).toEqual({ ...withAppliedHash(desired), metadata: { ...withAppliedHash(desired).metadata, uid: undefined } });
  });

  it('upgrades managedFields first when the object still carries what its create set (an Update entry)', () => {
    const changed = stored(desired, (o) => {
      o.metadata.annotations = { [APPLIED_HASH_ANNOTATION]: 'older' };
      o.metadata.managedFields = [{ manager: 'agentry', operation: 'Update' }];
    });
    expect(decideChildWrite(desired, inCache(changed), owner)).toMatchObject({ action: 'patch', reason: 'changed', upgradeManagedFields: true });
    const applied = stored(desired, (o) => {
      o.metadata.annotations = { [APPLIED_HASH_ANNOTATION]: 'older' };
      o.metadata.managedFields = [{ manager: 'agentry', operation: 'Apply' }];
    });
    expect(decideChildWrite(desired, inCache(applied), owner)).toMatchObject({ upgradeManagedFields: false });
  });

  it('names the kind, the object and its holder in a conflict', () => {
    const foreign = stored(desired, (o) => (o.metadata.ownerReferences = [controllerRef('x', 'Deployment')]));
    const decision = decideChildWrite(desired, { identity: foreign }, owner);
    expect(decision.action === 'conflict' && decision.message).toMatch(/^Deployment team\/a already exists and is not this Agent's \(it is controlled by Deployment a\)/);
  });

  it('ignores content cached for another object of the same name (a uid the identity does not have)', () => {
    const ours = stored(desired);
    const replaced = stored(desired, (o) => delete o.metadata.ownerReferences, { uid: 'new-uid' });
    expect(decideChildWrite(desired, { identity: replaced, content: ours }, owner).action).toBe('conflict');
  });
});

describe('firstDifference', () => {
  it.each<[string, unknown, unknown, string | undefined]>([
    ['false is a value: absent is not false', { spec: { x: false } }, { spec: {} }, 'spec.x'],
    ['false equals false', { spec: { x: false } }, { spec: { x: false } }, undefined],
    ['0 is a value', { spec: { x: 0 } }, { spec: {} }, 'spec.x'],
    ['"" is a value', { spec: { x: '' } }, { spec: {} }, 'spec.x'],
    ['an empty object may be stored as absent', { spec: { x: {} } }, { spec: {} }, undefined],
    ['an empty list may be stored as absent', { spec: { x: [] } }, { spec: {} }, undefined],
    ['fields live adds are not differences', { spec: { a: 1 } }, { spec: { a: 1, b: 2 } }, undefined],
    ['positional lists match in length', { spec: { args: ['a'] } }, { spec: { args: ['a', 'b'] } }, 'spec.args'],
    ['named lists match by name, in any order', { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } }, { spec: { containers: [{ name: 'b', image: 'y' }, { name: 'a', image: 'x' }] } }, undefined],
    ['a missing named element', { spec: { containers: [{ name: 'a' }] } }, { spec: { containers: [{ name: 'b' }] } }, 'spec.containers[name=a]'],
    ['quantities by amount', { spec: { cpu: '1' } }, { spec: { cpu: '1000m' } }, undefined],
    ['a changed quantity', { spec: { cpu: '100m' } }, { spec: { cpu: '0.2' } }, 'spec.cpu'],
  ])('%s', (_what, desired, live, path) => {
    const wrap = (spec: unknown): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, ...(spec as Record<string, unknown>) });
    expect(firstDifference(wrap(desired), wrap(live))).toBe(path);
  });

  it('never compares what the server owns in metadata', () => {
    const desired = { ...serviceAccount(), metadata: { ...serviceAccount().metadata, uid: 'a', resourceVersion: '1' } };
    expect(firstDifference(desired, { ...serviceAccount(), metadata: { ...serviceAccount().metadata, uid: 'b', resourceVersion: '2' } })).toBeUndefined();
  });

  it('holds for any object against itself, and against itself with fields added', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()), (value, extra) => {
        const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: value };
        expect(firstDifference(obj, structuredClone(obj))).toBeUndefined();
        expect(firstDifference(obj, { ...obj, data: { ...extra, ...value } })).toBeUndefined();
      }),
    );
  });
});

describe('securityRepairs', () => {
  it('removes what another manager added beside our security fields, by live index, and puts back what was removed', () => {
    const desired = deployment();
    const live = stored(desired, (o) => {
      podSpec(o).containers.unshift({ name: 'sidecar', securityContext: { privileged: true } });
      const ours = podSpec(o).containers[1] as { securityContext: { capabilities: Record<string, unknown> } };
      ours.securityContext.capabilities.add = ['NET_ADMIN'];
      delete podSpec(o).automountServiceAccountToken;
    });
    expect(securityRepairs(desired, live)).toEqual([
      { op: 'add', path: '/spec/template/spec/automountServiceAccountToken', value: false },
      { op: 'add', path: '/spec/template/spec/containers/1/securityContext', value: container(desired).securityContext },
    ]);
    // The sidecar is not ours: its securityContext is left alone.
    expect(securityRepairs(desired, stored(desired))).toEqual([]);
  });

  it('replaces a NetworkPolicy spec whole, and has nothing to say about kinds without security fields', () => {
    const live = stored(networkPolicy(), (o) => (o.spec as { ingress: unknown[] }).ingress.push({}));
    expect(securityRepairs(networkPolicy(), live)).toEqual([{ op: 'add', path: '/spec', value: networkPolicy().spec }]);
    expect(securityRepairs(route(), stored(route(), (o) => (o.spec = {})))).toEqual([]);
  });
});

describe('ownership and pruning', () => {
  it('is a controller ownerReference beside the Agent, and the owner-uid annotation elsewhere', () => {
    expect(isOwnedBy(serviceAccount(), owner)).toBe(true);
    expect(isOwnedBy({ ...serviceAccount(), metadata: { ...serviceAccount().metadata, annotations: { [OWNER_UID_ANNOTATION]: owner.uid }, ownerReferences: [] } }, owner)).toBe(false);
    expect(isOwnedBy(route(), owner)).toBe(true);
    expect(isOwnedBy({ ...route(), metadata: { ...route().metadata, ownerReferences: [controllerRef()] , annotations: {} } }, owner)).toBe(false);
  });

  it('prunes only owned children that are not desired, never one being deleted', () => {
    const cm = (name: string, meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'team', uid: `${name}-uid`, ownerReferences: [controllerRef()], ...meta } });
    const owned = [cm('a'), cm('old'), cm('going', { deletionTimestamp: 'now' }), cm('foreign', { ownerReferences: [controllerRef('other')] })];
    expect(childrenToPrune(owned, [cm('a')], owner).map((o) => o.metadata.name)).toEqual(['old']);
  });
});

describe('quantities', () => {
  it.each([
    ['500m', '0.5', true],
    ['1Gi', '1024Mi', true],
    ['1G', '1000M', true],
    ['1e3', '1k', true],
    ['128Mi', '128M', false],
    ['1', '1000m', true],
    ['100m', '0.2', false],
  ])('%s vs %s → %s', (a, b, same) => expect(sameQuantity(a, b)).toBe(same));

  it('does not treat arbitrary strings as quantities', () => {
    expect(parseQuantity('kgateway.dev/a2a')).toBeUndefined();
    expect(sameQuantity('abc', 'abc')).toBe(false); // equal strings are compared before this is asked
  });
});

describe('the applied-hash annotation', () => {
  it('is independent of key order and changes with content', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });

  it('is stable when applied twice (the hash does not cover itself)', () => {
    const once = withAppliedHash(serviceAccount());
    expect(withAppliedHash(once)).toEqual(once);
    expect(once.metadata.annotations?.[APPLIED_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{16}$/);
  });
});
