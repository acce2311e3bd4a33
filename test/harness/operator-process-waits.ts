// Waiting on an OperatorProcess (./operator-process.ts): for a log line, for its probe server to
// answer, for its exit within a bound. Leader-election and shutdown tests are sequences of these.
import { eventually } from './cluster.js';
import type { OperatorProcess } from './operator-process.js';

/** One pino line: level is pino's number (20 debug, 30 info, 40 warn, 50 error, 60 fatal). */
export interface LogLine {
  level: number;
  time: number;
  msg: string;
  [field: string]: unknown;
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** The process's JSON log lines (lines that are not JSON, such as stderr text, are left out). */
export function logLines(op: OperatorProcess): LogLine[] {
  return op.logs.filter((l): l is LogLine => typeof l.level === 'number' && typeof l.time === 'number' && typeof l.msg === 'string');
}

/** Everything the process printed, for failure messages. */
export function tail(op: OperatorProcess, lines = 20): string {
  return op.logs
    .slice(-lines)
    .map((l) => JSON.stringify(l).slice(0, 500))
    .join('\n');
}

/** The first log line (already printed or to come) that matches. */
export async function waitForLog(op: OperatorProcess, match: (line: LogLine) => boolean, timeoutMs = 30_000, what = 'a matching log line'): Promise<LogLine> {
  try {
    return await eventually(() => Promise.resolve(logLines(op).find(match)), timeoutMs, 50);
  } catch {
    throw new Error(`no log line with ${what} within ${timeoutMs} ms; the last lines:\n${tail(op)}`);
  }
}

/** Waits until the probe server answers at all (it listens before the caches sync). */
export async function probeServing(op: OperatorProcess, timeoutMs = 60_000): Promise<void> {
  await eventually(async () => (await op.probe('/healthz')).status > 0, timeoutMs, 100);
}

/** The process's exit, failing (and killing it) when it does not come within `timeoutMs`. */
export async function waitForExit(op: OperatorProcess, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
  const exit = await Promise.race([op.exited, timedOut]);
  clearTimeout(timer);
  if (exit) return exit;
  await op.kill();
  throw new Error(`the operator did not exit within ${timeoutMs} ms; the last lines:\n${tail(op)}`);
}
