// Names and keys as Kubernetes validates them. Every reference in the API (to a ModelConfig, a
// Secret, a ConfigMap, a ServiceAccount …) is checked here, at apply time, rather than when a child
// object is finally rejected by the API server long after the user has moved on.
//
// The patterns are written for both ECMAScript (zod) and RE2 (the API server): no look-arounds.
import { z } from 'zod';

import { crdMarkers } from './crd-translation.js';
import { maxProperties } from './kubernetes-maps.js';

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';

/** A DNS-1123 label: namespaces, and the names of Services' ports. At most 63 characters. */
export function dns1123Label() {
  return z
    .string()
    .min(1)
    .max(63)
    .regex(new RegExp(`^${DNS1123_LABEL}$`), {
      message: "must be a lowercase RFC 1123 label: letters, digits and '-', starting and ending with a letter or digit",
    });
}

/** A DNS-1123 subdomain: the names of most objects (ConfigMaps, Secrets, ServiceAccounts, custom resources). */
export function dns1123Subdomain() {
  return z
    .string()
    .min(1)
    .max(253)
    .regex(new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`), {
      message: "must be a lowercase RFC 1123 subdomain: letters, digits, '-' and '.', starting and ending with a letter or digit",
    });
}

/** A DNS-1035 label: the names of Services, which must start with a letter. */
export function dns1035Label(maxLength: number) {
  return z
    .string()
    .min(1)
    .max(maxLength)
    .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, {
      message: "must be a lowercase RFC 1035 label: letters, digits and '-', starting with a letter and ending with a letter or digit",
    });
}

/** A key in a ConfigMap or Secret. */
export function configMapKey() {
  return z
    .string()
    .min(1)
    .max(253)
    // Kubernetes also refuses '.', '..' and keys starting with '..' (they would clash with the
    // volume's own '..data' links). RE2, which the API server uses for patterns, has no lookahead:
    // a key starts with a non-dot, or with a single dot followed by a non-dot.
    .regex(/^(?:[-_a-zA-Z0-9][-._a-zA-Z0-9]*|\.[-_a-zA-Z0-9][-._a-zA-Z0-9]*)$/, {
      message: "must consist of letters, digits, '-', '_' or '.', and must not be '.', '..' or start with '..'",
    });
}

/**
 * An environment variable name. Kubernetes 1.34 accepts any printable ASCII but '='; this keeps to
 * the classic rule so that the names also work in shells and in older clusters' validation.
 */
export function envVarName() {
  return z
    .string()
    .min(1)
    .max(256)
    .regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, {
      message: "must consist of letters, digits, '_', '-' or '.', and must not start with a digit",
    });
}

const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A label, annotation or resource name: an optional DNS subdomain prefix and '/', then a name. */
export function qualifiedName() {
  return z.string().min(1).max(317).regex(QUALIFIED_NAME, { message: "must be a qualified name such as 'example.com/my-key' or 'my-key'" });
}

// The length limits of a qualified name's two parts, which a single RE2 pattern cannot express.
// Only used for map keys, which the operator checks and the API server cannot (see labelMap).
function mapKey() {
  return qualifiedName()
    .refine((key) => (key.split('/').pop() ?? '').length <= 63, { message: 'the name after the prefix must be at most 63 characters' })
    .refine((key) => !key.includes('/') || (key.split('/')[0] ?? '').length <= 253, { message: 'the prefix must be at most 253 characters' });
}

export function labelValue() {
  return z
    .string()
    .max(63)
    .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/, {
      message: "must be at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    });
}

const MAP_KEYS_WHY =
  'the API server cannot constrain map keys in a schema, and CEL over map keys is priced as if each key could fill the request';

/** Labels (pod labels, node selectors, peer pod selectors). */
export function labelMap(limit: number) {
  return z
    .record(mapKey(), labelValue())
    .check(maxProperties(limit))
    .register(crdMarkers, { keysCheckedByOperatorOnly: MAP_KEYS_WHY });
}

/** Annotations: values are free text, bounded so that the total stays far below the API server's 256 KiB limit. */
export function annotationMap(limit: number) {
  return z
    .record(mapKey(), z.string().max(4096))
    .check(maxProperties(limit))
    .register(crdMarkers, { keysCheckedByOperatorOnly: MAP_KEYS_WHY });
}

/** A map keyed by resource names (`cpu`, `memory`, `nvidia.com/gpu`). */
export function resourceNameMap<V extends z.ZodType>(value: V, limit: number) {
  return z.record(mapKey(), value).check(maxProperties(limit)).register(crdMarkers, { keysCheckedByOperatorOnly: MAP_KEYS_WHY });
}
