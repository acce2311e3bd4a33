import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { NAMESPACE_INDEX, ObjectStore } from '../../../src/controller/object-store.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';

function labelled(name: string, namespace: string, owner?: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...(owner ? { labels: { owner } } : {}) } };
}

const byOwner = (obj: KubeObject) => (obj.metadata.labels?.['owner'] ? [obj.metadata.labels['owner']] : []);
const names = (objs: KubeObject[]) => objs.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();

describe('ObjectStore indexes', () => {
  it('files objects under their index values and keeps the index current through updates and removals', () => {
    const store = new ObjectStore();
    store.addIndex('owner', byOwner);
    store.upsert(labelled('a', 'n1', 'x'));
    store.upsert(labelled('b', 'n2', 'x'));
    store.upsert(labelled('c', 'n1'));
    expect(names(store.byIndex('owner', 'x'))).toEqual(['n1/a', 'n2/b']);
    expect(store.byIndex('owner', 'y')).toEqual([]);

    store.upsert(labelled('a', 'n1', 'y')); // moved to another owner
    expect(names(store.byIndex('owner', 'x'))).toEqual(['n2/b']);
    expect(names(store.byIndex('owner', 'y'))).toEqual(['n1/a']);

    store.remove('n2/b');
    expect(store.byIndex('owner', 'x')).toEqual([]);
  });

  it('indexes objects already stored when an index is added, and lists namespaces through the namespace index', () => {
    const store = new ObjectStore();
    store.upsert(labelled('a', 'n1', 'x'));
    store.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n1' } });
    store.addIndex('owner', byOwner);
    expect(names(store.byIndex('owner', 'x'))).toEqual(['n1/a']);
    expect(store.list('n1').map((o) => o.metadata.name)).toEqual(['a']);
    expect(store.byIndex(NAMESPACE_INDEX, '').map((o) => o.metadata.name)).toEqual(['n1']);
    expect(store.hasIndex('owner')).toBe(true);
  });

  it('refuses an unknown or duplicate index', () => {
    const store = new ObjectStore();
    expect(() => store.byIndex('nope', 'x')).toThrow(/no index named nope/);
    store.addIndex('owner', byOwner);
    expect(() => store.addIndex('owner', byOwner)).toThrow(/already exists/);
  });

  it('answers like a full scan after any sequence of upserts and removals', () => {
    const op = fc.record({
      remove: fc.boolean(),
      name: fc.constantFrom('a', 'b', 'c', 'd'),
      namespace: fc.constantFrom('n1', 'n2'),
      owner: fc.option(fc.constantFrom('x', 'y', 'z'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const store = new ObjectStore();
        store.addIndex('owner', byOwner);
        for (const o of ops) {
          if (o.remove) store.remove(`${o.namespace}/${o.name}`);
          else store.upsert(labelled(o.name, o.namespace, o.owner));
        }
        const all = store.list();
        for (const owner of ['x', 'y', 'z']) {
          expect(names(store.byIndex('owner', owner))).toEqual(names(all.filter((obj) => byOwner(obj).includes(owner))));
        }
        for (const ns of ['n1', 'n2']) expect(names(store.list(ns))).toEqual(names(all.filter((obj) => obj.metadata.namespace === ns)));
      }),
    );
  });
});
