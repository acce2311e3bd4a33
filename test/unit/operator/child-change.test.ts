import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { childUpdateConcernsAgent, onlyStatusChanged } from '../../../src/operator/child-change.js';

const deployment = (resourceVersion: string, status: Record<string, unknown> | undefined, replicas = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'a', namespace: 'ns', uid: 'u', resourceVersion, generation: 1, ownerReferences: [{ apiVersion: 'agentry.dev/v1alpha1', kind: 'Agent', name: 'a', uid: 'agent', controller: true }] },
  spec: { replicas },
  ...(status !== undefined && { status }),
});

describe('childUpdateConcernsAgent', () => {
  it('ignores the steps of a rollout, and sees its end', () => {
    const created = deployment('1', undefined);
    const observed = deployment('2', { observedGeneration: 1, replicas: 1, updatedReplicas: 1 });
    const ready = deployment('3', { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1 });
    const available = deployment('4', { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 });
    expect(childUpdateConcernsAgent(created, observed)).toBe(false);
    expect(childUpdateConcernsAgent(observed, ready)).toBe(false);
    expect(childUpdateConcernsAgent(ready, available)).toBe(true);
    // Condition timestamps moving after it is Available change nothing the Agent reports.
    expect(childUpdateConcernsAgent(available, { ...available, metadata: { ...available.metadata, resourceVersion: '5' }, status: { ...available.status as object, conditions: [{ type: 'Available', status: 'True' }] } })).toBe(false);
  });

  it('sees every change of what a write decision reads: owned fields, owner, deletion', () => {
    const before = deployment('1', { observedGeneration: 1 });
    expect(childUpdateConcernsAgent(before, deployment('2', { observedGeneration: 1 }, 3))).toBe(true); // drift
    expect(childUpdateConcernsAgent(before, { ...before, metadata: { ...before.metadata, resourceVersion: '2', ownerReferences: [] } })).toBe(true);
    expect(childUpdateConcernsAgent(before, { ...before, metadata: { ...before.metadata, resourceVersion: '2', deletionTimestamp: '2026-12-01T00:00:00Z' } })).toBe(true);
  });

  it('ignores a new resourceVersion alone (the identity caches see every update so)', () => {
    const identity = (resourceVersion: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'ns', uid: 'u', resourceVersion } });
    expect(childUpdateConcernsAgent(identity('1'), identity('2'))).toBe(false);
    expect(onlyStatusChanged(identity('1'), identity('2'))).toBe(true);
  });

  it('sees any change of a status other than a Deployment’s (an HTTPRoute’s acceptance)', () => {
    const route = (resourceVersion: string, accepted: string): KubeObject => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'a', namespace: 'ns', uid: 'u', resourceVersion },
      status: { parents: [{ conditions: [{ type: 'Accepted', status: accepted }] }] },
    });
    expect(childUpdateConcernsAgent(route('1', 'False'), route('2', 'True'))).toBe(true);
    expect(childUpdateConcernsAgent(route('1', 'True'), route('2', 'True'))).toBe(false);
  });
});
