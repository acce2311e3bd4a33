// Integers whose width clients care about. zod only knows "safe integer"; the CRD says int64 or int32.
import { z } from 'zod';

import { crdMarkers } from './crd-translation.js';

/** An int64 on the wire (generations, seconds, user ids). Values beyond 2^53 are not representable in JS anyway. */
export function int64() {
  return z.int().register(crdMarkers, { format: 'int64' });
}

/** An int32 on the wire (replicas, ports). */
export function int32() {
  return z.int32();
}
