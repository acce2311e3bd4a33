// The runtime benchmark's results: one JSON document (kept under .bench/) and one markdown table for
// the terminal and the README, a column per node-flag variant of the runtime.
import { round, type Summary } from '../stats.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { FirstTokenResult, IdleResult, LatencyResult, LongStreamResult, StreamsResult, ThroughputResult } from './phases.js';
import type { MemorySample } from './runtime-process.js';

export const TARGET_ADDED_P50_MS = 2;
/** 70 MB, decimal: the stricter reading of the target (memory is reported in MB throughout). */
export const TARGET_IDLE_RSS_BYTES = 70_000_000;

export interface VariantResult {
  label: string;
  nodeFlags: string[];
  command: string;
  idle: IdleResult;
  latency: LatencyResult;
  throughput: ThroughputResult[];
  afterLoad: MemorySample;
  streamIdle: IdleResult;
  firstToken: FirstTokenResult;
  longStreams: LongStreamResult[];
  streams: StreamsResult;
}

export interface RuntimeBenchResult {
  startedAt: string;
  durationSeconds: number;
  machine: { nproc: number; cpuModel: string; memoryGiB: number; node: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  /** Where the image's runtime node flags came from. */
  imageFlagsSource: string;
  settings: { requests: number; warmup: number; clients: number[]; durationSeconds: number; streams: number; bin: string };
  variants: VariantResult[];
  profile?: ProfileSummary;
}

const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? 'n/a' : `${round(v, v < 10 ? 2 : 1)} ms`);
const pair = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)}`;
const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${round(bytes / 1e6, 1)} MB`);
const x = (a: number, b: number) => (b > 0 ? `${round(a / b, 2)}x` : 'n/a');
const pct = (v: number | undefined) => (v === undefined ? 'n/a' : `${round(v, 0)} %`);

function markdownTable(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(3, ...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (r: string[]) => `| ${r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const [header, ...body] = rows;
  return [line(header ?? []), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

function variantRows(variants: readonly VariantResult[], clients: readonly number[]): string[][] {
  const row = (name: string, cell: (v: VariantResult) => string, target = ''): string[] => [name, ...variants.map(cell), target];
  const added = (v: VariantResult) => v.latency.runtime.p50 - v.latency.direct.p50;
  const rows: string[][] = [
    row('non-streaming turn, fake model directly (p50 / p99)', (v) => pair(v.latency.direct)),
    row('non-streaming turn, through the runtime (p50 / p99)', (v) => pair(v.latency.runtime)),
    row('added latency (p50 / p99)', (v) => `${ms(added(v))} / ${ms(v.latency.runtime.p99 - v.latency.direct.p99)}`),
    row('added latency, median of paired differences', (v) => ms(v.latency.pairedAddedP50)),
    row('runtime / direct (p50 / p99)', (v) => `${x(v.latency.runtime.p50, v.latency.direct.p50)} / ${x(v.latency.runtime.p99, v.latency.direct.p99)}`),
    row(`target: added p50 <= ${TARGET_ADDED_P50_MS} ms`, (v) => (added(v) <= TARGET_ADDED_P50_MS ? 'met' : 'NOT met'), `<= ${TARGET_ADDED_P50_MS} ms`),
  ];
  for (const c of clients) {
    rows.push(
      row(`sustained, ${c} client${c === 1 ? '' : 's'}: rps (p50 / p99)`, (v) => {
        const t = v.throughput.find((r) => r.clients === c);
        if (t === undefined) return 'n/a';
        return `${round(t.rps, 0)} rps (${pair(t.latency)})${t.errors > 0 ? `, ${t.errors} errors` : ''}`;
      }),
    );
  }
  for (const c of clients) {
    rows.push(
      row(`runtime CPU per request, ${c} client${c === 1 ? '' : 's'} (CPU use; bench process)`, (v) => {
        const t = v.throughput.find((r) => r.clients === c);
        return t === undefined ? 'n/a' : `${ms(t.runtimeCpuMsPerRequest)} (${pct(t.runtimeCpuPercent)}; ${pct(t.benchCpuPercent)})`;
      }),
    );
  }
  rows.push(
    row('first streamed token, through the runtime (p50 / p99)', (v) => pair(v.firstToken.runtimeFirst)),
    row('first streamed token, fake model directly (p50 / p99)', (v) => pair(v.firstToken.directFirst)),
    row('first token added (p50); runtime / direct', (v) => `${ms(v.firstToken.runtimeFirst.p50 - v.firstToken.directFirst.p50)}; ${x(v.firstToken.runtimeFirst.p50, v.firstToken.directFirst.p50)}`),
    row('end of stream, runtime / direct (p50)', (v) => `${ms(v.firstToken.runtimeEnd.p50)} / ${ms(v.firstToken.directEnd.p50)}`),
  );
  for (const chunks of variants[0]?.longStreams.map((l) => l.chunks) ?? []) {
    rows.push(
      row(`streamed answer of ${chunks} pieces at once: runtime CPU per turn (per piece); wall p50`, (v) => {
        const l = v.longStreams.find((r) => r.chunks === chunks);
        if (l === undefined) return 'n/a';
        return `${ms(l.cpuMsPerTurn)} (${l.cpuMsPerTurn === undefined ? 'n/a' : ms(l.cpuMsPerTurn / chunks)}); ${ms(l.wall.p50)}`;
      }),
    );
  }
  rows.push(
    row('RSS right after start-up (VmRSS)', (v) => mb(v.idle.atStart.rssBytes)),
    row('idle RSS: VmRSS / metrics process_resident_memory_bytes', (v) => `${mb(v.idle.idle.rssBytes)} / ${mb(v.idle.metrics.rssBytes)}`),
    row('idle heap used (metrics)', (v) => mb(v.idle.metrics.heapUsedBytes)),
    row('idle RSS, stream:true agent (VmRSS)', (v) => mb(v.streamIdle.idle.rssBytes)),
    row(`target: idle RSS <= ${mb(TARGET_IDLE_RSS_BYTES)}`, (v) => (v.idle.idle.rssBytes <= TARGET_IDLE_RSS_BYTES ? 'met' : 'NOT met'), `<= ${mb(TARGET_IDLE_RSS_BYTES)}`),
    row('RSS after the throughput runs (VmRSS / VmHWM)', (v) => `${mb(v.afterLoad.rssBytes)} / ${mb(v.afterLoad.peakRssBytes)}`),
  );
  const streams = variants[0]?.streams.streams ?? 0;
  rows.push(
    row(`${streams} concurrent streams: peak VmRSS sampled (most open at once)`, (v) => `${mb(v.streams.peakSampledRssBytes)} (${v.streams.maxOpen} open)`),
    row(`${streams} concurrent streams: peak metrics RSS (1 s scrapes); VmHWM`, (v) => `${mb(v.streams.metricsPeakRssBytes)}; ${mb(v.streams.after.peakRssBytes)}`),
    row(`${streams} concurrent streams: completed, first token p50 / p99`, (v) => `${v.streams.completed}/${v.streams.streams}${v.streams.errors > 0 ? ` (${v.streams.errors} failed)` : ''}, ${pair(v.streams.firstToken)}`),
  );
  return rows;
}

function profileSection(p: ProfileSummary): string[] {
  const entries = (list: ProfileSummary['topSelf']) => list.map((e) => [e.name, `${round(e.ms, 0)} ms`, `${round(e.percent, 1)} %`]);
  return [
    `CPU profile (--cpu-prof) of ${p.requests} sequential SendMessage turns${p.windowed ? '' : ' (with start-up and shutdown: the window matched no sample)'}: ` +
      `${round(p.busyMs, 0)} ms busy, ${ms(p.busyMsPerRequest)} per turn (${p.file})`,
    '',
    markdownTable([['top self time', 'self', 'of busy'], ...entries(p.topSelf)]),
    '',
    markdownTable([['package (inclusive: on the stack)', 'time', 'of busy'], ...entries(p.packagesInclusive)]),
    '',
  ];
}

export function formatRuntimeReport(r: RuntimeBenchResult): string {
  const m = r.machine;
  const load = (l: number[]) => l.map((v) => round(v, 1)).join('/');
  const lines: string[] = [];
  if (r.profile) lines.push(...profileSection(r.profile));
  lines.push(
    `Agentry runtime benchmark (${r.startedAt}, ${round(r.durationSeconds, 0)} s): fake OpenAI model answering at once, everything on 127.0.0.1`,
    `machine: nproc ${m.nproc} (${m.cpuModel}), ${m.memoryGiB} GiB, node ${m.node}, load ${load(m.loadAverageAtStart)} at start, ${load(m.loadAverageAtEnd)} at end`,
    `latency: ${r.settings.requests} turns each way after ${r.settings.warmup} warm-up, direct and runtime alternating; throughput: ${r.settings.durationSeconds} s per level after 1 s warm-up`,
    `runtime: ${r.settings.bin}; image runtime node flags: ${r.imageFlagsSource}`,
    '',
    markdownTable([['measure', ...r.variants.map((v) => `node ${v.nodeFlags.length > 0 ? v.nodeFlags.join(' ') : '(no flags)'}${v.label ? ` [${v.label}]` : ''}`), 'target'], ...variantRows(r.variants, r.settings.clients)]),
  );
  return lines.join('\n');
}
