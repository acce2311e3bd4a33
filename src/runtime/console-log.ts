// Libraries the runtime uses write to the console: the AI SDK (a failed stream's error, whole, with
// the provider's message), the A2A SDK (event-loop failures, unknown tasks), the MCP SDK. Left
// alone that is plain text among the JSON log lines, and unscrubbed: a provider error that echoes
// the API key would reach stderr as it is. The `agentry runtime` process routes the console through
// its logger instead (JSON, scrubbed, `source: "console"`), at the level each method implies.
import { format } from 'node:util';

import type { Logger } from 'pino';

type ConsoleMethod = 'error' | 'warn' | 'info' | 'log' | 'debug' | 'trace';

const LEVELS: Record<ConsoleMethod, 'error' | 'warn' | 'info' | 'debug' | 'trace'> = {
  error: 'error',
  warn: 'warn',
  info: 'info',
  log: 'info',
  debug: 'debug',
  trace: 'trace',
};

/** Replaces the console's writing methods for the rest of the process's life. */
export function routeConsoleToLog(logger: Logger): void {
  const log = logger.child({ source: 'console' });
  for (const [method, level] of Object.entries(LEVELS) as Array<[ConsoleMethod, (typeof LEVELS)[ConsoleMethod]]>) {
    console[method] = (...args: unknown[]) => {
      // An Error as the first argument keeps its stack (scrubbed by the logger like any field).
      const [first, ...rest] = args;
      if (first instanceof Error) log[level]({ err: first }, rest.length > 0 ? format(...rest) : first.message);
      else log[level](format(...args));
    };
  }
}
