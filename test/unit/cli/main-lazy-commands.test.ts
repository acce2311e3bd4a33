// `agentry runtime` (what every agent pod runs) loads none of the operator's code: the runtime
// imports src/contract and shared infrastructure only, and main.ts loads each command on demand.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');

/** Every src/ file reachable through static imports from `entry` (type-only imports excluded). */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'(\.{1,2}\/[^']+)\.js';/gms)) {
      const target = resolve(dirname(file), `${match[1] ?? ''}.ts`);
      visit(target);
    }
  };
  visit(entry);
  return seen;
}

const files = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));

describe('what the runtime loads', () => {
  it('the CLI entry point imports no command statically', () => {
    const closure = [...staticClosure(join(SRC, 'cli/main.ts'))].map((f) => relative(SRC, f));
    expect(closure).toEqual(['cli/main.ts']);
  });

  it('agentry runtime reaches only the runtime, the contract and shared infrastructure', () => {
    const closure = [...staticClosure(join(SRC, 'cli/runtime-command.ts'))].map((f) => relative(SRC, f));
    const folders = new Set(closure.map((f) => f.split('/')[0]));
    expect([...folders].sort()).toEqual(['cli', 'common', 'contract', 'observability', 'runtime']);
    expect(closure.filter((f) => f.startsWith('cli/'))).toEqual(['cli/runtime-command.ts']);
  });

  it('no runtime file imports the operator, render, the controller core, the API or the config', () => {
    const offenders = files(join(SRC, 'runtime')).filter((f) => /from '\.\.\/(operator|render|controller|api|config|kube)\//.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });
});
