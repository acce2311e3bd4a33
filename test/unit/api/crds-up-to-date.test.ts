// crds/ (and its copies in the Helm chart and the kustomize base, and the chart's schema of the
// operator configuration) are generated from the zod schemas; this fails when someone changed one
// without the other. Every check reads the files as they are in the repository: what kubectl, helm
// and kustomize will install is what is committed, not what the generator would write.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { parse } from 'yaml';

import { CHART_CRD_DIRECTORY, CRD_DIRECTORIES, generatedFiles, ROOT } from '../../../hack/generate-crds.js';
import { customResourceDefinitions } from '../../../src/api/custom-resource-definitions.js';

const HOW_TO_FIX = 'run `npm run generate` and commit the result';

/** The YAML files in one of the CRD directories, as committed. */
function committedCrds(dir: string): { name: string; content: string }[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((name) => ({ name, content: readFileSync(join(abs, name), 'utf8') }));
}

describe('generated files', () => {
  const files = generatedFiles();

  it.each(files.map((f) => [f.path, f.content] as const))('%s is committed as generated', (path, content) => {
    const abs = join(ROOT, path);
    if (!existsSync(abs)) throw new Error(`${path} is missing: ${HOW_TO_FIX}`);
    if (readFileSync(abs, 'utf8') !== content) throw new Error(`${path} differs from what is generated (stale): ${HOW_TO_FIX}`);
  });

  it.each(CRD_DIRECTORIES.map((d) => [d]))('%s holds exactly the generated CRDs, nothing stale', (dir) => {
    const generated = files.filter((f) => f.path.startsWith(`${dir}/`)).map((f) => f.path.slice(dir.length + 1)).sort();
    const committed = committedCrds(dir).map((f) => f.name);
    expect({ committed, hint: HOW_TO_FIX }).toEqual({ committed: generated, hint: HOW_TO_FIX });
  });

  it.each(CRD_DIRECTORIES.map((d) => [d]))('%s reads back (as YAML 1.1, like kubectl) as exactly the CRD objects', (dir) => {
    const committed = committedCrds(dir).map((f) => parse(f.content, { version: '1.1' }) as unknown);
    const byName = (crds: unknown[]) => crds.map((c) => (c as { metadata?: { name?: string } }).metadata?.name ?? '').sort();
    const expected = customResourceDefinitions();
    expect(byName(committed)).toEqual(byName(expected));
    for (const crd of expected) expect(committed).toContainEqual(crd);
  });

  it("starts each of the chart's CRD files with a document marker (`helm show crds` concatenates the files)", () => {
    const chart = committedCrds(CHART_CRD_DIRECTORY);
    expect(chart.length).toBeGreaterThan(0);
    for (const f of chart) expect({ file: f.name, marker: f.content.startsWith('---\n') }).toEqual({ file: f.name, marker: true });
  });
});
