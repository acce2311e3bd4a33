// Server-side applies the YAML files a kustomization.yaml lists (resources only, in order): enough
// for the samples without shelling out to kubectl.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import YAML from 'yaml';
import type { KubeClient } from '../../src/kube/kube-client.js';
import type { KubeObject } from '../../src/kube/kube-object.js';

export async function applyKustomizationResources(client: KubeClient, kustomization: string, fieldManager: string): Promise<KubeObject[]> {
  const spec = YAML.parse(await readFile(kustomization, 'utf8')) as { resources?: string[] };
  const applied: KubeObject[] = [];
  for (const file of spec.resources ?? []) {
    for (const doc of YAML.parseAllDocuments(await readFile(join(dirname(kustomization), file), 'utf8'))) {
      const obj = doc.toJS() as KubeObject | null;
      if (!obj?.kind) continue;
      applied.push(await client.apply(obj, { fieldManager, force: true }));
    }
  }
  return applied;
}
