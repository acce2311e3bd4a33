// The Flux examples hang together: every path exists in this repository, every dependency and
// source is defined, the HelmRelease replaces CRDs on upgrade and its values pass the chart's schema,
// and docs/flux.md shows each file as it is (version-source.test.ts checks the release they pin).
// (test/integration/install-flux.test.ts validates them against Flux's own CRDs;
// test/integration/flux-gitops.test.ts has Flux's controllers reconcile them.)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';

import { customResourceDefinitions } from '../../../src/api/custom-resource-definitions.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { updateGolden } from '../../harness/update-golden.js';
import { helmBinary, helmTemplate } from './support/helm.js';
import { objectName, readManifestTree } from './support/manifests.js';
import { REPO_ROOT } from './support/paths.js';

interface FluxKustomization {
  spec: {
    path: string;
    sourceRef: { kind: string; name: string; namespace?: string };
    dependsOn?: { name: string; namespace?: string }[];
    prune: boolean;
    wait?: boolean;
    healthChecks?: unknown[];
  };
}

const FLUX_DIR = join(REPO_ROOT, 'config/flux');
const objects = readManifestTree(FLUX_DIR);
const of = (kind: string, dir?: string) => objects.filter((o) => o.object.kind === kind && (dir === undefined || o.file.includes(`/config/flux/${dir}/`))).map((o) => o.object);
const byName = (list: KubeObject[], name: string, namespace = 'flux-system') => list.find((o) => o.metadata.name === name && o.metadata.namespace === namespace);

// The first use builds helm from its Go module (minutes on a cold cache), outside any test's time limit.
beforeAll(async () => {
  await helmBinary();
}, 600_000);

describe('the Flux examples', () => {
  it('has the three variants', () => {
    expect(objects.map((o) => `${o.file.slice(FLUX_DIR.length + 1)}: ${objectName(o.object)}`)).toEqual([
      'helm/agentry.yaml: OCIRepository flux-system/agentry',
      'helm/agentry.yaml: HelmRelease flux-system/agentry',
      'helm/sync.yaml: Kustomization flux-system/agentry',
      'kustomize/agentry.yaml: GitRepository flux-system/agentry',
      'kustomize/agentry.yaml: Kustomization flux-system/agentry-crds',
      'kustomize/agentry.yaml: Kustomization flux-system/agentry',
      'tenant/finance-agents.yaml: Namespace finance',
      'tenant/finance-agents.yaml: ServiceAccount finance/flux-reconciler',
      'tenant/finance-agents.yaml: Role finance/agent-author',
      'tenant/finance-agents.yaml: RoleBinding finance/flux-reconciler-agents',
      'tenant/finance-agents.yaml: RoleBinding finance/flux-reconciler-edit',
      'tenant/finance-agents.yaml: GitRepository finance/finance-agents',
      'tenant/finance-agents.yaml: Kustomization finance/finance-agents',
    ]);
  });

  it('applies the CRDs, then the operator once they are established (kustomize/)', () => {
    const kustomizations = of('Kustomization', 'kustomize') as (KubeObject & FluxKustomization)[];
    const crds = byName(kustomizations, 'agentry-crds') as (KubeObject & FluxKustomization) | undefined;
    const operator = byName(kustomizations, 'agentry') as (KubeObject & FluxKustomization) | undefined;
    expect(crds?.spec).toMatchObject({ path: './config/crd', wait: true, prune: false, sourceRef: { kind: 'GitRepository', name: 'agentry' } });
    expect(operator?.spec).toMatchObject({ path: './config/operator', prune: true, dependsOn: [{ name: 'agentry-crds' }] });
    expect(operator?.spec.healthChecks).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'agentry', namespace: 'agentry-system' }]);
    expect(byName(of('GitRepository', 'kustomize'), 'agentry')).toBeDefined();
  });

  it('points at paths that exist in this repository', () => {
    for (const k of of('Kustomization', 'kustomize') as (KubeObject & FluxKustomization)[]) {
      expect({ path: k.spec.path, exists: existsSync(join(REPO_ROOT, k.spec.path, 'kustomization.yaml')) }).toEqual({ path: k.spec.path, exists: true });
    }
  });

  it('replaces the CRDs on install and upgrade (helm/)', () => {
    const release = of('HelmRelease', 'helm')[0] as KubeObject & { spec: Record<string, { crds?: string; kind?: string; name?: string }> };
    expect(release.spec.install?.crds).toBe('CreateReplace');
    expect(release.spec.upgrade?.crds).toBe('CreateReplace');
    expect(byName(of('OCIRepository', 'helm'), release.spec.chartRef?.name ?? '')).toBeDefined();
  });

  it('gives the HelmRelease values the chart accepts', async () => {
    const release = of('HelmRelease', 'helm')[0] as KubeObject & { spec: { values: unknown } };
    const dir = mkdtempSync(join(tmpdir(), 'agentry-flux-values-'));
    try {
      writeFileSync(join(dir, 'values.yaml'), stringify(release.spec.values));
      const rendered = await helmTemplate({ values: [join(dir, 'values.yaml')] });
      expect(rendered.some((o) => o.kind === 'PodDisruptionBudget')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("applies a tenant's Agents as the tenant, after the operator, waiting for them to be Ready (tenant/)", () => {
    const tenant = of('Kustomization', 'tenant')[0] as KubeObject & FluxKustomization & { spec: { serviceAccountName: string; healthCheckExprs: { kind: string }[] } };
    expect(tenant.spec.dependsOn).toEqual([{ name: 'agentry', namespace: 'flux-system' }]);
    expect(tenant.spec.wait).toBe(true);
    expect(tenant.spec.healthCheckExprs.map((e) => e.kind)).toEqual(['Agent', 'RemoteAgent']);
    const sa = of('ServiceAccount', 'tenant').find((o) => o.metadata.name === tenant.spec.serviceAccountName);
    expect(sa?.metadata.namespace).toBe(tenant.metadata.namespace);
    // The operator Kustomization it depends on is the one both install variants define.
    expect(byName(of('Kustomization', 'kustomize'), 'agentry')).toBeDefined();
    expect(byName(of('Kustomization', 'helm'), 'agentry')).toBeDefined();
  });
});

describe("the tenant's health check", () => {
  it('can read an Agent before the operator first writes its status: the CRD starts status as {}', () => {
    // CEL's has(status.observedGeneration) fails on an object without `status`.
    for (const kind of ['Agent', 'RemoteAgent']) {
      const crd = customResourceDefinitions().find((c) => c.spec.names.kind === kind);
      expect(crd?.spec.versions.map((v) => v.schema.openAPIV3Schema.properties?.status?.default)).toEqual([{}]);
    }
    const tenant = of('Kustomization', 'tenant')[0] as KubeObject & { spec: { healthCheckExprs: { inProgress?: string }[] } };
    expect(tenant.spec.healthCheckExprs[0]?.inProgress).toBe('!has(status.observedGeneration)');
  });
});

// docs/flux.md shows every file of config/flux/ in a block
//   <!-- file config/flux/x.yaml -->
//   ```yaml
//   ...the file...
//   ```
//   <!-- end file -->
// and test/integration/flux-gitops.test.ts applies those files: what the docs show is what was
// tested. UPDATE_GOLDEN=1 rewrites the blocks from the files.
describe('docs/flux.md', () => {
  const DOC = join(REPO_ROOT, 'docs/flux.md');
  const BLOCK = /<!-- file (\S+) -->\n```yaml\n([\s\S]*?)```\n<!-- end file -->/g;
  const filesUnder = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));

  it('shows every file of config/flux/ as it is', () => {
    const text = readFileSync(DOC, 'utf8');
    const blocks = [...text.matchAll(BLOCK)];
    expect(blocks.map(([, file]) => file).sort()).toEqual(filesUnder(FLUX_DIR).map((f) => f.slice(REPO_ROOT.length + 1)));
    let updated = text;
    for (const [whole, file = '', shown] of blocks) {
      const content = readFileSync(join(REPO_ROOT, file), 'utf8');
      if (updateGolden()) updated = updated.replace(whole, `<!-- file ${file} -->\n\`\`\`yaml\n${content}\`\`\`\n<!-- end file -->`);
      else expect({ file, shown }).toEqual({ file, shown: content });
    }
    if (updated !== text) writeFileSync(DOC, updated);
  });
});
