// Reads the manifests under test/fixtures/{valid,invalid}: one object per file, with `# expect:` lines
// naming what the API server must say when it rejects an invalid one.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parse } from 'yaml';

export const FIXTURES_DIRECTORY = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures');

export interface Fixture {
  file: string;
  object: unknown;
  kind: string;
  /** Substrings of the API server's error message, from `# expect:` comment lines. */
  expects: string[];
}

export function loadFixtures(kind: 'valid' | 'invalid'): Fixture[] {
  const directory = join(FIXTURES_DIRECTORY, kind);
  return readdirSync(directory)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(directory, file), 'utf8');
      const object: unknown = parse(text);
      const objectKind = typeof object === 'object' && object !== null && 'kind' in object ? String(object.kind) : '';
      const expects = text
        .split('\n')
        .filter((line) => line.startsWith('# expect: '))
        .map((line) => line.slice('# expect: '.length).trim());
      return { file, object, kind: objectKind, expects };
    });
}
