// The JSON logger of both programs (pino): one line per event, `component` naming the program, and
// an optional scrubber through which every message and field passes, so a secret the process holds
// cannot reach the logs by way of an error message or a library's text.
import { pino, type Logger } from 'pino';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface JsonLoggerOptions {
  level: LogLevel;
  component: string;
  scrub?: (text: string) => string;
  destination?: pino.DestinationStream;
}

export function createJsonLogger(options: JsonLoggerOptions): Logger {
  const { scrub } = options;
  const settings: pino.LoggerOptions = {
    level: options.level,
    base: { component: options.component },
    ...(scrub !== undefined && {
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrub(arg) : arg)) as Parameters<pino.LogFn>);
        },
      },
      formatters: { log: (fields: Record<string, unknown>) => scrubDeep(fields, scrub) as Record<string, unknown> },
    }),
  };
  return options.destination !== undefined ? pino(settings, options.destination) : pino(settings);
}

function scrubDeep(value: unknown, scrub: (text: string) => string): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub));
  if (value instanceof Error) return { type: value.name, message: scrub(value.message), ...(value.stack !== undefined && { stack: scrub(value.stack) }) };
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, scrub)]));
  }
  return value;
}
