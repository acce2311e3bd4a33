// Applies desired children with server-side apply, and only when that would change something.
//
// A child is written when (1) it does not exist, (2) its applied-hash annotation differs from the
// desired one (we changed our mind, including about fields we no longer set), or (3) live no longer
// satisfies desired (someone edited or removed a field we own: drift). Otherwise nothing is sent,
// which is what makes a steady-state resync cost zero writes.
import type { KubeClient } from '../../kube/kube-client.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { APPLIED_HASH_ANNOTATION, withAppliedHash } from './applied-hash.js';
import { firstDifference } from './semantic-subset.js';

export const FIELD_MANAGER = 'agentry';

export type ApplyReason = 'missing' | 'changed' | 'drifted';

export interface ApplyDecision {
  desired: KubeObject;
  reason?: ApplyReason;
  /** For drift: the first field path where live differs from desired. */
  path?: string;
}

/** Pure: what (if anything) must be applied for `desired`, given the live object from the cache. */
export function decideApply(desiredWithoutHash: KubeObject, live: KubeObject | undefined): ApplyDecision {
  const desired = withAppliedHash(desiredWithoutHash);
  if (!live) return { desired, reason: 'missing' };
  if (live.metadata.annotations?.[APPLIED_HASH_ANNOTATION] !== desired.metadata.annotations?.[APPLIED_HASH_ANNOTATION]) {
    return { desired, reason: 'changed' };
  }
  const path = firstDifference(stripForCompare(desired), live);
  return path ? { desired, reason: 'drifted', path } : { desired };
}

/** Fields that are ours to send but that the server owns the live value of. */
function stripForCompare(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } };
}

export async function applyChild(client: KubeClient, decision: ApplyDecision): Promise<KubeObject> {
  return client.apply(decision.desired, { fieldManager: FIELD_MANAGER, force: true });
}
