// String-keyed maps as the API server sees them: bounded (`maxProperties`, which also keeps CEL cost
// estimates finite) or free-form (`x-kubernetes-preserve-unknown-fields`).
import { z } from 'zod';

import { crdMarkers, registerCheckTranslation } from './crd-translation.js';

export function maxProperties<T extends Record<string, unknown>>(limit: number): z.core.$ZodCheck<T> {
  const check = z.superRefine<T>((map, ctx) => {
    const count = Object.keys(map).length;
    if (count > limit) ctx.addIssue({ code: 'custom', message: `Too many: ${count}: must have at most ${limit} items`, input: map });
  });
  return registerCheckTranslation(check, { kind: 'maxProperties', value: limit });
}

/** A free-form object (for example a pod affinity) passed through to the children untouched. */
export function freeFormObject() {
  return z.record(z.string(), z.unknown()).register(crdMarkers, { preserveUnknownFields: true });
}
