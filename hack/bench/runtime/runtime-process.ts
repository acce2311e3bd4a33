// The agent runtime as its own process, started the way its image starts it (`node [flags]
// bin/agentry.js runtime --config agent.json --agent-card agent-card.json`) from the compiled dist/,
// with files that pass the contract's own schemas. Its stdout is a pipe, as in a pod (the container
// runtime reads it), drained into a log file here. It dies with the benchmark (setpriv --pdeathsig,
// as the control plane's ProcessGroup does). Memory is read from /proc and from the runtime's /metrics.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { agentCardSchema } from '../../../src/contract/agent-card.js';
import { declarativeAgentConfigSchema } from '../../../src/contract/agent-config.js';
import { waitFor } from '../../control-plane/control-plane.js';
import { freePort } from '../../control-plane/free-port.js';
import { parsePrometheusText } from '../../metrics/prometheus-text.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const AGENTRY_BIN = join(repoRoot, 'bin/agentry.js');
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export interface RuntimeStartOptions {
  /** A name for the log file and the agent (e.g. `plain-image-flags`). */
  name: string;
  dir: string;
  modelBaseUrl: string;
  stream: boolean;
  nodeFlags: readonly string[];
  /** The agentry.js to run: this checkout's bin/agentry.js unless given. */
  bin?: string;
}

/** Writes agent.json and agent-card.json for an OpenAI agent at `modelBaseUrl`, checked with the contract. */
async function writeAgentFiles(opts: RuntimeStartOptions, port: number): Promise<{ config: string; card: string }> {
  const url = `http://127.0.0.1:${port}/`;
  const config = declarativeAgentConfigSchema.parse({
    agent: { name: opts.name, namespace: 'bench', description: 'agentry runtime benchmark' },
    type: 'Declarative',
    model: { provider: 'OpenAI', model: 'gpt-bench', baseUrl: opts.modelBaseUrl, apiKeyEnv: 'AGENTRY_MODEL_API_KEY' },
    systemMessage: 'You are the benchmark agent. Answer briefly.',
    stream: opts.stream,
    limits: { maxSteps: 4 },
  });
  const card = agentCardSchema.parse({
    name: opts.name,
    description: 'agentry runtime benchmark',
    version: '0.1.0',
    supportedInterfaces: [
      { url, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
    ],
    capabilities: { streaming: opts.stream },
    defaultInputModes: ['text'],
    defaultOutputModes: ['text'],
    skills: [{ id: 'answer', name: 'answer', description: 'answers', tags: ['bench'] }],
  });
  const paths = { config: join(opts.dir, `${opts.name}.agent.json`), card: join(opts.dir, `${opts.name}.agent-card.json`) };
  await writeFile(paths.config, JSON.stringify(config, null, 2));
  await writeFile(paths.card, JSON.stringify(card, null, 2));
  return paths;
}

export interface MemorySample {
  /** VmRSS, bytes. */
  rssBytes: number;
  /** VmHWM (the kernel's peak RSS since start), bytes. */
  peakRssBytes: number;
}

export interface MetricsSample {
  rssBytes: number | undefined;
  heapUsedBytes: number | undefined;
  cpuSeconds: number | undefined;
}

export class RuntimeProcess {
  private readonly exit: Promise<void>;

  private stopping = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    readonly logFile: string,
    /** http://127.0.0.1:PORT/ */
    readonly url: string,
    /** The node command line (flags and bin), for the report. */
    readonly command: string,
  ) {
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(opts: RuntimeStartOptions, extraNodeFlags: readonly string[] = []): Promise<RuntimeProcess> {
    const port = await freePort();
    const files = await writeAgentFiles(opts, port);
    const args = [...opts.nodeFlags, ...extraNodeFlags, opts.bin ?? AGENTRY_BIN, 'runtime', '--config', files.config, '--agent-card', files.card, '--listen', `127.0.0.1:${port}`];
    const [command, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', process.execPath, ...args]] : [process.execPath, args];
    const env = { ...process.env, AGENTRY_MODEL_API_KEY: 'sk-bench-not-a-real-key', NODE_ENV: 'production', NODE_NO_WARNINGS: '1' };
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env });
    if (child.pid === undefined) throw new Error(`could not start the runtime (${process.execPath})`);
    const logFile = join(opts.dir, `${opts.name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('close', () => log.end());
    const runtime = new RuntimeProcess(child, child.pid, logFile, `http://127.0.0.1:${port}/`, ['node', ...opts.nodeFlags, 'bin/agentry.js runtime'].join(' '));
    child.once('exit', (code, signal) => {
      if (!runtime.stopping) process.stderr.write(`[bench] the runtime ${opts.name} exited unexpectedly (${signal ?? `code ${code}`}); see ${logFile}\n`);
    });
    try {
      const exitedEarly = runtime.exit.then(() => {
        throw new Error(`the runtime ${opts.name} exited before it was ready (code ${child.exitCode}); see ${logFile}`);
      });
      await Promise.race([
        exitedEarly,
        waitFor(`the runtime ${opts.name} to be ready (/readyz)`, async () => {
          const res = await fetch(`${runtime.url}readyz`, { signal: AbortSignal.timeout(2000) });
          await res.arrayBuffer();
          return res.ok;
        }, 60_000, 50),
      ]);
      exitedEarly.catch(() => undefined);
    } catch (err) {
      await runtime.stop();
      throw err;
    }
    return runtime;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** VmRSS and VmHWM from /proc/PID/status. */
  async memory(): Promise<MemorySample> {
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
    const kb = (field: string) => {
      const value = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1];
      if (value === undefined) throw new Error(`/proc/${this.pid}/status has no ${field}`);
      return Number(value) * 1024;
    };
    return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
  }

  /** RSS, heap and CPU as the runtime's own /metrics reports them (prom-client's process metrics). */
  async metrics(): Promise<MetricsSample> {
    const res = await fetch(`${this.url}metrics`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`GET ${this.url}metrics: ${res.status}`);
    const samples = parsePrometheusText(await res.text());
    const value = (name: string) => samples.find((s) => s.name === name)?.value;
    return { rssBytes: value('process_resident_memory_bytes'), heapUsedBytes: value('nodejs_heap_size_used_bytes'), cpuSeconds: value('process_cpu_seconds_total') };
  }

  /** SIGTERM (the runtime drains and exits, writing a --cpu-prof profile), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (!this.exited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
      await this.exit;
      clearTimeout(timer);
    }
  }
}

export interface RuntimeImage {
  /** What the ENTRYPOINT puts between `node` and the script. */
  nodeFlags: string[];
  /** The stage's base image (`FROM`), e.g. node:24.11.1-bookworm-slim. */
  baseImage: string | undefined;
}

/**
 * The agent runtime image as the Dockerfile defines it: the stage whose ENTRYPOINT runs
 * `node [flags] .../agentry.js runtime`. Undefined when there is no such stage.
 */
export async function runtimeImage(): Promise<RuntimeImage | undefined> {
  const dockerfile = await readFile(join(repoRoot, 'Dockerfile'), 'utf8').catch(() => undefined);
  if (dockerfile === undefined) return undefined;
  let baseImage: string | undefined;
  for (const line of dockerfile.split('\n')) {
    const from = /^\s*FROM\s+(?:--\S+\s+)*(\S+)/i.exec(line);
    if (from?.[1]) baseImage = from[1];
    const m = /^\s*ENTRYPOINT\s+(\[.*\])\s*$/i.exec(line);
    if (!m?.[1]) continue;
    let argv: unknown;
    try {
      argv = JSON.parse(m[1]);
    } catch {
      continue;
    }
    if (!Array.isArray(argv) || !argv.every((a): a is string => typeof a === 'string')) continue;
    const script = argv.findIndex((a) => a.endsWith('agentry.js'));
    if (script < 1 || argv[script + 1] !== 'runtime' || !/(^|\/)node$/.test(argv[0] ?? '')) continue;
    return { nodeFlags: argv.slice(1, script), baseImage };
  }
  return undefined;
}
