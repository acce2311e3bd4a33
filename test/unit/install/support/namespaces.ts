// Moves rendered objects into a test's own namespaces (the manifests name fixed ones such as
// agentry-system or team-a), so that test files running in parallel never share an object.
import type { KubeObject } from '../../../../src/kube/kube-object.js';

interface Subject {
  kind: string;
  namespace?: string;
}

/** A copy of `objects` with every namespace in `map` replaced: metadata, Namespaces, RBAC subjects. */
export function remapNamespaces(objects: readonly KubeObject[], map: ReadonlyMap<string, string>): KubeObject[] {
  const to = (ns: string | undefined) => (ns !== undefined ? (map.get(ns) ?? ns) : ns);
  return objects.map((original) => {
    const o = structuredClone(original);
    if (o.kind === 'Namespace') o.metadata.name = to(o.metadata.name) ?? o.metadata.name;
    if (o.metadata.namespace !== undefined) o.metadata.namespace = to(o.metadata.namespace);
    if (Array.isArray(o.subjects)) for (const s of o.subjects as Subject[]) if (s.namespace !== undefined) s.namespace = to(s.namespace);
    return o;
  });
}

/** Every namespace the objects live in or create. */
export function namespacesOf(objects: readonly KubeObject[]): string[] {
  const set = new Set<string>();
  for (const o of objects) {
    if (o.metadata.namespace) set.add(o.metadata.namespace);
    if (o.kind === 'Namespace') set.add(o.metadata.name);
  }
  return [...set].sort();
}
