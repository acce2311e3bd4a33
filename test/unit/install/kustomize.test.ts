// The kustomize bases: they build, config/default is config/crd plus config/operator, and they run
// the same operator with the same configuration as the Helm chart's defaults.
import { beforeAll, describe, expect, it } from '@jest/globals';

import { crdManifests } from '../../../src/api/crd-manifests.js';
import { customResourceDefinitions } from '../../../src/api/custom-resource-definitions.js';
import { parseOperatorConfig } from '../../../src/config/operator-config.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { helmBinary, helmTemplate } from './support/helm.js';
import { kustomizeBinary, kustomizeBuild } from './support/kustomize.js';
import { findObject, objectName } from './support/manifests.js';

interface PodTemplate {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { volumes: { name: string; configMap?: { name: string } }[]; [field: string]: unknown };
}

function podTemplate(objects: readonly KubeObject[]): PodTemplate {
  return structuredClone((findObject(objects, 'Deployment').spec as { template: PodTemplate }).template);
}

function configText(objects: readonly KubeObject[]): string {
  return (findObject(objects, 'ConfigMap').data as Record<string, string>)['config.yaml'] ?? '';
}

// The first use builds helm and kustomize from their Go modules, outside any test's time limit.
beforeAll(async () => {
  await Promise.all([helmBinary(), kustomizeBinary()]);
}, 600_000);

describe('the kustomize bases', () => {
  it('config/crd holds exactly the generated CRDs', async () => {
    expect(crdManifests()).toHaveLength(3);
    expect(await kustomizeBuild('config/crd')).toEqual(customResourceDefinitions());
  });

  it('config/default is config/crd plus config/operator', async () => {
    const [all, crds, operator] = await Promise.all([kustomizeBuild('config/default'), kustomizeBuild('config/crd'), kustomizeBuild('config/operator')]);
    const names = (objects: KubeObject[]) => objects.map(objectName).sort();
    expect(names(all)).toEqual(names([...crds, ...operator]));
    expect(operator.some((o) => o.kind === 'CustomResourceDefinition')).toBe(false);
  });

  it('installs into agentry-system, which enforces the restricted Pod Security profile', async () => {
    const objects = await kustomizeBuild('config/default');
    const namespaced = objects.filter((o) => !['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'].includes(o.kind));
    expect(namespaced.filter((o) => o.metadata.namespace !== 'agentry-system').map(objectName)).toEqual([]);
    expect(findObject(objects, 'Namespace').metadata).toMatchObject({
      name: 'agentry-system',
      labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
    });
  });

  it('runs the image ghcr.io/agentry-dev/agentry:0.1.0', async () => {
    const template = podTemplate(await kustomizeBuild('config/default'));
    expect((template.spec.containers as { image: string }[]).map((c) => c.image)).toEqual(['ghcr.io/agentry-dev/agentry:0.1.0']);
  });

  it('runs the same pod as the Helm chart with its default values', async () => {
    const [kustomized, helm] = await Promise.all([kustomizeBuild('config/default'), helmTemplate({ release: 'agentry', namespace: 'agentry-system' })]);
    const k = podTemplate(kustomized);
    const h = podTemplate(helm);
    // The config map names differ by design (Helm: a checksum annotation, kustomize: a hash suffix).
    expect(k.spec.volumes.find((v) => v.name === 'config')?.configMap?.name).toBe(findObject(kustomized, 'ConfigMap').metadata.name);
    expect(findObject(kustomized, 'ConfigMap').metadata.name).toMatch(/^agentry-config-[a-z0-9]{10}$/);
    for (const t of [k, h]) for (const v of t.spec.volumes) if (v.configMap) v.configMap.name = 'agentry-config';
    expect(k.spec).toEqual(h.spec);
    expect(k.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'agentry', 'app.kubernetes.io/instance': 'agentry' });
    expect(h.metadata.labels).toMatchObject(k.metadata.labels ?? {});
  });

  it('configures the operator as the Helm chart does by default', async () => {
    const [kustomized, helm] = await Promise.all([kustomizeBuild('config/default'), helmTemplate({ release: 'agentry', namespace: 'agentry-system' })]);
    expect(parseOperatorConfig(configText(kustomized), 'config/manager/operator-config.yaml')).toEqual(parseOperatorConfig(configText(helm)));
  });

  it('exposes the same metrics Service as the Helm chart', async () => {
    const [kustomized, helm] = await Promise.all([kustomizeBuild('config/default'), helmTemplate({ release: 'agentry', namespace: 'agentry-system' })]);
    expect(findObject(kustomized, 'Service', 'agentry-metrics').spec).toEqual(findObject(helm, 'Service', 'agentry-metrics').spec);
  });
});
