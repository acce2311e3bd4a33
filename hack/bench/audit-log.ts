// Write requests as the API server recorded them (the control plane's audit policy logs every
// create/update/patch/delete with its user agent): the benchmark's evidence for "zero writes at
// steady state" and for when the operator applied its last child, independent of the operator's
// own account of itself. The log can be large, so it is streamed.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

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

interface RawEvent {
  verb?: string;
  userAgent?: string;
  stageTimestamp?: string;
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
}

/** Writes by exactly `userAgent` with a stage timestamp in [from, to] (ms since the epoch). */
export async function auditedWrites(file: string, userAgent: string, from = 0, to = Number.POSITIVE_INFINITY): Promise<AuditWrite[]> {
  const writes: AuditWrite[] = [];
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (!line.includes(userAgent)) continue;
    let event: RawEvent;
    try {
      event = JSON.parse(line) as RawEvent;
    } catch {
      continue; // a line being written as we read
    }
    if (event.userAgent !== userAgent || !event.stageTimestamp) continue;
    const at = Date.parse(event.stageTimestamp);
    if (at < from || at > to) continue;
    writes.push({
      verb: event.verb ?? '?',
      userAgent,
      at,
      resource: event.objectRef?.resource ?? '?',
      subresource: event.objectRef?.subresource,
      namespace: event.objectRef?.namespace,
      name: event.objectRef?.name,
      code: event.responseStatus?.code,
    });
  }
  return writes;
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
