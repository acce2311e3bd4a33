// `npm run bench:runtime -- [flags]`: what the agent runtime costs on top of its model. The runtime
// runs as its own process from the compiled dist/ (built first, incrementally), as its image runs
// it, against the scripted fake model of the tests (test/harness/fake-model.ts) answering at once;
// everything is on 127.0.0.1. Printed: added latency per non-streaming turn (p50/p99, against the
// fake called directly in the same run), sustained requests per second at 1, 10 and 100 concurrent
// clients, time to the first streamed token (and the runtime CPU of streaming a long answer), idle
// RSS and RSS with 100 streams open; each with the image's runtime node flags and with the
// operator's (--optimize-for-size --max-semi-space-size=2), so the table tells whether the runtime
// image should use them. Results go to .bench/runtime-*/.
//
//   npm run bench:runtime
//   npm run bench:runtime -- --duration 5 --cpu-prof
//
// Flags: --requests N (latency turns each way, default 500), --warmup N (turns before measuring,
// default 1000: V8 takes a few hundred turns to optimize the request path; after 50 the first
// latency figures were some 2 ms high), --clients 1,10,100 (concurrency levels), --duration SECONDS
// (per level, default 10), --max-requests N (per level, default 200000), --streams N (concurrent
// streams, default 100), --settle SECONDS (before the idle RSS reading, default 3), --also-flags="..."
// (node flags of one more variant, repeatable), --cpu-prof (also profile --profile-requests N
// sequential turns, default 2000, and print the top entries), --no-build (use dist/ as it is),
// --bin FILE (run another build's bin/agentry.js, e.g. of a clean checkout; nothing is built),
// --timeout SECONDS (the whole run, default 900), --out DIR (default .bench).
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { FakeModelServer } from '../../test/harness/fake-model.js';
import { IMAGE_NODE_FLAGS } from './operator-build.js';
import { round } from './stats.js';
import { withTimeout } from './timeout.js';
import { sendMessage, streamMessage } from './runtime/a2a-client.js';
import { findProfile, summarizeProfile, type ProfileSummary } from './runtime/cpu-profile.js';
import { measureAddedLatency, measureConcurrentStreams, measureFirstToken, measureIdle, measureLongStream, measureThroughput } from './runtime/phases.js';
import { RuntimeProcess, runtimeImage } from './runtime/runtime-process.js';
import { formatRuntimeReport, type RuntimeBenchResult, type VariantResult } from './runtime/runtime-report.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '1,10,100' },
    duration: { type: 'string', default: '10' },
    'max-requests': { type: 'string', default: '200000' },
    streams: { type: 'string', default: '100' },
    settle: { type: 'string', default: '3' },
    'also-flags': { type: 'string', multiple: true, default: [] },
    'cpu-prof': { type: 'boolean', default: false },
    'profile-requests': { type: 'string', default: '2000' },
    'no-build': { type: 'boolean', default: false },
    bin: { type: 'string' },
    timeout: { type: 'string', default: '900' },
    out: { type: 'string', default: '.bench' },
  },
});

function positiveInt(name: string, text: string | undefined, max = 1_000_000): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name}: expected an integer from 1 to ${max}, got ${text}`);
  return n;
}

const requests = positiveInt('--requests', values.requests, 100_000);
const warmup = positiveInt('--warmup', values.warmup, 10_000);
const clients = (values.clients ?? '').split(',').map((c) => positiveInt('--clients', c.trim(), 1000));
const durationSeconds = positiveInt('--duration', values.duration, 600);
const maxRequests = positiveInt('--max-requests', values['max-requests'], 10_000_000);
const streams = positiveInt('--streams', values.streams, 1000);
const settleMs = positiveInt('--settle', values.settle, 60) * 1000;
const profileRequests = positiveInt('--profile-requests', values['profile-requests'], 100_000);
const timeoutMs = positiveInt('--timeout', values.timeout, 7200) * 1000;
const bin = values.bin === undefined ? undefined : resolve(values.bin);
const alsoFlags = (values['also-flags'] ?? []).map((f) => f.split(/\s+/).filter(Boolean));

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const started = new Date();
const runDir = join(resolve(values.out), `runtime-${started.toISOString().replace(/[:.]/g, '-')}`);
await mkdir(runDir, { recursive: true });
const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

/** `npm run build`: tsc with the build config, incremental (dist/.tsbuildinfo). */
async function build(): Promise<void> {
  const child = spawn('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await withTimeout(
    new Promise<number | null>((res, rej) => {
      child.on('error', rej);
      child.on('close', res);
    }),
    300_000,
    'npm run build',
  );
  if (code !== 0) throw new Error(`npm run build failed (exit ${code}); fix the build or run with --no-build`);
}

const fake = await FakeModelServer.start();
const modelBaseUrl = `${fake.url}/v1`;
const running = new Set<RuntimeProcess>();

async function startRuntime(name: string, stream: boolean, nodeFlags: readonly string[], extraNodeFlags: readonly string[] = []): Promise<RuntimeProcess> {
  const runtime = await RuntimeProcess.start({ name, dir: runDir, modelBaseUrl, stream, nodeFlags, ...(bin !== undefined && { bin }) }, extraNodeFlags);
  running.add(runtime);
  return runtime;
}

async function stopRuntime(runtime: RuntimeProcess): Promise<void> {
  running.delete(runtime);
  await runtime.stop();
}

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.allSettled([...running].map((r) => r.stop()));
    running.clear();
    await fake.close();
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function measureVariant(key: string, label: string, nodeFlags: readonly string[]): Promise<VariantResult> {
  log(`[${key}] node ${nodeFlags.join(' ') || '(no flags)'}: non-streaming agent`);
  const plain = await startRuntime(`plain-${key}`, false, nodeFlags);
  let part: Pick<VariantResult, 'idle' | 'latency' | 'throughput' | 'afterLoad'>;
  try {
    const idle = await measureIdle(plain, () => sendMessage(plain.url), settleMs);
    log(`[${key}] idle RSS ${round(idle.idle.rssBytes / 1e6, 1)} MB; added latency: ${requests} turns each way`);
    const latency = await measureAddedLatency(fake, plain, requests, warmup);
    log(`[${key}] p50 direct ${round(latency.direct.p50, 2)} ms, through the runtime ${round(latency.runtime.p50, 2)} ms`);
    const throughput = [];
    for (const c of clients) {
      const level = await measureThroughput(fake, plain, c, durationSeconds * 1000, maxRequests);
      log(`[${key}] ${c} clients: ${round(level.rps, 0)} rps, p50 ${round(level.latency.p50, 2)} ms, p99 ${round(level.latency.p99, 2)} ms, ${level.errors} errors`);
      throughput.push(level);
    }
    part = { idle, latency, throughput, afterLoad: await plain.memory() };
  } finally {
    await stopRuntime(plain);
  }
  log(`[${key}] streaming agent`);
  const streaming = await startRuntime(`stream-${key}`, true, nodeFlags);
  try {
    const streamIdle = await measureIdle(streaming, () => streamMessage(streaming.url), settleMs);
    const firstToken = await measureFirstToken(fake, streaming, 20, warmup, 6, 50);
    log(`[${key}] first token p50 ${round(firstToken.runtimeFirst.p50, 2)} ms (direct ${round(firstToken.directFirst.p50, 2)} ms); ${streams} streams`);
    const longStreams = [];
    for (const chunks of [100, 1000]) {
      const long = await measureLongStream(fake, streaming, chunks, 3);
      log(`[${key}] a streamed answer of ${chunks} pieces: runtime CPU ${round(long.cpuMsPerTurn ?? Number.NaN, 1)} ms per turn`);
      longStreams.push(long);
    }
    const concurrent = await measureConcurrentStreams(fake, streaming, streams, 25, 400);
    log(`[${key}] ${streams} streams: peak RSS ${round(concurrent.peakSampledRssBytes / 1e6, 1)} MB, ${concurrent.maxOpen} open at once, ${concurrent.errors} failed`);
    return { label, nodeFlags: [...nodeFlags], command: streaming.command, ...part, streamIdle, firstToken, longStreams, streams: concurrent };
  } finally {
    await stopRuntime(streaming);
  }
}

async function profile(nodeFlags: readonly string[]): Promise<ProfileSummary> {
  const dir = join(runDir, 'cpu-prof');
  await mkdir(dir, { recursive: true });
  log(`CPU profile: ${profileRequests} sequential turns with --cpu-prof`);
  const runtime = await startRuntime('profiled', false, nodeFlags, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  let window: { startUs: number; endUs: number };
  try {
    for (let i = 0; i < warmup; i++) await sendMessage(runtime.url);
    fake.reset();
    const startUs = nowUs();
    for (let i = 0; i < profileRequests; i++) {
      await sendMessage(runtime.url);
      if (i % 100 === 99) fake.reset();
    }
    window = { startUs, endUs: nowUs() };
  } finally {
    await stopRuntime(runtime);
  }
  return summarizeProfile(await findProfile(dir), profileRequests, window);
}

async function run(): Promise<RuntimeBenchResult> {
  const loadAverageAtStart = loadavg();
  if (bin !== undefined) log(`--bin: running ${bin}, nothing built`);
  else if (values['no-build']) log('--no-build: using dist/ as it is');
  else {
    log('npm run build');
    await build();
  }
  const image = await runtimeImage();
  const imageFlags = image?.nodeFlags;
  const imageFlagsSource =
    image === undefined
      ? 'the Dockerfile has no runtime ENTRYPOINT (`node ... agentry.js runtime`): measured without flags'
      : `${image.nodeFlags.length > 0 ? image.nodeFlags.join(' ') : 'none'} (the Dockerfile's runtime ENTRYPOINT; the image is FROM ${image.baseImage ?? 'unknown'}, this run is node ${process.version})`;
  const first = imageFlags ?? [];
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((f, i) => f === b[i]);
  const second = same(first, IMAGE_NODE_FLAGS) ? [] : [...IMAGE_NODE_FLAGS];
  const variants = [await measureVariant('image', imageFlags === undefined ? 'no runtime ENTRYPOINT found' : 'runtime image', first)];
  variants.push(await measureVariant('alt', same(second, IMAGE_NODE_FLAGS) ? "the operator image's flags" : 'no flags', second));
  for (const [i, extra] of alsoFlags.entries()) variants.push(await measureVariant(`also${i + 1}`, '--also-flags', extra));
  const cpuProfile = values['cpu-prof'] ? await profile(first) : undefined;
  const cpu = cpus()[0];
  return {
    startedAt: started.toISOString(),
    durationSeconds: (Date.now() - started.getTime()) / 1000,
    machine: {
      nproc: cpus().length,
      cpuModel: cpu?.model.trim() ?? 'unknown',
      memoryGiB: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg(),
    },
    imageFlagsSource,
    settings: { requests, warmup, clients, durationSeconds, streams, bin: bin ?? 'bin/agentry.js of this checkout' },
    variants,
    ...(cpuProfile && { profile: cpuProfile }),
  };
}

let exitCode = 0;
try {
  const result = await withTimeout(run(), timeoutMs, 'the runtime benchmark');
  await writeFile(join(runDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  await new Promise<void>((done) => process.stdout.write(`\n${formatRuntimeReport(result)}\n\nresults: ${join(runDir, 'result.json')}\n`, () => done()));
} catch (err) {
  log(`runtime benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  log(`logs: ${runDir}`);
  exitCode = 1;
} finally {
  await cleanup();
}
// Keep-alive sockets of fetch would hold the process a few seconds more; nothing is left to do.
process.exit(exitCode);
