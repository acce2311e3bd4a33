import { describe, expect, it } from '@jest/globals';
import { noopLogger } from '../../../src/controller/logger.js';
import type { KubeClient } from '../../../src/kube/kube-client.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { EventRecorder } from '../../../src/operator/event-recorder.js';

const agent: KubeObject = { apiVersion: 'agentry.dev/v1alpha1', kind: 'Agent', metadata: { name: 'a', namespace: 'ns', uid: 'u1' } };

function recorder(now: { t: number }, fail = false) {
  const created: KubeObject[] = [];
  const client = {
    create: (obj: KubeObject) => (fail ? Promise.reject(new Error('forbidden')) : Promise.resolve(created.push(obj) && obj)),
  } as unknown as KubeClient;
  return { created, rec: new EventRecorder(client, 'agentry', noopLogger, 60_000, () => now.t) };
}

describe('EventRecorder', () => {
  it('records an Event on the object, then folds repeats within the window', async () => {
    const now = { t: Date.parse('2026-11-21T10:00:00Z') };
    const { created, rec } = recorder(now);
    await rec.record(agent, 'Warning', 'ModelConfigNotFound', 'no ModelConfig "x"');
    await rec.record(agent, 'Warning', 'ModelConfigNotFound', 'no ModelConfig "x"');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      kind: 'Event',
      type: 'Warning',
      reason: 'ModelConfigNotFound',
      involvedObject: { kind: 'Agent', name: 'a', namespace: 'ns', uid: 'u1' },
      metadata: { namespace: 'ns' },
    });
    await rec.record(agent, 'Warning', 'ModelConfigNotFound', 'another message');
    expect(created).toHaveLength(2);
    now.t += 60_000;
    await rec.record(agent, 'Warning', 'ModelConfigNotFound', 'no ModelConfig "x"');
    expect(created).toHaveLength(3);
    expect(new Set(created.map((e) => e.metadata.name)).size).toBe(3);
  });

  it('never fails the caller when the Event cannot be written', async () => {
    const { rec } = recorder({ t: 0 }, true);
    await expect(rec.record(agent, 'Warning', 'X', 'y')).resolves.toBeUndefined();
  });
});
