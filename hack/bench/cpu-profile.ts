// `tsx hack/bench/cpu-profile.ts FILE.cpuprofile [TOP]`: where a V8 CPU profile (node --cpu-prof, e.g.
// `npm run bench -- 1000 --node-flags="--optimize-for-size --max-semi-space-size=2 --cpu-prof
// --cpu-prof-dir=DIR"`) spent its time: self time by function and by source file, and the total
// time under each of a few phases of the operator's work (a frame's time counts once, however
// often it recurses), so the README's table of top costs can be reproduced from a profile.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const callFrameSchema = z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() });
const profileSchema = z.object({
  nodes: z.array(z.object({ id: z.number(), callFrame: callFrameSchema, children: z.array(z.number()).optional() })),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});
type Profile = z.infer<typeof profileSchema>;
type Frame = z.infer<typeof callFrameSchema>;

/** Functions whose total (inclusive) time is reported: the steps of the operator's work. */
const PHASES: Record<string, (f: Frame) => boolean> = {
  'watch events: decode, cache projection, store, handlers': (f) => f.functionName === 'deliver' && f.url.includes('kube-list-watch'),
  '  cache projections (transforms)': (f) => /Projection|boundedSize|withoutBookkeeping/.test(f.functionName) || f.url.includes('child-projection') || f.url.includes('owned-fields'),
  'reconciles (Controller.reconcileKey)': (f) => f.functionName === 'reconcileKey',
  '  AgentReconciler.sync': (f) => f.functionName === 'sync' && f.url.includes('agent-reconciler'),
  '    render (renderInput)': (f) => f.functionName === 'renderInput',
  '    write decisions (decideChildWrite)': (f) => f.functionName === 'decideChildWrite',
  '    status (computed, compared, written)': (f) => f.functionName === 'writeStatus' && f.url.includes('agent-reconciler'),
  'API requests (KubeClient.request)': (f) => f.functionName === 'request' && f.url.includes('kube-client'),
  'logging (pino)': (f) => f.url.includes('/pino'),
  'metrics scrapes (prom-client)': (f) => f.url.includes('prom-client'),
  'garbage collection': (f) => f.functionName === '(garbage collector)',
};

const where = (f: Frame) => {
  const file = f.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|src|node_modules)\//, '$1/');
  return file || '(native)';
};

function summarize(profile: Profile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const idleUs = [...self].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
  const busyUs = totalUs - idleUs;
  const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const byPhase = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
    add(byFunction, `${frame.functionName || '(anonymous)'} ${where(frame)}:${frame.lineNumber + 1}`, us);
    add(byFile, where(frame), us);
    // Each phase once per sample, however deep the stack holds it.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)?.callFrame;
      if (!f) break;
      for (const [phase, matches] of Object.entries(PHASES)) if (!seen.has(phase) && matches(f)) seen.add(phase);
    }
    for (const phase of seen) add(byPhase, phase, us);
  }
  const pct = (us: number) => `${((100 * us) / busyUs).toFixed(1)} %`;
  const ms = (us: number) => `${(us / 1000).toFixed(0)} ms`;
  const rows = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `  ${pct(us).padStart(7)}  ${ms(us).padStart(9)}  ${k}`);
  return [
    `busy ${ms(busyUs)} of ${ms(totalUs)} profiled`,
    'phases (inclusive; they overlap where an async function resumes in another one\'s stack):',
    ...Object.keys(PHASES).map((phase) => `  ${pct(byPhase.get(phase) ?? 0).padStart(7)}  ${ms(byPhase.get(phase) ?? 0).padStart(9)}  ${phase}`),
    'files (self):',
    ...rows(byFile, top),
    'functions (self):',
    ...rows(byFunction, top),
  ].join('\n');
}

const [file, topText] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx hack/bench/cpu-profile.ts FILE.cpuprofile [TOP]');
const profile = profileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
process.stdout.write(`${summarize(profile, Number(topText ?? 25))}\n`);
