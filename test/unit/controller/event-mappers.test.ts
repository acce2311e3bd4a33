import { describe, expect, it } from '@jest/globals';
import { apiGroupOf, enqueueForObject, enqueueForOwner } from '../../../src/controller/event-mappers.js';
import { objectRefKey, parseObjectKey } from '../../../src/controller/object-key.js';
import { agentOwner, owned } from './fakes/objects.js';

describe('event mappers', () => {
  it('enqueueForObject maps an object to its own namespace/name', () => {
    const obj = owned('Service', 's', 'ns', []);
    expect(enqueueForObject()(obj)).toEqual([{ namespace: 'ns', name: 's' }]);
  });

  it('apiGroupOf treats a bare version as the core group', () => {
    expect(apiGroupOf('v1')).toBe('');
    expect(apiGroupOf('apps/v1')).toBe('apps');
    expect(apiGroupOf('agentry.dev/v1alpha1')).toBe('agentry.dev');
  });

  it('enqueueForOwner follows only the controller reference of the right kind and group', () => {
    const map = enqueueForOwner('Agent', 'agentry.dev');
    const child = owned('Deployment', 'd', 'ns', [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: '1' },
      agentOwner('a', false),
      agentOwner('b'),
    ]);
    expect(map(child)).toEqual([{ namespace: 'ns', name: 'b' }]);
    expect(map(owned('Deployment', 'd', 'ns', [agentOwner('x', true, 'agentry.dev/v1beta1')]))).toEqual([
      { namespace: 'ns', name: 'x' },
    ]); // any version of the group
    expect(enqueueForOwner('Agent', 'other.dev')(child)).toEqual([]);
    expect(enqueueForOwner('Node', '', { ownerClusterScoped: true })(
      owned('Lease', 'l', 'kube-node-lease', [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'u', controller: true }]),
    )).toEqual([{ namespace: undefined, name: 'n1' }]);
  });

  it('object keys round-trip for namespaced and cluster-scoped objects', () => {
    expect(objectRefKey({ namespace: 'ns', name: 'a' })).toBe('ns/a');
    expect(objectRefKey({ name: 'a' })).toBe('a');
    expect(parseObjectKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
    expect(parseObjectKey('a')).toEqual({ name: 'a' });
  });
});
