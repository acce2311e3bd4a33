// The Flux examples (config/flux/) against Flux's own CRDs on a real API server: the CRDs come
// from the Flux controllers' Go modules (hack/binaries.sh flux-crds, pinned in hack/versions.env),
// and every object passes a strict server-side dry run, moved into namespaces of this test's own.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { join } from 'node:path';

import { installCrds } from '../../hack/control-plane/control-plane.js';
import { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { binary, connection, kubeConfig, TestNamespaces } from '../harness/cluster.js';
import { dryRunApply } from '../unit/install/support/dry-run.js';
import { objectName, readManifestTree } from '../unit/install/support/manifests.js';
import { namespacesOf, remapNamespaces } from '../unit/install/support/namespaces.js';
import { REPO_ROOT } from '../unit/install/support/paths.js';

const kc = kubeConfig();
const client = new KubeClient(connection());
const namespaces = new TestNamespaces(kc.makeApiClient(k8s.CoreV1Api));
const files = readManifestTree(join(REPO_ROOT, 'config/flux'));
let fluxCrds: string[] = [];

beforeAll(async () => {
  // Fetched from the controllers' Go modules on first use.
  fluxCrds = await installCrds(client, await binary('flux-crds', 'FLUX_CRDS'));
}, 600_000);

afterAll(async () => {
  await namespaces.deleteAll();
  client.close();
});

async function inTestNamespaces(objects: KubeObject[]): Promise<KubeObject[]> {
  const map = new Map<string, string>();
  for (const ns of namespacesOf(objects)) map.set(ns, await namespaces.create('flux'));
  return remapNamespaces(objects, map);
}

describe('the Flux examples on a real API server', () => {
  it('has the Flux CRDs the examples use', () => {
    expect(fluxCrds).toEqual(
      expect.arrayContaining([
        'gitrepositories.source.toolkit.fluxcd.io',
        'ocirepositories.source.toolkit.fluxcd.io',
        'kustomizations.kustomize.toolkit.fluxcd.io',
        'helmreleases.helm.toolkit.fluxcd.io',
      ]),
    );
  });

  it.each(['kustomize', 'helm', 'tenant'])('config/flux/%s passes a strict server-side dry run', async (variant) => {
    const objects = await inTestNamespaces(files.filter((f) => f.file.includes(`/config/flux/${variant}/`)).map((f) => f.object));
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) await dryRunApply(client, o);
  }, 60_000);

  it("refuses what Flux's schemas refuse (the dry run is not a formality)", async () => {
    const ns = await namespaces.create('flux');
    const release = files.find((f) => f.object.kind === 'HelmRelease')?.object;
    const kustomization = files.find((f) => f.object.kind === 'Kustomization')?.object;
    if (!release || !kustomization) throw new Error('no HelmRelease or Kustomization among the examples');
    const badPolicy = structuredClone(release);
    badPolicy.metadata.namespace = ns;
    (badPolicy.spec as { install: { crds: string } }).install.crds = 'Replace';
    await expect(dryRunApply(client, badPolicy)).rejects.toThrow(/spec\.install\.crds.*Unsupported value: "Replace"/);
    const misspelt = structuredClone(kustomization);
    misspelt.metadata.namespace = ns;
    (misspelt.spec as Record<string, unknown>).dependOn = [{ name: 'x' }];
    await expect(dryRunApply(client, misspelt)).rejects.toThrow(/dependOn/);
    expect(objectName(misspelt)).toContain(ns);
  }, 60_000);
});
