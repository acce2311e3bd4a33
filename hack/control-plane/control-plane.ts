// A real, local Kubernetes control plane: etcd + kube-apiserver (TLS, RBAC, an admin client
// certificate in system:masters, service-account signing keys), and on request
// kube-controller-manager, kube-scheduler and kwok with fake nodes, the way envtest runs one but with
// the components that make Deployments become Available and garbage collection happen.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { KubeClient } from '../../src/kube/kube-client.js';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { ensureBinaries, requirePath, type BinaryPaths, type Component } from './binaries.js';
import { startFlux, type FluxInfo } from './flux.js';
import { freePort } from './free-port.js';
import { startTraefikGateway, type GatewayInfo } from './gateway.js';
import { generatePki, type Pki } from './pki.js';
import { ProcessGroup, type ManagedProcess } from './process-group.js';

export interface ControlPlaneOptions {
  /** Working directory (certs, etcd data, logs, kubeconfig); a fresh temp directory by default. */
  dir?: string;
  /** Fake kwok nodes to create; > 0 also starts kube-controller-manager, kube-scheduler and kwok. */
  nodes?: number;
  /** Start kube-controller-manager and kube-scheduler even without nodes (garbage collection). */
  controllers?: boolean;
  /** Install the Gateway API standard CRDs (default true). */
  gatewayApi?: boolean;
  /** Run Traefik as the Gateway API data plane, with a GatewayClass and a Gateway on a loopback port (hack/control-plane/gateway.ts). */
  gateway?: boolean;
  /** Install Flux's CRDs and run its source-, kustomize- and helm-controller (hack/control-plane/flux.ts). */
  flux?: boolean;
  log?: (message: string) => void;
  /** Flags appended to a component's defaults (the benchmark raises the controllers' API client QPS). */
  extraArgs?: Partial<Record<'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok', string[]>>;
}

export interface ControlPlaneInfo {
  dir: string;
  kubeconfig: string;
  server: string;
  /** etcd's client URL (fault tests compact it to force 410 Gone on stale watches). */
  etcdUrl: string;
  nodes: string[];
  pids: Record<string, number>;
  binaries: BinaryPaths;
  /** With the `gateway` option: Traefik's Gateway and where it listens. */
  gateway?: GatewayInfo;
  /** With the `flux` option: where its controllers listen. */
  flux?: FluxInfo;
}

// Service and pod ranges must not overlap: kwok hands out pod IPs from its own CIDR, and its
// default (10.0.0.0/24) is the usual service range. Services get loopback ClusterIPs: a process
// bound to a Service's ClusterIP and port on this machine is what the gateway (which sends traffic
// to ClusterIP:port) and other local processes reach, with no traffic leaving 127.0.0.0/8 (pod IPs
// cannot be loopback: EndpointSlices refuse them).
export const SERVICE_CLUSTER_IP_RANGE = '127.96.0.0/16';
export const SERVICE_CLUSTER_IP = '127.96.0.1';
export const POD_CIDR = '10.244.0.0/16';

const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

export class ControlPlane {
  private readonly processes: ProcessGroup;
  private readonly log: (message: string) => void;
  private info?: ControlPlaneInfo;
  private pki?: Pki;
  private apiserverArgs: string[] = [];
  private etcdArgs: string[] = [];

  private constructor(private readonly dir: string, private readonly options: ControlPlaneOptions, private readonly ownsDir: boolean) {
    this.log = options.log ?? ((m) => process.stderr.write(`[control-plane] ${m}\n`));
    this.processes = new ProcessGroup(dir, (p, code) => this.log(`${p.name} exited unexpectedly (code ${code}); see ${p.logFile}`));
  }

  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'agentry-cp-')));
    await mkdir(dir, { recursive: true });
    const cp = new ControlPlane(dir, options, options.dir === undefined);
    try {
      await cp.boot();
    } catch (err) {
      await cp.stop();
      throw err;
    }
    return cp;
  }

  get kubeconfigPath(): string {
    return join(this.dir, 'kubeconfig');
  }

  describe(): ControlPlaneInfo {
    if (!this.info) throw new Error('control plane not started');
    return { ...this.info, pids: this.processes.pids() };
  }

  private async boot(): Promise<void> {
    const nodes = this.options.nodes ?? 0;
    const controllers = this.options.controllers ?? nodes > 0;
    const components: Component[] = ['kube-apiserver', 'etcd'];
    if (controllers) components.push('kube-controller-manager', 'kube-scheduler');
    if (nodes > 0) components.push('kwok');
    if (this.options.gatewayApi !== false) components.push('gateway-api');
    // Traefik needs the Gateway API CRDs (gatewayApi, the default).
    if (this.options.gateway) components.push('traefik');
    if (this.options.flux) components.push('flux', 'flux-crds');
    const started = Date.now();
    const binaries = await ensureBinaries(components);

    this.pki = await generatePki(this.dir, SERVICE_CLUSTER_IP);
    const etcdPort = await freePort();
    const etcdPeerPort = await freePort();
    const apiPort = await freePort();
    const server = `https://127.0.0.1:${apiPort}`;

    this.etcdArgs = [
      `--data-dir=${join(this.dir, 'etcd-data')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
      '--name=default',
      // A throwaway test store: durability is not worth the fsync latency.
      '--unsafe-no-fsync',
      '--quota-backend-bytes=8589934592',
      '--log-level=warn',
    ];
    this.startEtcd(requirePath(binaries, 'ETCD'));
    await waitFor('etcd', () => httpOk(`http://127.0.0.1:${etcdPort}/health`), 30_000);

    // Every write request, with its user agent: tests prove "no write at steady state" from the
    // server's own record rather than from the operator's account of itself.
    const auditPolicy = join(this.dir, 'audit-policy.yaml');
    await writeFile(auditPolicy, YAML.stringify({
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      omitStages: ['RequestReceived'],
      rules: [
        { level: 'Metadata', verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'] },
        { level: 'None' },
      ],
    }));
    this.apiserverArgs = [
      `--audit-policy-file=${auditPolicy}`,
      `--audit-log-path=${join(this.dir, 'audit.log')}`,
      '--audit-log-maxsize=0',
      '--advertise-address=127.0.0.1',
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      `--cert-dir=${join(this.dir, 'apiserver-certs')}`,
      `--tls-cert-file=${this.pki.servingCert}`,
      `--tls-private-key-file=${this.pki.servingKey}`,
      `--client-ca-file=${this.pki.caCert}`,
      '--authorization-mode=RBAC',
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${this.pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${this.pki.serviceAccountKey}`,
      '--allow-privileged=true',
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      ...(this.options.extraArgs?.['kube-apiserver'] ?? []),
    ];
    this.startApiserver(requirePath(binaries, 'KUBE_APISERVER'));
    await this.waitForApiserver(server);
    await this.writeKubeconfig(server);

    const client = new KubeClient(KubeConnection.fromKubeconfigFile(this.kubeconfigPath));

    if (controllers) {
      const kcmPort = await freePort();
      const schedulerPort = await freePort();
      const common = [
        `--kubeconfig=${this.kubeconfigPath}`,
        `--authentication-kubeconfig=${this.kubeconfigPath}`,
        `--authorization-kubeconfig=${this.kubeconfigPath}`,
        '--bind-address=127.0.0.1',
        '--leader-elect=false',
      ];
      this.processes.start('kube-controller-manager', requirePath(binaries, 'KUBE_CONTROLLER_MANAGER'), [
        ...common,
        `--secure-port=${kcmPort}`,
        `--service-account-private-key-file=${this.pki.serviceAccountKey}`,
        `--root-ca-file=${this.pki.caCert}`,
        `--cluster-signing-cert-file=${this.pki.caCert}`,
        `--cluster-signing-key-file=${this.pki.caKey}`,
        `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
        `--cluster-cidr=${POD_CIDR}`,
        '--allocate-node-cidrs=false',
        '--use-service-account-credentials=false',
        // Shorter than the defaults so deleted objects are collected promptly in tests.
        '--concurrent-gc-syncs=20',
        ...(this.options.extraArgs?.['kube-controller-manager'] ?? []),
      ]);
      this.processes.start('kube-scheduler', requirePath(binaries, 'KUBE_SCHEDULER'), [
        ...common,
        `--secure-port=${schedulerPort}`,
        ...(this.options.extraArgs?.['kube-scheduler'] ?? []),
      ]);
    }

    const nodeNames: string[] = [];
    if (nodes > 0) {
      const kwokPort = await freePort();
      const stagesDir = requirePath(binaries, 'KWOK_STAGES');
      const stages = (await readdir(stagesDir)).filter((f) => f.endsWith('.yaml')).sort();
      this.processes.start('kwok', requirePath(binaries, 'KWOK'), [
        `--kubeconfig=${this.kubeconfigPath}`,
        `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
        `--cidr=${POD_CIDR}`,
        '--node-ip=10.243.0.1',
        `--server-address=127.0.0.1:${kwokPort}`,
        '--node-lease-duration-seconds=40',
        ...stages.map((s) => `--config=${join(stagesDir, s)}`),
        ...(this.options.extraArgs?.kwok ?? []),
      ]);
      for (let i = 0; i < nodes; i++) {
        const name = `kwok-node-${i}`;
        await client.create(kwokNode(name));
        nodeNames.push(name);
      }
    }

    if (this.options.gatewayApi !== false) {
      await installCrds(client, requirePath(binaries, 'GATEWAY_API_CRDS'));
    }
    if (nodes > 0) await this.waitForNodesReady(client, nodeNames);
    const flux = this.options.flux
      ? await startFlux({ processes: this.processes, binaries, client, kubeconfig: this.kubeconfigPath, dir: this.dir, installCrds, waitFor })
      : undefined;
    const gateway = this.options.gateway
      ? await startTraefikGateway({ processes: this.processes, client, binary: requirePath(binaries, 'TRAEFIK'), kubeconfig: this.kubeconfigPath })
      : undefined;
    client.close();

    this.info = { dir: this.dir, kubeconfig: this.kubeconfigPath, server, etcdUrl: `http://127.0.0.1:${etcdPort}`, nodes: nodeNames, pids: {}, binaries, ...(flux ? { flux } : {}) };
    if (gateway) {
      this.info.gateway = gateway;
      this.log(`gateway ${gateway.namespace}/${gateway.name} (Traefik) on ${gateway.url}`);
    }
    this.log(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s: ${server} (${nodes} kwok node(s)${controllers ? ', controllers' : ''}${flux ? ', Flux' : ''})`);
  }

  private startEtcd(binary: string): ManagedProcess {
    return this.processes.start('etcd', binary, this.etcdArgs);
  }

  private startApiserver(binary: string): ManagedProcess {
    return this.processes.start('kube-apiserver', binary, this.apiserverArgs);
  }

  private async waitForApiserver(server: string): Promise<void> {
    const pki = this.pki;
    if (!pki) throw new Error('no PKI');
    const [ca, cert, key] = await Promise.all([readFile(pki.caCert), readFile(pki.adminCert), readFile(pki.adminKey)]);
    await waitFor('kube-apiserver /readyz', () => httpsOk(`${server}/readyz`, { ca, cert, key }), 90_000);
  }

  /** kill -9 the API server and start it again on the same port and store (fault-injection tests). */
  async restartApiserver(downMs = 0): Promise<void> {
    const binary = this.info?.binaries.KUBE_APISERVER;
    if (!binary || !this.info) throw new Error('control plane not started');
    await this.processes.kill('kube-apiserver', 'SIGKILL');
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    this.startApiserver(binary);
    await this.waitForApiserver(this.info.server);
  }

  private async writeKubeconfig(server: string): Promise<void> {
    const pki = this.pki;
    if (!pki) throw new Error('no PKI');
    const b64 = async (path: string) => (await readFile(path)).toString('base64');
    const kubeconfig = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'agentry-local', cluster: { server, 'certificate-authority-data': await b64(pki.caCert) } }],
      users: [{ name: 'agentry-admin', user: { 'client-certificate-data': await b64(pki.adminCert), 'client-key-data': await b64(pki.adminKey) } }],
      contexts: [{ name: 'agentry-local', context: { cluster: 'agentry-local', user: 'agentry-admin' } }],
      'current-context': 'agentry-local',
    };
    await writeFile(this.kubeconfigPath, YAML.stringify(kubeconfig), { mode: 0o600 });
  }

  private async waitForNodesReady(client: KubeClient, names: string[]): Promise<void> {
    await waitFor('kwok nodes Ready', async () => {
      const nodes = await client.list<KubeObject & { status?: { conditions?: { type?: string; status?: string }[] } }>('v1', 'Node');
      return names.every((n) => nodes.find((node) => node.metadata.name === n)?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    }, 60_000);
  }

  /** Stops every component; removes the working directory too when it was a temp dir of our own. */
  async stop(): Promise<void> {
    await this.processes.stopAll();
    if (this.ownsDir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** A Node kwok manages (heartbeats, pod lifecycle): what --nodes creates, and what tests add for themselves. */
export function kwokNode(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': name,
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
      },
    },
    // No kwok taint: the operator's Deployments should schedule as they would on a real node.
    spec: {},
    status: {
      allocatable: { cpu: '64', memory: '256Gi', pods: '1000' },
      capacity: { cpu: '64', memory: '256Gi', pods: '1000' },
      nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: 'fake', kubeProxyVersion: 'fake' },
    },
  };
}

/** Server-side applies every CRD in the YAML files of `dir` and waits until they are served. */
export async function installCrds(client: KubeClient, dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  const names: string[] = [];
  for (const file of files) {
    for (const doc of YAML.parseAllDocuments(await readFile(join(dir, file), 'utf8'))) {
      const obj = doc.toJS() as KubeObject | null;
      if (obj?.kind !== 'CustomResourceDefinition') continue;
      await client.apply(obj, { fieldManager: 'agentry-harness', force: true });
      names.push(obj.metadata.name);
    }
  }
  await waitForCrdsEstablished(client, names);
  return names;
}

export async function waitForCrdsEstablished(client: KubeClient, names: string[]): Promise<void> {
  await waitFor(`CRDs established (${names.length})`, async () => {
    for (const name of names) {
      const crd = await client.get<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>(
        'apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, name);
      if (!crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return false;
    }
    return true;
  }, 30_000);
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const why = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url);
  return res.ok;
}

function httpsOk(url: string, tls: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { ...tls, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
