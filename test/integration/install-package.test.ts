// What the images run, without Docker: the package as `npm pack` publishes it,
// installed with production dependencies only (`--omit=dev`), runs `agentry --help` and
// `agentry render`. Catches a `files` list that misses something, a runtime import of a dev
// dependency, and a bin shim that does not find the compiled CLI. Needs the npm registry (or
// npm's cache) for the production dependencies.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { parseManifests } from '../unit/install/support/manifests.js';
import { REPO_ROOT, SAMPLES_DIR } from '../unit/install/support/paths.js';
import { runTool, runToolOk } from '../unit/install/support/run-tool.js';

interface PackageJson {
  name: string;
  version: string;
  files: string[];
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
const work = mkdtempSync(join(tmpdir(), 'agentry-package-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
let packedFiles: string[] = [];
let agentry = '';

beforeAll(async () => {
  // Stage the package outside the work tree: compile into the stage (not the repo's dist/, which
  // someone's build may be using) and copy what package.json `files` names besides dist/.
  const stage = join(work, 'stage');
  mkdirSync(stage);
  cpSync(join(REPO_ROOT, 'package.json'), join(stage, 'package.json'));
  for (const entry of pkg.files.filter((f) => f !== 'dist')) cpSync(join(REPO_ROOT, entry), join(stage, entry), { recursive: true });
  await runToolOk(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', join(stage, 'dist')], {
    timeoutMs: 120_000,
  });

  const packed = JSON.parse(await runToolOk(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work, ...quiet], { cwd: stage, timeoutMs: 60_000 })) as {
    filename: string;
    files: { path: string }[];
  }[];
  const tarball = packed[0];
  if (!tarball) throw new Error('npm pack produced nothing');
  packedFiles = tarball.files.map((f) => f.path).sort();

  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'agentry-install-check', private: true }));
  // --ignore-scripts: what the Dockerfile does; --prefer-offline: npm's cache first, the registry for the rest.
  await runToolOk(npm, ['install', '--omit=dev', '--ignore-scripts', '--prefer-offline', ...quiet, join(work, tarball.filename)], {
    cwd: app,
    timeoutMs: 240_000,
  });
  agentry = join(app, 'node_modules/.bin/agentry');
}, 360_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the published package, installed with production dependencies only', () => {
  it('holds the CLI, the compiled code and the CRDs, and no sources or tests', () => {
    expect(packedFiles).toEqual(expect.arrayContaining(['package.json', 'bin/agentry.js', 'dist/cli/main.js', 'crds/agentry.dev_agents.yaml']));
    expect(packedFiles.filter((f) => /^(src|test|hack|config)\//.test(f) || f.endsWith('.ts'))).toEqual([]);
  });

  it('installs the dependencies, and no package only the development tools need', () => {
    const modules = join(work, 'app/node_modules');
    for (const dep of Object.keys(pkg.dependencies)) expect({ dep, installed: existsSync(join(modules, dep)) }).toEqual({ dep, installed: true });
    // Dev dependencies a production dependency also pulls in (such as @types/node) are "dev: false" in the lockfile.
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.keys(pkg.devDependencies).filter((dep) => lock.packages[`node_modules/${dep}`]?.dev === true);
    // client-node is for the tests only: importing it costs the operator ~73 MiB of RSS (its generated models).
    expect(devOnly).toEqual(expect.arrayContaining(['typescript', 'jest', 'eslint', 'tsx', '@kubernetes/client-node']));
    for (const dep of devOnly) expect({ dep, installed: existsSync(join(modules, dep)) }).toEqual({ dep, installed: false });
  });

  it('runs agentry --help', async () => {
    const result = await runTool(agentry, ['--help'], { timeoutMs: 30_000 });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toContain('Usage: agentry <command>');
    const run = await runTool(agentry, ['run', '--help'], { timeoutMs: 30_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--probe-address');
    // The agent-runtime image's entrypoint: every runtime import resolves from production dependencies.
    const runtime = await runTool(agentry, ['runtime', '--help'], { timeoutMs: 30_000 });
    expect({ code: runtime.code, stderr: runtime.stderr }).toEqual({ code: 0, stderr: '' });
    expect(runtime.stdout).toContain('--agent-card');
  }, 60_000);

  it('renders a sample agent with agentry render', async () => {
    const result = await runTool(
      agentry,
      ['render', '-f', join(SAMPLES_DIR, 'agent-expense-processor.yaml'), '-f', join(SAMPLES_DIR, 'modelconfig-default.yaml')],
      { timeoutMs: 30_000 },
    );
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const objects = parseManifests(result.stdout, 'agentry render');
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['ServiceAccount', 'ConfigMap', 'Deployment', 'Service']));
    const service = objects.find((o) => o.kind === 'Service') as { spec: { ports: { appProtocol?: string }[] } } | undefined;
    expect(service?.spec.ports[0]?.appProtocol).toBe('kgateway.dev/a2a');
  }, 60_000);
});
