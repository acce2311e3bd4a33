import { describe, expect, it } from '@jest/globals';
import { InvalidKubeObjectError, toKubeObject } from '../../../src/kube/kube-object.js';
import { ObjectStore } from '../../../src/controller/object-store.js';
import { configMap } from './fakes/objects.js';

describe('toKubeObject', () => {
  it('keeps everything, and takes apiVersion/kind from the list when the item lacks them', () => {
    const obj = toKubeObject({ metadata: { name: 'a', namespace: 'n', labels: { x: 'y' } }, spec: { z: 1 } }, { apiVersion: 'v1', kind: 'Service' });
    expect(obj).toEqual({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'n', labels: { x: 'y' } }, spec: { z: 1 } });
  });

  it.each([
    ['a non-object', 'nope'],
    ['no kind', { apiVersion: 'v1', metadata: { name: 'a' } }],
    ['no name', { apiVersion: 'v1', kind: 'X', metadata: {} }],
    ['non-string labels', { apiVersion: 'v1', kind: 'X', metadata: { name: 'a', labels: { n: 1 } } }],
    ['malformed ownerReferences', { apiVersion: 'v1', kind: 'X', metadata: { name: 'a', ownerReferences: [{ kind: 'Y' }] } }],
    ['numeric resourceVersion', { apiVersion: 'v1', kind: 'X', metadata: { name: 'a', resourceVersion: 5 } }],
  ])('rejects %s', (_what, value) => {
    expect(() => toKubeObject(value)).toThrow(InvalidKubeObjectError);
  });
});

describe('ObjectStore', () => {
  it('stores by namespace/name, lists by namespace and filter, and reports what it replaced or removed', () => {
    const store = new ObjectStore();
    expect(store.upsert(configMap('a', 'n1'))).toBeUndefined();
    const replaced = store.upsert(configMap('a', 'n1', { v: '2' }));
    expect(replaced?.['data']).toEqual({});
    store.upsert(configMap('b', 'n2'));
    store.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n1' } });
    expect(store.size()).toBe(3);
    expect(store.get('n1', 'a')?.['data']).toEqual({ v: '2' });
    expect(store.get(undefined, 'n1')?.kind).toBe('Namespace');
    expect(store.list('n2').map((o) => o.metadata.name)).toEqual(['b']);
    expect(store.list(undefined, (o) => o.kind === 'ConfigMap')).toHaveLength(2);
    expect(store.remove('n1/a')?.metadata.name).toBe('a');
    expect(store.remove('n1/a')).toBeUndefined();
    expect(store.keys().sort()).toEqual(['n1', 'n2/b']);
  });
});
