/**
 * The minimal shape of a Kubernetes object that the controller core needs. Everything beyond
 * `metadata` stays `unknown`: the core never interprets `spec` or `status`, so callers that need a
 * typed object narrow it themselves (for example in an informer `transform`).
 */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  [field: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** Thrown when data that came off the wire does not look like a Kubernetes object. */
export class InvalidKubeObjectError extends Error {
  override readonly name = 'InvalidKubeObjectError';
}

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}

function isOwnerReference(value: unknown): value is OwnerReference {
  return (
    isRecord(value) &&
    typeof value['apiVersion'] === 'string' &&
    typeof value['kind'] === 'string' &&
    typeof value['name'] === 'string' &&
    typeof value['uid'] === 'string' &&
    (value['controller'] === undefined || typeof value['controller'] === 'boolean')
  );
}

function optionalOfType(meta: Record<string, unknown>, field: string, type: 'string' | 'number'): boolean {
  const value = meta[field];
  return value === undefined || typeof value === type;
}

/**
 * Narrows a parsed JSON value to a KubeObject, checking the metadata fields the core relies on.
 * `defaults` fills `apiVersion`/`kind`, which the API server omits from the items of a list of
 * built-in types (a ServiceList's items carry neither).
 */
export function toKubeObject(value: unknown, defaults?: { apiVersion: string; kind: string }): KubeObject {
  if (!isRecord(value)) {
    throw new InvalidKubeObjectError('object is not a JSON object');
  }
  const apiVersion = typeof value['apiVersion'] === 'string' ? value['apiVersion'] : defaults?.apiVersion;
  const kind = typeof value['kind'] === 'string' ? value['kind'] : defaults?.kind;
  const metadata = value['metadata'];
  if (apiVersion === undefined || kind === undefined) {
    throw new InvalidKubeObjectError('object has no apiVersion/kind');
  }
  if (!isRecord(metadata) || typeof metadata['name'] !== 'string') {
    throw new InvalidKubeObjectError(`${kind} has no metadata.name`);
  }
  const wellTyped =
    optionalOfType(metadata, 'namespace', 'string') &&
    optionalOfType(metadata, 'uid', 'string') &&
    optionalOfType(metadata, 'resourceVersion', 'string') &&
    optionalOfType(metadata, 'generation', 'number') &&
    optionalOfType(metadata, 'creationTimestamp', 'string') &&
    optionalOfType(metadata, 'deletionTimestamp', 'string') &&
    (metadata['labels'] === undefined || isStringRecord(metadata['labels'])) &&
    (metadata['annotations'] === undefined || isStringRecord(metadata['annotations'])) &&
    (metadata['finalizers'] === undefined ||
      (Array.isArray(metadata['finalizers']) && metadata['finalizers'].every((f) => typeof f === 'string'))) &&
    (metadata['ownerReferences'] === undefined ||
      (Array.isArray(metadata['ownerReferences']) && metadata['ownerReferences'].every(isOwnerReference))) &&
    (metadata['managedFields'] === undefined || Array.isArray(metadata['managedFields']));
  if (!wellTyped) {
    throw new InvalidKubeObjectError(`${kind} ${metadata['name']} has malformed metadata`);
  }
  // Every field checked above matches ObjectMeta, so the record is one.
  return { ...value, apiVersion, kind, metadata: metadata as ObjectMeta };
}
