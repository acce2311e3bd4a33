// The `agentry` command. Each command's module is loaded only when it runs: an agent pod running
// `agentry runtime` must not load the operator, render or convert (memory, start-up time, and a
// runtime that does not depend on operator code it never uses).
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { CliIo } from './cli-io.js';

export const USAGE = `Usage: agentry <command> [flags]

Commands:
  run      run the operator (agentry run --help)
  render   print the manifests the operator would apply for Agents, with no cluster (agentry render --help)
  runtime  run a Declarative Agent from its agent.json and card (agentry runtime --help)
  invoke   send a message to an Agent over A2A and print its answer (agentry invoke --help)
  convert  convert kagent Agents and ModelConfigs into Agentry ones (agentry convert --help)
`;

const stdinText = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  readFile: (path) => (path === '-' ? stdinText() : readFile(path, 'utf8')),
};

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return (await import('./run-command.js')).runCommand(rest, io);
    case 'render':
      return (await import('./render-command.js')).renderCommand(rest, io);
    case 'runtime':
      return (await import('./runtime-command.js')).runtimeCommand(rest, io);
    case 'invoke':
      return (await import('./invoke-command.js')).invokeCommand(rest, io);
    case 'convert':
      return (await import('./convert-command.js')).convertCommand(rest, io);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      io.stdout(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.stderr(`agentry: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

// Run directly (tsx src/cli/main.ts ...) rather than through bin/agentry.js.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
