// "Pods that run": a small node agent for one kwok node. kwok makes pods look Running and Ready but
// runs nothing; for the pods of Agentry's Declarative Agents scheduled on the designated node, this
// agent starts the compiled runtime (`node bin/agentry.js runtime`, as the image runs it) as a local
// process with exactly that pod's mounted files and environment (pod-program.ts), listening on the
// agent Service's ClusterIP and port (loopback: the control plane's Service range is 127.96.0.0/16),
// where the gateway (Traefik, nativeLB) and other runtimes send their traffic.
//
// - A pod replaced (a config change rolls the Deployment) gets a new process: per Service address the
//   newest pod runs; the old process is stopped first (SIGTERM, as a kubelet would), so the address is
//   free for the new one. A pod that goes away (or starts terminating) has its process stopped.
// - A process that exits on its own is started again with a backoff (1 s doubling to 30 s).
// - In-cluster names (`x.ns.svc`) resolve to ClusterIPs through a test-only preload (svc-dns.mjs)
//   reading a table of every Service this agent keeps; the runtime itself is unchanged.
// - It writes nothing to Kubernetes: kwok keeps the pod's status.
//
// Caveats (docs/end-to-end.md): there is no kube-proxy, so a Service's selector and targetPort
// mapping are not exercised (the process is the Service); only one replica per Service is reached;
// NetworkPolicies are not enforced (no CNI); nothing but this agent's own readiness wait probes the
// process. The program differs from the pod's in two flags only: `--import` of the preload, and
// `--listen ClusterIP:port` (the pod listens on 0.0.0.0:8080 of its own IP).
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { dyingWithParent } from '../../../hack/control-plane/process-group.js';
import { Informer } from '../../../src/controller/informer.js';
import { KubeListWatch } from '../../../src/controller/kube-list-watch.js';
import { KubeClient } from '../../../src/kube/kube-client.js';
import type { KubeConnection } from '../../../src/kube/kube-connection.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { AGENT_CONTAINER_NAME, AGENT_PORT_NAME } from '../../../src/render/runtime-contract.js';
import { podProgram, PodProgramError, type Container, type Pod } from './pod-program.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
export const AGENTRY_BIN = join(root, 'bin/agentry.js');
const PRELOAD = new URL('./svc-dns.mjs', import.meta.url);
const AGENT_LABEL = 'agentry.dev/agent';
const MANAGED_BY = 'app.kubernetes.io/managed-by';

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
}

interface Service extends KubeObject {
  spec: { clusterIP?: string; selector?: Record<string, string>; ports?: ServicePort[] };
}

export interface NodeAgentOptions {
  connection: KubeConnection;
  /** The kwok node whose pods run here. */
  nodeName: string;
  /** Only pods in these namespaces (default: every namespace). */
  namespaces?: readonly string[];
  /** Working directory (pod files, logs, the hosts table); a temp directory by default, removed on stop. */
  dir?: string;
  /** Extra runtime flags, after the pod's own (such as --log-level debug). */
  runtimeArgs?: readonly string[];
  /** Where its messages go; default stderr, processes started and stopped only with $AGENTRY_TEST_LOG_LEVEL set. */
  log?: (message: string, level: 'info' | 'warn') => void;
}

/** A runtime process for one pod. */
export interface LocalPod {
  namespace: string;
  name: string;
  uid: string;
  /** The Agent the pod belongs to (its agentry.dev/agent label). */
  agent: string;
  /** ClusterIP:port it listens on. */
  address: string;
  pid: number | undefined;
  /** /readyz answered 200. */
  ready: boolean;
  /** How many times this pod's process was started. */
  starts: number;
  /** Its stdout and stderr, line by line (the last 2,000). */
  logs: string[];
}

interface Running extends LocalPod {
  child: ChildProcess;
  dir: string;
  exited: Promise<void>;
  stopping: boolean;
  logFile: WriteStream;
}

const MAX_LOG_LINES = 2_000;
const NOT_FOUND = ' not found';
const NOT_DECLARATIVE = ": only Declarative Agents run on Agentry's runtime";

export class NodeAgent {
  readonly hostsFile: string;
  private readonly client: KubeClient;
  private readonly pods: Informer<Pod>;
  private readonly services: Informer<Service>;
  private readonly running = new Map<string, Running>();
  /** Pods (by uid) that are not Declarative Agents' (or cannot run): decided once per pod. */
  private readonly skipped = new Map<string, string>();
  /** Restart backoff per pod uid. */
  private readonly crashes = new Map<string, { count: number; notBefore: number }>();
  private readonly changes = new EventEmitter();
  private readonly log: (message: string, level?: 'info' | 'warn') => void;
  private queue: Promise<void> = Promise.resolve();
  private pending = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly options: NodeAgentOptions, readonly dir: string, private readonly ownsDir: boolean) {
    this.hostsFile = join(dir, 'hosts.json');
    this.client = new KubeClient(options.connection);
    const verbose = process.env.AGENTRY_TEST_LOG_LEVEL !== undefined;
    this.log = (m, level = 'warn') => {
      if (options.log !== undefined) options.log(m, level);
      else if (level === 'warn' || verbose) process.stderr.write(`[node-agent ${options.nodeName}] ${m}\n`);
    };
    this.changes.setMaxListeners(0);
    const fieldSelector = `spec.nodeName=${options.nodeName}`;
    this.pods = new Informer<Pod>({
      name: `pods on ${options.nodeName}`,
      listWatch: new KubeListWatch(options.connection, { path: '/api/v1/pods', fieldSelector }),
      transform: (obj) => obj as Pod,
      resyncPeriodMs: 0,
    });
    this.services = new Informer<Service>({
      name: 'services',
      listWatch: new KubeListWatch(options.connection, { path: '/api/v1/services' }),
      transform: (obj) => obj as Service,
      resyncPeriodMs: 0,
    });
  }

  static async start(options: NodeAgentOptions): Promise<NodeAgent> {
    if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('the compiled CLI is missing: run `npm run build` first (global setup of the integration tests does)');
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'agentry-node-')));
    await mkdir(dir, { recursive: true });
    const agent = new NodeAgent(options, dir, options.dir === undefined);
    await agent.writeHosts();
    const schedule = { onAdd: () => agent.schedule(), onUpdate: () => agent.schedule(), onDelete: () => agent.schedule() };
    agent.pods.addEventHandler(schedule);
    agent.services.addEventHandler(schedule);
    agent.pods.start();
    agent.services.start();
    await Promise.all([agent.pods.waitForSync(), agent.services.waitForSync()]);
    agent.schedule();
    return agent;
  }

  /** The runtime processes now running. */
  list(): LocalPod[] {
    return [...this.running.values()].map(({ namespace, name, uid, agent, address, pid, ready, starts, logs }) => ({ namespace, name, uid, agent, address, pid, ready, starts, logs }));
  }

  /**
   * Resolves with the ready process of Agent `namespace/agent` once one satisfies `predicate`
   * (for example: a pod other than the one before a rollout).
   */
  async waitForAgent(namespace: string, agent: string, predicate: (pod: LocalPod) => boolean = () => true, timeoutMs = 60_000): Promise<LocalPod> {
    const find = () => this.list().find((p) => p.namespace === namespace && p.agent === agent && p.ready && predicate(p));
    const now = find();
    if (now !== undefined) return now;
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        const why = [...this.skipped.values()].join('; ');
        reject(new Error(`no ready runtime for Agent ${namespace}/${agent} on ${this.options.nodeName} within ${timeoutMs} ms${why ? ` (skipped: ${why})` : ''}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.changes.off('change', check);
      };
      this.changes.on('change', check);
    });
  }

  /** Stops every process and the watches; removes the working directory when it was our own. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await Promise.all([this.pods.stop(), this.services.stop()]);
    await this.queue;
    await Promise.all([...this.running.values()].map((r) => this.stopProcess(r)));
    this.client.close();
    if (this.ownsDir) await rm(this.dir, { recursive: true, force: true });
  }

  private schedule(): void {
    if (this.stopped || this.pending) return;
    this.pending = true;
    this.queue = this.queue.then(async () => {
      this.pending = false;
      if (this.stopped) return;
      try {
        await this.reconcile();
      } catch (err) {
        this.log(`reconcile failed: ${err instanceof Error ? err.message : String(err)}`);
        this.retryLater(1_000);
      }
    });
  }

  private retryLater(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.schedule(), ms);
  }

  private async reconcile(): Promise<void> {
    await this.writeHosts();
    const desired = await this.desiredPods();
    // Stop first: a replaced pod's process holds the address its successor needs.
    for (const run of [...this.running.values()]) {
      const want = desired.get(run.uid);
      if (want === undefined || want.address !== run.address) await this.stopProcess(run);
    }
    let earliestRetry: number | undefined;
    for (const [uid, { pod, container, address }] of desired) {
      if (this.running.has(uid)) continue;
      const crash = this.crashes.get(uid);
      if (crash !== undefined && crash.notBefore > Date.now()) {
        earliestRetry = Math.min(earliestRetry ?? Infinity, crash.notBefore - Date.now());
        continue;
      }
      try {
        await this.startProcess(pod, container, address);
      } catch (err) {
        if (!(err instanceof PodProgramError)) throw err;
        // A Secret or ConfigMap not there yet: a kubelet retries too (CreateContainerConfigError).
        this.log(`${pod.metadata.namespace}/${pod.metadata.name}: ${err.message}; retrying`);
        earliestRetry = Math.min(earliestRetry ?? Infinity, 1_000);
      }
    }
    if (earliestRetry !== undefined) this.retryLater(earliestRetry);
  }

  /** Per Service address, the newest live pod of a Declarative Agent that the Service selects. */
  private async desiredPods(): Promise<Map<string, { pod: Pod; container: Container; address: string }>> {
    const byAddress = new Map<string, { pod: Pod; container: Container; address: string }>();
    const namespaces = this.options.namespaces;
    for (const pod of this.pods.list()) {
      const uid = pod.metadata.uid ?? '';
      const namespace = pod.metadata.namespace ?? '';
      if (pod.metadata.deletionTimestamp !== undefined) continue;
      if (namespaces !== undefined && !namespaces.includes(namespace)) continue;
      if (pod.metadata.labels?.[MANAGED_BY] !== 'agentry' || pod.metadata.labels[AGENT_LABEL] === undefined) continue;
      if (this.skipped.has(uid)) continue;
      const container = pod.spec.containers.find((c) => c.name === AGENT_CONTAINER_NAME);
      const why = container === undefined ? `no container named ${AGENT_CONTAINER_NAME}` : await this.notRunnable(pod, container);
      if (why !== undefined || container === undefined) {
        // A pod outliving its deleted Agent (until garbage collection), or a BYO agent's, is no news.
        if (why !== undefined) this.skip(pod, why, why.endsWith(NOT_FOUND) || why.endsWith(NOT_DECLARATIVE) ? 'info' : 'warn');
        continue;
      }
      const address = this.serviceAddress(pod, container);
      if (address === undefined) continue; // no Service yet: the next Service event brings it
      const current = byAddress.get(address);
      if (current === undefined || newer(pod, current.pod)) byAddress.set(address, { pod, container, address });
    }
    return new Map([...byAddress.values()].map((d) => [d.pod.metadata.uid ?? '', d]));
  }

  /** Why the pod is not one of a Declarative Agent's that this agent can run; undefined when it is. */
  private async notRunnable(pod: Pod, container: Container): Promise<string | undefined> {
    const namespace = pod.metadata.namespace ?? '';
    const agentName = pod.metadata.labels?.[AGENT_LABEL] ?? '';
    const agent = await this.client.find<KubeObject & { spec?: { type?: string } }>('agentry.dev/v1alpha1', 'Agent', namespace, agentName);
    if (agent === undefined) return `Agent ${namespace}/${agentName}${NOT_FOUND}`;
    if (agent.spec?.type !== 'Declarative') return `Agent ${namespace}/${agentName} is ${agent.spec?.type ?? 'untyped'}${NOT_DECLARATIVE}`;
    if (container.command !== undefined && container.command.length > 0) return 'the agent container has its own command';
    return undefined;
  }

  private skip(pod: Pod, why: string, level: 'info' | 'warn'): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    this.skipped.set(pod.metadata.uid ?? key, `${key}: ${why}`);
    this.log(`not running ${key}: ${why}`, level);
  }

  /** ClusterIP:port of the Service that selects the pod and targets its agent port. */
  private serviceAddress(pod: Pod, container: Container): string | undefined {
    const containerPort = container.ports?.find((p) => p.name === AGENT_PORT_NAME) ?? container.ports?.[0];
    for (const svc of this.services.list(pod.metadata.namespace)) {
      const selector = svc.spec.selector;
      const ip = svc.spec.clusterIP;
      if (selector === undefined || Object.keys(selector).length === 0 || ip === undefined || ip === 'None') continue;
      if (!Object.entries(selector).every(([k, v]) => pod.metadata.labels?.[k] === v)) continue;
      const port = svc.spec.ports?.find((p) => (p.protocol ?? 'TCP') === 'TCP' && targets(p, containerPort));
      if (port === undefined) continue;
      if (!ip.startsWith('127.')) throw new Error(`Service ${svc.metadata.namespace}/${svc.metadata.name} has ClusterIP ${ip}, outside 127.0.0.0/8: refusing to bind it`);
      return `${ip}:${port.port}`;
    }
    return undefined;
  }

  private async startProcess(pod: Pod, container: Container, address: string): Promise<void> {
    const namespace = pod.metadata.namespace ?? '';
    const uid = pod.metadata.uid ?? '';
    const podDir = join(this.dir, `${namespace}_${pod.metadata.name}`);
    await rm(podDir, { recursive: true, force: true });
    const program = await podProgram(pod, container, podDir, {
      configMap: (ns, name) => this.client.find<KubeObject & { data?: Record<string, string>; binaryData?: Record<string, string> }>('v1', 'ConfigMap', ns, name),
      secret: (ns, name) => this.client.find<KubeObject & { data?: Record<string, string> }>('v1', 'Secret', ns, name),
    });
    for (const dir of program.dirs) await mkdir(dir, { recursive: true });
    for (const file of program.files) {
      await mkdir(dirname(file.path), { recursive: true });
      await writeFile(file.path, file.content);
    }
    const preload = new URL(PRELOAD);
    preload.searchParams.set('hosts', this.hostsFile);
    const args = withListen(program.args, address);
    // Through setpriv --pdeathsig: a test or `npm run dev` that dies leaves no runtime behind.
    const [command, argv] = dyingWithParent(process.execPath, ['--import', preload.href, AGENTRY_BIN, 'runtime', ...args, ...(this.options.runtimeArgs ?? [])]);
    const child = spawn(command, argv, {
      // The pod's environment, and nothing of ours (no PATH: a pod has the image's).
      env: program.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: podDir,
    });
    const logFile = createWriteStream(join(this.dir, `${namespace}_${pod.metadata.name}.log`), { flags: 'a' });
    const previous = this.crashes.get(uid);
    const run: Running = {
      namespace,
      name: pod.metadata.name,
      uid,
      agent: pod.metadata.labels?.[AGENT_LABEL] ?? '',
      address,
      pid: child.pid,
      ready: false,
      starts: (previous?.count ?? 0) + 1,
      logs: [],
      child,
      dir: podDir,
      stopping: false,
      logFile,
      exited: new Promise((resolve) => child.on('exit', () => resolve())),
    };
    this.running.set(uid, run);
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      let partial = '';
      stream.on('data', (chunk: string) => {
        logFile.write(chunk);
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        run.logs.push(...lines);
        if (run.logs.length > MAX_LOG_LINES) run.logs.splice(0, run.logs.length - MAX_LOG_LINES);
      });
    }
    this.log(`started ${namespace}/${pod.metadata.name} (Agent ${run.agent}) on ${address}, pid ${child.pid}`, 'info');
    void run.exited.then(() => this.onExit(run));
    void this.waitReady(run);
    this.changed();
  }

  private async waitReady(run: Running): Promise<void> {
    const url = `http://${run.address}/readyz`;
    while (!run.stopping && run.child.exitCode === null && run.child.signalCode === null) {
      const status = await fetch(url).then((r) => r.status, () => 0);
      if (status === 200) {
        run.ready = true;
        this.changed();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50)); // poll interval, as a kubelet's probe
    }
  }

  private onExit(run: Running): void {
    run.logFile.end();
    if (this.running.get(run.uid) === run) this.running.delete(run.uid);
    this.changed();
    if (run.stopping || this.stopped) return;
    const count = run.starts;
    const delay = Math.min(30_000, 1_000 * 2 ** (count - 1));
    this.crashes.set(run.uid, { count, notBefore: Date.now() + delay });
    this.log(`${run.namespace}/${run.name} exited (code ${run.child.exitCode ?? run.child.signalCode}); starting it again in ${delay} ms:\n${run.logs.slice(-20).join('\n')}`);
    this.retryLater(delay);
  }

  private async stopProcess(run: Running, graceMs = 30_000): Promise<void> {
    run.stopping = true;
    if (run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGTERM');
      const timer = setTimeout(() => run.child.kill('SIGKILL'), graceMs);
      await run.exited;
      clearTimeout(timer);
    }
    this.running.delete(run.uid);
    this.log(`stopped ${run.namespace}/${run.name}`, 'info');
    this.changed();
  }

  /** name.ns.svc and name.ns.svc.cluster.local of every Service with a loopback ClusterIP, for svc-dns.mjs. */
  private async writeHosts(): Promise<void> {
    const hosts: Record<string, string> = {};
    for (const svc of this.services.list()) {
      const ip = svc.spec.clusterIP;
      if (ip === undefined || !ip.startsWith('127.')) continue;
      const name = `${svc.metadata.name}.${svc.metadata.namespace}.svc`;
      hosts[name] = ip;
      hosts[`${name}.cluster.local`] = ip;
    }
    const tmp = `${this.hostsFile}.tmp`;
    await writeFile(tmp, JSON.stringify(hosts));
    await rename(tmp, this.hostsFile);
  }

  private changed(): void {
    this.changes.emit('change');
  }
}

function targets(port: ServicePort, containerPort: { name?: string; containerPort: number } | undefined): boolean {
  if (containerPort === undefined) return false;
  const target = port.targetPort ?? port.port;
  return typeof target === 'number' ? target === containerPort.containerPort : target === containerPort.name;
}

function newer(a: Pod, b: Pod): boolean {
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  return ta !== tb ? ta > tb : a.metadata.name > b.metadata.name;
}

/** The pod's args, listening on `address` (replacing a --listen the pod has). */
function withListen(args: readonly string[], address: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--listen') {
      i++;
      continue;
    }
    if (arg.startsWith('--listen=')) continue;
    out.push(arg);
  }
  return [...out, '--listen', address];
}
