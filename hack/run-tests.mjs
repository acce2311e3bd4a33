#!/usr/bin/env node
// The whole test suite, exactly what `npm test` and CI run:
//   1. eslint, 2. tsc --noEmit (both on this machine's Node.js), 3. jest (unit, then integration
//   against a real control plane that jest's global setup builds/boots) on the image's Node.js
//   (hack/test-node.mjs: installed once into a per-user cache when this machine's is older), then
//   one closing line "N passed, N failed[, N skipped]" computed from jest's JSON results (jest's own
//   summary has another shape).
// Extra arguments go to jest (e.g. `npm test -- test/unit/render`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

import { testNode } from './test-node.mjs';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (label, cmd, args, env = {}) => {
  const start = Date.now();
  console.log(`\n=== ${label}`);
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`=== ${label}: ${res.status === 0 ? 'ok' : `failed (exit ${res.status ?? res.signal})`} in ${((Date.now() - start) / 1000).toFixed(1)}s`);
  return res.status ?? 1;
};

const failures = [];
if (run('eslint', bin('eslint'), ['.']) !== 0) failures.push('eslint');
if (run('tsc --noEmit', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']) !== 0) failures.push('tsc');

const resultsDir = join(root, '.test-results');
mkdirSync(resultsDir, { recursive: true });
const resultsFile = join(resultsDir, 'jest.json');
rmSync(resultsFile, { force: true });
let node;
try {
  node = testNode();
} catch (err) {
  console.log(`\n[test-node] ${err instanceof Error ? err.message : String(err)}`);
  failures.push('installing the Node.js jest runs on');
}
const jestStatus = node
  ? run(
      `jest (Node.js ${node.version}: ${node.why})`,
      node.path,
      ['--experimental-vm-modules', join(root, 'node_modules/jest/bin/jest.js'), '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)],
      {
        NODE_NO_WARNINGS: '1',
        // `node` in scripts the tests run (npm's own shebang included) is this one too, as is the
        // process.execPath of every child a test spawns; test/unit/hack/test-node.test.ts checks.
        PATH: `${dirname(node.path)}${delimiter}${process.env.PATH ?? ''}`,
        AGENTRY_JEST_NODE: node.path,
      },
    )
  : 1;

let passed = 0, failed = 0, skipped = 0;
if (existsSync(resultsFile)) {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests;
  skipped = results.numPendingTests + results.numTodoTests;
  // A suite that fails to load (syntax error, failing beforeAll) has no failed tests of its own.
  const brokenSuites = results.testResults.filter((s) => s.status === 'failed' && s.assertionResults.every((t) => t.status !== 'failed'));
  for (const suite of brokenSuites) console.log(`suite failed to run: ${suite.name}`);
  failed += brokenSuites.length;
} else {
  failures.push('jest produced no results');
  failed += 1;
}
if (jestStatus !== 0 && failed === 0) failures.push(`jest exited ${jestStatus}`);
if (failures.length > 0) console.log(`\nfailed steps: ${failures.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failures.length > 0 || failed > 0 ? 1 : 0);
