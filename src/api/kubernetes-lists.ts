// List semantics the API server knows: `x-kubernetes-list-type: map` (items keyed by fields, merged
// item by item by server-side apply) and `set` (unique scalars). Both reject duplicates, so the
// operator's zod schema checks the same thing and reports it the way the API server does.
import { z } from 'zod';

import { registerCheckTranslation } from './crd-translation.js';

/** Items are unique by `keys`; the CRD gets `x-kubernetes-list-type: map` with these list-map-keys. */
export function listMapKeys<T extends object>(...keys: readonly (keyof T & string)[]): z.core.$ZodCheck<T[]> {
  const check = z.superRefine<T[]>((items, ctx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const key: Record<string, unknown> = {};
      for (const k of keys) key[k] = item[k];
      const identity = JSON.stringify(key);
      if (seen.has(identity)) ctx.addIssue({ code: 'custom', message: `Duplicate value: ${identity}`, path: [index], input: item });
      seen.add(identity);
    });
  });
  return registerCheckTranslation(check, { kind: 'listMap', keys });
}

/** Scalar items are unique; the CRD gets `x-kubernetes-list-type: set`. */
export function listSet<T extends string | number | boolean>(): z.core.$ZodCheck<T[]> {
  const check = z.superRefine<T[]>((items, ctx) => {
    const seen = new Set<T>();
    items.forEach((item, index) => {
      if (seen.has(item)) ctx.addIssue({ code: 'custom', message: `Duplicate value: ${JSON.stringify(item)}`, path: [index], input: item });
      seen.add(item);
    });
  });
  return registerCheckTranslation(check, { kind: 'listSet' });
}
