// A kagent object's metadata → the Agentry object's: the same name (when Agentry accepts it), the same
// namespace, labels and annotations (less kubectl's record of the kagent object). What the API server
// manages is dropped, as on any export; owner references, finalizers and the like are reported.
import type { z } from 'zod';

import { sortedRecord } from '../../render/sorted-keys.js';
import { fitAgentry } from '../agentry-fit.js';
import type { ObjectReport } from '../conversion-report.js';
import { isUnset } from '../unconverted-fields.js';
import type { KagentObjectMeta } from './kagent-object-meta.js';
import { KAGENT_OBJECT_ANNOTATIONS, SERVER_MANAGED_METADATA } from './kagent-object-meta.js';

/** A type, not an interface: it must be assignable to KubeObject's ObjectMeta. */
export type ConvertedMetadata = {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};

const CARRIED = new Set(['name', 'namespace', 'labels', 'annotations']);

/** undefined when Agentry refuses the name (reported: the object is then left out). */
export function convertMetadata(metadata: KagentObjectMeta, nameSchema: z.ZodType<string>, report: ObjectReport): ConvertedMetadata | undefined {
  const name = fitAgentry(nameSchema, metadata.name, ['metadata', 'name'], report);
  if (name === undefined) return undefined;
  const out: ConvertedMetadata = { name };
  if (metadata.namespace !== undefined) out.namespace = metadata.namespace;
  if (metadata.labels !== undefined && !isUnset(metadata.labels)) out.labels = sortedRecord(metadata.labels);
  const annotations = Object.entries(metadata.annotations ?? {}).filter(([key]) => !KAGENT_OBJECT_ANNOTATIONS.includes(key));
  if (annotations.length > 0) out.annotations = sortedRecord(Object.fromEntries(annotations));
  for (const [key, value] of Object.entries(metadata)) {
    if (CARRIED.has(key) || SERVER_MANAGED_METADATA.includes(key) || isUnset(value)) continue;
    report.notConverted(['metadata', key], 'not carried over to the Agentry object: it belongs to the kagent one');
  }
  return out;
}
