// The API server's audit log (hack/control-plane's policy records every create/update/patch/delete,
// at Metadata level, with the user, the user agent, the response code and the authorizer's
// decision): what a client really did, as the server saw it, rather than the client's own account
// of it. The one reader of it, for the benchmark ("zero writes at steady state", when the operator
// applied its last child) and for the tests (test/harness/audit-log.ts).
//
// The log can be large, so it is streamed; and it is read while the API server appends to it, so the
// last line may be one still being written: that line (and only that one) is left for a later read.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface AuditEvent {
  verb: string;
  userAgent: string;
  requestURI: string;
  /** When the request arrived, and when the stage logged (ResponseComplete: when it was answered). */
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  user: { username: string };
  objectRef?: { resource?: string; apiGroup?: string; namespace?: string; name?: string; subresource?: string };
  responseStatus?: { code?: number };
  annotations?: Record<string, string>;
}

export interface AuditLogQuery {
  /** Only lines containing this text (a user agent, a user name) are parsed; the others are skipped unread. */
  contains?: string;
  /** Only events with a stage timestamp in [from, to], in milliseconds since the epoch. */
  from?: number;
  to?: number;
}

/** The events of the audit log `file` that match `query`, in the order the API server wrote them. */
export async function readAuditLog(file: string, query: AuditLogQuery = {}): Promise<AuditEvent[]> {
  const from = query.from ?? Number.NEGATIVE_INFINITY;
  const to = query.to ?? Number.POSITIVE_INFINITY;
  const events: AuditEvent[] = [];
  // A line that does not parse is tolerated only as the last one: anywhere else the log is broken.
  let unparsed: { line: number; error: unknown } | undefined;
  let number = 0;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    number += 1;
    if (unparsed) throw new Error(`${file}:${unparsed.line}: not an audit event: ${String(unparsed.error)}`);
    if (!line || (query.contains !== undefined && !line.includes(query.contains))) continue;
    let event: AuditEvent;
    try {
      event = JSON.parse(line) as AuditEvent;
    } catch (error) {
      unparsed = { line: number, error };
      continue;
    }
    const at = Date.parse(event.stageTimestamp);
    if (at >= from && at <= to) events.push(event);
  }
  return events;
}

/** A write as the benchmark reports it. */
export interface AuditWrite {
  verb: string;
  userAgent: string;
  /** Milliseconds since the epoch (stageTimestamp, microseconds truncated). */
  at: number;
  resource: string;
  subresource: string | undefined;
  namespace: string | undefined;
  name: string | undefined;
  code: number | undefined;
}

/** Writes by exactly `userAgent` with a stage timestamp in [from, to] (ms since the epoch). */
export async function auditedWrites(file: string, userAgent: string, from = 0, to = Number.POSITIVE_INFINITY): Promise<AuditWrite[]> {
  const events = await readAuditLog(file, { contains: userAgent, from, to });
  return events
    .filter((event) => event.userAgent === userAgent)
    .map((event) => ({
      verb: event.verb,
      userAgent,
      at: Date.parse(event.stageTimestamp),
      resource: event.objectRef?.resource ?? '?',
      subresource: event.objectRef?.subresource,
      namespace: event.objectRef?.namespace,
      name: event.objectRef?.name,
      code: event.responseStatus?.code,
    }));
}

/** Counts by `verb resource[/subresource]`, e.g. `patch deployments`, `patch agents/status`. */
export function countWrites(writes: readonly AuditWrite[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const w of writes) {
    const key = `${w.verb} ${w.resource}${w.subresource ? `/${w.subresource}` : ''}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
