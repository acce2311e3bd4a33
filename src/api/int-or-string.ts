// `x-kubernetes-int-or-string` values: resource quantities and the like.
import { z } from 'zod';

import { crdMarkers } from './crd-translation.js';

export function intOrString(stringForm: z.ZodString) {
  return z.union([z.int(), stringForm]).register(crdMarkers, { intOrString: true });
}

// The pattern the Kubernetes API publishes for resource.Quantity (it is RE2- and ECMAScript-compatible).
const QUANTITY_PATTERN = /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

/** A resource quantity such as `500m`, `2Gi` or `1`. */
export function quantity() {
  return intOrString(z.string().max(64).regex(QUANTITY_PATTERN, { message: 'must be a quantity, such as 500m, 2Gi or 1' }));
}
