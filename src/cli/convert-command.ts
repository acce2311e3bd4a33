// `agentry convert kagent`: kagent's Agents and ModelConfigs (kagent.dev/v1alpha2) as Agentry's, for
// a one-command migration. The conversion is src/convert/kagent (pure); this reads the files, prints
// the Agentry objects on standard output and, on standard error, every field that was not carried
// over, so that the exit status can say whether the conversion was complete.
import { parseArgs } from 'node:util';

import { formatReportEntry } from '../convert/conversion-report.js';
import { convertKagent } from '../convert/kagent/convert-kagent.js';
import type { Located } from './manifest-documents.js';
import { readManifestDocuments } from './manifest-documents.js';
import { toJsonList, toYamlStream } from '../render/manifest-stream.js';
import type { CliIo } from './cli-io.js';

export const CONVERT_USAGE = `Usage: agentry convert kagent -f FILE [-f FILE ...] [-o yaml|json]

Converts kagent Agents and ModelConfigs (kagent.dev/v1alpha2) into Agentry Agents and ModelConfigs
(agentry.dev/v1alpha1), printed on standard output. Everything that could not be carried over is
listed on standard error, one line per object and field.

Flags:
  -f, --filename FILE  YAML (one or more documents, or a List such as 'kubectl get -o yaml' prints)
                       or JSON; '-' reads standard input. The RemoteMCPServers, MCPServers and
                       Services the Agents' tools name are read from the same files; other kinds
                       are ignored.
  -o, --output FORMAT  yaml (a '---' separated stream, the default) or json (a v1 List)
  -h, --help           this help

Exit status: 0 everything converted, 3 converted with omissions (listed on standard error),
1 invalid input (nothing printed), 2 usage error.
`;

export const CONVERT_EXIT = { complete: 0, invalid: 1, usage: 2, incomplete: 3 } as const;

export async function convertCommand(argv: string[], io: CliIo): Promise<number> {
  const [source, ...rest] = argv;
  if (source === '-h' || source === '--help' || source === 'help') {
    io.stdout(CONVERT_USAGE);
    return CONVERT_EXIT.complete;
  }
  if (source !== 'kagent') return usageError(io, source === undefined ? 'name what to convert from: agentry convert kagent' : `cannot convert from ${JSON.stringify(source)}: only kagent`);
  let values: { filename?: string[]; output?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        filename: { type: 'string', short: 'f', multiple: true },
        output: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return usageError(io, messageOf(error));
  }
  if (values.help === true) {
    io.stdout(CONVERT_USAGE);
    return CONVERT_EXIT.complete;
  }
  const files = values.filename ?? [];
  if (files.length === 0) return usageError(io, 'at least one -f FILE is required');
  const output = values.output ?? 'yaml';
  if (output !== 'yaml' && output !== 'json') return usageError(io, `-o must be yaml or json, got ${JSON.stringify(output)}`);
  if (files.filter((file) => file === '-').length > 1) return usageError(io, "standard input ('-f -') may be read once");

  const documents: Located<unknown>[] = [];
  const errors: string[] = [];
  for (const file of files) {
    const name = file === '-' ? '<stdin>' : file;
    try {
      const read = readManifestDocuments(await io.readFile(file), name);
      documents.push(...read.objects);
      errors.push(...read.errors);
    } catch (error) {
      errors.push(`${name}: cannot read: ${messageOf(error)}`);
    }
  }
  const result = errors.length > 0 ? undefined : convertKagent(documents);
  const invalid = result === undefined ? errors : result.errors;
  if (result === undefined || invalid.length > 0) {
    io.stderr(invalid.map((e) => `${e}\n`).join(''));
    return CONVERT_EXIT.invalid;
  }
  io.stdout(output === 'json' ? toJsonList(result.objects) : toYamlStream(result.objects));
  const lines = result.report.map(formatReportEntry);
  io.stderr([...lines, summary(result.objects.map((o) => o.kind), lines.length)].map((line) => `${line}\n`).join(''));
  return lines.length === 0 ? CONVERT_EXIT.complete : CONVERT_EXIT.incomplete;
}

function summary(kinds: readonly string[], omissions: number): string {
  const count = (kind: string, plural: string) => {
    const n = kinds.filter((k) => k === kind).length;
    return `${n} ${n === 1 ? kind : plural}`;
  };
  const converted = `agentry convert kagent: converted ${count('Agent', 'Agents')} and ${count('ModelConfig', 'ModelConfigs')}`;
  if (omissions === 0) return `${converted}; nothing left out`;
  return `${converted}; ${omissions} ${omissions === 1 ? 'item' : 'items'} above not converted or to check`;
}

/** An error's message, also for errors from another realm (which fail `instanceof Error`). */
function messageOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' ? error.message : String(error);
}

function usageError(io: CliIo, message: string): number {
  io.stderr(`agentry convert: ${message}\n\n${CONVERT_USAGE}`);
  return CONVERT_EXIT.usage;
}
