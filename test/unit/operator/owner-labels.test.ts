import { describe, expect, it } from '@jest/globals';
import { LABEL_KEYS } from '../../../src/api/group-version.js';
import { enqueueForLabelledOwner } from '../../../src/controller/event-mappers.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { OWNER_LABEL_KEYS, toOwningAgent } from '../../../src/operator/owner-labels.js';

const child = (labels: Record<string, string>, namespace = 'team'): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace, labels } });

describe('owner labels', () => {
  it("maps an Agent's child to the Agent its kind-qualified owner labels name, across namespaces too", () => {
    expect(toOwningAgent(child({ [LABEL_KEYS.ownerKind]: 'Agent', [LABEL_KEYS.ownerName]: 'a' }))).toEqual([{ namespace: 'team', name: 'a' }]);
    expect(toOwningAgent(child({ [LABEL_KEYS.ownerKind]: 'Agent', [LABEL_KEYS.ownerName]: 'a', [LABEL_KEYS.ownerNamespace]: 'finance' }, 'gateway'))).toEqual([
      { namespace: 'finance', name: 'a' },
    ]);
  });

  it("leaves another kind's children to that kind's controller, even when they carry the Agent label", () => {
    const remote = child({ [LABEL_KEYS.ownerKind]: 'RemoteAgent', [LABEL_KEYS.ownerName]: 'r', [LABEL_KEYS.agent]: 'r' });
    expect(toOwningAgent(remote)).toEqual([]);
    expect(enqueueForLabelledOwner('RemoteAgent', OWNER_LABEL_KEYS)(remote)).toEqual([{ namespace: 'team', name: 'r' }]);
  });

  it('still maps the children made before the owner labels by their agentry.dev/agent label', () => {
    expect(toOwningAgent(child({ [LABEL_KEYS.agent]: 'old' }))).toEqual([{ namespace: 'team', name: 'old' }]);
    expect(toOwningAgent(child({ [LABEL_KEYS.agent]: 'old', [LABEL_KEYS.agentNamespace]: 'finance' }, 'gateway'))).toEqual([{ namespace: 'finance', name: 'old' }]);
    expect(toOwningAgent(child({}))).toEqual([]);
  });
});
