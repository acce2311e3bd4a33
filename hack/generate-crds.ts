// Writes the CRDs generated from src/api/ into crds/ (`npm run generate`), or with --check, exits
// non-zero when crds/ differs from what would be written (for CI and pre-commit).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CRD_DIRECTORY, crdManifests } from '../src/api/crd-manifests.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const directory = join(root, CRD_DIRECTORY);
const check = process.argv.includes('--check');

const manifests = crdManifests();
const wanted = new Set(manifests.map((m) => m.fileName));
const existing = existsSync(directory) ? readdirSync(directory).filter((f) => f.endsWith('.yaml')) : [];
const stale = existing.filter((f) => !wanted.has(f));

if (check) {
  const problems = [
    ...manifests.filter((m) => !existsSync(join(directory, m.fileName)) || readFileSync(join(directory, m.fileName), 'utf8') !== m.content).map((m) => `${CRD_DIRECTORY}/${m.fileName} is out of date`),
    ...stale.map((f) => `${CRD_DIRECTORY}/${f} is not generated any more`),
  ];
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\nRun \`npm run generate\` and commit the result.\n`);
    process.exit(1);
  }
  process.stdout.write(`${CRD_DIRECTORY}/ is up to date (${manifests.length} CRDs)\n`);
} else {
  mkdirSync(directory, { recursive: true });
  for (const m of manifests) writeFileSync(join(directory, m.fileName), m.content);
  for (const f of stale) rmSync(join(directory, f));
  process.stdout.write(`wrote ${manifests.map((m) => `${CRD_DIRECTORY}/${m.fileName}`).join(', ')}\n`);
}
