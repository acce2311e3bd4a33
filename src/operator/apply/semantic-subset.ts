// "Is everything we want already there?" — desired ⊆ live, with the API server's normalisations.
//
// Live objects carry defaults and other managers' fields, so live is compared as a superset. Three
// server behaviours would otherwise look like drift forever:
//  - omitempty: a zero value we send ("", false, 0, {}, []) is not stored, so it is absent live;
//  - quantities are canonicalised ("0.5" → "500m");
//  - integers may come back as numbers where we sent numeric strings only for int-or-string fields,
//    which we render exactly as the server keeps them, so no special case is needed there.
// Lists must match in length and element by element: an extra live element (e.g. an env var that
// some other manager added) is drift we cannot express as a subset, and applying is then correct.
import { sameQuantity } from '../../kube/quantity.js';

function isZero(value: unknown): boolean {
  if (value === '' || value === false || value === 0 || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object' && value !== null) return Object.values(value).every((v) => v === undefined || isZero(v));
  return false;
}

export function isSemanticSubset(desired: unknown, live: unknown): boolean {
  if (desired === undefined) return true;
  if (live === undefined || live === null) return isZero(desired);
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return false;
    return desired.every((d, i) => isSemanticSubset(d, live[i]));
  }
  if (typeof desired === 'object' && desired !== null) {
    if (typeof live !== 'object' || Array.isArray(live)) return false;
    const liveRecord = live as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(([k, v]) => isSemanticSubset(v, liveRecord[k]));
  }
  if (desired === live) return true;
  if (typeof desired === 'string' && typeof live === 'string') return sameQuantity(desired, live);
  return false;
}

/** The first path where desired is not satisfied by live, for logs and tests (undefined if none). */
export function firstDifference(desired: unknown, live: unknown, path = ''): string | undefined {
  if (isSemanticSubset(desired, live)) return undefined;
  if (Array.isArray(desired) && Array.isArray(live) && live.length === desired.length) {
    for (let i = 0; i < desired.length; i++) {
      const d = firstDifference(desired[i], live[i], `${path}[${i}]`);
      if (d) return d;
    }
  }
  if (desired && typeof desired === 'object' && !Array.isArray(desired) && live && typeof live === 'object' && !Array.isArray(live)) {
    for (const [k, v] of Object.entries(desired as Record<string, unknown>)) {
      const d = firstDifference(v, (live as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
  }
  return path || '.';
}
