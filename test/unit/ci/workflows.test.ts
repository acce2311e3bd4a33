// The GitHub workflows cannot run here, so they are checked here: actionlint (built from its Go
// module by hack/binaries.sh; it runs shellcheck on every `run:` script when shellcheck is on the
// PATH) finds no problem, every action is pinned by commit SHA, every job holds only the
// permissions it uses, and the release does what README "Install" promises.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { ensureBinaries, requirePath } from '../../../hack/control-plane/binaries.js';
import { CHART, IMAGES } from '../../../hack/set-version.js';
import { runTool } from '../install/support/run-tool.js';
import { REPO_ROOT } from '../install/support/paths.js';

const WORKFLOWS_DIR = join(REPO_ROOT, '.github/workflows');
const WORKFLOW_FILES = readdirSync(WORKFLOWS_DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

type Permissions = Record<string, 'read' | 'write' | 'none'> | 'read-all' | 'write-all' | undefined;

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
  if?: string;
}

interface Job {
  name?: string;
  needs?: string | string[];
  uses?: string;
  permissions?: Permissions;
  strategy?: { matrix?: { include?: Record<string, string>[] } };
  steps?: Step[];
}

interface Workflow {
  on: Record<string, unknown>;
  permissions?: Permissions;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = (file: string): Workflow => parseYaml(read(`.github/workflows/${file}`)) as Workflow;
const steps = (job: Job | undefined): Step[] => job?.steps ?? [];
const usesOf = (job: Job | undefined, action: string): Step[] => steps(job).filter((s) => s.uses?.split('@')[0] === action);
const scripts = (job: Job | undefined): string => steps(job)
  .map((s) => s.run ?? '')
  .join('\n');

let actionlint: string;
const dirs: string[] = [];

// The first use builds actionlint from its Go module (about a minute on a cold cache).
beforeAll(async () => {
  actionlint = process.env.AGENTRY_BIN_ACTIONLINT ?? requirePath(await ensureBinaries(['actionlint']), 'ACTIONLINT');
}, 600_000);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Finding {
  message: string;
  filepath: string;
  line: number;
  column: number;
  kind: string;
}

async function lint(cwd: string, files: string[]): Promise<{ code: number; findings: string[] }> {
  const result = await runTool(actionlint, ['-format', '{{json .}}', ...files], { cwd, timeoutMs: 120_000 });
  // Exit 1: problems found; anything else but 0 is a failure of actionlint itself.
  if (result.code !== 0 && result.code !== 1) throw new Error(`actionlint exited ${result.code}: ${result.stderr}`);
  const findings = (JSON.parse(result.stdout || '[]') as Finding[] | null) ?? [];
  return { code: result.code, findings: findings.map((f) => `${f.filepath}:${f.line}:${f.column}: ${f.message} [${f.kind}]`) };
}

describe('the GitHub workflows', () => {
  it('are ci.yml and release.yml', () => {
    expect(WORKFLOW_FILES).toEqual(['ci.yml', 'release.yml']);
  });

  it('pass actionlint (with shellcheck on their scripts where it is installed)', async () => {
    const { code, findings } = await lint(REPO_ROOT, WORKFLOW_FILES.map((f) => `.github/workflows/${f}`));
    expect(findings).toEqual([]);
    expect(code).toBe(0);
  });

  it('would fail the test on a finding: actionlint reports a broken workflow', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentry-actionlint-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'broken.yml'),
      ['on: push', 'jobs:', '  build:', '    runs-on: ubuntu-24.04', '    steps:', '      - run: echo "${{ github.event.head_commit.message }}"', '      - run: echo ${{ matrix.nope }}', ''].join('\n'),
    );
    const { code, findings } = await lint(dir, ['broken.yml']);
    expect(code).toBe(1);
    expect(findings.join('\n')).toMatch(/potentially untrusted/);
    expect(findings.join('\n')).toMatch(/property "nope" is not defined/);
  });

  it.each(WORKFLOW_FILES)('%s pins every action by full commit SHA, with the release in a comment', (file) => {
    const lines = read(`.github/workflows/${file}`)
      .split('\n')
      .filter((l) => /^\s*(-\s+)?uses:/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const m = /uses:\s*(\S+?)(?:@(\S+))?(?:\s+#\s*(\S+))?\s*$/.exec(line);
      const [, action = '', ref = '', comment = ''] = m ?? [];
      if (action.startsWith('./')) continue; // this repository's own reusable workflow
      expect({ line: line.trim(), sha: /^[0-9a-f]{40}$/.test(ref), release: /^v\d+\.\d+\.\d+$/.test(comment) }).toEqual({ line: line.trim(), sha: true, release: true });
    }
  });

  it.each(WORKFLOW_FILES)('%s grants no permission by default, and each job only what it uses', (file) => {
    const wf = workflow(file);
    // At the top: nothing, or read access only (what a job does not ask for, it does not get).
    expect(typeof wf.permissions).toBe('object');
    expect(Object.values(typeof wf.permissions === 'object' ? wf.permissions : { all: String(wf.permissions) }).filter((v) => v !== 'read')).toEqual([]);
    for (const [name, job] of Object.entries(wf.jobs)) {
      const permissions = job.permissions;
      expect({ job: name, permissions: typeof permissions }).toEqual({ job: name, permissions: 'object' });
      if (typeof permissions !== 'object') continue;
      const writes = Object.entries(permissions)
        .filter(([, v]) => v === 'write')
        .map(([k]) => k)
        .sort();
      const script = scripts(job);
      const signs = /\bcosign sign\b/.test(script);
      const pushes = steps(job).some((s) => s.with?.push === true) || /\bhelm push\b/.test(script);
      const releases = /\bgh release create\b/.test(script);
      const expected = [...(pushes ? ['packages'] : []), ...(signs ? ['id-token'] : []), ...(releases ? ['contents'] : [])].sort();
      expect({ job: name, writes }).toEqual({ job: name, writes: expected });
      // Nothing but contents, packages and id-token is asked for at all.
      expect({ job: name, scopes: Object.keys(permissions).filter((k) => !['contents', 'packages', 'id-token'].includes(k)) }).toEqual({ job: name, scopes: [] });
    }
  });

  it.each(WORKFLOW_FILES)('%s checks out without persisting the token', (file) => {
    for (const [name, job] of Object.entries(workflow(file).jobs)) {
      for (const step of usesOf(job, 'actions/checkout')) expect({ job: name, persist: step.with?.['persist-credentials'] }).toEqual({ job: name, persist: false });
    }
  });
});

describe('ci.yml', () => {
  const ci = workflow('ci.yml');
  const job = ci.jobs.test;

  it('runs .ci/run on pushes to main, pull requests, and for the release (workflow_call)', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call', 'workflow_dispatch']);
    expect(Object.keys(ci.jobs)).toEqual(['test']);
    expect(steps(job).filter((s) => s.run !== undefined).map((s) => s.run?.trim())).toEqual(['bash .ci/run']);
  });

  it("sets up the image's Node.js (.nvmrc) and the Go of the wrapper modules", () => {
    expect(usesOf(job, 'actions/setup-node')[0]?.with).toMatchObject({ 'node-version-file': '.nvmrc' });
    const goModule = usesOf(job, 'actions/setup-go')[0]?.with?.['go-version-file'];
    expect(read(String(goModule))).toMatch(/^go \d+\.\d+/m);
  });

  it("caches ~/.cache/agentry (hack/binaries.sh, hack/test-node.mjs), keyed by every pin, saved even when a test failed", () => {
    const [restore] = usesOf(job, 'actions/cache/restore');
    const [save] = usesOf(job, 'actions/cache/save');
    expect(String(restore?.with?.path)).toContain('~/.cache/agentry');
    expect(save?.with?.path).toBe(restore?.with?.path);
    const key = String(restore?.with?.key);
    for (const pinned of ['hack/versions.env', 'hack/binaries.sh', 'hack/tools/**/go.sum', '.nvmrc']) expect(key).toContain(`'${pinned}'`);
    expect(save?.if).toMatch(/^always\(\)/);
    expect(save?.with?.key).toBe(`\${{ steps.${restore?.id}.outputs.cache-primary-key }}`);
    // The folder the scripts use when XDG_CACHE_HOME is unset, as it is on GitHub's runners.
    expect(read('hack/binaries.sh')).toContain('${XDG_CACHE_HOME:-$HOME/.cache}/agentry');
    expect(read('hack/test-node.mjs')).toContain("join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'agentry')");
  });
});

describe('release.yml', () => {
  const release = workflow('release.yml');
  const { version, test, images, chart, release: publish } = release.jobs;
  const dockerfileStages = [...read('Dockerfile').matchAll(/^FROM\s+\S+\s+AS\s+(\S+)$/gm)].map((m) => m[1]);

  it('runs on a v* tag, checks the tag against package.json and every version site, and runs the whole suite first', () => {
    expect(release.on).toEqual({ push: { tags: ['v*'] } });
    expect(scripts(version)).toContain('node hack/set-version.ts --check');
    expect(scripts(version)).toContain('"$TAG" != "v$version"');
    expect(test?.uses).toBe('./.github/workflows/ci.yml');
    for (const job of [images, chart]) expect(job?.needs).toEqual(['version', 'test']);
    expect(publish?.needs).toEqual(['version', 'images', 'chart']);
  });

  it('builds both Dockerfile targets for amd64 and arm64 with buildx, with SBOM and provenance, and pushes them', () => {
    const include = images?.strategy?.matrix?.include ?? [];
    expect(include.map((i) => [`ghcr.io/agentry-dev/${i.image}`, i.target])).toEqual([
      [IMAGES[0], 'operator'],
      [IMAGES[1], 'agent-runtime'],
    ]);
    for (const i of include) expect(dockerfileStages).toContain(i.target);
    expect(release.env?.REGISTRY).toBe('ghcr.io/agentry-dev');
    expect(usesOf(images, 'docker/setup-qemu-action')).toHaveLength(1);
    expect(usesOf(images, 'docker/setup-buildx-action')).toHaveLength(1);
    const [build] = usesOf(images, 'docker/build-push-action');
    expect(build?.with).toMatchObject({
      file: 'Dockerfile',
      target: '${{ matrix.target }}',
      platforms: 'linux/amd64,linux/arm64',
      push: true,
      sbom: true,
      provenance: 'mode=max',
      tags: '${{ env.REGISTRY }}/${{ matrix.image }}:${{ needs.version.outputs.version }}',
    });
  });

  it('signs images and chart with cosign, keyless, by the digest that was pushed', () => {
    for (const job of [images, chart]) {
      expect(usesOf(job, 'sigstore/cosign-installer')).toHaveLength(1);
      expect(job?.permissions).toMatchObject({ 'id-token': 'write' });
      const sign = steps(job).find((s) => s.run?.includes('cosign sign'));
      expect(sign?.run).toMatch(/cosign sign --yes "\$\w+@\$DIGEST"/);
      expect(sign?.run).not.toMatch(/--key\b/);
    }
    expect(steps(images).find((s) => s.run?.includes('cosign sign'))?.env?.DIGEST).toBe('${{ steps.build.outputs.digest }}');
    expect(steps(chart).find((s) => s.run?.includes('cosign sign'))?.env).toMatchObject({ CHART: CHART.replace(/^oci:\/\//, ''), DIGEST: '${{ steps.push.outputs.digest }}' });
  });

  it('packages the chart and pushes it to the registry the README names, with the helm the tests use', () => {
    expect(scripts(chart)).toContain('helm package config/helm/agentry');
    const registry = CHART.slice(0, CHART.lastIndexOf('/'));
    expect(scripts(chart)).toContain(`oci://ghcr.io/agentry-dev/charts 2>&1`);
    expect(registry).toBe('oci://ghcr.io/agentry-dev/charts');
    expect(read('README.md')).toContain(`helm install agentry ${CHART} --version`);
    expect(usesOf(chart, 'azure/setup-helm')[0]?.with?.version).toBe('${{ needs.version.outputs.helm }}');
    expect(scripts(version)).toContain("sed -n 's/^HELM_VERSION=//p' hack/versions.env");
  });

  it("publishes a GitHub release with the CHANGELOG section's notes, the CRDs and the chart", () => {
    const script = scripts(publish);
    expect(script).toContain('node hack/set-version.ts --release-notes "$VERSION"');
    expect(script).toMatch(/for crd in crds\/\*\.yaml/);
    expect(script).toMatch(/gh release create "\$TAG" --verify-tag .*--notes-file/);
    expect(script).toContain('"$out/agentry-crds.yaml" "$out/agentry-$VERSION.tgz"');
    // The CRDs file the README points at.
    expect(read('README.md')).toMatch(/releases\/download\/v[^/]+\/agentry-crds\.yaml/);
  });
});

describe('.github/dependabot.yml', () => {
  // The subset of Dependabot's configuration (version 2) this repository uses, strictly.
  const update = z.strictObject({
    'package-ecosystem': z.enum(['docker', 'github-actions', 'npm', 'gomod']),
    directory: z.string().startsWith('/'),
    schedule: z.strictObject({ interval: z.enum(['daily', 'weekly', 'monthly']) }),
    ignore: z.array(z.strictObject({ 'dependency-name': z.string(), 'update-types': z.array(z.enum(['version-update:semver-major', 'version-update:semver-minor', 'version-update:semver-patch'])) })).optional(),
    groups: z.record(z.string(), z.strictObject({ patterns: z.array(z.string()).min(1) })).optional(),
    'commit-message': z.strictObject({ prefix: z.string().max(50) }).optional(),
  });
  const schema = z.strictObject({ version: z.literal(2), updates: z.array(update).min(1) });

  it('is a valid configuration that watches the base image and the actions', () => {
    const config = schema.parse(parseYaml(read('.github/dependabot.yml')));
    expect(config.updates.map((u) => `${u['package-ecosystem']} ${u.directory}`)).toEqual(['docker /', 'github-actions /']);
    // The Dockerfile and the workflows are where those ecosystems look.
    expect(read('Dockerfile')).toMatch(/^FROM node:/m);
    expect(WORKFLOW_FILES.length).toBeGreaterThan(0);
    // No major Node.js update: a major is a decision (only even majors become LTS).
    expect(config.updates[0]?.ignore).toEqual([{ 'dependency-name': 'node', 'update-types': ['version-update:semver-major'] }]);
  });
});
