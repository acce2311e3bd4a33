// The operator as its own process, started the way it runs for real (`agentry run`), so that its
// memory, CPU and API requests are its own and not mixed with the benchmark's. It dies with the
// benchmark (setpriv --pdeathsig, through the control plane's ProcessGroup).
import { readFile } from 'node:fs/promises';
import { waitFor } from '../control-plane/control-plane.js';
import { ProcessGroup, type ManagedProcess } from '../control-plane/process-group.js';
import { parsePrometheusText, type Sample } from '../metrics/prometheus-text.js';

export interface OperatorProcessOptions {
  /** `node` arguments up to the CLI's own (flags, and the entry point): see operator-build.ts. */
  command: readonly string[];
  kubeconfig: string;
  configFile: string;
  /** Where operator.log goes. */
  logDir: string;
  port: number;
  /** Extra `agentry run` flags. */
  args?: string[];
  /** The process's name, and its log file's (`<name>.log`); default `operator`. */
  name?: string;
}

export class OperatorProcess {
  private constructor(
    private readonly group: ProcessGroup,
    private readonly proc: ManagedProcess,
    readonly metricsUrl: string,
  ) {}

  static async start(opts: OperatorProcessOptions): Promise<OperatorProcess> {
    const group = new ProcessGroup(opts.logDir, (p, code) => process.stderr.write(`[bench] ${p.name} exited unexpectedly (code ${code}); see ${p.logFile}\n`));
    const proc = group.start(
      opts.name ?? 'operator',
      process.execPath,
      [...opts.command, 'run', '--config', opts.configFile, '--probe-address', `127.0.0.1:${opts.port}`, '--no-leader-elect', ...(opts.args ?? [])],
      { ...process.env, KUBECONFIG: opts.kubeconfig, NODE_NO_WARNINGS: '1' },
    );
    const op = new OperatorProcess(group, proc, `http://127.0.0.1:${opts.port}/metrics`);
    await waitFor('the operator to be ready (/readyz)', async () => {
      if (proc.child.exitCode !== null) throw new Error(`the operator exited (code ${proc.child.exitCode}); see ${proc.logFile}`);
      const res = await fetch(`http://127.0.0.1:${opts.port}/readyz`);
      return res.ok;
    }, 120_000, 250);
    return op;
  }

  get pid(): number {
    return this.proc.pid;
  }

  get logFile(): string {
    return this.proc.logFile;
  }

  async scrape(): Promise<Sample[]> {
    const res = await fetch(this.metricsUrl);
    if (!res.ok) throw new Error(`GET ${this.metricsUrl}: ${res.status}`);
    return parsePrometheusText(await res.text());
  }

  /** The kernel's high-water mark of the process's resident memory (VmHWM), in bytes. */
  async peakRssBytes(): Promise<number | undefined> {
    try {
      const status = await readFile(`/proc/${this.proc.pid}/status`, 'utf8');
      const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
      return kb === undefined ? undefined : Number(kb) * 1024;
    } catch {
      return undefined;
    }
  }

  /** SIGTERM (graceful shutdown), SIGKILL after a grace period. */
  stop(): Promise<void> {
    return this.group.stopAll(30_000);
  }
}
