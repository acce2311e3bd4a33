// A hash of what the operator last applied, kept on the object itself as an annotation.
//
// Comparing desired ⊆ live cannot see a field we *stopped* wanting (say `appProtocol` after
// `a2aConfig` is removed): it is still live, and desired no longer mentions it. Server-side apply
// removes such a field only when we apply without it. The annotation changes whenever the desired
// object changes, so "hash differs" triggers exactly those applies, and survives operator restarts
// (unlike an in-memory record), while the cache can drop managedFields to save memory.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../kube/kube-object.js';

export const APPLIED_HASH_ANNOTATION = 'agentry.dev/applied-hash';

/** JSON with object keys sorted, so equal objects hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function contentHash(value: unknown, length = 16): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length);
}

/** The desired object with its own hash annotated (the hash covers everything but itself). */
export function withAppliedHash<T extends KubeObject>(desired: T): T {
  const annotations = { ...(desired.metadata.annotations ?? {}) };
  delete annotations[APPLIED_HASH_ANNOTATION];
  const unhashed = { ...desired, metadata: { ...desired.metadata, annotations } };
  return { ...desired, metadata: { ...desired.metadata, annotations: { ...annotations, [APPLIED_HASH_ANNOTATION]: contentHash(unhashed) } } };
}
