import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { APPLIED_HASH_ANNOTATION, canonicalJson, contentHash, withAppliedHash } from '../../../src/operator/apply/applied-hash.js';
import { decideApply } from '../../../src/operator/apply/child-applier.js';
import { parseQuantity, sameQuantity } from '../../../src/kube/quantity.js';
import { firstDifference, isSemanticSubset } from '../../../src/operator/apply/semantic-subset.js';

const service = (ports: Record<string, unknown>[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'a', namespace: 'ns', labels: { app: 'a' } },
  spec: { type: 'ClusterIP', ports },
});

/** What the API server hands back: our fields, plus defaults and server-owned metadata. */
const asLive = (obj: KubeObject, extraSpec: Record<string, unknown> = {}): KubeObject => ({
  ...obj,
  metadata: { ...obj.metadata, uid: 'u1', resourceVersion: '42', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { ...(obj.spec as object), clusterIP: '10.96.0.10', sessionAffinity: 'None', ...extraSpec },
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

describe('desired ⊆ live', () => {
  it('accepts defaults and server metadata that live adds', () => {
    const desired = service([{ name: 'http', port: 8080, appProtocol: 'kgateway.dev/a2a' }]);
    expect(isSemanticSubset(desired, asLive(desired))).toBe(true);
  });

  it('sees a removed or changed field', () => {
    const desired = service([{ name: 'http', port: 8080, appProtocol: 'kgateway.dev/a2a' }]);
    const live = asLive(service([{ name: 'http', port: 8080 }]));
    expect(isSemanticSubset(desired, live)).toBe(false);
    expect(firstDifference(desired, live)).toBe('spec.ports[0].appProtocol');
    expect(firstDifference(desired, asLive(service([{ name: 'http', port: 9090, appProtocol: 'kgateway.dev/a2a' }])))).toBe('spec.ports[0].port');
  });

  it('treats zero values as satisfied by an absent field (omitempty)', () => {
    expect(isSemanticSubset({ a: '', b: false, c: 0, d: [], e: {} }, {})).toBe(true);
    expect(isSemanticSubset({ a: 'x' }, {})).toBe(false);
  });

  it('compares quantities by amount', () => {
    expect(isSemanticSubset({ resources: { requests: { cpu: '0.5', memory: '1024Mi' } } }, { resources: { requests: { cpu: '500m', memory: '1Gi' } } })).toBe(true);
  });

  it('requires lists to match element by element', () => {
    expect(isSemanticSubset({ l: [1, 2] }, { l: [1, 2, 3] })).toBe(false);
    expect(isSemanticSubset({ l: [{ a: 1 }] }, { l: [{ a: 1, b: 2 }] })).toBe(true);
  });

  it('holds for any object against itself with extra live fields', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), (value, extra) => {
        expect(isSemanticSubset(value, value)).toBe(true);
        if (value && typeof value === 'object' && !Array.isArray(value)) expect(isSemanticSubset(value, { ...extra, ...value })).toBe(true);
      }),
    );
  });
});

describe('applied-hash annotation', () => {
  it('is independent of key order and changes with content', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });

  it('is stable when applied twice (the hash does not cover itself)', () => {
    const once = withAppliedHash(service([{ name: 'http', port: 8080 }]));
    expect(withAppliedHash(once)).toEqual(once);
    expect(once.metadata.annotations?.[APPLIED_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('decideApply', () => {
  const withA2A = service([{ name: 'http', port: 8080, appProtocol: 'kgateway.dev/a2a' }]);
  const withoutA2A = service([{ name: 'http', port: 8080 }]);

  it('applies a missing object', () => {
    expect(decideApply(withA2A, undefined).reason).toBe('missing');
  });

  it('does nothing when live is what we applied', () => {
    const live = asLive(decideApply(withA2A, undefined).desired);
    expect(decideApply(withA2A, live)).toEqual({ desired: decideApply(withA2A, undefined).desired });
  });

  it('applies a field removal that a subset check cannot see (the appProtocol trap)', () => {
    const live = asLive(decideApply(withA2A, undefined).desired);
    expect(isSemanticSubset(withoutA2A, live)).toBe(true); // the trap
    expect(decideApply(withoutA2A, live).reason).toBe('changed');
  });

  it('corrects drift made by someone else', () => {
    const applied = decideApply(withA2A, undefined).desired;
    const edited = asLive({ ...applied, spec: { ...(applied.spec as object), ports: [{ name: 'http', port: 8080 }] } });
    expect(decideApply(withA2A, edited)).toMatchObject({ reason: 'drifted', path: 'spec.ports[0].appProtocol' });
  });
});
