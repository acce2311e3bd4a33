// What the operator keeps of each cached child: the fields it applied (the only ones the drift
// check reads, see owned-fields.ts), the object's identity, and the status of the kinds whose
// status it reports on (a Deployment's readiness, an HTTPRoute's acceptance by the gateway).
// Server defaults, other controllers' annotations and managedFields itself are dropped: in a
// Deployment they are most of the object.
//
// The projection is rebuilt by the JSON parser before it is cached: V8 sizes the objects JSON.parse
// creates exactly, while objects built property by property carry spare slots, and at thousands of
// Agents that difference was larger than everything the projection drops.
import type { KubeObject, ObjectMeta } from '../kube/kube-object.js';
import { ownedFieldSet, projectFields } from './owned-fields.js';

/** Metadata the operator reads whoever owns it. */
const IDENTITY = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'deletionTimestamp'] as const;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface ChildCacheOptions {
  /** The operator's field manager. */
  manager: string;
  /** Keep `status` (read for Deployments and HTTPRoutes). */
  keepStatus: boolean;
}

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

export function childCacheTransform(options: ChildCacheOptions): (obj: KubeObject) => KubeObject {
  return (obj) => {
    const owned = ownedFieldSet(obj, options.manager);
    // Not applied by us (yet): nothing tells which fields matter, so keep the object.
    if (!owned) return withoutBookkeeping(obj);
    const { apiVersion: _apiVersion, kind: _kind, status: _status, metadata: ownedMeta, ...ownedRest } = projectFields(obj, owned) as Record<string, unknown>;
    const metadata: ObjectMeta = { ...((ownedMeta ?? {}) as Partial<ObjectMeta>), name: obj.metadata.name };
    for (const field of IDENTITY) if (obj.metadata[field] !== undefined) (metadata as Record<string, unknown>)[field] = obj.metadata[field];
    const slim: KubeObject = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata,
      ...ownedRest,
      ...(options.keepStatus && obj.status !== undefined ? { status: obj.status } : {}),
    };
    return JSON.parse(JSON.stringify(slim)) as KubeObject;
  };
}
