// `agentry runtime`: runs one Declarative Agent from the files the operator mounts into its pod,
// until SIGTERM or SIGINT (then it drains: no new connections, in-flight tasks get the grace period).
import { parseArgs } from 'node:util';

import { z } from 'zod';

import { formatIssues } from '../common/zod-issues.js';
import { AgentFilesError } from '../runtime/agent-files.js';
import { RUNTIME_DEFAULTS, startRuntime } from '../runtime/runtime.js';
import type { CliIo } from './cli-io.js';

export const RUNTIME_USAGE = `Usage: agentry runtime --config FILE [--agent-card FILE] [--listen HOST:PORT] [flags]

Runs a Declarative Agent: an A2A 1.0 (and 0.3) JSON-RPC server that answers with the configured
model and tools. Reads only the files given and its environment (the model API key, a system
message from a Secret, MCP headers: the variables agent.json names).

Flags:
      --config FILE            the agent's agent.json (rendered by the operator)
      --agent-card FILE        the agent's agent-card.json, served byte for byte at /.well-known/agent-card.json
      --listen HOST:PORT       address to serve on (default 0.0.0.0:8080)
      --log-level LEVEL        trace, debug, info (default), warn, error or fatal
      --max-body-bytes N       largest JSON-RPC request accepted (default ${RUNTIME_DEFAULTS.maxBodyBytes}); larger ones get 413
      --max-tasks N            tasks kept in memory (default ${RUNTIME_DEFAULTS.maxTasks}); the oldest are evicted
      --task-ttl SECONDS       tasks not updated for this long are evicted (default ${RUNTIME_DEFAULTS.taskMaxAgeSeconds})
      --max-contexts N         conversations kept in memory (default ${RUNTIME_DEFAULTS.maxContexts})
      --context-ttl SECONDS    conversations idle for this long are evicted (default ${RUNTIME_DEFAULTS.contextMaxAgeSeconds})
      --model-timeout SECONDS  per model call (default ${RUNTIME_DEFAULTS.modelTimeoutSeconds})
      --model-max-retries N    retries of a model call that failed with 408/409/429/5xx (default ${RUNTIME_DEFAULTS.modelMaxRetries})
      --shutdown-grace SECONDS time in-flight tasks get after SIGTERM (default ${RUNTIME_DEFAULTS.shutdownGraceSeconds})
  -h, --help                   this help

Exit status: 0 after a clean shutdown, 1 when the agent cannot start, 2 usage error.
`;

const count = z.coerce.number().int().min(1);
const seconds = z.coerce.number().int().min(1).max(86_400);

const flagsSchema = z.strictObject({
  config: z.string().min(1, { message: 'is required' }),
  'agent-card': z.string().min(1).optional(),
  listen: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):[0-9]{1,5}$/, { message: 'must be HOST:PORT, such as 0.0.0.0:8080 or [::]:8080' })
    .refine((l) => Number(l.slice(l.lastIndexOf(':') + 1)) <= 65535, { message: 'port must be at most 65535' })
    .default('0.0.0.0:8080'),
  'log-level': z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  'max-body-bytes': count.max(64 * 1024 * 1024).default(RUNTIME_DEFAULTS.maxBodyBytes),
  'max-tasks': count.max(1_000_000).default(RUNTIME_DEFAULTS.maxTasks),
  'task-ttl': seconds.default(RUNTIME_DEFAULTS.taskMaxAgeSeconds),
  'max-contexts': count.max(1_000_000).default(RUNTIME_DEFAULTS.maxContexts),
  'context-ttl': seconds.default(RUNTIME_DEFAULTS.contextMaxAgeSeconds),
  'model-timeout': seconds.default(RUNTIME_DEFAULTS.modelTimeoutSeconds),
  'model-max-retries': z.coerce.number().int().min(0).max(10).default(RUNTIME_DEFAULTS.modelMaxRetries),
  'shutdown-grace': z.coerce.number().int().min(0).max(3600).default(RUNTIME_DEFAULTS.shutdownGraceSeconds),
});

export interface RuntimeCommandDeps {
  env: NodeJS.ProcessEnv;
  /** Resolves with the signal that asked the runtime to stop. */
  stopSignal: () => Promise<string>;
}

const processDeps: RuntimeCommandDeps = {
  env: process.env,
  stopSignal: () =>
    new Promise((resolve) => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve(signal));
    }),
};

export async function runtimeCommand(argv: string[], io: CliIo, deps: RuntimeCommandDeps = processDeps): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        'agent-card': { type: 'string' },
        listen: { type: 'string' },
        'log-level': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        'max-tasks': { type: 'string' },
        'task-ttl': { type: 'string' },
        'max-contexts': { type: 'string' },
        'context-ttl': { type: 'string' },
        'model-timeout': { type: 'string' },
        'model-max-retries': { type: 'string' },
        'shutdown-grace': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) {
    io.stdout(RUNTIME_USAGE);
    return 0;
  }
  const { help: _help, ...flags } = values;
  const parsed = flagsSchema.safeParse({ config: '', ...flags });
  if (!parsed.success) return usageError(io, formatIssues(parsed.error).map((issue) => `--${issue}`).join('\n'));
  const f = parsed.data;
  const colon = f.listen.lastIndexOf(':');
  const host = f.listen.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const stopRequested = deps.stopSignal();
  let agent;
  try {
    agent = await startRuntime({
      configPath: f.config,
      cardPath: f['agent-card'],
      host,
      port: Number(f.listen.slice(colon + 1)),
      env: deps.env,
      logLevel: f['log-level'],
      captureConsole: true,
      limits: {
        maxBodyBytes: f['max-body-bytes'],
        maxTasks: f['max-tasks'],
        taskMaxAgeSeconds: f['task-ttl'],
        maxContexts: f['max-contexts'],
        contextMaxAgeSeconds: f['context-ttl'],
        modelTimeoutSeconds: f['model-timeout'],
        modelMaxRetries: f['model-max-retries'],
        shutdownGraceSeconds: f['shutdown-grace'],
      },
    });
  } catch (error) {
    const known = error instanceof AgentFilesError || (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE');
    io.stderr(`agentry runtime: ${known || !(error instanceof Error) ? String(error instanceof Error ? error.message : error) : (error.stack ?? error.message)}\n`);
    return 1;
  }
  const signal = await stopRequested;
  agent.logger.info({ signal }, 'stop requested');
  await agent.stop();
  return 0;
}

function usageError(io: CliIo, message: string): number {
  io.stderr(`agentry runtime: ${message}\n\n${RUNTIME_USAGE}`);
  return 2;
}
