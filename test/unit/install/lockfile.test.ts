// `npm install` on a clean clone must leave package-lock.json as committed (the README's two
// commands keep `git status` clean): the lockfile's root entry must say what package.json says, or
// npm rewrites it. Editing package.json without `npm install --package-lock-only` fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';

import { REPO_ROOT } from './support/paths.js';

const manifestSchema = z.object({
  name: z.string(),
  version: z.string(),
  license: z.string().optional(),
  engines: z.record(z.string(), z.string()).optional(),
  bin: z.record(z.string(), z.string()).optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
  devDependencies: z.record(z.string(), z.string()).optional(),
});
const read = (file: string): unknown => JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8'));

describe('package-lock.json', () => {
  it("records package.json's own fields in its root entry", () => {
    const pkg = manifestSchema.parse(read('package.json'));
    const lock = z.object({ name: z.string(), version: z.string(), packages: z.object({ '': manifestSchema }) }).parse(read('package-lock.json'));
    expect({ name: lock.name, version: lock.version }).toEqual({ name: pkg.name, version: pkg.version });
    const { name, version, license, engines, bin, dependencies, devDependencies } = lock.packages[''];
    expect({ name, version, license, engines, bin, dependencies, devDependencies }).toEqual({
      name: pkg.name,
      version: pkg.version,
      license: pkg.license,
      engines: pkg.engines,
      bin: pkg.bin,
      dependencies: pkg.dependencies,
      devDependencies: pkg.devDependencies,
    });
  });
});
