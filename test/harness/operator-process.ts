// The operator as a real child process (`agentry run` through tsx), for tests that kill, pause or
// signal it: fault injection, leader election, shutdown. Its JSON log lines are kept for assertions.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { freePort } from '../../hack/control-plane/free-port.js';
import { parsePrometheusText, sumOf, type Sample } from '../../hack/metrics/prometheus-text.js';
import { eventually } from './cluster.js';

const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** The CLI as the image runs it (global setup builds dist/). */
const compiledCli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface OperatorProcessOptions {
  kubeconfig: string;
  /** Operator config (YAML-able); written to a temp file and passed with --config. */
  config: Record<string, unknown>;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Run dist/cli/main.js (as the image does) instead of the sources through tsx, whose loader alone holds tens of MiB. */
  compiled?: boolean;
  /** Node.js flags before the script, such as --max-old-space-size=96. */
  nodeArgs?: string[];
}

export class OperatorProcess {
  readonly logs: Record<string, unknown>[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcess, readonly probePort: number, configDir: string) {
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => rm(configDir, { recursive: true, force: true }));
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        try {
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.logs.push({ msg: line });
        }
      });
    }
  }

  static async start(options: OperatorProcessOptions): Promise<OperatorProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'agentry-op-'));
    const configFile = join(dir, 'config.yaml');
    await writeFile(configFile, YAML.stringify(options.config));
    const probePort = await freePort();
    const program = options.compiled ? [compiledCli] : ['--import', 'tsx', cli];
    const child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), ...program, 'run', '--config', configFile, '--probe-address', `127.0.0.1:${probePort}`, ...(options.args ?? [])],
      { env: { ...process.env, NODE_NO_WARNINGS: '1', ...options.env, KUBECONFIG: options.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new OperatorProcess(child, probePort, dir);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('operator process has no pid');
    return this.child.pid;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async probe(path: '/healthz' | '/readyz' | '/metrics'): Promise<{ status: number; body: string }> {
    const res = await fetch(`http://127.0.0.1:${this.probePort}${path}`);
    return { status: res.status, body: await res.text() };
  }

  /** Waits until the operator is ready (caches synced) as its /readyz says. */
  async ready(timeoutMs = 60_000): Promise<void> {
    await eventually(async () => (await this.probe('/readyz')).status === 200, timeoutMs, 200);
  }

  /** Every sample /metrics serves now. */
  async scrape(): Promise<Sample[]> {
    const { status, body } = await this.probe('/metrics');
    if (status !== 200) throw new Error(`GET /metrics: ${status}`);
    return parsePrometheusText(body);
  }

  /** Sum of a Prometheus counter from /metrics, over the label sets that include `labels`. */
  async counter(name: string, labels: Record<string, string> = {}): Promise<number> {
    return sumOf(await this.scrape(), name, labels);
  }

  logsMatching(pattern: RegExp): Record<string, unknown>[] {
    return this.logs.filter((l) => pattern.test(JSON.stringify(l)));
  }
}
