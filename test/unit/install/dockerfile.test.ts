// The Dockerfile, without a Docker engine (there is none here): it lints clean, and its structure
// is what the two images need: a pinned Node.js LTS base, a build stage, production dependencies
// only in the operator and agent-runtime images, a numeric non-root user, and a build context that
// holds exactly what it copies. test/integration/install-package.test.ts runs what the runtime stage runs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { validate, ValidationSeverity } from 'dockerfile-utils';

import { REPO_ROOT } from './support/paths.js';
import { IMAGE_NODE_FLAGS } from '../../../hack/bench/operator-build.js';
import { DEFAULT_AGENT_RUNTIME_IMAGE } from '../../../src/config/operator-config.js';
import { AGENT_SERVICE_PORT } from '../../../src/render/runtime-contract.js';

const DOCKERFILE = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions with their continuation lines joined; comments and blank lines dropped. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (pending === undefined && (line === '' || line.startsWith('#'))) continue;
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1).trim() : line;
    pending = pending ? { text: `${pending.text} ${part}`, line: pending.line } : { text: part, line: i + 1 };
    if (continued) continue;
    const [keyword = '', ...rest] = pending.text.split(/\s+/);
    out.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: pending.line });
    pending = undefined;
  }
  return out;
}

function stages(text: string): Stage[] {
  const out: Stage[] = [];
  for (const ins of instructions(text)) {
    if (ins.keyword === 'FROM') {
      const [image = '', as, name] = ins.args.split(/\s+/);
      out.push({ from: image, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] });
    } else {
      out.at(-1)?.instructions.push(ins);
    }
  }
  return out;
}

const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const last = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).at(-1)?.args;

/** Whether the build context keeps `path`, by .dockerignore's rule: the last matching pattern wins. */
function inContext(path: string): boolean {
  let kept = true;
  for (const raw of DOCKERIGNORE.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
    const regex = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}(/.*)?$`);
    if (regex.test(path)) kept = negated;
  }
  return kept;
}

describe('the Dockerfile', () => {
  const all = stages(DOCKERFILE);
  const [build, deps, agentRuntime, operator, ...extra] = all;
  const images = [
    ['agent-runtime', agentRuntime],
    ['operator', operator],
  ] as const;

  it('passes the Dockerfile linter (dockerfile-utils) with every check an error', () => {
    const severity = ValidationSeverity.ERROR;
    const problems = validate(DOCKERFILE, {
      deprecatedMaintainer: severity,
      directiveCasing: severity,
      emptyContinuationLine: severity,
      instructionCasing: severity,
      instructionCmdMultiple: severity,
      instructionEntrypointMultiple: severity,
      instructionHealthcheckMultiple: severity,
      instructionJSONInSingleQuotes: severity,
      instructionWorkdirRelative: severity,
    });
    const text = (m: string | { value: string }) => (typeof m === 'string' ? m : m.value);
    expect(problems.map((p) => `line ${p.range.start.line + 1}: ${text(p.message)}`)).toEqual([]);
  });

  it('has build, production-dependencies, agent-runtime and operator stages on one pinned Node.js LTS image; the operator is the default target', () => {
    expect(extra).toEqual([]);
    expect(all.map((s) => s.name)).toEqual(['build', 'production-dependencies', 'agent-runtime', 'operator']);
    for (const stage of all) expect(stage.from).toBe(build?.from);
    const match = /^node:(\d+)\.\d+\.\d+-(bookworm|trixie)-slim(@sha256:[0-9a-f]{64})?$/.exec(build?.from ?? '');
    expect({ from: build?.from, pinned: match !== null }).toEqual({ from: build?.from, pinned: true });
    const major = Number(match?.[1]);
    // Even majors become LTS; package.json's engines must admit it.
    expect(major % 2).toBe(0);
    const engines = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(major).toBeGreaterThanOrEqual(Number(/\d+/.exec(engines)?.[0]));
  });

  it('compiles in the build stage with the dev dependencies, exactly as the lockfile has them', () => {
    if (!build) throw new Error('no build stage');
    expect(runs(build)).toEqual([expect.stringMatching(/^npm ci --ignore-scripts\b/), 'npm run build']);
    expect(runs(build)[0]).not.toContain('--omit=dev');
  });

  it('installs production dependencies only, once, for both images', () => {
    if (!deps) throw new Error('no production-dependencies stage');
    expect(runs(deps)).toEqual([expect.stringMatching(/^npm ci --omit=dev --ignore-scripts\b/)]);
  });

  it.each(images)('the %s image holds the production dependencies and the compiled code only, and runs as a numeric non-root user', (_name, image) => {
    if (!image) throw new Error('missing stage');
    expect(runs(image)).toEqual([]);
    const copies = image.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toEqual(['--from=production-dependencies /app/node_modules ./node_modules', 'package.json ./', 'bin ./bin', '--from=build /app/dist ./dist']);
    expect(image.instructions.find((i) => i.keyword === 'ENV')?.args).toBe('NODE_ENV=production');
    expect(last(image, 'WORKDIR')).toBe('/app');
    expect(last(image, 'USER') ?? '').toMatch(/^[1-9][0-9]*(:[0-9]+)?$/);
  });

  it('runs the agentry CLI: the operator with `run` by default, the agent runtime with `runtime` (the operator renders only its arguments)', () => {
    if (!operator || !agentRuntime) throw new Error('missing stage');
    // With the V8 flags the benchmark measures (npm run bench runs the operator with the same ones).
    expect(JSON.parse(last(operator, 'ENTRYPOINT') ?? 'null')).toEqual(['node', ...IMAGE_NODE_FLAGS, '/app/bin/agentry.js']);
    expect(JSON.parse(last(operator, 'CMD') ?? 'null')).toEqual(['run']);
    expect(JSON.parse(last(agentRuntime, 'ENTRYPOINT') ?? 'null')).toEqual(['node', '/app/bin/agentry.js', 'runtime']);
    expect(last(agentRuntime, 'CMD')).toBeUndefined();
    expect(last(agentRuntime, 'EXPOSE')).toBe(String(AGENT_SERVICE_PORT));
    // The shim loads the compiled CLI from ../dist, which the build stage writes from src/.
    expect(readFileSync(join(REPO_ROOT, 'bin/agentry.js'), 'utf8')).toContain("'../dist/cli/main.js'");
    expect(existsSync(join(REPO_ROOT, 'src/cli/main.ts'))).toBe(true);
    const buildConfig = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } };
    expect(buildConfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
  });

  it("the operator config's default runtime image is the agent-runtime image of this version", () => {
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(DEFAULT_AGENT_RUNTIME_IMAGE).toBe(`ghcr.io/agentry-dev/agent-runtime:${version}`);
    expect(DOCKERFILE).toContain(`--target agent-runtime -t ${DEFAULT_AGENT_RUNTIME_IMAGE} .`);
  });

  it('copies only what exists and what .dockerignore lets into the build context', () => {
    const sources = all
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from='))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: existsSync(join(REPO_ROOT, source)), inContext: inContext(source) }).toEqual({ source, exists: true, inContext: true });
    }
    // What must never reach the context: host dependencies and output, secrets, the test suite.
    for (const path of ['node_modules', 'node_modules/yaml/package.json', 'dist/cli/main.js', '.git/config', 'test/unit', 'kubeconfig', '.env']) {
      expect({ path, inContext: inContext(path) }).toEqual({ path, inContext: false });
    }
  });
});
