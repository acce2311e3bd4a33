// metav1.Condition bookkeeping: lastTransitionTime moves only when status flips, so an unchanged
// condition compares equal to the live one and causes no status write.
import type { Condition } from '../api/condition.js';

export type { Condition };

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** Merges `next` into `previous` (kept in `order`), carrying lastTransitionTime over when status is unchanged. */
export function mergeConditions(previous: readonly Condition[] | undefined, next: readonly ConditionInput[], now: Date): Condition[] {
  const before = new Map((previous ?? []).map((c) => [c.type, c]));
  const merged = next.map((c): Condition => {
    const old = before.get(c.type);
    const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : rfc3339(now);
    return { type: c.type, status: c.status, reason: c.reason, message: c.message.slice(0, 32_768), ...(c.observedGeneration !== undefined ? { observedGeneration: c.observedGeneration } : {}), lastTransitionTime };
  });
  // Conditions someone else set (a type we do not manage) are kept as they are.
  const ours = new Set(next.map((c) => c.type));
  for (const old of previous ?? []) if (!ours.has(old.type)) merged.push(old);
  return merged;
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** metav1.Time is second precision RFC 3339. */
export function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
