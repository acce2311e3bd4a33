// Global setup of the `runtime` jest project: builds dist/ once (`npm run build`, incremental tsc),
// so every runtime test spawns the compiled CLI, `node bin/agentry.js runtime`, as the image runs it.
// No Kubernetes here: the runtime needs none.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function globalSetup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const started = Date.now();
  process.stderr.write('\n[runtime tests] npm run build\n');
  const res = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (res.error !== undefined || res.status !== 0) {
    throw new Error(`npm run build failed (${res.error?.message ?? `exit ${res.status ?? res.signal}`}); the runtime tests need the compiled CLI:\n${res.stdout}${res.stderr}`);
  }
  process.stderr.write(`[runtime tests] built in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}
