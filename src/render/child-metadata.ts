// metadata of a child object: its name, namespace, labels (with the kind and name of its owner) and
// (in the Agent's namespace) the controller ownerReference.
import { AGENT_OWNER_KIND, LABEL_KEYS, OWNER_UID_ANNOTATION } from '../api/group-version.js';
import type { ObjectMeta } from '../kube/kube-object.js';
import { standardLabels } from './labels.js';
import type { RenderContext } from './render-context.js';
import { sortedRecord } from './sorted-keys.js';

/**
 * The owner a child's metadata names: an Agent's RenderContext, or a RemoteAgent (ownerKind
 * RemoteAgent; the Agent's children predate the field, hence its default).
 */
export interface ChildOwnerContext {
  readonly name: string;
  readonly namespace: string;
  readonly ownerReference: RenderContext['ownerReference'];
  /** `agentry.dev/owner-kind`; Agent when unset. */
  readonly ownerKind?: string;
}

export interface ChildPlacement {
  namespace: string;
  name: string;
}

/**
 * By default the child is named like the Agent, in its namespace, and owned by it. A child placed in
 * another namespace cannot have an owner there (ownerReferences do not cross namespaces): it carries
 * the Agent's uid in the owner-uid annotation instead, which is what makes it the Agent's (the
 * operator patches and deletes it only then), and the Agent's namespace as a label.
 */
export function childMetadata(ctx: ChildOwnerContext, placement: ChildPlacement = { namespace: ctx.namespace, name: ctx.name }): ObjectMeta {
  const sameNamespace = placement.namespace === ctx.namespace;
  // The owner labels are on the children only, not on the pods: adding them rolled no pod.
  const owner = { [LABEL_KEYS.ownerKind]: ctx.ownerKind ?? AGENT_OWNER_KIND, [LABEL_KEYS.ownerName]: ctx.name };
  const elsewhere: Record<string, string> = sameNamespace ? {} : { [LABEL_KEYS.ownerNamespace]: ctx.namespace, [LABEL_KEYS.agentNamespace]: ctx.namespace };
  const labels = sortedRecord({ ...standardLabels(ctx.name), ...owner, ...elsewhere });
  const metadata: ObjectMeta = { name: placement.name, namespace: placement.namespace, labels };
  if (sameNamespace && ctx.ownerReference) metadata.ownerReferences = [{ ...ctx.ownerReference }];
  if (!sameNamespace && ctx.ownerReference) metadata.annotations = { [OWNER_UID_ANNOTATION]: ctx.ownerReference.uid };
  return metadata;
}
