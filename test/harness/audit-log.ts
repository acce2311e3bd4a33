// The API server's audit log (hack/control-plane records every write, at Metadata level, with the
// user, the user agent, the response code and the authorizer's decision): what a client really did,
// as the server saw it, rather than the client's own account of it.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface AuditRecord {
  verb: string;
  userAgent: string;
  requestURI: string;
  stageTimestamp: string;
  user: { username: string };
  objectRef?: { resource?: string; apiGroup?: string; namespace?: string; name?: string; subresource?: string };
  responseStatus?: { code?: number };
  annotations?: Record<string, string>;
}

export interface AuditFilter {
  /** Only events completed after this time. */
  since: Date;
  user?: string;
  userAgent?: string;
  /** The control plane's directory (where audit.log is); default: the directory of $KUBECONFIG. */
  dir?: string;
}

export async function auditEvents(filter: AuditFilter): Promise<AuditRecord[]> {
  const dir = filter.dir ?? (process.env.KUBECONFIG ? dirname(process.env.KUBECONFIG) : undefined);
  if (!dir) throw new Error('KUBECONFIG is not set');
  const text = await readFile(join(dir, 'audit.log'), 'utf8');
  const needle = filter.user ?? filter.userAgent;
  const out: AuditRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line || (needle && !line.includes(needle))) continue;
    const event = JSON.parse(line) as AuditRecord;
    if (filter.user && event.user.username !== filter.user) continue;
    if (filter.userAgent && event.userAgent !== filter.userAgent) continue;
    if (new Date(event.stageTimestamp) > filter.since) out.push(event);
  }
  return out;
}

/** A request the authorizer refused, or that was answered 403 for another reason. */
export function isRefused(event: AuditRecord): boolean {
  return event.responseStatus?.code === 403 || event.annotations?.['authorization.k8s.io/decision'] === 'forbid';
}

/** "group/resource[/subresource]:verb", the shape of test/unit/install/support/rbac-rules.ts's permissions. */
export function permissionOf(event: AuditRecord): string {
  const ref = event.objectRef ?? {};
  const resource = `${ref.resource ?? '?'}${ref.subresource ? `/${ref.subresource}` : ''}`;
  return `${ref.apiGroup ? ref.apiGroup : 'core'}/${resource}:${event.verb}`;
}
