// What the operator keeps of the objects in its child caches, and why that is bounded.
//
// Two caches per child kind (operator.ts): one of every object of the kind, as identity only
// (metadata-only list and watch), so that a foreign object named like a child is seen and never
// mistaken for a missing one; and one of the objects labelled as Agentry's, whose content is kept
// only for the objects an existing Agent owns (by uid), cut down to what the write decision reads
// (apply/write-decision.ts): the fields the operator's field manager owns (owned-fields.ts), the
// security fields whole (SECURITY_FIELDS), and the status of the kinds whose status it reports on.
// Anything else, labelled or not, is held as identity: name, namespace, uid, resourceVersion, its
// controller ownerReference and owner-uid annotation. A tenant who makes many large objects (say
// ConfigMaps labelled managed-by=agentry) costs the operator a few hundred bytes each.
//
// Projections are rebuilt by the JSON parser before they are cached: V8 sizes the objects
// JSON.parse creates exactly, while objects built property by property carry spare slots.
import { OWNER_UID_ANNOTATION } from '../api/group-version.js';
import { isRecord, type KubeObject, type ObjectMeta } from '../kube/kube-object.js';
import { EACH, SECURITY_FIELDS, type ExactFields } from './apply/write-decision.js';
import { ownedFieldSet, projectFields } from './owned-fields.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Marks a cached object that holds identity only (no content): see isIdentityOnly. */
const IDENTITY_ONLY = 'identityOnly';

/** Drops managedFields and, when present, kubectl's last-applied annotation (a copy of the whole object). */
export function withoutBookkeeping(obj: KubeObject): KubeObject {
  const annotations = obj.metadata.annotations;
  if (!obj.metadata.managedFields && !(annotations && LAST_APPLIED in annotations)) return obj;
  const { managedFields: _managedFields, ...metadata } = obj.metadata;
  if (annotations && LAST_APPLIED in annotations) {
    const { [LAST_APPLIED]: _lastApplied, ...rest } = annotations;
    metadata.annotations = rest;
  }
  return { ...obj, metadata };
}

/** True for an object cached as identity only. */
export function isIdentityOnly(obj: KubeObject): boolean {
  return obj[IDENTITY_ONLY] === true;
}

/** The metadata every cached child keeps, whoever owns it. */
function identityMetadata(meta: ObjectMeta): ObjectMeta {
  const out: ObjectMeta = { name: meta.name };
  if (meta.namespace !== undefined) out.namespace = meta.namespace;
  if (meta.uid !== undefined) out.uid = meta.uid;
  if (meta.resourceVersion !== undefined) out.resourceVersion = meta.resourceVersion;
  if (meta.deletionTimestamp !== undefined) out.deletionTimestamp = meta.deletionTimestamp;
  const controllers = (meta.ownerReferences ?? []).filter((r) => r.controller === true);
  if (controllers.length > 0) out.ownerReferences = controllers.map(({ apiVersion, kind, name, uid }) => ({ apiVersion, kind, name, uid, controller: true }));
  const owner = meta.annotations?.[OWNER_UID_ANNOTATION];
  if (owner !== undefined) out.annotations = { [OWNER_UID_ANNOTATION]: owner.slice(0, 64) };
  return out;
}

/**
 * The identity of an object of `kind`. Metadata-only lists and watches deliver objects as
 * PartialObjectMetadata, so their apiVersion and kind are set from what was asked for.
 */
export function identityProjection(apiVersion: string, kind: string): (obj: KubeObject) => KubeObject {
  return (obj) => JSON.parse(JSON.stringify({ apiVersion, kind, metadata: identityMetadata(obj.metadata), [IDENTITY_ONLY]: true })) as KubeObject;
}

export interface OwnedProjectionOptions {
  /** The operator's field manager. */
  manager: string;
  /** Keep `status` (read for Deployments and HTTPRoutes). */
  keepStatus: boolean;
  /** Whether an Agent with this uid exists: only the children of existing Agents keep content. */
  isAgentUid: (uid: string) => boolean;
}

/** The owner uids an object names (its controller ownerReference, its owner-uid annotation). */
function namedOwnerUids(meta: ObjectMeta): string[] {
  const uids = (meta.ownerReferences ?? []).filter((r) => r.controller === true).map((r) => r.uid);
  const annotated = meta.annotations?.[OWNER_UID_ANNOTATION];
  return annotated === undefined ? uids : [...uids, annotated];
}

export function ownedProjection(options: OwnedProjectionOptions): (obj: KubeObject) => KubeObject {
  const identity = (obj: KubeObject) => identityProjection(obj.apiVersion, obj.kind)(obj);
  return (obj) => {
    if (!namedOwnerUids(obj.metadata).some(options.isAgentUid)) return identity(obj);
    const owned = ownedFieldSet(obj, options.manager);
    // Never applied by the operator: nothing of it is the operator's to compare.
    if (!owned) return identity(obj);
    const { apiVersion: _apiVersion, kind: _kind, status: _status, metadata: ownedMeta, ...ownedRest } = projectFields(obj, owned) as Record<string, unknown>;
    const own = isRecord(ownedMeta) ? ownedMeta : {};
    const metadata: ObjectMeta = { ...own, ...identityMetadata(obj.metadata) };
    // Ready and Routed compare the status's observedGeneration with it (a stale status says nothing).
    if (obj.metadata.generation !== undefined) metadata.generation = obj.metadata.generation;
    // The ownerReferences and annotations the operator applied, as it applied them.
    if (Array.isArray(own.ownerReferences)) metadata.ownerReferences = own.ownerReferences as ObjectMeta['ownerReferences'];
    if (isRecord(own.annotations)) metadata.annotations = { ...(own.annotations as Record<string, string>), ...(metadata.annotations ?? {}) };
    // Which of the operator's entries exist (an Update entry is left by its create): no field lists.
    metadata.managedFields = (obj.metadata.managedFields ?? []).flatMap((e) =>
      isRecord(e) && e.manager === options.manager && (e.subresource ?? '') === '' ? [{ manager: e.manager, operation: e.operation }] : [],
    );
    const content: Record<string, unknown> = { ...ownedRest };
    const security = SECURITY_FIELDS[obj.kind];
    if (security !== undefined && security !== true) overlay(content, obj, security);
    const slim: KubeObject = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata,
      ...content,
      ...(options.keepStatus && obj.status !== undefined ? { status: obj.status } : {}),
    };
    return JSON.parse(JSON.stringify(slim)) as KubeObject;
  };
}

/** Copies the exact (security) fields of `live` whole into `into`, replacing what the owned projection kept of them. */
function overlay(into: Record<string, unknown>, live: Record<string, unknown>, fields: { readonly [field: string]: ExactFields }): void {
  for (const [field, spec] of Object.entries(fields)) {
    const value = live[field];
    if (spec === true) {
      if (value === undefined) delete into[field];
      else into[field] = value;
      continue;
    }
    const each = spec[EACH];
    const projected = into[field];
    if (each !== undefined && each !== true && Array.isArray(value) && Array.isArray(projected)) {
      // Elements of a list of named objects (containers): by name.
      for (const element of projected as unknown[]) {
        if (!isRecord(element)) continue;
        const match: unknown = value.find((v: unknown) => isRecord(v) && v.name === element.name);
        if (isRecord(match)) overlay(element, match, each);
      }
      continue;
    }
    if (isRecord(value)) {
      const target = isRecord(projected) ? projected : {};
      overlay(target, value, spec);
      if (Object.keys(target).length > 0) into[field] = target;
    }
  }
}

/**
 * A Secret as the operator may know it (pods.secretReferences.requiredLabel): its name and the one
 * label it checks. It is listed and watched as metadata only: no value is ever sent to the operator.
 */
export function secretLabelProjection(labelKey: string): (obj: KubeObject) => KubeObject {
  return (obj) => {
    const value = obj.metadata.labels?.[labelKey];
    const metadata: ObjectMeta = { name: obj.metadata.name, ...(obj.metadata.namespace !== undefined && { namespace: obj.metadata.namespace }), ...(value !== undefined && { labels: { [labelKey]: value } }) };
    return { apiVersion: 'v1', kind: 'Secret', metadata, [IDENTITY_ONLY]: true };
  };
}
