// The metadata of a kagent object as this converter reads it. The fields the API server manages
// (uid, resourceVersion, managedFields …) are what `kubectl get -o yaml` adds: they are dropped, as
// `kubectl apply` of an exported object would ignore them. The rest is checked by convert-metadata.
import { z } from 'zod';

export const objectMetaSchema = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type KagentObjectMeta = z.output<typeof objectMetaSchema>;

/** Metadata the API server writes; meaningless in a manifest to apply. */
export const SERVER_MANAGED_METADATA: readonly string[] = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
];

/** Annotations that describe the kagent object itself, not the agent. */
export const KAGENT_OBJECT_ANNOTATIONS: readonly string[] = ['kubectl.kubernetes.io/last-applied-configuration'];
