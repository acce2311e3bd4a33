// Reads a V8 .cpuprofile (what `node --cpu-prof` writes on exit) into the two views that show where
// a request's CPU goes: the functions with the most self time, and each package's inclusive time
// (samples with any frame of the package on the stack), as shares of the busy (non-idle) time.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  requests: number;
  /** Whether only the samples taken while the requests ran were counted (start-up and shutdown left out). */
  windowed: boolean;
  busyMs: number;
  busyMsPerRequest: number;
  topSelf: ProfileEntry[];
  packagesInclusive: ProfileEntry[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);
/** Inclusive time of these says nothing: the event loop's own frames are under nearly every sample. */
const ON_EVERY_STACK = new Set(['(native)', 'node (internals)']);

/** node_modules/<pkg> (scoped too), node:<module>, agentry's own dist/<dir>, or the frame's special name. */
function packageOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') return SPECIAL.has(functionName) ? functionName : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm?.[1]) return nm[1];
  if (url.startsWith('node:')) return url.startsWith('node:internal') ? 'node (internals)' : url;
  const dist = /\/dist\/([^/]+)\//.exec(url);
  if (dist?.[1]) return `agentry dist/${dist[1]}`;
  return url.replace(/^file:\/\/.*\//, '');
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) return url.slice(nm + 'node_modules/'.length);
  const dist = url.lastIndexOf('/dist/');
  if (dist !== -1) return url.slice(dist + 1);
  return url;
}

/** The newest .cpuprofile in `dir`. */
export async function findProfile(dir: string): Promise<string> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort();
  const last = files[files.length - 1];
  if (last === undefined) throw new Error(`no .cpuprofile in ${dir} (did the runtime exit cleanly?)`);
  return join(dir, last);
}

/**
 * `window` is in microseconds of CLOCK_MONOTONIC (process.hrtime here, V8's TimeTicks in the
 * profiled process): only samples inside it are counted, unless none is (then all are).
 */
export async function summarizeProfile(file: string, requests: number, window?: { startUs: number; endUs: number }, top = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const times: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) times.push((t += delta));
  const inWindow = (i: number) => window === undefined || ((times[i] ?? 0) >= window.startUs && (times[i] ?? 0) <= window.endUs);
  const windowed = window !== undefined && profile.samples.some((_, i) => inWindow(i));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (windowed && !inWindow(i)) return;
    if (node === undefined || node.callFrame.functionName === '(idle)') return;
    busyUs += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = url === '' ? functionName : `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame === undefined || frame.functionName === '(root)') continue;
      seen.add(packageOf(frame));
    }
    for (const pkg of seen) if (!ON_EVERY_STACK.has(pkg)) inclusive.set(pkg, (inclusive.get(pkg) ?? 0) + us);
  });
  const entries = (map: Map<string, number>): ProfileEntry[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, percent: busyUs === 0 ? 0 : (us / busyUs) * 100 }));
  return {
    file,
    requests,
    windowed,
    busyMs: busyUs / 1000,
    busyMsPerRequest: requests === 0 ? 0 : busyUs / 1000 / requests,
    topSelf: entries(self),
    packagesInclusive: entries(inclusive),
  };
}
