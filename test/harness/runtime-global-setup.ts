// Global setup of the `runtime` jest project: builds dist/ once (`npm run build`, incremental tsc),
// so every runtime test spawns the compiled CLI, `node bin/agentry.js runtime`, as the image runs it.
// No Kubernetes here: the runtime needs none.
//
// tsc exits 2 when it found type errors but wrote its output anyway: the tests still run then (the
// errors are printed, and `npm test`'s own tsc step fails the run for them); any other failure
// (exit 1: nothing emitted, or npm/tsc missing) stops the project.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const TSC_ERRORS_OUTPUT_WRITTEN = 2;

export default function globalSetup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const started = Date.now();
  process.stderr.write('\n[runtime tests] npm run build\n');
  const res = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${res.stdout}${res.stderr}`;
  if (res.error !== undefined || (res.status !== 0 && res.status !== TSC_ERRORS_OUTPUT_WRITTEN)) {
    throw new Error(`npm run build failed (${res.error?.message ?? `exit ${res.status ?? res.signal}`}); the runtime tests need the compiled CLI:\n${output}`);
  }
  if (res.status === TSC_ERRORS_OUTPUT_WRITTEN) process.stderr.write(`[runtime tests] dist/ was written despite type errors:\n${output}`);
  process.stderr.write(`[runtime tests] built in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}
