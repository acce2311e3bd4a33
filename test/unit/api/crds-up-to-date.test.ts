// crds/ (and its copies in the Helm chart and the kustomize base, and the chart's schema of the
// operator configuration) are generated from the zod schemas; this fails when someone changed one
// without the other.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { parse } from 'yaml';

import { CHART_CRD_DIRECTORY, CRD_DIRECTORIES, generatedFiles, ROOT, staleFiles, VALUES_SCHEMA } from '../../../hack/generate-crds.js';
import { crdManifests } from '../../../src/api/crd-manifests.js';
import { customResourceDefinitions } from '../../../src/api/custom-resource-definitions.js';

const HOW_TO_FIX = 'run `npm run generate` and commit the result';

describe('generated files', () => {
  const files = generatedFiles();

  it.each(files.map((f) => [f.path, f.content] as const))('%s is up to date', (path, content) => {
    const abs = join(ROOT, path);
    if (!existsSync(abs)) throw new Error(`${path} is missing: ${HOW_TO_FIX}`);
    if (readFileSync(abs, 'utf8') !== content) throw new Error(`${path} differs from what is generated (stale): ${HOW_TO_FIX}`);
  });

  it('covers every CRD in each of crds/, the chart and the kustomize base', () => {
    for (const dir of CRD_DIRECTORIES) {
      expect(files.filter((f) => f.path.startsWith(`${dir}/`)).map((f) => f.path.slice(dir.length + 1))).toEqual(crdManifests().map((m) => m.fileName));
    }
    expect(files.some((f) => f.path === VALUES_SCHEMA)).toBe(true);
  });

  it('leaves no CRD that is not generated any more', () => {
    const extra = staleFiles();
    expect({ extra, hint: extra.length > 0 ? HOW_TO_FIX : '' }).toEqual({ extra: [], hint: '' });
  });

  it('reads back (as YAML 1.1, like kubectl) as exactly the CRD objects, in every copy', () => {
    for (const dir of CRD_DIRECTORIES) {
      const copies = files.filter((f) => f.path.startsWith(`${dir}/`));
      expect(copies.map((f) => parse(f.content, { version: '1.1' }) as unknown)).toEqual(customResourceDefinitions());
    }
  });

  it("starts the chart's copies with a document marker (`helm show crds` concatenates the files)", () => {
    for (const f of files.filter((g) => g.path.startsWith(`${CHART_CRD_DIRECTORY}/`))) expect(f.content.startsWith('---\n')).toBe(true);
  });

  it('is generated deterministically', () => {
    expect(generatedFiles()).toEqual(files);
    expect(crdManifests()).toEqual(crdManifests());
  });
});
