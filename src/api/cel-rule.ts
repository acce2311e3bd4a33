// A cross-field rule written once and enforced twice: the API server evaluates `rule` (CEL, from
// the CRD) and the operator evaluates `holds` (zod). Both report `message` on the same field, so an
// Agent that slips past the API server (an older CRD, a rule that was added later) is rejected by
// the operator with the words a user would have seen from kubectl.
import { z } from 'zod';

import { registerCheckTranslation } from './crd-translation.js';
import type { CelValidationRule } from './crd-translation.js';

export interface CelRule<T> extends CelValidationRule {
  /** The same rule in TypeScript. It sees the parsed value (defaults applied), like the API server. */
  readonly holds: (self: T) => boolean;
}

export function celRule<T>(definition: CelRule<T>): z.core.$ZodCheck<T> {
  const { holds, ...validation } = definition;
  const path = fieldPathSegments(validation.fieldPath);
  const check = z.superRefine<T>((value, ctx) => {
    // A fresh array each time: zod prefixes an array element's index onto the issue's path in place,
    // so a shared one would grow with every failure (`tools[0][0]...`, a message never the same twice).
    if (!holds(value)) ctx.addIssue({ code: 'custom', message: validation.message, path: [...path], input: value });
  });
  return registerCheckTranslation(check, { kind: 'cel', rule: validation });
}

/**
 * `.byo` → ['byo'], `.deployment.image` → ['deployment', 'image']. Only plain field steps are used:
 * they are what both the API server and zod can name without ambiguity.
 */
export function fieldPathSegments(fieldPath: string | undefined): string[] {
  if (fieldPath === undefined) return [];
  if (!/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(fieldPath)) {
    throw new Error(`CEL fieldPath ${JSON.stringify(fieldPath)} must be a chain of .field steps`);
  }
  return fieldPath.slice(1).split('.');
}
