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
