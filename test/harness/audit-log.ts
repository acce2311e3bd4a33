// The tests' view of the API server's audit log (read by hack/bench/audit-log.ts, the one reader):
// the events of one user or user agent since a moment, and what an event says about permissions.
import { dirname, join } from 'node:path';

import { readAuditLog, type AuditEvent } from '../../hack/bench/audit-log.js';

export type { AuditEvent };

export interface AuditFilter {
  /** Only events completed at or after this time. */
  since: Date;
  user?: string;
  userAgent?: string;
  /** The control plane's directory (where audit.log is); default: the directory of $KUBECONFIG. */
  dir?: string;
}

/** The audit events (every write: see hack/control-plane's policy) of `filter.user` or `filter.userAgent` since `filter.since`. */
export async function auditEvents(filter: AuditFilter): Promise<AuditEvent[]> {
  const dir = filter.dir ?? (process.env.KUBECONFIG ? dirname(process.env.KUBECONFIG) : undefined);
  if (!dir) throw new Error('KUBECONFIG is not set');
  const events = await readAuditLog(join(dir, 'audit.log'), { contains: filter.user ?? filter.userAgent, from: filter.since.getTime() });
  return events.filter((event) => (filter.user === undefined || event.user.username === filter.user) && (filter.userAgent === undefined || event.userAgent === filter.userAgent));
}

/** A request the authorizer refused, or that was answered 403 for another reason. */
export function isRefused(event: AuditEvent): boolean {
  return event.responseStatus?.code === 403 || event.annotations?.['authorization.k8s.io/decision'] === 'forbid';
}

/** "group/resource[/subresource]:verb", the shape of test/unit/install/support/rbac-rules.ts's permissions. */
export function permissionOf(event: AuditEvent): string {
  const ref = event.objectRef ?? {};
  const resource = `${ref.resource ?? '?'}${ref.subresource ? `/${ref.subresource}` : ''}`;
  return `${ref.apiGroup ? ref.apiGroup : 'core'}/${resource}:${event.verb}`;
}
