// The part of metav1.ObjectMeta the operator reads. Unknown metadata fields (managedFields …) are
// kept: the operator never writes back an object it read, but it must not lose what it passes on.
//
// This schema is used by zod only. The CRD's `metadata` is not generated from it: the API server
// owns ObjectMeta and lets a CRD constrain nothing there but `name` and `generateName`.
import { z } from 'zod';

import { int64 } from './integer-formats.js';

const ownerReferenceSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});

export function objectMetaSchemaWithName<N extends z.ZodType<string>>(name: N) {
  return z.looseObject({
    name,
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: int64().optional(),
    creationTimestamp: z.string().optional(),
    deletionTimestamp: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    finalizers: z.array(z.string()).optional(),
    ownerReferences: z.array(ownerReferenceSchema).optional(),
  });
}

export const objectMetaSchema = objectMetaSchemaWithName(z.string().min(1));
export type ObjectMeta = z.output<typeof objectMetaSchema>;
