// "Should I write?": the one place that decides what the operator does to each child of an Agent.
//
// The rule, for a desired child (rendered) and what the caches hold of the object of that kind,
// namespace and name:
//
//   1. No such object             → create it (a create, never an apply: an apply would take over
//                                    an object that appeared since the cache was read).
//   2. It exists and is not ours  → conflict: nothing is written, the Agent reports ChildConflict.
//                                    Ours means a controller ownerReference to this Agent's uid or,
//                                    for a child in another namespace (which cannot carry one), the
//                                    owner-uid annotation naming it. Labels never make an object ours.
//   3. It is ours and differs     → patch it (server-side apply, carrying the live uid, so the patch
//                                    fails rather than lands on an object that replaced ours).
//   4. Otherwise                  → nothing.
//
// "Differs" is: the applied-hash annotation changed (we changed our mind, including about fields we
// no longer set, which a comparison cannot see), or a field we set no longer has our value (drift).
// Values compare exactly, pointer booleans included (`false` is a value, and an absent
// `allowPrivilegeEscalation` is not the same as `false`), quantities by amount, lists of named
// elements by their merge key. The fields Agentry sets for security (pod and container
// securityContext, automountServiceAccountToken, the NetworkPolicy's rules) are compared whole: a
// field someone added there (`privileged: true`, an allow-all ingress rule) is drift too.
//
// Pruning follows the same ownership rule (childrenToPrune); deletes carry a uid precondition.
import { OWNER_UID_ANNOTATION } from '../../api/group-version.js';
import { isRecord, type KubeObject } from '../../kube/kube-object.js';
import { sameQuantity } from '../../kube/quantity.js';
import { contentHash } from './content-hash.js';

export const FIELD_MANAGER = 'agentry';

/**
 * A hash of what the operator last applied, kept on the object itself: it changes whenever the
 * desired object changes, so "hash differs" triggers exactly the applies that remove fields we
 * stopped setting, and it survives operator restarts.
 */
export const APPLIED_HASH_ANNOTATION = 'agentry.dev/applied-hash';

/** The Agent a decision is made for. */
export interface ChildOwner {
  namespace: string;
  name: string;
  uid: string;
  /** For messages: `Agent` when unset (a RemoteAgent says so). */
  kind?: string;
}

/** What the caches hold of the object a desired child is named after. */
export interface LiveChild {
  /** Its identity, from the cache of every object of the kind (see child-projection.ts). */
  identity?: KubeObject;
  /** What the operator keeps of an object it owns: its owned fields, the security fields whole, status where read. */
  content?: KubeObject;
}

/** The version the operator's own last write of an object returned, and the applied hash it wrote. */
export interface WrittenVersion {
  uid: string;
  resourceVersion: string;
  appliedHash: string | undefined;
}

export type PatchReason = 'changed' | 'drifted' | 'unverified';

export type WriteDecision =
  | { action: 'create'; desired: KubeObject }
  | {
      action: 'patch';
      /** With the applied hash, and the live uid as a precondition. */
      desired: KubeObject;
      reason: PatchReason;
      /** For drift: the first field where live differs from desired. */
      path?: string;
      /** The object carries fields our create set (an Update entry): see ChildWriter.upgradeManagedFields. */
      upgradeManagedFields: boolean;
    }
  | { action: 'conflict'; message: string }
  | { action: 'none'; why: 'in-sync' | 'just-written' | 'deleting' }
  /**
   * The two caches hold different versions: the one behind delivers its event later. When the
   * content read differs from desired (`differs`), the decision is only postponed, and the reconcile
   * should look again soon: that event may be one that queues nothing (child-change.ts).
   */
  | { action: 'none'; why: 'settling'; differs: boolean };

/** The uids of the Agents an object names as its owner: its controller ownerReference, and the owner-uid annotation. */
export function ownerUidsOf(obj: KubeObject): string[] {
  const uids = (obj.metadata.ownerReferences ?? []).filter((r) => r.controller === true).map((r) => r.uid);
  const annotated = obj.metadata.annotations?.[OWNER_UID_ANNOTATION];
  return annotated ? [...uids, annotated] : uids;
}

/**
 * Whether `obj` is the Agent's: in the Agent's namespace, by a controller ownerReference to its uid;
 * elsewhere (where no ownerReference can point to it), by the owner-uid annotation.
 */
export function isOwnedBy(obj: KubeObject, owner: ChildOwner): boolean {
  if (obj.metadata.namespace === owner.namespace) return (obj.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === owner.uid);
  return obj.metadata.annotations?.[OWNER_UID_ANNOTATION] === owner.uid;
}

/** The desired object with its own hash annotated (the hash covers everything but itself). */
export function withAppliedHash<T extends KubeObject>(desired: T): T {
  const annotations = { ...(desired.metadata.annotations ?? {}) };
  delete annotations[APPLIED_HASH_ANNOTATION];
  const unhashed = { ...desired, metadata: { ...desired.metadata, annotations } };
  return { ...desired, metadata: { ...desired.metadata, annotations: { ...annotations, [APPLIED_HASH_ANNOTATION]: contentHash(unhashed) } } };
}

export function decideChildWrite(desired: KubeObject, live: LiveChild, owner: ChildOwner, written?: WrittenVersion): WriteDecision {
  const hashed = withAppliedHash(desired);
  const identity = live.identity ?? live.content;
  if (!identity) return { action: 'create', desired: hashed };
  if (!isOwnedBy(identity, owner)) return { action: 'conflict', message: conflictMessage(desired, identity, owner.kind ?? 'Agent') };
  if (identity.metadata.deletionTimestamp) return { action: 'none', why: 'deleting' };
  const { uid = '', resourceVersion } = identity.metadata;
  // Live is exactly what our last write left, and that write was of what we want now: its watch event
  // has not reached the content cache yet. Only while the content cache has nothing else: a content
  // cache at another version has seen a change the identity cache has not (below, settling).
  const hash = hashed.metadata.annotations?.[APPLIED_HASH_ANNOTATION];
  const contentVersion = live.content?.metadata.uid === uid ? live.content.metadata.resourceVersion : undefined;
  if (written && written.uid === uid && written.resourceVersion === resourceVersion && written.appliedHash === hash && (contentVersion === undefined || contentVersion === resourceVersion)) {
    return { action: 'none', why: 'just-written' };
  }
  const patch = (reason: PatchReason, upgradeManagedFields: boolean, path?: string): WriteDecision => ({
    action: 'patch',
    desired: { ...hashed, metadata: { ...hashed.metadata, uid } },
    reason,
    upgradeManagedFields,
    ...(path !== undefined && { path }),
  });
  const content = live.content && live.content.metadata.uid === uid ? live.content : undefined;
  // Ours, but not cached with its content (our labels were taken off it, say): apply, which puts them back.
  if (!content) return patch('unverified', true);
  // The two caches have seen different versions: no write on what may be a stale read.
  const settling = content.metadata.resourceVersion !== resourceVersion;
  // Only a change of what we want can leave fields behind that the create set: drift puts back ours.
  if (content.metadata.annotations?.[APPLIED_HASH_ANNOTATION] !== hashed.metadata.annotations?.[APPLIED_HASH_ANNOTATION]) {
    return settling ? { action: 'none', why: 'settling', differs: true } : patch('changed', createdByUs(content));
  }
  const path = firstDifference(hashed, content);
  if (settling) return { action: 'none', why: 'settling', differs: path !== undefined };
  return path === undefined ? { action: 'none', why: 'in-sync' } : patch('drifted', false, path);
}

/** The operator's managedFields entries that the content projection keeps (manager and operation only). */
function createdByUs(content: KubeObject): boolean {
  return (content.metadata.managedFields ?? []).some((e) => isRecord(e) && e.manager === FIELD_MANAGER && e.operation === 'Update');
}

function conflictMessage(desired: KubeObject, identity: KubeObject, ownerKind: string): string {
  const { namespace, name } = identity.metadata;
  const controller = (identity.metadata.ownerReferences ?? []).find((r) => r.controller === true);
  const holder = controller
    ? `it is controlled by ${controller.kind} ${controller.name}`
    : identity.metadata.annotations?.[OWNER_UID_ANNOTATION]
      ? 'it belongs to another Agent or RemoteAgent'
      : 'no Agent owns it';
  return `${desired.kind} ${namespace}/${name} already exists and is not this ${ownerKind}'s (${holder}): Agentry never takes over an object it did not create; rename the ${ownerKind} or remove the ${desired.kind}`;
}

/** The owned children (by uid) that are not desired: each is deleted with its uid as a precondition. */
export function childrenToPrune(owned: readonly KubeObject[], desired: readonly KubeObject[], owner: ChildOwner): KubeObject[] {
  const key = (o: KubeObject) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? owner.namespace}/${o.metadata.name}`;
  const wanted = new Set(desired.map(key));
  return owned.filter((o) => isOwnedBy(o, owner) && !o.metadata.deletionTimestamp && !wanted.has(key(o)));
}

// ---------------------------------------------------------------------------------------------
// The comparison.

/** `true`: compare this subtree whole. A `*` key applies to every element of a list. */
export type ExactFields = true | { readonly [field: string]: ExactFields };
export const EACH = '*';

/** The fields Agentry sets for security, per kind: compared whole, and cached whole (child-projection.ts). */
export const SECURITY_FIELDS: Readonly<Record<string, ExactFields>> = {
  Deployment: {
    spec: { template: { spec: { securityContext: true, automountServiceAccountToken: true, containers: { [EACH]: { securityContext: true } } } } },
  },
  ServiceAccount: { automountServiceAccountToken: true },
  NetworkPolicy: { spec: true },
};

/**
 * Lists whose elements are matched by a key rather than by position (their strategic-merge and
 * server-side-apply merge keys): an element another manager added, or a different order, is then
 * not a difference.
 */
const LIST_MAP_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  volumes: 'name',
  env: 'name',
  imagePullSecrets: 'name',
  ports: 'name',
  volumeMounts: 'mountPath',
};

/** Fields the server owns the value of, which desired may carry but never compare. */
const SERVER_METADATA = new Set(['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields']);

/** The first field path where `live` does not hold what `desired` sets (undefined when it does). */
export function firstDifference(desired: KubeObject, live: KubeObject): string | undefined {
  const exact = SECURITY_FIELDS[desired.kind];
  const { metadata, ...rest } = desired;
  const ownMetadata = Object.fromEntries(Object.entries(metadata).filter(([k]) => !SERVER_METADATA.has(k)));
  return difference({ ...rest, metadata: ownMetadata }, live, '', exact === true ? true : exact);
}

function difference(desired: unknown, live: unknown, path: string, exact: ExactFields | undefined): string | undefined {
  if (exact === true) return sameValue(desired, live) ? undefined : path || '.';
  if (desired === undefined && exact === undefined) return undefined;
  if (Array.isArray(desired)) return listDifference(desired, live, path, exact);
  if (isRecord(desired) || (desired === undefined && exact !== undefined)) {
    const want = isRecord(desired) ? desired : {};
    if (live !== undefined && !isRecord(live)) return path || '.';
    // An empty object we send may be stored as absent (omitempty); a non-empty one must be there.
    if (live === undefined && Object.keys(want).length === 0 && exact === undefined) return undefined;
    const have = isRecord(live) ? live : {};
    const keys = new Set([...Object.keys(want), ...Object.keys(exact ?? {}).filter((k) => k !== EACH)]);
    for (const key of keys) {
      const d = difference(want[key], have[key], path ? `${path}.${key}` : key, exact?.[key]);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return sameValue(desired, live) ? undefined : path || '.';
}

function listDifference(desired: unknown[], live: unknown, path: string, exact: ExactFields | undefined): string | undefined {
  // An empty list we send may be stored as absent (omitempty).
  if (live === undefined && desired.length === 0) return undefined;
  if (!Array.isArray(live)) return path || '.';
  const each = exact === undefined || exact === true ? undefined : exact[EACH];
  const key = LIST_MAP_KEYS[path.slice(path.lastIndexOf('.') + 1)];
  const keyed = key !== undefined && desired.every((d) => isRecord(d) && typeof d[key] === 'string');
  if (!keyed) {
    if (live.length !== desired.length) return path;
    for (let i = 0; i < desired.length; i++) {
      const d = difference(desired[i], live[i], `${path}[${i}]`, each);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  for (const element of desired) {
    const id = (element as Record<string, unknown>)[key];
    const match: unknown = live.find((l: unknown) => isRecord(l) && l[key] === id);
    const at = `${path}[${key}=${String(id)}]`;
    if (match === undefined) return at;
    const d = difference(element, match, at, each);
    if (d !== undefined) return d;
  }
  return undefined;
}

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

/**
 * The JSON patch operations that make `live` hold exactly the desired security fields, for what
 * server-side apply cannot do: remove a field another manager added beside ours (a capability, a
 * `privileged`, an ingress rule), which an apply of ours leaves in place because it is not ours to
 * remove. Paths use live's list indices (elements matched by name). Empty when live already holds them.
 */
export function securityRepairs(desired: KubeObject, live: KubeObject): JsonPatchOperation[] {
  const exact = SECURITY_FIELDS[desired.kind];
  if (exact === undefined || exact === true) return [];
  const ops: JsonPatchOperation[] = [];
  repairs(desired, live, '', exact, ops);
  return ops;
}

function repairs(desired: unknown, live: unknown, pointer: string, exact: ExactFields, ops: JsonPatchOperation[]): void {
  if (exact === true) {
    if (sameValue(desired, live)) return;
    if (desired === undefined) ops.push({ op: 'remove', path: pointer });
    else ops.push({ op: 'add', path: pointer, value: desired });
    return;
  }
  if (!isRecord(live)) return; // nothing of ours to repair below a node that is not there (apply puts it back)
  const want = isRecord(desired) ? desired : {};
  for (const [field, spec] of Object.entries(exact)) {
    if (field === EACH) continue;
    const at = `${pointer}/${field.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    const each = spec !== true ? spec[EACH] : undefined;
    if (each !== undefined && each !== true && Array.isArray(want[field]) && Array.isArray(live[field])) {
      const liveList = live[field] as unknown[];
      for (const element of want[field] as unknown[]) {
        if (!isRecord(element)) continue;
        const index = liveList.findIndex((l) => isRecord(l) && l.name === element.name);
        if (index >= 0) repairs(element, liveList[index], `${at}/${index}`, each, ops);
      }
      continue;
    }
    if (spec === true || isRecord(live[field])) repairs(want[field], live[field], at, spec, ops);
  }
}

/** Scalars and whole subtrees: equal JSON (key order aside), quantities by amount. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') return sameQuantity(a, b);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keysA = Object.keys(a).filter((k) => a[k] !== undefined);
    const keysB = Object.keys(b).filter((k) => b[k] !== undefined);
    return keysA.length === keysB.length && keysA.every((k) => sameValue(a[k], b[k]));
  }
  return false;
}
