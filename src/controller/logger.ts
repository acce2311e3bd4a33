/**
 * The logging surface the controller core uses. It is the `(obj, msg)` / `(msg)` subset of pino's
 * API, so a pino `Logger` can be passed as is; anything else can adapt to it in a few lines.
 */
export interface LogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const discard: LogFn = () => undefined;

export const noopLogger: Logger = {
  debug: discard,
  info: discard,
  warn: discard,
  error: discard,
  child: () => noopLogger,
};
