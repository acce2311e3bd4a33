// Finding what a conversion leaves behind, so that it can be reported: fields a source schema does not
// know, fields an Agentry schema stripped, and values that say nothing (Go's zero values, which kagent
// treats as unset).
import type { z } from 'zod';

import type { FieldPath, ObjectReport } from './conversion-report.js';
import { isRecord } from '../kube/kube-object.js';

/** Unset in the Go sense: nothing, an empty string, false, an empty list, or an object of such. */
export function isUnset(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isRecord(value)) return Object.values(value).every(isUnset);
  return false;
}

export const UNKNOWN_FIELD = 'unknown field (not in the kagent schema this converter reads)';

/** Reports the members of `value` that `schema` does not name (a loose schema keeps them). */
export function reportUnknownFields(report: ObjectReport, path: FieldPath, value: Record<string, unknown>, schema: z.ZodObject): void {
  const known = new Set(Object.keys(schema.shape));
  for (const [key, member] of Object.entries(value)) {
    if (!known.has(key) && !isUnset(member)) report.notConverted([...path, key], UNKNOWN_FIELD);
  }
}

/**
 * Paths set in `input` that are missing from `output`: what a (stripping) zod parse dropped. Lists are
 * compared item by item.
 */
export function droppedPaths(input: unknown, output: unknown, path: FieldPath = []): FieldPath[] {
  if (Array.isArray(input)) {
    if (!Array.isArray(output)) return isUnset(input) ? [] : [path];
    return input.flatMap((item, index) => droppedPaths(item, output[index], [...path, index]));
  }
  if (isRecord(input)) {
    if (!isRecord(output)) return isUnset(input) ? [] : [path];
    return Object.entries(input).flatMap(([key, member]) => {
      if (isUnset(member)) return [];
      return key in output ? droppedPaths(member, output[key], [...path, key]) : [[...path, key]];
    });
  }
  return [];
}
