// Flattens RBAC rules into "group/resource:verb" permissions, so rendered roles can be compared with
// src/operator/rbac-requirements.ts however the rules are grouped.
import type { KubeObject } from '../../../../src/kube/kube-object.js';
import type { PolicyRule } from '../../../../src/operator/rbac-requirements.js';

interface RenderedRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export function permissions(rules: readonly RenderedRule[]): string[] {
  const out = new Set<string>();
  for (const rule of rules) {
    // Anything the requirements cannot express is a grant beyond them.
    if (rule.nonResourceURLs?.length) out.add(`nonResourceURLs:${rule.nonResourceURLs.join(',')}`);
    if (rule.resourceNames?.length) out.add(`resourceNames:${rule.resourceNames.join(',')}`);
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        for (const verb of rule.verbs ?? []) out.add(`${group === '' ? 'core' : group}/${resource}:${verb}`);
      }
    }
  }
  return [...out].sort();
}

export function requiredPermissions(rules: readonly PolicyRule[]): string[] {
  return permissions(rules);
}

export function rulesOf(role: KubeObject): RenderedRule[] {
  return (role.rules as RenderedRule[] | undefined) ?? [];
}

export function isRbacKind(o: KubeObject): boolean {
  return o.apiVersion === 'rbac.authorization.k8s.io/v1';
}

/** Labels by which kube-controller-manager aggregates a ClusterRole into the built-in admin, edit, view. */
export const AGGREGATE_LABEL_PREFIX = 'rbac.authorization.k8s.io/aggregate-to-';

/**
 * A ClusterRole for the people who use Agents (the chart's <fullname>-edit and -view), not for the
 * operator: it carries an aggregate-to-* label, so the built-in roles pick it up.
 */
export function isUserRole(o: KubeObject): boolean {
  return o.kind === 'ClusterRole' && Object.keys(o.metadata.labels ?? {}).some((l) => l.startsWith(AGGREGATE_LABEL_PREFIX));
}

export interface UserRole {
  name: string;
  /** Its aggregate-to-* labels and their values. */
  aggregateTo: Record<string, string>;
  permissions: string[];
}

/** The user-facing ClusterRoles among `objects`, by name. */
export function userRoles(objects: readonly KubeObject[]): UserRole[] {
  return objects
    .filter(isUserRole)
    .map((r) => ({
      name: r.metadata.name,
      aggregateTo: Object.fromEntries(Object.entries(r.metadata.labels ?? {}).filter(([l]) => l.startsWith(AGGREGATE_LABEL_PREFIX))),
      permissions: permissions(rulesOf(r)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
