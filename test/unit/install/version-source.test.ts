// One version source: package.json's `version` is the chart's version and appVersion, the tag of
// both images wherever they are named, the operator config's default runtime image, the Flux
// examples' refs, and a CHANGELOG section; hack/set-version.ts writes all of them at once.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';

import {
  CHART,
  IMAGES,
  VERSION_SITES,
  admitsOnly,
  changelogSection,
  checkVersions,
  compare,
  compatibleRange,
  imageScanFiles,
  packageVersion,
  releaseChangelog,
  satisfies,
  setVersion,
} from '../../../hack/set-version.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { DEFAULT_AGENT_RUNTIME_IMAGE } from '../../../src/config/operator-config.js';
import { readManifestTree } from './support/manifests.js';
import { CHART_DIR, REPO_ROOT } from './support/paths.js';

const VERSION = packageVersion(REPO_ROOT);
const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

interface SourceRef {
  tag?: string;
  semver?: string;
  branch?: string;
  commit?: string;
  digest?: string;
}

type Source = KubeObject & { spec: { url: string; ref?: SourceRef } };

/** What a Flux source must pin to follow this version, or why it does not. */
function refProblem(ref: SourceRef | undefined, tag: string): string | undefined {
  if (ref?.tag !== undefined) return ref.tag === tag ? undefined : `ref.tag is ${ref.tag}: set it to ${tag}`;
  if (ref?.semver !== undefined) {
    return admitsOnly(ref.semver, VERSION) ? undefined : `ref.semver ${ref.semver} does not admit ${VERSION} (or admits the next breaking version): set it to "${compatibleRange(VERSION)}"`;
  }
  return `ref ${JSON.stringify(ref ?? {})} pins no release: set ref.tag to ${tag} or ref.semver to "${compatibleRange(VERSION)}"`;
}

describe('the version', () => {
  it('is a semantic version, and every place that names it agrees (hack/set-version.ts --check)', () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(checkVersions(REPO_ROOT)).toEqual([]);
  });

  it('is the chart version, its appVersion, and the tag of the default runtime image (operator config and chart values)', () => {
    const chart = parseYaml(read('config/helm/agentry/Chart.yaml')) as { version: string; appVersion: string };
    expect({ version: chart.version, appVersion: chart.appVersion }).toEqual({ version: VERSION, appVersion: VERSION });
    expect(DEFAULT_AGENT_RUNTIME_IMAGE).toBe(`ghcr.io/agentry-dev/agent-runtime:${VERSION}`);
    const values = parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as { image: { repository: string; tag: string }; config: { agentRuntime: { image: string } } };
    expect(values.config.agentRuntime.image).toBe(DEFAULT_AGENT_RUNTIME_IMAGE);
    // The operator image's tag defaults to appVersion.
    expect(values.image).toMatchObject({ repository: IMAGES[0], tag: '' });
  });

  it("is what the Flux examples install: Agentry's GitRepository and chart OCIRepository pin this release", () => {
    const sources = readManifestTree(join(REPO_ROOT, 'config/flux'))
      .map((o) => o.object as Source)
      .filter((o) => (o.kind === 'GitRepository' && o.spec.url.replace(/\.git$/, '') === 'https://github.com/agentry-dev/agentry') || (o.kind === 'OCIRepository' && o.spec.url === CHART));
    expect(sources.map((s) => s.kind).sort()).toEqual(['GitRepository', 'OCIRepository']);
    for (const source of sources) {
      const tag = source.kind === 'GitRepository' ? `v${VERSION}` : VERSION;
      expect({ source: `${source.kind} ${source.metadata.name}`, problem: refProblem(source.spec.ref, tag) }).toEqual({ source: `${source.kind} ${source.metadata.name}`, problem: undefined });
    }
  });

  it('has its CHANGELOG.md section, in Keep a Changelog form (newest first, every version linked)', () => {
    const changelog = read('CHANGELOG.md');
    expect(changelog.startsWith('# Changelog\n')).toBe(true);
    const headings = [...changelog.matchAll(/^## \[([^\]]+)\](.*)$/gm)].map((m) => ({ name: m[1] ?? '', rest: m[2] ?? '' }));
    expect(headings[0]).toEqual({ name: 'Unreleased', rest: '' });
    const versions = headings.slice(1);
    expect(versions.map((h) => h.name)).toContain(VERSION);
    for (const h of versions) expect(`${h.name}${h.rest}`).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)? - \d{4}-\d{2}-\d{2}$/);
    const names = versions.map((h) => h.name);
    expect(names).toEqual([...names].sort((a, b) => compare(b, a)));
    for (const h of headings) expect(changelog).toMatch(new RegExp(`^\\[${h.name.replace(/[.]/g, '\\.')}\\]: https://github\\.com/agentry-dev/agentry/`, 'm'));
    // The release notes: this section, which says what was added, changed or fixed.
    expect(changelogSection(changelog, VERSION)).toMatch(/^### (Added|Changed|Deprecated|Removed|Fixed|Security)$/m);
  });

  it('names the image tags only through the sites hack/set-version.ts knows', () => {
    // What the scan covers (a stale tag in a new doc fails the check above).
    const scanned = imageScanFiles(REPO_ROOT);
    for (const file of ['README.md', 'Dockerfile', 'config/helm/agentry/values.yaml', 'src/config/operator-config.ts', 'docs/operator-config.md']) expect(scanned).toContain(file);
    expect(scanned.some((f) => f.startsWith('test/fixtures/render/') && f.endsWith('expected.yaml'))).toBe(true);
    for (const site of VERSION_SITES) expect({ file: site.file, exists: existsSync(join(REPO_ROOT, site.file)) }).toEqual({ file: site.file, exists: true });
  });
});

describe('hack/set-version.ts', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of what the script reads and writes: package.json, the lockfile, every site and scanned file, the CHANGELOG. */
  function copyTree(): string {
    const dir = mkdtempSync(join(tmpdir(), 'agentry-version-'));
    dirs.push(dir);
    const files = new Set(['package.json', 'package-lock.json', 'CHANGELOG.md', ...VERSION_SITES.map((s) => s.file), ...imageScanFiles(REPO_ROOT)]);
    for (const file of files) cpSync(join(REPO_ROOT, file), join(dir, file), { recursive: true });
    return dir;
  }

  it('sets a new version everywhere at once, moving the Unreleased entries into its CHANGELOG section', () => {
    const dir = copyTree();
    const next = VERSION === '9.8.7' ? '9.8.8' : '9.8.7';
    // The Unreleased section replaced by one known entry (whatever the working tree has there now).
    const changelog = readFileSync(join(dir, 'CHANGELOG.md'), 'utf8').replace(/^## \[Unreleased\]\n[\s\S]*?(?=^## \[)/m, '## [Unreleased]\n\n### Fixed\n\n- Something.\n\n');
    writeFileSync(join(dir, 'CHANGELOG.md'), changelog);

    const changed = setVersion(dir, next, '2030-01-02');

    expect(checkVersions(dir, next)).toEqual([]);
    expect(packageVersion(dir)).toBe(next);
    // Every site's file was rewritten (only the check-only ones and the docs that name no tag stay).
    for (const site of VERSION_SITES.filter((s) => !s.checkOnly && s.min !== 0)) expect(changed).toContain(site.file);
    expect(checkVersions(dir, VERSION).length).toBeGreaterThan(VERSION_SITES.length / 2);
    const written = readFileSync(join(dir, 'CHANGELOG.md'), 'utf8');
    expect(changelogSection(written, next)).toBe('### Fixed\n\n- Something.');
    expect(written).toMatch(/^## \[Unreleased\]\n\n## \[9\.8\.[78]\] - 2030-01-02$/m);
    expect(written).toContain(`[${next}]: https://github.com/agentry-dev/agentry/compare/v${VERSION}...v${next}`);
    expect(written).toContain(`[Unreleased]: https://github.com/agentry-dev/agentry/compare/v${next}...HEAD`);
    // The lockfile's two copies of the version, and nothing else in it.
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as { version: string; packages: Record<string, { version?: string }> };
    expect([lock.version, lock.packages['']?.version]).toEqual([next, next]);
    expect(readFileSync(join(dir, 'package-lock.json'), 'utf8').split('\n').length).toBe(read('package-lock.json').split('\n').length);
    // Setting it again changes nothing.
    expect(setVersion(dir, next, '2030-01-02')).toEqual([]);
  });

  it('refuses what is not a semantic version, and a CHANGELOG without an Unreleased section', () => {
    const dir = copyTree();
    expect(() => setVersion(dir, 'v1.2')).toThrow('not a semantic version');
    writeFileSync(join(dir, 'CHANGELOG.md'), '# Changelog\n');
    expect(() => setVersion(dir, '9.9.9')).toThrow('no ## [Unreleased] section');
  });

  it('--check fails, naming the file, when one place disagrees', () => {
    const dir = copyTree();
    const chart = join(dir, 'config/helm/agentry/Chart.yaml');
    writeFileSync(chart, readFileSync(chart, 'utf8').replace(/^appVersion: .*$/m, 'appVersion: "0.0.1"'));
    writeFileSync(join(dir, 'docs/new-guide.md'), 'docker run ghcr.io/agentry-dev/agent-runtime:0.0.2 # a stale tag in a new doc\n');
    expect(checkVersions(dir).map((p) => `${p.file}: ${p.found}`)).toEqual(['config/helm/agentry/Chart.yaml: 0.0.1', 'docs/new-guide.md: 0.0.2']);
  });

  it('derives the Flux semver range: the minor line before 1.0, the major line after', () => {
    expect(compatibleRange('0.1.0')).toBe('>=0.1.0 <0.2.0');
    expect(compatibleRange('0.1.7')).toBe('>=0.1.0 <0.2.0');
    expect(compatibleRange('1.4.2')).toBe('>=1.0.0 <2.0.0');
    expect(compatibleRange('0.3.0-rc.1')).toBe('>=0.3.0-0 <0.4.0');
    expect(satisfies('0.3.0-rc.1', compatibleRange('0.3.0-rc.1'))).toBe(true);
    expect(admitsOnly('>=0.1.0 <0.2.0', '0.1.3')).toBe(true);
    expect(admitsOnly('>=0.1.0 <0.3.0', '0.1.3')).toBe(false);
    expect(admitsOnly('>=0.2.0 <0.3.0', '0.1.3')).toBe(false);
    expect(admitsOnly('~0.1', '0.1.3')).toBe(false);
    expect([compare('1.0.0-rc.1', '1.0.0'), compare('1.0.0-rc.10', '1.0.0-rc.9'), compare('1.0.0-1', '1.0.0-rc'), compare('0.10.0', '0.9.9')].map(Math.sign)).toEqual([-1, 1, -1, 1]);
    expect(releaseChangelog('# Changelog\n\n## [Unreleased]\n\n- x\n', '0.2.0', '0.1.0', '2030-01-02')).toBe(
      '# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2030-01-02\n\n- x\n\n[Unreleased]: https://github.com/agentry-dev/agentry/compare/v0.2.0...HEAD\n[0.2.0]: https://github.com/agentry-dev/agentry/compare/v0.1.0...v0.2.0\n',
    );
  });

  // The release workflow runs it with plain `node` before any npm install: Node.js 22.18+ and 23.6+
  // strip the types of a .ts file that imports nothing but Node.js itself. Under `npm test` jest runs
  // on .nvmrc's Node.js (24), which does.
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const stripsTypes = major >= 23 || (major === 22 && minor >= 18);
  (stripsTypes ? it : it.skip)('runs on plain Node.js, as the release workflow runs it (--check, --release-notes)', () => {
    const run = (...args: string[]) => execFileSync(process.execPath, ['hack/set-version.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(run('--check')).toContain(`agrees with package.json: ${VERSION}`);
    expect(run('--release-notes', VERSION).trim()).toBe(changelogSection(read('CHANGELOG.md'), VERSION));
    expect(() => run('--release-notes', '99.0.0')).toThrow('no section for 99.0.0');
  });
  it('imports nothing but Node.js itself (so that plain Node.js runs it)', () => {
    const imports = [...read('hack/set-version.ts').matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const from of imports) expect(from).toMatch(/^node:/);
  });
});
