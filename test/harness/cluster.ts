// What integration tests use to talk to the control plane that global setup started.
import * as k8s from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import { ensureBinaries, requirePath, type Component } from '../../hack/control-plane/binaries.js';

function kubeconfigPath(): string {
  const path = process.env.KUBECONFIG;
  if (!path) throw new Error('KUBECONFIG is not set: integration tests run under the harness global setup');
  return path;
}

/** client-node's KubeConfig, for the typed APIs that tests use to set up and inspect. */
export function kubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

/** The cluster admin's connection, as the operator's own code (KubeClient, the operator) takes it. */
export function connection(): KubeConnection {
  return KubeConnection.fromKubeconfigFile(kubeconfigPath());
}

/** Creates namespaces private to one test file and deletes them (and what is in them) afterwards. */
export class TestNamespaces {
  private readonly created: string[] = [];
  constructor(private readonly core: k8s.CoreV1Api) {}

  async create(prefix: string, labels: Record<string, string> = {}): Promise<string> {
    const name = `${prefix}-${randomBytes(3).toString('hex')}`;
    await this.core.createNamespace({ body: { metadata: { name, labels: { 'agentry.dev/test': 'true', ...labels } } } });
    this.created.push(name);
    return name;
  }

  async deleteAll(): Promise<void> {
    await Promise.all(this.created.map((name) => this.core.deleteNamespace({ name }).catch(() => undefined)));
    this.created.length = 0;
  }
}

/** Polls until `check` returns a value other than undefined/false, or fails with its last error. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`condition not met within ${timeoutMs} ms${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Path to a harness binary (helm, kwok, ...): from global setup, or built on demand when reusing a control plane. */
export async function binary(component: Component, name: string): Promise<string> {
  const fromSetup = process.env[`AGENTRY_BIN_${name}`];
  if (fromSetup) return fromSetup;
  return requirePath(await ensureBinaries([component]), name);
}

export function isNotFound(err: unknown): boolean {
  return err instanceof k8s.ApiException && err.code === 404;
}
