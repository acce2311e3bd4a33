// What the operator caches of a child: for an object an existing Agent owns, exactly the fields its
// field manager owns, the security fields whole, identity and (for some kinds) status; for anything
// else, identity only. Checked against objects as a real API server returned them, because the point
// is that the write decision still sees everything it compares, and only that.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { OWNER_UID_ANNOTATION } from '../../../src/api/group-version.js';
import { decideChildWrite, FIELD_MANAGER, type WriteDecision } from '../../../src/operator/apply/write-decision.js';
import { identityProjection, isIdentityOnly, ownedProjection, withoutBookkeeping } from '../../../src/operator/child-projection.js';
import { ownedFieldSet, projectFields } from '../../../src/operator/owned-fields.js';
import { renderInput } from '../../../src/render/render-input.js';
import { agent, modelConfig, operatorConfig, operatorConfigYaml } from '../../../hack/bench/workload.js';

const live = (kind: string): KubeObject => JSON.parse(readFileSync(new URL(`../../fixtures/live/${kind}.json`, import.meta.url), 'utf8')) as KubeObject;
const ownerOf = (obj: KubeObject) => {
  const ref = obj.metadata.ownerReferences?.[0];
  return { namespace: obj.metadata.namespace ?? '', name: ref?.name ?? '', uid: ref?.uid ?? '' };
};
const agentUids = new Set([ownerOf(live('deployment')).uid]);
const cached = (obj: KubeObject, keepStatus = false) => ownedProjection({ manager: FIELD_MANAGER, keepStatus, isAgentUid: (uid) => agentUids.has(uid) })(obj);
/** The decision for the rendered child against what the cache holds of `obj`. */
const decide = (kind: string, obj: KubeObject, keepStatus = false): WriteDecision => {
  const slim = cached(obj, keepStatus);
  return decideChildWrite(desired(kind), { identity: identityProjection(obj.apiVersion, obj.kind)(obj), content: slim }, ownerOf(obj));
};

/** What the operator renders for the Agent the fixtures were applied for. */
function desired(kind: string): KubeObject {
  const deployment = live('deployment');
  const owner = deployment.metadata.ownerReferences?.[0];
  const ref = { namespace: deployment.metadata.namespace ?? '', name: owner?.name ?? '' };
  const agentObj = { ...agent(ref), metadata: { ...agent(ref).metadata, uid: owner?.uid } };
  const config = operatorConfig(operatorConfigYaml({ routesBesideGateway: true, resyncPeriodSeconds: 60 }));
  const result = renderInput(agentObj, { modelConfig: modelConfig(ref.namespace) }, config);
  if (!result.ok) throw new Error(result.message);
  const obj = result.objects.find((o) => o.kind === kind);
  if (!obj) throw new Error(`no ${kind} rendered`);
  return obj;
}

describe('the child caches', () => {
  it.each([
    ['deployment', 'Deployment'],
    ['service', 'Service'],
  ])('keeps everything the drift check compares: the rendered %s is in sync with its cached form', (file, kind) => {
    const obj = live(file);
    const slim = cached(obj, kind === 'Deployment');
    expect(decide(kind, obj, kind === 'Deployment')).toEqual({ action: 'none', why: 'in-sync' });
    expect(JSON.stringify(slim).length).toBeLessThan(JSON.stringify(withoutBookkeeping(obj)).length);
    // Of managedFields, only which of the operator's entries exist.
    expect(slim.metadata.managedFields).toEqual([{ manager: FIELD_MANAGER, operation: 'Apply' }]);
  });

  it('drops server defaults and other managers fields, keeps identity, and keeps status only when asked', () => {
    const obj = live('deployment');
    const slim = cached(obj, true);
    const spec = slim['spec'] as { template: { spec: Record<string, unknown> }; strategy?: unknown; revisionHistoryLimit?: unknown };
    expect(spec.strategy).toBeUndefined(); // a server default
    expect(spec.revisionHistoryLimit).toBeUndefined();
    expect(spec.template.spec['dnsPolicy']).toBeUndefined();
    expect(spec.template.spec['automountServiceAccountToken']).toBe(false); // ours
    expect(slim.metadata.annotations).toEqual({ 'agentry.dev/applied-hash': obj.metadata.annotations?.['agentry.dev/applied-hash'] });
    const { name, namespace, uid, resourceVersion, generation } = obj.metadata;
    expect(slim.metadata).toMatchObject({ name, namespace, uid, resourceVersion, generation });
    expect(slim.metadata.ownerReferences).toEqual(obj.metadata.ownerReferences);
    // Which of the operator's entries exist, not what they hold.
    expect(slim.metadata.managedFields).toEqual([{ manager: FIELD_MANAGER, operation: 'Apply' }]);
    expect(slim.metadata.labels).toEqual(obj.metadata.labels);
    expect(slim['status']).toEqual(obj['status']);
    expect(cached(obj, false)).not.toHaveProperty('status');
  });

  it('lets drift show: a field whose value another manager changed is no longer ours, so it is missing from the cache', () => {
    const obj = live('service');
    const spec = obj['spec'] as { ports: Record<string, unknown>[] };
    // What `kubectl edit` removing appProtocol leaves: the value gone, and the field out of our set.
    delete spec.ports[0]?.['appProtocol'];
    for (const entry of obj.metadata.managedFields as { manager: string; fieldsV1: { 'f:spec': { 'f:ports': Record<string, Record<string, unknown>> } } }[]) {
      if (entry.manager !== FIELD_MANAGER) continue;
      for (const port of Object.values(entry.fieldsV1['f:spec']['f:ports'])) delete port['f:appProtocol'];
    }
    expect(decide('Service', obj)).toMatchObject({ action: 'patch', reason: 'drifted', path: 'spec.ports[name=http].appProtocol' });
  });

  it('ignores list elements other managers added, which applying again would never remove', () => {
    const obj = live('deployment');
    const containers = (obj['spec'] as { template: { spec: { containers: { env: unknown[] }[] } } }).template.spec.containers;
    containers[0]?.env.push({ name: 'INJECTED_BY_A_WEBHOOK', value: '1' });
    expect(decide('Deployment', obj, true)).toEqual({ action: 'none', why: 'in-sync' });
  });

  it("keeps the security fields whole, so a field another manager added there is drift", () => {
    const obj = live('deployment');
    const pod = (obj['spec'] as { template: { spec: { containers: { securityContext: Record<string, unknown> }[]; securityContext: Record<string, unknown> } } }).template.spec;
    const security = pod.containers[0]?.securityContext ?? {};
    security['privileged'] = true; // kubectl patch as another manager: not in the operator's owned set
    const kept = cached(obj, true)['spec'] as { template: { spec: { containers: { securityContext: Record<string, unknown> }[] } } };
    expect(kept.template.spec.containers[0]?.securityContext).toMatchObject({ privileged: true });
    expect(decide('Deployment', obj, true)).toMatchObject({ action: 'patch', reason: 'drifted', path: 'spec.template.spec.containers[name=agent].securityContext' });
    delete security['privileged'];
    delete security['allowPrivilegeEscalation'];
    expect(decide('Deployment', obj, true)).toMatchObject({ action: 'patch', reason: 'drifted', path: 'spec.template.spec.containers[name=agent].securityContext' });
  });

  it('holds anything not owned by an existing Agent as identity only, whatever its labels and size', () => {
    const big = 'x'.repeat(1024 * 1024);
    const labelled = { 'app.kubernetes.io/managed-by': 'agentry', 'agentry.dev/agent': 'x' };
    const foreign = (meta: Partial<KubeObject['metadata']>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'team', uid: 'u1', resourceVersion: '5', labels: labelled, annotations: { note: big }, managedFields: [{ manager: 'agentry', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }], ...meta },
      data: { blob: big },
    });
    const identity = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'team', uid: 'u1', resourceVersion: '5' }, identityOnly: true };
    // No owner, an owner that is no Agent the operator knows, an owner-uid annotation of none.
    expect(cached(foreign({}))).toEqual(identity);
    const unknownOwner = { apiVersion: 'agentry.dev/v1alpha1', kind: 'Agent', name: 'x', uid: 'not-an-agent', controller: true };
    expect(cached(foreign({ ownerReferences: [unknownOwner] }))).toEqual({ ...identity, metadata: { ...identity.metadata, ownerReferences: [unknownOwner] } });
    expect(JSON.stringify(cached(foreign({ annotations: { [OWNER_UID_ANNOTATION]: 'not-an-agent', note: big } }))).length).toBeLessThan(400);
    // Owned by an Agent that exists, but never applied by the operator: nothing of it is compared.
    const knownOwner = { ...unknownOwner, uid: [...agentUids][0] ?? '' };
    expect(isIdentityOnly(cached(foreign({ ownerReferences: [knownOwner], managedFields: [] })))).toBe(true);
    expect(isIdentityOnly(cached(foreign({ ownerReferences: [knownOwner] })))).toBe(false);
  });

  it('keeps identity only in the identity cache: name, namespace, uid, resourceVersion, controller and owner-uid annotation', () => {
    const obj = live('deployment');
    const identity = identityProjection('apps/v1', 'Deployment')({ ...obj, apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata' });
    const { name, namespace, uid, resourceVersion } = obj.metadata;
    const { apiVersion, kind, name: owner, uid: ownerUid } = obj.metadata.ownerReferences?.[0] ?? { apiVersion: '', kind: '', name: '', uid: '' };
    expect(identity).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, uid, resourceVersion, ownerReferences: [{ apiVersion, kind, name: owner, uid: ownerUid, controller: true }] }, identityOnly: true });
  });

  it('drops managedFields and kubectl bookkeeping from Agents and ModelConfigs', () => {
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'x',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"a":1}', keep: 'me' },
        managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }],
      },
      data: { a: '1' },
    };
    expect(withoutBookkeeping(obj)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations: { keep: 'me' } }, data: { a: '1' } });
    const plain: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y' } };
    expect(withoutBookkeeping(plain)).toBe(plain);
  });
});

describe('FieldsV1 projection', () => {
  it('follows f:, k:, v:, i: and . keys', () => {
    const value = {
      keep: { a: 1, b: 2 },
      whole: [3, 1, 2],
      set: ['x', 'y', 'z'],
      byKey: [{ name: 'a', v: 1, other: 9 }, { name: 'b', v: 2 }],
      byIndex: ['first', 'second'],
      nodeOnly: { theirs: 1 },
      notOurs: true,
    };
    const fields = {
      'f:keep': { 'f:a': {} },
      'f:whole': {},
      'f:set': { 'v:"y"': {} },
      'f:byKey': { 'k:{"name":"b"}': { '.': {}, 'f:name': {}, 'f:v': {} } },
      'f:byIndex': { 'i:1': {} },
      'f:nodeOnly': { '.': {} },
      'f:missing': {},
    };
    expect(projectFields(value, fields)).toEqual({
      keep: { a: 1 },
      whole: [3, 1, 2],
      set: ['y'],
      byKey: [{ name: 'b', v: 2 }],
      byIndex: ['second'],
      nodeOnly: {},
    });
  });

  it('merges every main-resource entry of the manager and ignores its status entries', () => {
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'X',
      metadata: {
        name: 'x',
        managedFields: [
          { manager: 'agentry', operation: 'Apply', apiVersion: 'v1beta1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:a': {} } } },
          { manager: 'agentry', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:b': {} } } },
          { manager: 'agentry', operation: 'Apply', subresource: 'status', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } },
          { manager: 'other', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:c': {} } } },
        ],
      },
    };
    expect(ownedFieldSet(obj, 'agentry')).toEqual({ 'f:spec': { 'f:a': {}, 'f:b': {} } });
    expect(ownedFieldSet(obj, 'nobody')).toBeUndefined();
  });
});
