// Where the install manifests live, for the install tests (unit and integration).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const CHART_DIR = join(REPO_ROOT, 'config/helm/agentry');
export const HELM_FIXTURES_DIR = join(REPO_ROOT, 'test/fixtures/helm');
export const SAMPLES_DIR = join(REPO_ROOT, 'config/samples');

/** A pinned version from hack/versions.env, such as KUBERNETES_VERSION. */
export function pinnedVersion(name: string): string {
  const line = readFileSync(join(REPO_ROOT, 'hack/versions.env'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`hack/versions.env has no ${name}`);
  return line.slice(name.length + 1).trim();
}
