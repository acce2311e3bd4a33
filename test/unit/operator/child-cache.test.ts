// What the operator caches of a child: exactly the fields its field manager owns (plus identity and,
// for some kinds, status). Checked against objects as a real API server returned them, because the
// point is that the drift check still sees everything it compares, and only that.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Agent } from '../../../src/api/agent.js';
import type { ModelConfig } from '../../../src/api/model-config.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { decideApply, FIELD_MANAGER } from '../../../src/operator/apply/child-applier.js';
import { childCacheTransform, withoutBookkeeping } from '../../../src/operator/child-cache.js';
import { ownedFieldSet, projectFields } from '../../../src/operator/owned-fields.js';
import { render } from '../../../src/render/render.js';
import { agent, modelConfig, operatorConfig, operatorConfigYaml } from '../../../hack/bench/workload.js';

const live = (kind: string): KubeObject => JSON.parse(readFileSync(new URL(`../../fixtures/live/${kind}.json`, import.meta.url), 'utf8')) as KubeObject;
const cached = (obj: KubeObject, keepStatus = false) => childCacheTransform({ manager: FIELD_MANAGER, keepStatus })(obj);

/** What the operator renders for the Agent the fixtures were applied for. */
function desired(kind: string): KubeObject {
  const deployment = live('deployment');
  const owner = deployment.metadata.ownerReferences?.[0];
  const ref = { namespace: deployment.metadata.namespace ?? '', name: owner?.name ?? '' };
  const agentObj = { ...agent(ref), metadata: { ...agent(ref).metadata, uid: owner?.uid } };
  const config = operatorConfig(operatorConfigYaml({ routesBesideGateway: true, resyncPeriodSeconds: 60 }));
  const result = render(agentObj as unknown as Agent, { modelConfig: modelConfig(ref.namespace) as unknown as ModelConfig }, config);
  if (!result.ok) throw new Error(result.message);
  const obj = result.objects.find((o) => o.kind === kind);
  if (!obj) throw new Error(`no ${kind} rendered`);
  return obj;
}

describe('the child cache', () => {
  it.each([
    ['deployment', 'Deployment'],
    ['service', 'Service'],
  ])('keeps everything the drift check compares: the rendered %s is in sync with its cached form', (file, kind) => {
    const obj = live(file);
    const slim = cached(obj, kind === 'Deployment');
    expect(decideApply(desired(kind), slim)).toEqual({ desired: expect.anything() });
    expect(JSON.stringify(slim).length).toBeLessThan(JSON.stringify(withoutBookkeeping(obj)).length);
    expect(slim.metadata).not.toHaveProperty('managedFields');
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
    expect(decideApply(desired('Service'), cached(obj))).toMatchObject({ reason: 'drifted', path: 'spec.ports[0].appProtocol' });
  });

  it('ignores list elements other managers added, which applying again would never remove', () => {
    const obj = live('deployment');
    const containers = (obj['spec'] as { template: { spec: { containers: { env: unknown[] }[] } } }).template.spec.containers;
    containers[0]?.env.push({ name: 'INJECTED_BY_A_WEBHOOK', value: '1' });
    expect(decideApply(desired('Deployment'), cached(obj, true))).toEqual({ desired: expect.anything() });
  });

  it('keeps an object it never applied whole, less managedFields and kubectl bookkeeping', () => {
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
    expect(cached(obj)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations: { keep: 'me' } }, data: { a: '1' } });
    expect(withoutBookkeeping(obj)).toEqual(cached(obj));
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
