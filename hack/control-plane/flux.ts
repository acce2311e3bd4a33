// Flux's source-, kustomize- and helm-controller as processes of the local control plane (the
// `flux` option): their CRDs installed first, then each controller with the admin kubeconfig (Flux's
// own install gives them cluster-admin), every listener on 127.0.0.1, cross-namespace source
// references refused as in a multi-tenant cluster.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeClient } from '../../src/kube/kube-client.js';
import { requirePath, type BinaryPaths } from './binaries.js';
import { freePort } from './free-port.js';
import type { ProcessGroup } from './process-group.js';

/** The namespace Flux's own objects live in (RUNTIME_NAMESPACE of the controllers). */
export const FLUX_NAMESPACE = 'flux-system';

export const FLUX_CONTROLLERS = ['source-controller', 'kustomize-controller', 'helm-controller'] as const;
export type FluxController = (typeof FLUX_CONTROLLERS)[number];

export interface FluxInfo {
  /** Where source-controller serves artifacts (its --storage-adv-addr). */
  storageAddress: string;
  /** Each controller's health endpoint base URL. */
  health: Record<FluxController, string>;
}

export interface StartFluxOptions {
  processes: ProcessGroup;
  binaries: BinaryPaths;
  client: KubeClient;
  kubeconfig: string;
  dir: string;
  installCrds: (client: KubeClient, dir: string) => Promise<string[]>;
  waitFor: (what: string, check: () => Promise<boolean>, timeoutMs: number) => Promise<void>;
}

function binaryName(controller: FluxController): string {
  return `FLUX_${controller.toUpperCase().replaceAll('-', '_')}`;
}

/** Installs the Flux CRDs and the flux-system namespace, starts the three controllers, waits until each is ready. */
export async function startFlux(options: StartFluxOptions): Promise<FluxInfo> {
  const { processes, binaries, client, kubeconfig, dir } = options;
  await options.installCrds(client, requirePath(binaries, 'FLUX_CRDS'));
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: FLUX_NAMESPACE } }, { fieldManager: 'agentry-harness', force: true });

  const storagePath = join(dir, 'flux-storage');
  await mkdir(storagePath, { recursive: true });
  const storageAddress = `127.0.0.1:${await freePort()}`;
  const env = { ...process.env, KUBECONFIG: kubeconfig, RUNTIME_NAMESPACE: FLUX_NAMESPACE };
  const perController: Record<FluxController, string[]> = {
    'source-controller': [`--storage-path=${storagePath}`, `--storage-addr=${storageAddress}`, `--storage-adv-addr=${storageAddress}`, '--requeue-dependency=5s'],
    // A Kustomization whose dependency is not ready is looked at again after this, not after 30 s.
    // No sourceRef into another namespace, as Flux's multi-tenancy lockdown sets it.
    'kustomize-controller': ['--requeue-dependency=5s', '--no-cross-namespace-refs'],
    'helm-controller': ['--requeue-dependency=5s', '--no-cross-namespace-refs'],
  };
  const health = {} as Record<FluxController, string>;
  for (const controller of FLUX_CONTROLLERS) {
    const healthAddress = `127.0.0.1:${await freePort()}`;
    health[controller] = `http://${healthAddress}`;
    processes.start(controller, requirePath(binaries, binaryName(controller)), [
      `--metrics-addr=127.0.0.1:${await freePort()}`,
      `--health-addr=${healthAddress}`,
      '--log-encoding=json',
      '--log-level=info',
      ...perController[controller],
    ], env);
  }
  for (const controller of FLUX_CONTROLLERS) {
    await options.waitFor(`${controller} /readyz`, async () => (await fetch(`${health[controller]}/readyz`)).ok, 60_000);
  }
  return { storageAddress, health };
}
