#!/usr/bin/env node
// The published entry point: runs the compiled CLI. `npm install` in a checkout builds dist/ (the
// package's `prepare` script); an install that skipped scripts gets told how to build it.
const entry = new URL('../dist/cli/main.js', import.meta.url);
let cli;
try {
  cli = await import(entry.href);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli/main.js')) throw error;
  process.stderr.write('agentry: dist/ is not built; run `npm run build` (npm install does it unless scripts are disabled)\n');
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2));
