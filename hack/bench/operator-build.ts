// The operator as it ships: compiled to JavaScript (the image runs `node bin/agentry.js`, i.e.
// dist/), not through tsx, whose loader thread alone adds some 90 MB of resident memory that no
// user would see. Built with the project's own build config into a folder of the benchmark's, so
// that a benchmark never disturbs dist/.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The V8 flags the image runs the operator with (the Dockerfile's ENTRYPOINT; a unit test keeps the
 * two equal), so the benchmark measures what ships. --optimize-for-size makes V8 grow the heap by a
 * small factor over what survived the last full GC: at 5,000 Agents, peak RSS 284 -> 186 MiB for
 * about 60 % more CPU while converging. A 2 MiB young generation (default 16) keeps an idle
 * operator ~40 MiB smaller.
 */
export const IMAGE_NODE_FLAGS: readonly string[] = ['--optimize-for-size', '--max-semi-space-size=2'];

/** Compiles src/ into `outDir`; returns the CLI entry point to run. */
export async function buildOperator(outDir: string): Promise<string> {
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  const child = spawn(process.execPath, [tsc, '-p', join(repoRoot, 'tsconfig.build.json'), '--outDir', outDir], { stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`building the operator into ${outDir} failed (tsc exit ${code})`);
  return join(outDir, 'cli/main.js');
}

/** The command line that runs the operator's CLI: compiled, or the TypeScript sources through tsx. */
export function operatorCommand(runtime: { kind: 'dist'; main: string } | { kind: 'tsx' }, nodeFlags: readonly string[]): string[] {
  return runtime.kind === 'dist' ? [...nodeFlags, runtime.main] : [...nodeFlags, '--import', 'tsx', join(repoRoot, 'src/cli/main.ts')];
}
