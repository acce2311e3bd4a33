// Canonical JSON (object keys sorted, undefined members dropped) and a short hash of it: equal
// values hash equally whatever their key order. The applied-hash annotation (write-decision.ts),
// status comparisons and event names use it. The key order is render's (sorted-keys.ts): one
// implementation of "the same JSON whatever the key order".
import { createHash } from 'node:crypto';
import { sortKeysDeep } from '../../render/sorted-keys.js';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value)) ?? 'null';
}

export function contentHash(value: unknown, length = 16): string {
  return textHash(canonicalJson(value), length);
}

/** The short hash of a text already made canonical (canonicalJson), to hash it without making it again. */
export function textHash(text: string, length = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
