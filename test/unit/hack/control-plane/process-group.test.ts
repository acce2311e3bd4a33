// ProcessGroup tells its owner about exits nobody asked for (the control plane logs "exited
// unexpectedly"), and about no others: a kill() (the fault-injection tests restart the API server)
// or a stopAll() is expected. Real child processes: the exit handling is the point.
//
// "Not reported" is proven without waiting for a while: after the exit that must not be reported, a
// sentinel process exits on its own, and once the sentinel's report has arrived every earlier exit
// has had its turn to be reported.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessGroup, type ManagedProcess } from '../../../../hack/control-plane/process-group.js';

/** A node process that runs until signalled, or exits with `code` at once. */
const node = (code?: number): [string, string[]] => [process.execPath, ['-e', code === undefined ? 'setInterval(() => {}, 1000)' : `process.exit(${code})`]];

interface Report {
  name: string;
  code: number | null;
}

/** A group whose unexpected exits are recorded, with a way to wait for a given one. */
class Watched {
  readonly reports: Report[] = [];
  readonly group: ProcessGroup;
  private readonly waiters: { name: string; resolve: () => void }[] = [];

  constructor(dir: string) {
    this.group = new ProcessGroup(dir, (p: ManagedProcess, code) => {
      this.reports.push({ name: p.name, code });
      for (const w of this.waiters.filter((x) => x.name === p.name)) w.resolve();
    });
  }

  /** Resolves once `name` has been reported; fails the test with what was reported instead. */
  reported(name: string, timeoutMs = 10_000): Promise<void> {
    if (this.reports.some((r) => r.name === name)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} was not reported within ${timeoutMs} ms; reported: ${JSON.stringify(this.reports)}`)), timeoutMs);
      this.waiters.push({ name, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** Starts a process that exits on its own (code 7) and waits for its report. */
  async sentinel(name = 'sentinel'): Promise<void> {
    this.group.start(name, ...node(7));
    await this.reported(name);
  }
}

describe('ProcessGroup', () => {
  let dir = '';
  let watched: Watched;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agentry-process-group-'));
    watched = new Watched(dir);
  });

  afterEach(async () => {
    await watched.group.stopAll(1_000);
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a process that exits on its own, with its exit code', async () => {
    watched.group.start('crasher', ...node(3));
    await watched.reported('crasher');
    expect(watched.reports).toEqual([{ name: 'crasher', code: 3 }]);
  });

  it('does not report a process it was asked to kill, and still reports the others', async () => {
    const { group } = watched;
    group.start('etcd', ...node());
    const apiserver = group.start('kube-apiserver', ...node());
    await group.kill('kube-apiserver', 'SIGKILL');
    expect(apiserver.child.signalCode).toBe('SIGKILL');
    expect(group.pids()).not.toHaveProperty('kube-apiserver');
    await watched.sentinel();
    expect(watched.reports).toEqual([{ name: 'sentinel', code: 7 }]);

    // A restarted process under the same name is watched like any other.
    const restarted = group.start('kube-apiserver', ...node());
    restarted.child.kill('SIGKILL');
    await watched.reported('kube-apiserver');
    expect(watched.reports).toEqual([
      { name: 'sentinel', code: 7 },
      { name: 'kube-apiserver', code: null },
    ]);
    expect(group.pids()).toHaveProperty('etcd'); // untouched by the kill of its neighbour
  });

  it('does not report the processes stopAll() stops', async () => {
    const procs = [watched.group.start('etcd', ...node()), watched.group.start('kube-apiserver', ...node())];
    await watched.group.stopAll(5_000);
    expect(procs.map((p) => p.child.signalCode ?? p.child.exitCode)).toEqual(['SIGTERM', 'SIGTERM']);
    await watched.sentinel();
    expect(watched.reports).toEqual([{ name: 'sentinel', code: 7 }]);
  });
});
