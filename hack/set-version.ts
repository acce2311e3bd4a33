// One version source: package.json's `version`. Everything else that names Agentry's version (the
// chart's version and appVersion, the image tags in the chart, kustomize and the docs, the operator
// config's default runtime image, the Dockerfile's examples, the operator's User-Agent, the Flux
// examples' refs, the CHANGELOG) is derived from it, and this script writes or checks all of them:
//
//   npx tsx hack/set-version.ts 0.2.0        # set: package.json, the lockfile and every site below
//   npx tsx hack/set-version.ts --check      # every site agrees with package.json (exit 1 if not)
//   npx tsx hack/set-version.ts --release-notes [0.2.0]   # that version's CHANGELOG section, for the release
//
// It imports nothing but Node.js itself, so Node.js 24 runs it without tsx (`node hack/set-version.ts`,
// type stripping): the release workflow does, before any npm install.
// test/unit/install/version-source.test.ts runs the check, and sets a version in a copy of the tree.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A semantic version (https://semver.org), as npm writes package.json's `version`. */
export const SEMVER = '\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?';
const SEMVER_ONLY = new RegExp(`^${SEMVER}$`);

export const REPOSITORY = 'https://github.com/agentry-dev/agentry';
export const IMAGES = ['ghcr.io/agentry-dev/agentry', 'ghcr.io/agentry-dev/agent-runtime'] as const;
export const CHART = 'oci://ghcr.io/agentry-dev/charts/agentry';

/**
 * One place that names the version: in `file`, every match of `pattern` (global; its group `v` is
 * the part that carries the version) must read `expected(version)` (or pass `accepts`, where more
 * than one value is right), and there must be at least `min` matches (default 1), so that a site
 * that disappears is noticed too. Setting a version writes `expected(version)` into every match.
 */
export interface VersionSite {
  file: string;
  what: string;
  pattern: RegExp;
  expected: (version: string) => string;
  accepts?: (found: string, version: string) => boolean;
  min?: number;
  /** Only checked: setting a version leaves these matches as they are. */
  checkOnly?: boolean;
}

const same = (version: string): string => version;
const quoted = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

interface Parsed {
  core: [number, number, number];
  pre: string[];
}

export function parse(version: string): Parsed {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(version);
  if (!m) throw new Error(`${version} is not a semantic version`);
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] };
}

/** semver precedence: negative when a < b (build metadata ignored, a prerelease below its release). */
export function compare(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return (x.core[i] ?? 0) - (y.core[i] ?? 0);
  if (x.pre.length === 0 || y.pre.length === 0) return y.pre.length - x.pre.length;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const [p, q] = [x.pre[i], y.pre[i]];
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    if (p === q) continue;
    const [pn, qn] = [/^\d+$/.test(p), /^\d+$/.test(q)];
    if (pn && qn) return Number(p) - Number(q);
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

/** Whether `version` satisfies `range`: space-separated comparators (`>=0.1.0 <0.2.0`), as Flux's semver refs take them. */
export function satisfies(version: string, range: string): boolean {
  return range
    .trim()
    .split(/\s+/)
    .every((comparator) => {
      const m = /^(>=|<=|>|<|=)?v?(\S+)$/.exec(comparator);
      if (!m?.[2]) throw new Error(`unsupported semver comparator ${comparator} in ${range}`);
      const c = compare(version, m[2]);
      return { '>=': c >= 0, '<=': c <= 0, '>': c > 0, '<': c < 0, '=': c === 0 }[m[1] ?? '='];
    });
}

/** `>=0.m.0 <0.(m+1).0` for 0.x (a minor is breaking), `>=M.0.0 <(M+1).0.0` from 1.0 on. */
export function compatibleRange(version: string): string {
  const [major = 0, minor = 0] = parse(version).core;
  const pre = parse(version).pre.length > 0 ? '-0' : '';
  return major === 0 ? `>=0.${minor}.0${pre} <0.${minor + 1}.0` : `>=${major}.0.0${pre} <${major + 1}.0.0`;
}

/** The next version that may break users of `version`: what a pinned range must exclude. */
export function nextBreaking(version: string): string {
  const [major = 0, minor = 0] = parse(version).core;
  return major === 0 ? `0.${minor + 1}.0` : `${major + 1}.0.0`;
}

/** A range that admits `version` and excludes the next version that may break its users. */
export function admitsOnly(range: string, version: string): boolean {
  try {
    return satisfies(version, range) && !satisfies(nextBreaking(version), range);
  } catch {
    return false;
  }
}

export const VERSION_SITES: readonly VersionSite[] = [
  { file: 'package-lock.json', what: "the lockfile's version", pattern: /^\{\n {2}"name": "agentry",\n {2}"version": "(?<v>[^"]*)"/g, expected: same },
  { file: 'package-lock.json', what: "the lockfile's root package version", pattern: /^ {4}"": \{\n {6}"name": "agentry",\n {6}"version": "(?<v>[^"]*)"/gm, expected: same },
  { file: 'config/helm/agentry/Chart.yaml', what: "the chart's version", pattern: /^version: (?<v>\S*)$/gm, expected: same },
  { file: 'config/helm/agentry/Chart.yaml', what: "the chart's appVersion (the operator image's default tag)", pattern: /^appVersion: "(?<v>[^"]*)"$/gm, expected: same },
  { file: 'config/helm/agentry/values.yaml', what: "the chart's default agent-runtime image", pattern: /^ {4}image: ghcr\.io\/agentry-dev\/agent-runtime:(?<v>\S*)$/gm, expected: same },
  { file: 'src/config/operator-config.ts', what: 'DEFAULT_AGENT_RUNTIME_IMAGE', pattern: /DEFAULT_AGENT_RUNTIME_IMAGE = 'ghcr\.io\/agentry-dev\/agent-runtime:(?<v>[^']*)'/g, expected: same },
  { file: 'Dockerfile', what: "the header's agent-runtime build example", pattern: /--target agent-runtime -t ghcr\.io\/agentry-dev\/agent-runtime:(?<v>\S*) \./g, expected: same },
  { file: 'Dockerfile', what: "the header's operator build example", pattern: /docker build -t ghcr\.io\/agentry-dev\/agentry:(?<v>\S*) \./g, expected: same },
  { file: 'config/operator/kustomization.yaml', what: "kustomize's operator image tag", pattern: /^ {4}newTag: (?<v>\S*)$/gm, expected: same },
  { file: 'config/default/kustomization.yaml', what: "config/default's description of its image", pattern: /ghcr\.io\/agentry-dev\/agentry:(?<v>[^\s:]*):/g, expected: same },
  { file: 'src/operator/operator.ts', what: "the operator's default User-Agent", pattern: /`\$\{COMPONENT\}\/(?<v>[^`]*)`/g, expected: same },
  { file: 'src/cli/run-command.ts', what: "`agentry run --help`'s default User-Agent", pattern: /\(default agentry\/(?<v>[^)]*)\)/g, expected: same },
  { file: 'hack/bench/operator-phase.ts', what: "the benchmark's operator User-Agent", pattern: /OPERATOR_USER_AGENT = 'agentry\/(?<v>[^']*)'/g, expected: same },
  { file: 'README.md', what: "the README's helm install from the chart registry", pattern: /helm install agentry oci:\/\/ghcr\.io\/agentry-dev\/charts\/agentry --version (?<v>\S*)/g, expected: same },
  { file: 'README.md', what: "the README's CRDs release asset", pattern: /\/releases\/download\/v(?<v>[^/\s]*)\/agentry-crds\.yaml/g, expected: same },
  { file: 'docs/releasing.md', what: "docs/releasing.md's cosign verify (the tag in the signing identity)", pattern: /@refs\/tags\/v(?<v>[^\s\\]*)/g, expected: same },
  { file: 'config/helm/agentry/README.md', what: "the chart README's install", pattern: /helm install agentry oci:\/\/ghcr\.io\/agentry-dev\/charts\/agentry --version (?<v>\S*)/g, expected: same },
  // The Flux examples pin a release, by tag (`tag: v0.1.0` on the GitRepository, `tag: 0.1.0` on the
  // chart's OCIRepository) or by a semver range that admits this version and not the next breaking
  // one (test/unit/install/version-source.test.ts also reads them as objects).
  ...(['config/flux/kustomize/agentry.yaml', 'config/flux/helm/agentry.yaml'] as const).flatMap((file): VersionSite[] => [
    { file, what: 'a source ref that pins a release (tag or semver)', pattern: /^ {2}ref:\n(?:[ \t]*#.*\n)*[ \t]+(?<v>[a-zA-Z]+):/gm, expected: () => 'tag or semver', accepts: (found) => found === 'tag' || found === 'semver', checkOnly: true },
    { file, what: 'the source ref tag', pattern: /^ {4}tag: "?v?(?<v>[^"\s]*)"?$/gm, expected: same, min: 0 },
    { file, what: 'the source ref semver range', pattern: /^ {4}semver: "(?<v>[^"]*)"$/gm, expected: compatibleRange, accepts: admitsOnly, min: 0 },
  ]),
  { file: 'docs/flux.md', what: "docs/flux.md's semver range", pattern: /semver range `(?<v>[^`]*)`/g, expected: compatibleRange, accepts: admitsOnly, min: 0 },
  // docs/flux.md shows the examples' files as they are (test/unit/install/flux.test.ts): its copies move with them.
  { file: 'docs/flux.md', what: "docs/flux.md's copies of the examples' semver refs", pattern: /^ {4}semver: "(?<v>[^"]*)"$/gm, expected: compatibleRange, accepts: admitsOnly, min: 0 },
];

/**
 * Besides those sites, every tagged reference to Agentry's images under these paths carries the
 * version (a new doc or golden file cannot name a stale one). Not scanned: inputs that name another
 * tag on purpose (test/fixtures/valid: an Agent that overrides the image), CHANGELOG.md (history).
 */
export const IMAGE_SCAN_ROOTS = ['README.md', 'Dockerfile', 'docs', 'config', 'src', 'test/fixtures/render'] as const;
const SCANNED = /\.(md|ya?ml|json|ts|tpl|txt)$|(^|\/)Dockerfile$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git']);
/** `:latest` is no version (config/manager's placeholder, replaced by kustomize's `images`). */
export const IMAGE_REFERENCE = new RegExp(`(?:${IMAGES.map(quoted).join('|')}):(?<v>${SEMVER})(?![\\w.-])`, 'g');

function files(root: string, path: string): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return SCANNED.test(path) ? [path] : [];
  return readdirSync(full)
    .filter((name) => !SKIPPED_DIRS.has(name))
    .sort()
    .flatMap((name) => files(root, `${path}/${name}`));
}

export function imageScanFiles(root: string): string[] {
  return IMAGE_SCAN_ROOTS.flatMap((path) => files(root, path));
}

export function packageVersion(root: string): string {
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown }).version;
  if (typeof version !== 'string' || !SEMVER_ONLY.test(version)) throw new Error(`package.json: version ${String(version)} is not a semantic version`);
  return version;
}

/** A CHANGELOG.md section (Keep a Changelog: `## [0.1.0] - 2026-12-01`), without its heading; undefined when missing. */
export function changelogSection(changelog: string, version: string): string | undefined {
  const heading = new RegExp(`^## \\[${quoted(version)}\\](?: - \\d{4}-\\d{2}-\\d{2})?[ \\t]*$`, 'm');
  const start = heading.exec(changelog);
  if (!start) return undefined;
  const rest = changelog.slice(start.index + start[0].length);
  const end = /^## |^\[[^\]]+\]: /m.exec(rest);
  return (end ? rest.slice(0, end.index) : rest).trim();
}

export interface Problem {
  file: string;
  what: string;
  found: string;
  expected: string;
}

/** Everything that disagrees with `version` (package.json's by default); empty when all agree. */
export function checkVersions(root: string, version = packageVersion(root)): Problem[] {
  const problems: Problem[] = [];
  const read = (file: string): string | undefined => (existsSync(join(root, file)) ? readFileSync(join(root, file), 'utf8') : undefined);
  for (const site of VERSION_SITES) {
    const text = read(site.file);
    const matches = text === undefined ? [] : [...text.matchAll(site.pattern)];
    const expected = site.expected(version);
    if (matches.length < (site.min ?? 1)) problems.push({ file: site.file, what: site.what, found: text === undefined ? '(no such file)' : '(not found)', expected });
    const accepts = site.accepts ?? ((found: string) => found === expected);
    for (const m of matches) if (!accepts(m.groups?.v ?? '', version)) problems.push({ file: site.file, what: site.what, found: m.groups?.v ?? '', expected });
  }
  for (const file of imageScanFiles(root)) {
    for (const m of (read(file) ?? '').matchAll(IMAGE_REFERENCE)) {
      if (m.groups?.v !== version) problems.push({ file, what: `image reference ${m[0]}`, found: m.groups?.v ?? '', expected: version });
    }
  }
  const changelog = read('CHANGELOG.md');
  if (!changelog || !changelogSection(changelog, version)) problems.push({ file: 'CHANGELOG.md', what: 'a non-empty section for the version', found: '(none)', expected: `## [${version}] - YYYY-MM-DD` });
  return problems;
}

/** `text` with group `v` of every match of `pattern` replaced by `value`. */
function replaceGroup(text: string, pattern: RegExp, value: string): string {
  const withIndices = new RegExp(pattern.source, pattern.flags.includes('d') ? pattern.flags : `${pattern.flags}d`);
  let out = '';
  let at = 0;
  for (const m of text.matchAll(withIndices)) {
    const span = m.indices?.groups?.v;
    if (!span) continue;
    out += text.slice(at, span[0]) + value;
    at = span[1];
  }
  return out + text.slice(at);
}

/** A new `## [Unreleased]` above the old one's entries, which become `## [version] - today`; links too. */
export function releaseChangelog(changelog: string, version: string, previous: string, today: string): string {
  if (changelogSection(changelog, version) !== undefined) return changelog;
  const unreleased = /^## \[Unreleased\][ \t]*$/m;
  if (!unreleased.test(changelog)) throw new Error('CHANGELOG.md: no ## [Unreleased] section to release');
  let out = changelog.replace(unreleased, `## [Unreleased]\n\n## [${version}] - ${today}`);
  const link = /^\[Unreleased\]: .*$/m;
  const links = `[Unreleased]: ${REPOSITORY}/compare/v${version}...HEAD\n[${version}]: ${REPOSITORY}/compare/v${previous}...v${version}`;
  out = link.test(out) ? out.replace(link, links) : `${out.trimEnd()}\n\n${links}\n`;
  return out;
}

/** Writes `version` into package.json and every site; returns the files it changed. */
export function setVersion(root: string, version: string, today = new Date().toISOString().slice(0, 10)): string[] {
  if (!SEMVER_ONLY.test(version)) throw new Error(`${version} is not a semantic version (such as 0.2.0 or 1.0.0-rc.1)`);
  const previous = packageVersion(root);
  const contents = new Map<string, string>();
  const get = (file: string): string => contents.get(file) ?? readFileSync(join(root, file), 'utf8');
  contents.set('package.json', get('package.json').replace(/^( {2}"version": ")[^"]*(")/m, `$1${version}$2`));
  for (const site of VERSION_SITES) {
    if (site.checkOnly || !existsSync(join(root, site.file))) continue;
    contents.set(site.file, replaceGroup(get(site.file), site.pattern, site.expected(version)));
  }
  for (const file of imageScanFiles(root)) contents.set(file, replaceGroup(get(file), IMAGE_REFERENCE, version));
  if (existsSync(join(root, 'CHANGELOG.md'))) contents.set('CHANGELOG.md', releaseChangelog(get('CHANGELOG.md'), version, previous, today));
  const changed: string[] = [];
  for (const [file, text] of contents) {
    if (text === readFileSync(join(root, file), 'utf8')) continue;
    writeFileSync(join(root, file), text);
    changed.push(file);
  }
  return changed.sort();
}

function main(args: string[]): number {
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const [first, second] = args;
  if (first === '--check') {
    const problems = checkVersions(root);
    for (const p of problems) console.error(`${p.file}: ${p.what}: ${p.found}, expected ${p.expected}`);
    if (problems.length > 0) {
      console.error(`${problems.length} place(s) disagree with package.json's version; npx tsx hack/set-version.ts ${packageVersion(root)} rewrites them`);
      return 1;
    }
    console.log(`every version site agrees with package.json: ${packageVersion(root)}`);
    return 0;
  }
  if (first === '--release-notes') {
    const version = second ?? packageVersion(root);
    const section = changelogSection(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version);
    if (!section) {
      console.error(`CHANGELOG.md has no section for ${version}`);
      return 1;
    }
    console.log(section);
    return 0;
  }
  if (first === undefined || first.startsWith('-') || second !== undefined) {
    console.error('usage: set-version.ts VERSION | --check | --release-notes [VERSION]');
    return 2;
  }
  const changed = setVersion(root, first);
  for (const file of changed) console.log(`${relative(root, join(root, file))}`);
  const problems = checkVersions(root, first);
  for (const p of problems) console.error(`still disagrees: ${p.file}: ${p.what}: ${p.found}`);
  return problems.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exitCode = main(process.argv.slice(2));
