// The agent runtime as its own process, exactly as the image runs it: the compiled CLI
// (`node bin/agentry.js runtime ...`, built once by the runtime project's global setup) with an
// agent.json and an agent card written to a temp directory, on a free loopback port, with only the
// environment a pod would give it. Its stdout and stderr are kept whole (for the secret greps) and
// as parsed JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { ClientFactory, type Client } from '@a2a-js/sdk/client';

import { freePort } from '../../hack/control-plane/free-port.js';
import { parsePrometheusText, sumOf, type Sample } from '../../hack/metrics/prometheus-text.js';
import type { AgentCardJson } from '../../src/contract/agent-card.js';
import { declarativeAgentConfigSchema, type DeclarativeAgentConfig } from '../../src/contract/agent-config.js';

export const AGENTRY_BIN = fileURLToPath(new URL('../../bin/agentry.js', import.meta.url));

/** The API key every test runtime gets unless told otherwise; tests grep for it. */
export const TEST_API_KEY = 'sk-test-4f9c2e7d1b8a6350-secret';

type ConfigOverrides = Partial<Omit<DeclarativeAgentConfig, 'model'>> & { model?: Partial<DeclarativeAgentConfig['model']> };

/**
 * A valid Declarative agent.json talking OpenAI Chat Completions to `modelUrl` (the fake model's
 * url), with the key in AGENTRY_MODEL_API_KEY; `overrides` replace whole top-level sections, except
 * `model`, whose fields are merged into the default one unless they name a provider (then it is
 * the whole model section).
 */
export function agentConfig(modelUrl: string, overrides: ConfigOverrides = {}): DeclarativeAgentConfig {
  const { model, ...rest } = overrides;
  const defaultModel = { provider: 'OpenAI' as const, model: 'gpt-test', baseUrl: `${modelUrl}/v1`, apiKeyEnv: 'AGENTRY_MODEL_API_KEY' };
  const base = {
    agent: { name: 'test-agent', namespace: 'default', description: 'An agent under test' },
    type: 'Declarative' as const,
    model: model?.provider !== undefined ? model : { ...defaultModel, ...model },
    stream: false,
    limits: { maxSteps: 5 },
    ...rest,
  };
  const withSystem = base.systemMessage === undefined && base.systemMessageEnv === undefined ? { ...base, systemMessage: 'You are a test agent.' } : base;
  return declarativeAgentConfigSchema.parse(withSystem);
}

/**
 * The agent card render would write for an agent at `url`: two JSON-RPC interfaces, 1.0 and 0.3, on
 * the same URL. Written with keys in a non-alphabetical order and 4-space indentation, so a runtime
 * that re-serialised the card would not serve these bytes.
 */
export function agentCardText(url: string, options: { name?: string; streaming?: boolean } = {}): string {
  const card: AgentCardJson = {
    version: '1.2.0',
    name: options.name ?? 'test-agent',
    description: 'An agent under test — with a non-ASCII dash',
    supportedInterfaces: [
      { url, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
    ],
    capabilities: { streaming: options.streaming ?? true },
    defaultInputModes: ['text'],
    defaultOutputModes: ['text'],
    skills: [{ id: 'echo', name: 'Echo', description: 'Says what it was told', tags: ['test'] }],
  };
  return `${JSON.stringify(card, null, 4)}\n`;
}

export interface RuntimeProcessOptions {
  /** The whole agent.json; or raw text (invalid JSON, a BYO config) for start-up failure tests. */
  config: DeclarativeAgentConfig | Record<string, unknown> | string;
  /** The card's text (or made from the runtime's URL); default agentCardText(url); false: no --agent-card. */
  card?: string | ((url: string) => string) | false;
  /** The environment, on top of PATH; AGENTRY_MODEL_API_KEY=TEST_API_KEY unless set (undefined removes it). */
  env?: Record<string, string | undefined>;
  /** Extra flags after --config/--agent-card/--listen. */
  args?: string[];
  /** Wait for /readyz (default true). */
  waitReady?: boolean;
  readyTimeoutMs?: number;
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class RuntimeProcess {
  /** Every stdout line parsed as JSON (non-JSON lines as {msg}). */
  readonly logs: Record<string, unknown>[] = [];
  stdout = '';
  stderr = '';
  readonly exited: Promise<ExitResult>;
  private readonly logListeners = new Set<() => void>();
  private terminated = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly dir: string,
    readonly cardBytes: Buffer | undefined,
  ) {
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => rm(dir, { recursive: true, force: true }));
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        this.stdout += `${line}\n`;
        try {
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.logs.push({ msg: line });
        }
        for (const listener of this.logListeners) listener();
      });
    }
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
  }

  /** Starts a runtime and (by default) waits until its /readyz answers 200. */
  static async start(options: RuntimeProcessOptions): Promise<RuntimeProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'agentry-runtime-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const configFile = join(dir, 'agent.json');
    await writeFile(configFile, typeof options.config === 'string' ? options.config : `${JSON.stringify(options.config, null, 2)}\n`);
    const args = ['runtime', '--config', configFile, '--listen', `127.0.0.1:${port}`];
    let cardBytes: Buffer | undefined;
    if (options.card !== false) {
      const card = options.card ?? agentCardText;
      cardBytes = Buffer.from(typeof card === 'function' ? card(url) : card, 'utf8');
      const cardFile = join(dir, 'agent-card.json');
      await writeFile(cardFile, cardBytes);
      args.push('--agent-card', cardFile);
    }
    args.push(...(options.args ?? []));
    const child = spawn(process.execPath, [AGENTRY_BIN, ...args], { env: runtimeEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    const runtime = new RuntimeProcess(child, port, dir, cardBytes);
    if (options.waitReady !== false) await runtime.ready(options.readyTimeoutMs);
    return runtime;
  }

  /**
   * The container of a rendered Deployment, run here: its ConfigMap's files written where its args
   * expect the mount (`mountPath` mapped to a temp directory), its args as they are plus --listen,
   * and exactly its environment (every `value`, and the `secretKeyRef` ones from `secrets`,
   * keyed "secret/key"), as the image's entrypoint (`agentry runtime`) would get them.
   */
  static async fromPodSpec(pod: {
    files: Record<string, string>;
    mountPath: string;
    args: string[];
    env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
    secrets: Record<string, string>;
  }): Promise<RuntimeProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'agentry-runtime-pod-'));
    for (const [name, text] of Object.entries(pod.files)) await writeFile(join(dir, name), text);
    const port = await freePort();
    const env: Record<string, string | undefined> = { AGENTRY_MODEL_API_KEY: undefined };
    for (const entry of pod.env) {
      const ref = entry.valueFrom?.secretKeyRef;
      const value = ref === undefined ? entry.value : pod.secrets[`${ref.name}/${ref.key}`];
      if (value === undefined) throw new Error(`the pod's env ${entry.name} has no value here (secrets has no ${ref?.name}/${ref?.key})`);
      env[entry.name] = value;
    }
    const mount = pod.mountPath.replace(/\/+$/, '');
    const args = pod.args.map((arg) => (arg.startsWith(`${mount}/`) ? join(dir, arg.slice(mount.length + 1)) : arg));
    const card = pod.files['agent-card.json'];
    const child = spawn(process.execPath, [AGENTRY_BIN, 'runtime', ...args, '--listen', `127.0.0.1:${port}`], { env: runtimeEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    const runtime = new RuntimeProcess(child, port, dir, card === undefined ? undefined : Buffer.from(card, 'utf8'));
    await runtime.ready();
    return runtime;
  }

  /** Runs `agentry runtime` with `args` to its exit (for flag and start-up failures). */
  static async run(args: string[], env?: Record<string, string | undefined>, timeoutMs = 20_000): Promise<ExitResult & { stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [AGENTRY_BIN, 'runtime', ...args], { env: runtimeEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exit = await new Promise<ExitResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`agentry runtime ${args.join(' ')} did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal });
      });
    });
    // 'exit' can come before the pipes are drained.
    await new Promise<void>((resolve) => (child.stdout.readableEnded ? resolve() : child.stdout.once('end', resolve)));
    await new Promise<void>((resolve) => (child.stderr.readableEnded ? resolve() : child.stderr.once('end', resolve)));
    return { ...exit, stdout, stderr };
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits for /readyz 200; fails early, with stderr, when the process exits first. */
  async ready(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`the runtime exited before it was ready (${JSON.stringify(await this.exited)}):\n${this.stderr}\n${this.stdout}`);
      const status = await fetch(`${this.url}readyz`).then(
        (res) => res.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline) throw new Error(`the runtime was not ready within ${timeoutMs} ms:\n${this.stderr}\n${this.stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 50)); // poll interval
    }
  }

  /**
   * SIGTERM (unless one was sent already: like the kubelet, one only), then resolves with the exit
   * code once the process has exited; null when it had to be killed after timeoutMs.
   */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (this.running && !this.terminated) this.signal('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const { code } = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** SIGKILL, for cleanup after a failed test. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  signal(signal: NodeJS.Signals): void {
    if (signal === 'SIGTERM') this.terminated = true;
    this.child.kill(signal);
  }

  /** An A2A 1.0 client made the way a user would: from the card at the runtime's URL. */
  client(): Promise<Client> {
    return new ClientFactory().createFromUrl(this.url);
  }

  async get(path: string): Promise<{ status: number; body: string; bytes: Buffer; headers: Headers }> {
    const res = await fetch(new URL(path, this.url));
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, body: bytes.toString('utf8'), bytes, headers: res.headers };
  }

  async metricsText(): Promise<string> {
    const { status, body } = await this.get('/metrics');
    if (status !== 200) throw new Error(`GET /metrics: ${status}`);
    return body;
  }

  async scrape(): Promise<Sample[]> {
    return parsePrometheusText(await this.metricsText());
  }

  /** Sum of a metric's samples whose labels include `labels`. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    return sumOf(await this.scrape(), name, labels);
  }

  logsMatching(pattern: RegExp): Record<string, unknown>[] {
    return this.logs.filter((l) => pattern.test(JSON.stringify(l)));
  }

  /** Resolves with the first log line matching `pattern` (already written or yet to come). */
  async waitForLog(pattern: RegExp, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const found = () => this.logsMatching(pattern)[0];
    const now = found();
    if (now !== undefined) return now;
    return new Promise((resolve, reject) => {
      const check = () => {
        const line = found();
        if (line === undefined) return;
        done();
        resolve(line);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no log line matching ${String(pattern)} within ${timeoutMs} ms:\n${this.stdout}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.logListeners.delete(check);
      };
      this.logListeners.add(check);
    });
  }
}

function runtimeEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  // Nothing of the test process's environment but PATH: the runtime must live on what a pod gives it.
  const merged: Record<string, string | undefined> = { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', AGENTRY_MODEL_API_KEY: TEST_API_KEY, ...env };
  return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * Resolves once `check` holds (re-checked every intervalMs), rejects after timeoutMs: for state
 * only observable by asking (metrics, a task's state), never as a fixed sleep.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, intervalMs = 25, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} did not hold within ${timeoutMs} ms${lastError instanceof Error ? `: ${lastError.message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
