// A Logger (the controller core's pino subset) that keeps every line in memory, so a test can assert
// on what the code under test said: that a failed reconcile is logged with its error, or that no
// warning or error of a whole operator run mentions a refused request. Unit and integration tests
// both use it.
import type { LogFn, Logger } from '../../src/controller/logger.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  level: LogLevel;
  msg: string;
  /** The child bindings and the line's own fields merged, as logged (an error stays an Error). */
  fields: Record<string, unknown>;
  /** msg and fields as one string, errors flattened to what identifies them, for searching. */
  text: string;
}

/** Errors do not survive JSON.stringify: keep what identifies them (an API error's status code above all). */
function plain(value: unknown, depth = 0): unknown {
  if (depth > 4) return '…';
  if (value instanceof Error) {
    const extra = value as Error & { statusCode?: unknown; code?: unknown; reason?: unknown; cause?: unknown };
    return { name: value.name, message: value.message, statusCode: extra.statusCode, code: extra.code, reason: extra.reason, cause: plain(extra.cause, depth + 1) };
  }
  if (Array.isArray(value)) return value.map((v) => plain(v, depth + 1));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v, depth + 1)]));
  return value;
}

export class CapturingLogger implements Logger {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;

  constructor(
    readonly records: LogRecord[] = [],
    private readonly bindings: Record<string, unknown> = {},
    /** Also write each line here (e.g. a pino logger when AGENTRY_TEST_LOG_LEVEL is set). */
    private readonly echo?: Logger,
  ) {
    this.debug = this.method('debug');
    this.info = this.method('info');
    this.warn = this.method('warn');
    this.error = this.method('error');
  }

  child(bindings: Record<string, unknown>): Logger {
    return new CapturingLogger(this.records, { ...this.bindings, ...bindings }, this.echo?.child(bindings));
  }

  /** Warnings and errors. */
  problems(): LogRecord[] {
    return this.records.filter((r) => r.level === 'warn' || r.level === 'error');
  }

  private method(level: LogLevel): LogFn {
    const log = (objOrMsg: object | string, maybeMsg?: string): void => {
      const own = typeof objOrMsg === 'string' ? {} : objOrMsg;
      const msg = typeof objOrMsg === 'string' ? objOrMsg : (maybeMsg ?? '');
      const fields: Record<string, unknown> = { ...this.bindings, ...own };
      this.records.push({ level, msg, fields, text: `${msg} ${JSON.stringify(plain(fields))}` });
      if (this.echo) this.echo[level](own, msg);
    };
    return log;
  }
}

/** A refused request as the operator reports it: an HTTP 403 or the API server's "forbidden". */
export function mentionsForbidden(record: LogRecord): boolean {
  return /\b403\b|forbidden/i.test(record.text);
}
