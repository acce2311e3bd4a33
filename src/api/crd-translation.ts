// How zod constructs that have no direct JSON-schema equivalent reach the CRD.
//
// The CRD generator walks the zod schemas. Plain constraints (lengths, patterns, bounds, enums)
// translate by themselves; everything else is declared here, explicitly:
//   - a custom zod check (a refinement) must be registered with a CheckTranslation that says what the
//     API server does instead (a CEL rule, maxProperties, list-type uniqueness …). The generator
//     refuses a refinement it has no translation for, so a rule can never silently exist in the
//     operator's validation but not in the CRD.
//   - node-level markers (int-or-string, preserve-unknown-fields, formats) live in `crdMarkers`.
import { z } from 'zod';

/** Reasons the API server accepts on a rule. `FieldValueDuplicate` is left out: it drops the message. */
export type CelFieldErrorReason = 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired';

/** One `x-kubernetes-validations` entry, exactly as it appears in the CRD. */
export interface CelValidationRule {
  /** CEL expression; `self` is the schema node the rule is attached to. */
  readonly rule: string;
  readonly message: string;
  /** JSON path relative to `self` (for example `.byo`) that the API server reports the error on. */
  readonly fieldPath?: string;
  readonly reason?: CelFieldErrorReason;
}

export type CheckTranslation =
  /** The API server evaluates this CEL rule. */
  | { readonly kind: 'cel'; readonly rule: CelValidationRule }
  /** `maxProperties` on a map. */
  | { readonly kind: 'maxProperties'; readonly value: number }
  /** Item uniqueness by these keys: `x-kubernetes-list-type: map` with these `list-map-keys`. */
  | { readonly kind: 'listMap'; readonly keys: readonly string[] }
  /** Item uniqueness of a scalar list: `x-kubernetes-list-type: set`. */
  | { readonly kind: 'listSet' };

// Keyed by the check object itself: zod copies checks by reference into every clone of a schema
// (`.optional()`, `.describe()` …), so the translation follows the check wherever it goes.
const translations = new WeakMap<object, CheckTranslation>();

export function registerCheckTranslation<T>(check: z.core.$ZodCheck<T>, translation: CheckTranslation): z.core.$ZodCheck<T> {
  translations.set(check, translation);
  return check;
}

export function checkTranslationOf(check: object): CheckTranslation | undefined {
  return translations.get(check);
}

/** Schema-node facts for the CRD that zod has no vocabulary for. */
export interface CrdMarkers {
  /** A union of an integer and a string schema becomes `x-kubernetes-int-or-string: true`. */
  readonly intOrString?: true;
  /** A `z.record(z.string(), z.unknown())` becomes a free-form object the API server keeps as is. */
  readonly preserveUnknownFields?: true;
  /** OpenAPI `format` for integers, where the width matters to clients (`int64` for generations). */
  readonly format?: 'int32' | 'int64';
  /**
   * Why map keys are checked by the operator only. The API server cannot constrain map keys in a
   * schema, and a CEL rule over them is priced as if each key could fill the whole request.
   * Required when a record's key schema carries checks, so the gap is written down.
   */
  readonly keysCheckedByOperatorOnly?: string;
}

export const crdMarkers = z.registry<CrdMarkers>();
