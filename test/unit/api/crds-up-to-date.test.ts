// crds/ is generated from the zod schemas; this fails when someone changed one without the other.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

import { parse } from 'yaml';

import { CRD_DIRECTORY, crdManifests } from '../../../src/api/crd-manifests.js';
import { customResourceDefinitions } from '../../../src/api/custom-resource-definitions.js';

const directory = resolve(dirname(fileURLToPath(import.meta.url)), '../../..', CRD_DIRECTORY);
const HOW_TO_FIX = 'crds/ is stale: run `npm run generate` and commit the result';

describe('crds/', () => {
  const manifests = crdManifests();

  it.each(manifests.map((m) => [m.fileName, m.content] as const))('%s matches the zod schemas', (fileName, content) => {
    const path = join(directory, fileName);
    if (!existsSync(path)) throw new Error(`${CRD_DIRECTORY}/${fileName} is missing. ${HOW_TO_FIX}`);
    const onDisk = readFileSync(path, 'utf8');
    if (onDisk !== content) throw new Error(`${CRD_DIRECTORY}/${fileName} differs from the generated CRD. ${HOW_TO_FIX}`);
  });

  it('holds no CRD that is not generated any more', () => {
    const wanted = new Set(manifests.map((m) => m.fileName));
    const extra = readdirSync(directory).filter((f) => f.endsWith('.yaml') && !wanted.has(f));
    expect({ extra, hint: extra.length > 0 ? HOW_TO_FIX : '' }).toEqual({ extra: [], hint: '' });
  });

  it('reads back (as YAML 1.1, like kubectl) as exactly the CRD objects', () => {
    expect(manifests.map((m) => parse(m.content, { version: '1.1' }) as unknown)).toEqual(customResourceDefinitions());
  });

  it('is generated deterministically', () => {
    expect(crdManifests()).toEqual(manifests);
  });
});
