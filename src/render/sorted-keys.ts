// Stable key order for everything render emits. Object key order carries no meaning in Kubernetes,
// but it does in YAML and JSON text: sorted keys make golden files, `agentry render` output and the
// JSON files in the ConfigMap identical for identical input, whatever order the input was written in.

/** A copy of a string map with its keys in code-point order. */
export function sortedRecord<V>(record: Readonly<Record<string, V>>): Record<string, V> {
  const sorted: Record<string, V> = {};
  for (const key of Object.keys(record).sort(compareCodePoints)) sorted[key] = record[key] as V;
  return sorted;
}

/**
 * A deep copy with every object's keys sorted and `undefined` members dropped (as JSON would drop
 * them). Array order is kept: in Kubernetes it is meaningful (env, tolerations, containers).
 */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record).sort(compareCodePoints)) {
      if (record[key] !== undefined) sorted[key] = sortKeysDeep(record[key]);
    }
    return sorted;
  }
  return value;
}

/** Pretty-printed JSON with sorted keys and a final newline: readable, stable diffs in a ConfigMap. */
export function prettySortedJson(value: unknown): string {
  return `${JSON.stringify(sortKeysDeep(value), null, 2)}\n`;
}

// Not localeCompare: the order must not depend on the process's locale.
function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
