// Starts the control-plane components as child processes and stops them all, in reverse order.
//
// Each child is started through `setpriv --pdeathsig KILL` when available (util-linux, on every
// Debian/Ubuntu), so the kernel kills it if its supervisor dies, even by SIGKILL: an interrupted test
// run or a crashed global setup cannot leave an etcd or kube-apiserver behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';

const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/** `command args`, run so that the kernel kills it when this process dies (when setpriv is there). */
export function dyingWithParent(command: string, args: readonly string[]): [string, string[]] {
  return setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, [...args]];
}

export interface ManagedProcess {
  name: string;
  pid: number;
  logFile: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

export class ProcessGroup {
  private readonly processes: ManagedProcess[] = [];
  /** Processes that kill() or stopAll() is stopping: their exit is no news. */
  private readonly stopped = new WeakSet<ManagedProcess>();

  /** `onUnexpectedExit` hears of every exit that kill() or stopAll() did not ask for. */
  constructor(private readonly logDir: string, private readonly onUnexpectedExit?: (p: ManagedProcess, code: number | null) => void) {}

  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): ManagedProcess {
    const logFile = join(this.logDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const [cmd, argv] = dyingWithParent(command, args);
    const child = spawn(cmd, argv, { stdio: ['ignore', fd, fd], env });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const managed: ManagedProcess = { name, pid: child.pid, logFile, child, exited };
    void exited.then((code) => {
      if (!this.stopped.has(managed)) this.onUnexpectedExit?.(managed, code);
    });
    this.processes.push(managed);
    return managed;
  }

  /** Stops the named process only (fault-injection tests restart single components). */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const index = this.processes.findIndex((p) => p.name === name);
    const proc = this.processes[index];
    if (!proc) throw new Error(`no process named ${name}`);
    this.processes.splice(index, 1);
    this.stopped.add(proc);
    proc.child.kill(signal);
    await proc.exited;
  }

  pids(): Record<string, number> {
    return Object.fromEntries(this.processes.map((p) => [p.name, p.pid]));
  }

  async stopAll(graceMs = 5_000): Promise<void> {
    // All of them first: a component may exit on its own once one it depends on has stopped.
    for (const proc of this.processes) this.stopped.add(proc);
    for (const proc of [...this.processes].reverse()) {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) continue;
      proc.child.kill('SIGTERM');
      const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
      await proc.exited;
      clearTimeout(timer);
    }
    this.processes.length = 0;
  }
}
