// The part of an object that one field manager owns, read from its managedFields (FieldsV1), and
// the object cut down to exactly that part.
//
// Why: the operator's only question about a live child is "does it still hold what we applied?"
// (see apply/write-decision.ts). Server-side apply records precisely which fields
// our manager applied, and takes a field away from us only when someone changes or removes its
// value. So the fields we own are all the drift check can ever read, and everything else (server
// defaults, other controllers' annotations, other managers' list elements) is cache weight.
//
// FieldsV1 is a tree of keys: `f:<field>` (a struct or map field), `k:<json>` (the element of an
// associative list whose key fields have these values), `v:<json>` (the element of a set with this
// value), `i:<index>` (an element by position) and `.` (the node itself, with none of its children
// implied). A node with no children is owned whole: a scalar, or an atomic list, map or struct.
import { isRecord, type KubeObject } from '../kube/kube-object.js';

export interface FieldSet {
  [key: string]: FieldSet;
}

interface ManagedFieldsEntry {
  manager?: unknown;
  subresource?: unknown;
  fieldsType?: unknown;
  fieldsV1?: unknown;
}

export function asFieldSet(value: unknown): FieldSet {
  if (!isRecord(value)) return {};
  const out: FieldSet = {};
  for (const [key, child] of Object.entries(value)) out[key] = asFieldSet(child);
  return out;
}

/** Every field in either set. */
export function unionFieldSets(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { ...a };
  for (const [key, child] of Object.entries(b)) out[key] = key in out ? unionFieldSets(out[key] ?? {}, child) : child;
  return out;
}

/**
 * The fields `manager` owns on the main resource (entries of status or other subresources are not
 * counted), merged over all its entries (one per API version it used). Undefined when the object
 * has no entry of that manager at all.
 */
export function ownedFieldSet(obj: KubeObject, manager: string): FieldSet | undefined {
  let owned: FieldSet | undefined;
  for (const entry of (obj.metadata.managedFields ?? []) as ManagedFieldsEntry[]) {
    if (!isRecord(entry) || entry.manager !== manager || (entry.subresource ?? '') !== '' || entry.fieldsType !== 'FieldsV1') continue;
    owned = unionFieldSets(owned ?? {}, asFieldSet(entry.fieldsV1));
  }
  return owned;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A list element's key in FieldsV1, parsed once per list. */
type ElementKey = { kind: 'index'; index: number } | { kind: 'value'; value: unknown } | { kind: 'key'; fields: Record<string, unknown> };

function parseElementKey(key: string): ElementKey | undefined {
  if (key.startsWith('i:')) return { kind: 'index', index: Number(key.slice(2)) };
  if (key.startsWith('v:')) return { kind: 'value', value: parseJson(key.slice(2)) };
  if (key.startsWith('k:')) {
    const fields = parseJson(key.slice(2));
    return isRecord(fields) ? { kind: 'key', fields } : undefined;
  }
  return undefined;
}

function matches(key: ElementKey, element: unknown, index: number): boolean {
  switch (key.kind) {
    case 'index':
      return key.index === index;
    case 'value':
      return deepEqual(element, key.value);
    case 'key':
      return isRecord(element) && Object.entries(key.fields).every(([k, v]) => deepEqual(element[k], v));
  }
}

/** `value` cut down to the fields in `fields`. */
export function projectFields(value: unknown, fields: FieldSet): unknown {
  const keys = Object.keys(fields).filter((k) => k !== '.');
  if (keys.length === 0) {
    // Owned whole, or (`.` alone) owned as a node whose members belong to others.
    return '.' in fields && isRecord(value) ? {} : value;
  }
  if (Array.isArray(value)) {
    const elementKeys = keys.flatMap((k) => {
      const parsed = parseElementKey(k);
      return parsed ? [{ parsed, own: fields[k] ?? {} }] : [];
    });
    const out: unknown[] = [];
    value.forEach((element, index) => {
      const hit = elementKeys.find((k) => matches(k.parsed, element, index));
      if (hit) out.push(projectFields(element, hit.own));
    });
    return out;
  }
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      if (!key.startsWith('f:')) continue;
      const name = key.slice(2);
      if (name in value) out[name] = projectFields(value[name], fields[key] ?? {});
    }
    return out;
  }
  return value;
}
