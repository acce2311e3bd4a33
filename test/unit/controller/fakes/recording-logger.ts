import type { LogFn, Logger } from '../../../../src/controller/logger.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string | undefined;
  fields: Record<string, unknown>;
}

/** Keeps every log line (with child bindings merged in) for assertions. */
export class RecordingLogger implements Logger {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;

  constructor(
    readonly entries: LogEntry[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {
    this.debug = this.at('debug');
    this.info = this.at('info');
    this.warn = this.at('warn');
    this.error = this.at('error');
  }

  child(bindings: Record<string, unknown>): Logger {
    return new RecordingLogger(this.entries, { ...this.bindings, ...bindings });
  }

  private at(level: LogEntry['level']): LogFn {
    return (objOrMsg: object | string, msg?: string) => {
      if (typeof objOrMsg === 'string') {
        this.entries.push({ level, msg: objOrMsg, fields: { ...this.bindings } });
      } else {
        this.entries.push({ level, msg, fields: { ...this.bindings, ...objOrMsg } });
      }
    };
  }
}
