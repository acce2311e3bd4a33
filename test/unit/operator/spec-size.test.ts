// The size bound of cached Agents and ModelConfigs (src/operator/spec-size.ts).
import { describe, expect, it } from '@jest/globals';

import type { KubeObject } from '../../../src/kube/kube-object.js';
import { boundedSize, MAX_AGENT_BYTES, oversizeMessage } from '../../../src/operator/spec-size.js';

const agent = (description: string, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'agentry.dev/v1alpha1',
  kind: 'Agent',
  metadata: { name: 'a', namespace: 'team', uid: 'u', resourceVersion: '3', generation: 2, annotations, managedFields: [{ manager: 'kubectl' }], finalizers: ['agentry.dev/cleanup'] },
  spec: { type: 'BYO', description },
  status: { observedGeneration: 1 },
});

describe('boundedSize', () => {
  const bounded = boundedSize(MAX_AGENT_BYTES);

  it('keeps an object within the limit whole, less its bookkeeping', () => {
    const small = bounded(agent('small'));
    expect(small.spec).toEqual({ type: 'BYO', description: 'small' });
    expect(small.metadata).not.toHaveProperty('managedFields');
    expect(oversizeMessage(small, MAX_AGENT_BYTES)).toBeUndefined();
  });

  it('keeps only identity and status of one over it, by its spec or its annotations, and says by how much', () => {
    for (const big of [agent('x'.repeat(MAX_AGENT_BYTES)), agent('small', { note: 'y'.repeat(MAX_AGENT_BYTES) })]) {
      const cached = bounded(big);
      expect(cached).toEqual({
        apiVersion: 'agentry.dev/v1alpha1',
        kind: 'Agent',
        metadata: { name: 'a', namespace: 'team', uid: 'u', resourceVersion: '3', generation: 2, finalizers: ['agentry.dev/cleanup'] },
        status: { observedGeneration: 1 },
        oversizeBytes: expect.any(Number),
      });
      expect(JSON.stringify(cached).length).toBeLessThan(400);
      expect(oversizeMessage(cached, MAX_AGENT_BYTES)).toMatch(/^the Agent is 25[7-9] KiB \(its metadata and spec as JSON\); the operator accepts at most 256 KiB$/);
    }
  });
});
