// ProcessGroup tells its owner about exits nobody asked for (the control plane logs "exited
// unexpectedly"), and about no others: a kill() (the fault-injection tests restart the API server)
// or a stopAll() is expected. Real child processes: the exit handling is the point.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessGroup, type ManagedProcess } from '../../../../hack/control-plane/process-group.js';

/** A node process that runs until signalled, or exits with `code` at once. */
const node = (code?: number): [string, string[]] => [process.execPath, ['-e', code === undefined ? 'setInterval(() => {}, 1000)' : `process.exit(${code})`]];

/** Lets the group's exit handler (a promise callback after the child's 'exit') run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('ProcessGroup', () => {
  let dir = '';
  let group: ProcessGroup;
  let unexpected: { name: string; code: number | null }[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agentry-process-group-'));
    unexpected = [];
    group = new ProcessGroup(dir, (p: ManagedProcess, code) => unexpected.push({ name: p.name, code }));
  });

  afterEach(async () => {
    await group.stopAll(1_000);
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a process that exits on its own, with its exit code', async () => {
    const proc = group.start('crasher', ...node(3));
    await proc.exited;
    await settle();
    expect(unexpected).toEqual([{ name: 'crasher', code: 3 }]);
  });

  it('does not report a process it was asked to kill, and still reports the others', async () => {
    group.start('etcd', ...node());
    const apiserver = group.start('kube-apiserver', ...node());
    await group.kill('kube-apiserver', 'SIGKILL');
    await settle();
    expect(apiserver.child.signalCode).toBe('SIGKILL');
    expect(unexpected).toEqual([]);
    expect(group.pids()).not.toHaveProperty('kube-apiserver');

    // A restarted process under the same name is watched like any other.
    const restarted = group.start('kube-apiserver', ...node());
    restarted.child.kill('SIGKILL');
    await restarted.exited;
    await settle();
    expect(unexpected).toEqual([{ name: 'kube-apiserver', code: null }]);
  });

  it('does not report the processes stopAll() stops', async () => {
    const procs = [group.start('etcd', ...node()), group.start('kube-apiserver', ...node())];
    await group.stopAll(5_000);
    await settle();
    expect(procs.map((p) => p.child.signalCode ?? p.child.exitCode)).toEqual(['SIGTERM', 'SIGTERM']);
    expect(unexpected).toEqual([]);
  });
});
