// The runtime benchmark's measurements, each against one running runtime and the in-process fake
// model: added latency per non-streaming turn (runtime vs the fake called directly, interleaved in
// the same run), sustained throughput at a number of concurrent clients, time to the first streamed
// token, idle memory, and memory with many streams open. Every loop is bounded in time and count.
import { performance } from 'node:perf_hooks';

import type { FakeModelServer, RecordedRequest, TextTurn } from '../../../test/harness/fake-model.js';
import { summarize, type Summary } from '../stats.js';
import { sleep, withTimeout } from '../timeout.js';
import { directCompletion, directStream, sendMessage, streamMessage, type ModelRequest } from './a2a-client.js';
import type { MemorySample, MetricsSample, RuntimeProcess } from './runtime-process.js';

/** The model request the runtime made last, as a request the benchmark can send the fake itself. */
function lastModelRequest(fake: FakeModelServer): ModelRequest {
  const recorded: RecordedRequest | undefined = fake.requests[fake.requests.length - 1];
  if (recorded === undefined) throw new Error('the fake model received no request from the runtime');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (recorded.headers.authorization !== undefined) headers.authorization = recorded.headers.authorization;
  return { url: `${fake.url}${recorded.path}`, headers, body: JSON.stringify(recorded.body) };
}

function alive(runtime: RuntimeProcess): void {
  if (runtime.exited) throw new Error(`the runtime exited during the benchmark; see ${runtime.logFile}`);
}

export interface IdleResult {
  /** Right after /readyz answered. */
  atStart: MemorySample;
  /** After one request and the settle time. */
  idle: MemorySample;
  metrics: MetricsSample;
}

/** RSS right after start-up, then after one request and `settleMs` of quiet. */
export async function measureIdle(runtime: RuntimeProcess, oneRequest: () => Promise<unknown>, settleMs: number): Promise<IdleResult> {
  const atStart = await runtime.memory();
  await oneRequest();
  await sleep(settleMs);
  alive(runtime);
  const idle = await runtime.memory();
  return { atStart, idle, metrics: await runtime.metrics() };
}

export interface LatencyResult {
  requests: number;
  warmup: number;
  direct: Summary;
  runtime: Summary;
  /** Median of the per-iteration differences (each runtime request minus the direct one just before it). */
  pairedAddedP50: number;
}

/**
 * Added latency of a non-streaming turn: the fake's echo answers at once, so the runtime's
 * SendMessage minus the same Chat Completion sent to the fake directly is what the runtime adds.
 * The two alternate request by request, so a change in the machine's load hits both alike.
 */
export async function measureAddedLatency(fake: FakeModelServer, runtime: RuntimeProcess, requests: number, warmup: number): Promise<LatencyResult> {
  fake.reset();
  for (let i = 0; i < warmup; i++) await sendMessage(runtime.url);
  const modelRequest = lastModelRequest(fake);
  for (let i = 0; i < warmup; i++) await directCompletion(modelRequest);
  const direct: number[] = [];
  const viaRuntime: number[] = [];
  const paired: number[] = [];
  for (let i = 0; i < requests; i++) {
    const d = await directCompletion(modelRequest);
    const r = await sendMessage(runtime.url);
    direct.push(d);
    viaRuntime.push(r);
    paired.push(r - d);
    // No turns are scripted here: reset() only drops the fake's record of requests.
    if (i % 100 === 99) fake.reset();
  }
  alive(runtime);
  fake.reset();
  return { requests, warmup, direct: summarize(direct), runtime: summarize(viaRuntime), pairedAddedP50: summarize(paired).p50 };
}

export interface ThroughputResult {
  clients: number;
  seconds: number;
  completed: number;
  errors: number;
  firstError: string | undefined;
  rps: number;
  latency: Summary;
  /** Runtime CPU (its /metrics process_cpu_seconds_total) over the measured window, per request. */
  runtimeCpuMsPerRequest: number | undefined;
  /** Runtime CPU over the window as a share of one core. */
  runtimeCpuPercent: number | undefined;
  /** The benchmark process's own CPU (clients and fake model) as a share of one core. */
  benchCpuPercent: number;
}

/**
 * `clients` concurrent closed-loop clients, each sending SendMessage after SendMessage until
 * `durationMs` has passed or `maxRequests` have been sent in all; a one-second warm-up at the same
 * concurrency comes first and is not counted.
 */
export async function measureThroughput(fake: FakeModelServer, runtime: RuntimeProcess, clients: number, durationMs: number, maxRequests: number): Promise<ThroughputResult> {
  const loop = async (deadline: number, budget: { left: number }, latencies: number[] | undefined, errors: { count: number; first: string | undefined }) => {
    while (performance.now() < deadline && budget.left > 0) {
      budget.left--;
      try {
        const ms = await sendMessage(runtime.url);
        latencies?.push(ms);
      } catch (err) {
        errors.count++;
        errors.first ??= err instanceof Error ? err.message : String(err);
        if (errors.count > 100) throw new Error(`more than 100 failed requests at ${clients} clients; the first: ${errors.first}`, { cause: err });
      }
    }
  };
  // No turns are scripted here: reset() only drops the fake's record of requests.
  const forget = setInterval(() => fake.reset(), 1000);
  try {
    const warmupErrors = { count: 0, first: undefined };
    const warmupDeadline = performance.now() + 1000;
    const warmupBudget = { left: maxRequests };
    await withTimeout(Promise.all(Array.from({ length: clients }, () => loop(warmupDeadline, warmupBudget, undefined, warmupErrors))), 60_000, `the warm-up at ${clients} clients`);

    const latencies: number[] = [];
    const errors: { count: number; first: string | undefined } = { count: 0, first: undefined };
    const before = await runtime.metrics();
    const benchBefore = process.cpuUsage();
    const started = performance.now();
    const budget = { left: maxRequests };
    await withTimeout(Promise.all(Array.from({ length: clients }, () => loop(started + durationMs, budget, latencies, errors))), durationMs + 60_000, `${clients} clients`);
    const seconds = (performance.now() - started) / 1000;
    const bench = process.cpuUsage(benchBefore);
    const after = await runtime.metrics();
    alive(runtime);
    const cpu = before.cpuSeconds !== undefined && after.cpuSeconds !== undefined ? after.cpuSeconds - before.cpuSeconds : undefined;
    return {
      clients,
      seconds,
      completed: latencies.length,
      errors: errors.count,
      firstError: errors.first,
      rps: latencies.length / seconds,
      latency: summarize(latencies),
      runtimeCpuMsPerRequest: cpu === undefined || latencies.length === 0 ? undefined : (cpu * 1000) / latencies.length,
      runtimeCpuPercent: cpu === undefined ? undefined : (cpu / seconds) * 100,
      benchCpuPercent: ((bench.user + bench.system) / 1e6 / seconds) * 100,
    };
  } finally {
    clearInterval(forget);
    fake.reset();
  }
}

export interface FirstTokenResult {
  iterations: number;
  chunks: number;
  chunkDelayMs: number;
  runtimeFirst: Summary;
  runtimeEnd: Summary;
  directFirst: Summary;
  directEnd: Summary;
}

/**
 * Time to the first streamed token: SendStreamingMessage to a stream:true agent whose model answers
 * in `chunks` pieces `chunkDelayMs` apart, against the same streaming Chat Completion sent to the
 * fake directly (alternating, one scripted turn each). First `warmup` streams of the instant echo
 * answer, so the streaming path is as warm as the non-streaming one is when it is measured.
 */
export async function measureFirstToken(fake: FakeModelServer, runtime: RuntimeProcess, iterations: number, warmup: number, chunks: number, chunkDelayMs: number): Promise<FirstTokenResult> {
  const turn: TextTurn = { text: 'Paris is the capital of France, on the Seine, with about two million people in the city proper.', chunks, chunkDelayMs };
  fake.reset();
  for (let i = 0; i < warmup; i++) {
    await streamMessage(runtime.url);
    if (i % 100 === 99 && i < warmup - 1) fake.reset();
  }
  const modelRequest = lastModelRequest(fake);
  if (!modelRequest.body.includes('"stream":true')) throw new Error('the stream:true agent did not stream from the model');
  const runtimeFirst: number[] = [];
  const runtimeEnd: number[] = [];
  const directFirst: number[] = [];
  const directEnd: number[] = [];
  // The first two paced streams are not counted either.
  const paced = 2;
  for (let i = 0; i < paced + iterations; i++) {
    fake.script(turn);
    const viaRuntime = await streamMessage(runtime.url);
    fake.script(turn);
    const direct = await directStream(modelRequest);
    if (i < paced) continue;
    runtimeFirst.push(viaRuntime.firstTokenMs);
    runtimeEnd.push(viaRuntime.endMs);
    directFirst.push(direct.firstTokenMs);
    directEnd.push(direct.endMs);
  }
  alive(runtime);
  if (fake.turnsLeft !== 0) throw new Error(`${fake.turnsLeft} scripted turns were not taken`);
  fake.reset();
  return {
    iterations,
    chunks,
    chunkDelayMs,
    runtimeFirst: summarize(runtimeFirst),
    runtimeEnd: summarize(runtimeEnd),
    directFirst: summarize(directFirst),
    directEnd: summarize(directEnd),
  };
}

export interface StreamsResult {
  streams: number;
  streamSeconds: number;
  /** Most streams open at once (first piece received, end not yet). */
  maxOpen: number;
  completed: number;
  errors: number;
  firstError: string | undefined;
  before: MemorySample;
  /** Highest VmRSS sampled every 50 ms while the streams ran. */
  peakSampledRssBytes: number;
  /** VmHWM after the phase: the kernel's peak since the runtime started. */
  after: MemorySample;
  /** Highest /metrics process_resident_memory_bytes, scraped every second while the streams ran. */
  metricsPeakRssBytes: number | undefined;
  firstToken: Summary;
}

/** `streams` SendStreamingMessage at once against a model that streams slowly; RSS sampled while they are open. */
export async function measureConcurrentStreams(fake: FakeModelServer, runtime: RuntimeProcess, streams: number, chunks: number, chunkDelayMs: number): Promise<StreamsResult> {
  fake.reset();
  const words = Array.from({ length: chunks * 2 }, (_, i) => `word${i}`).join(' ');
  for (let i = 0; i < streams; i++) fake.script({ text: words, chunks, chunkDelayMs });
  const before = await runtime.memory();
  let open = 0;
  let maxOpen = 0;
  let peak = before.rssBytes;
  let metricsPeakRssBytes: number | undefined;
  let sampling = true;
  const sampler = (async () => {
    let scraped = 0;
    while (sampling) {
      peak = Math.max(peak, (await runtime.memory()).rssBytes);
      if (performance.now() - scraped >= 1000) {
        scraped = performance.now();
        const rss = (await runtime.metrics()).rssBytes;
        if (rss !== undefined) metricsPeakRssBytes = Math.max(metricsPeakRssBytes ?? 0, rss);
      }
      await sleep(50);
    }
  })().then(
    () => undefined,
    (err: unknown) => err,
  );
  const started = performance.now();
  const results = await withTimeout(
    Promise.allSettled(
      Array.from({ length: streams }, () => {
        let counted = false;
        return streamMessage(runtime.url, () => {
          counted = true;
          open++;
          maxOpen = Math.max(maxOpen, open);
        }).finally(() => {
          if (counted) open--;
        });
      }),
    ),
    120_000,
    `${streams} streams`,
  ).finally(() => {
    sampling = false;
  });
  const streamSeconds = (performance.now() - started) / 1000;
  const samplerError = await sampler;
  alive(runtime);
  if (samplerError !== undefined) throw new Error('sampling the runtime\'s memory failed', { cause: samplerError });
  const after = await runtime.memory();
  const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : JSON.stringify(r.reason)] : []));
  fake.reset();
  return {
    streams,
    streamSeconds,
    maxOpen,
    completed: ok.length,
    errors: failed.length,
    firstError: failed[0],
    before,
    peakSampledRssBytes: Math.max(peak, after.rssBytes),
    after,
    metricsPeakRssBytes,
    firstToken: summarize(ok.map((t) => t.firstTokenMs)),
  };
}

export interface LongStreamResult {
  chunks: number;
  turns: number;
  /** Runtime CPU (its /metrics process_cpu_seconds_total) per streamed turn. */
  cpuMsPerTurn: number | undefined;
  wall: Summary;
}

/**
 * A long streamed answer, `chunks` pieces sent at once (a real model streams about one piece per
 * token): what the runtime spends per turn, which should grow linearly with the answer's length.
 */
export async function measureLongStream(fake: FakeModelServer, runtime: RuntimeProcess, chunks: number, turns: number): Promise<LongStreamResult> {
  fake.reset();
  const text = Array.from({ length: chunks }, (_, i) => `t${i}`).join(' ');
  const before = await runtime.metrics();
  const wall: number[] = [];
  for (let i = 0; i < turns; i++) {
    fake.script({ text, chunks });
    wall.push((await streamMessage(runtime.url)).endMs);
  }
  const after = await runtime.metrics();
  alive(runtime);
  fake.reset();
  const cpu = before.cpuSeconds !== undefined && after.cpuSeconds !== undefined ? after.cpuSeconds - before.cpuSeconds : undefined;
  return { chunks, turns, cpuMsPerTurn: cpu === undefined ? undefined : (cpu * 1000) / turns, wall: summarize(wall) };
}
