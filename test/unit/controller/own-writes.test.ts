import { describe, expect, it } from '@jest/globals';
import { OwnWrites } from '../../../src/controller/own-writes.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';

const cm = (name: string, uid: string, resourceVersion: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'team', uid, resourceVersion } });

describe('OwnWrites', () => {
  it('tells the echo of the last write (same uid and resourceVersion) from any other version', () => {
    const writes = new OwnWrites();
    writes.record(cm('a', 'u1', '5'), {});
    expect(writes.isEcho(cm('a', 'u1', '5'))).toBe(true);
    expect(writes.isEcho(cm('a', 'u1', '6'))).toBe(false); // someone else's change after ours
    expect(writes.isEcho(cm('a', 'u2', '5'))).toBe(false); // a replacement
    expect(writes.isEcho(cm('b', 'u1', '5'))).toBe(false);
    writes.record(cm('a', 'u1', '7'), {});
    expect(writes.isEcho(cm('a', 'u1', '5'))).toBe(false); // only the last write is remembered
    writes.forget(cm('a', 'u1', '7'));
    expect(writes.isEcho(cm('a', 'u1', '7'))).toBe(false);
  });

  it('marks a write in flight until it settles, also when it fails', async () => {
    const writes = new OwnWrites();
    let finish!: () => void;
    const pending = writes.writing(cm('a', '', ''), () => new Promise<void>((resolve) => (finish = resolve)));
    expect(writes.isWriting(cm('a', 'any', 'any'))).toBe(true);
    expect(writes.isWriting(cm('b', 'any', 'any'))).toBe(false);
    finish();
    await pending;
    expect(writes.isWriting(cm('a', 'any', 'any'))).toBe(false);
    await expect(writes.writing(cm('a', '', ''), () => Promise.reject(new Error('409')))).rejects.toThrow('409');
    expect(writes.isWriting(cm('a', 'any', 'any'))).toBe(false);
  });

  it('keeps at most its bound, forgetting the oldest first', () => {
    const writes = new OwnWrites(2);
    writes.record(cm('a', 'u', '1'), {});
    writes.record(cm('b', 'u', '1'), {});
    writes.record(cm('c', 'u', '1'), {});
    expect(writes.size).toBe(2);
    expect(writes.isEcho(cm('a', 'u', '1'))).toBe(false);
    expect(writes.isEcho(cm('c', 'u', '1'))).toBe(true);
  });
});
