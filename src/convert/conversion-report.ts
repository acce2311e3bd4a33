// What a conversion could not carry over, object by object and field by field: never a silent drop.
// Each entry reads `Agent finance/expense-processor: spec.declarative.memory: not converted: …`.
import { formatIssuePath } from '../common/zod-issues.js';

export type FieldPath = readonly PropertyKey[];

export interface ReportEntry {
  /** `Agent finance/expense-processor`. */
  subject: string;
  /** `spec.declarative.memory`; empty for the object as a whole. */
  path: string;
  message: string;
}

/** How an object is named in the report: `Agent finance/expense-processor` (`Agent x` when it names no namespace). */
export function subjectOf(kind: string, metadata: { name: string; namespace?: string | undefined }): string {
  return `${kind} ${metadata.namespace === undefined ? '' : `${metadata.namespace}/`}${metadata.name}`;
}

/** The entries about one object. */
export class ObjectReport {
  constructor(
    readonly subject: string,
    private readonly entries: ReportEntry[],
  ) {}

  /** A field (or the whole object, at the empty path) that is not in the output. */
  notConverted(path: FieldPath, reason: string): void {
    this.add(path, `not converted: ${reason}`);
  }

  /** Converted, but something the user must check or do (a default that was filled in, a setting elsewhere). */
  attention(path: FieldPath, message: string): void {
    this.add(path, message);
  }

  private add(path: FieldPath, message: string): void {
    this.entries.push({ subject: this.subject, path: formatIssuePath(path), message });
  }
}

export function formatReportEntry(entry: ReportEntry): string {
  return entry.path === '' ? `${entry.subject}: ${entry.message}` : `${entry.subject}: ${entry.path}: ${entry.message}`;
}
