// kustomize build with the kustomize the harness builds (hack/binaries.sh kustomize); the manifests
// use nothing newer than what `kubectl kustomize` embeds.
import { join } from 'node:path';

import type { KubeObject } from '../../../../src/kube/kube-object.js';
import { binary } from '../../../harness/cluster.js';
import { parseManifests } from './manifests.js';
import { REPO_ROOT } from './paths.js';
import { runToolOk } from './run-tool.js';

let kustomizePath: Promise<string> | undefined;

/** Located (built on first use) once per test file. */
export function kustomizeBinary(): Promise<string> {
  kustomizePath ??= binary('kustomize', 'KUSTOMIZE');
  return kustomizePath;
}

/** The objects `kustomize build config/<dir>` produces. */
export async function kustomizeBuild(dir: string): Promise<KubeObject[]> {
  const kustomize = await kustomizeBinary();
  return parseManifests(await runToolOk(kustomize, ['build', join(REPO_ROOT, dir)]), `kustomize build ${dir}`);
}
