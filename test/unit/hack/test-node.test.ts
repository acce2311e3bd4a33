// The tests run on the Node.js the image runs: .nvmrc (what hack/test-node.mjs installs when the
// machine's Node.js is older) is the Dockerfile's base image version, package.json's engines admit
// it, and under `npm test` jest and every child a test spawns with process.execPath (or `node` from
// the PATH) are that Node.js.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { REPO_ROOT } from '../install/support/paths.js';

const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');
const PINNED = read('.nvmrc').trim();

type Version = [number, number, number];

const parse = (text: string): Version => {
  const [major = 0, minor = 0, patch = 0] = text.replace(/^v/, '').split('.').map(Number);
  return [major, minor, patch];
};

const compare = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Whether `version` satisfies a range of space-separated comparators, such as `>=20.19.0 <25`. */
function satisfies(version: string, range: string): boolean {
  return range.split(/\s+/).every((comparator) => {
    const m = /^(>=|<=|>|<|=)?(\d+(?:\.\d+){0,2})$/.exec(comparator);
    if (!m) throw new Error(`engines: unsupported comparator ${comparator}`);
    const c = compare(parse(version), parse(m[2] ?? ''));
    return { '>=': c >= 0, '<=': c <= 0, '>': c > 0, '<': c < 0, '=': c === 0 }[m[1] ?? '='];
  });
}

describe('the Node.js of the tests', () => {
  it('is pinned in .nvmrc to the version of every stage of the Dockerfile', () => {
    expect(PINNED).toMatch(/^\d+\.\d+\.\d+$/);
    const bases = [...read('Dockerfile').matchAll(/^FROM\s+node:(\S+?)-\S*/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    expect(bases).toEqual(bases.map(() => PINNED));
  });

  it("is within package.json's engines, which admit no Node.js older than the dev toolchain's floor", () => {
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(satisfies(PINNED, engines)).toBe(true);
    // eslint 10 (and its require(esm)) needs 20.19; typescript-eslint, jest and the runtime's SDKs need less.
    expect(satisfies('20.18.3', engines)).toBe(false);
    expect(satisfies('20.19.0', engines)).toBe(true);
  });

  // Only under hack/run-tests.mjs (npm test), which says which node it started jest with.
  const underRunner = process.env.AGENTRY_JEST_NODE ? it : it.skip;

  underRunner('runs jest, the children tests spawn with process.execPath, and `node` on the PATH on it', () => {
    expect(process.execPath).toBe(process.env.AGENTRY_JEST_NODE);
    expect(parse(process.version)[0]).toBeGreaterThanOrEqual(parse(PINNED)[0]);
    // As the harness starts the operator and the control plane: TypeScript through tsx's loader.
    const dir = mkdtempSync(join(tmpdir(), 'agentry-node-'));
    try {
      writeFileSync(join(dir, 'version.ts'), 'const version: string = process.version;\nconsole.log(version);\n');
      const child = execFileSync(process.execPath, ['--import', 'tsx', join(dir, 'version.ts')], { cwd: REPO_ROOT, encoding: 'utf8' });
      expect(child.trim()).toBe(process.version);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(execFileSync('node', ['--version'], { encoding: 'utf8' }).trim()).toBe(process.version);
  });
});
