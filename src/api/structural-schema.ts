// Converts the zod schemas into a Kubernetes structural OpenAPI v3 schema: every node has a type
// (or an int-or-string / preserve-unknown-fields marker), no $ref, no oneOf/anyOf/allOf, no nullable
// types, no `additionalProperties` beside `properties`.
//
// This is a direct walker rather than z.toJSONSchema() plus clean-up: the JSON Schema output encodes
// optionality and unions with anyOf, drops refinements, and would have to be un-done node by node.
// Walking the zod definitions keeps every translation visible here, and anything without a
// translation (a union, a transform, an unregistered refinement …) stops generation with the path
// where it was found instead of producing a weaker CRD.
import { z } from 'zod';

import { checkTranslationOf, crdMarkers } from './crd-translation.js';
import type { CelValidationRule, CrdMarkers } from './crd-translation.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type ListType = 'atomic' | 'set' | 'map';

/** The subset of apiextensions.k8s.io/v1 JSONSchemaProps that the generator emits. */
export interface JsonSchemaProps {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  enum?: JsonValue[];
  default?: JsonValue;
  minimum?: number;
  exclusiveMinimum?: boolean;
  maximum?: number;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  items?: JsonSchemaProps;
  properties?: Record<string, JsonSchemaProps>;
  required?: string[];
  additionalProperties?: JsonSchemaProps;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: ListType;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: CelValidationRule[];
}

export class UnsupportedSchemaError extends Error {
  constructor(path: string, problem: string) {
    super(`cannot translate the zod schema at ${path} into a CRD schema: ${problem}`);
    this.name = 'UnsupportedSchemaError';
  }
}

export function toStructuralSchema(schema: z.core.$ZodType, path = 'self'): JsonSchemaProps {
  return orderKeys(convert(schema, path));
}

// Wrappers that only affect optionality or defaults; the schema inside them is what gets translated.
interface Unwrapped {
  core: z.core.$ZodType;
  description?: string;
  default?: JsonValue;
}

function unwrap(schema: z.core.$ZodType, path: string): Unwrapped {
  let current = schema;
  let description: string | undefined;
  let defaultValue: JsonValue | undefined;
  for (;;) {
    description ??= z.globalRegistry.get(current)?.description;
    const def = current._zod.def;
    if (def.type === 'optional') {
      rejectMarkers(current, path, 'optional()');
      current = (current as z.core.$ZodOptional)._zod.def.innerType;
    } else if (def.type === 'default') {
      rejectMarkers(current, path, 'default()');
      const inner = current as z.core.$ZodDefault;
      defaultValue = toJsonValue(inner._zod.def.defaultValue, path);
      current = inner._zod.def.innerType;
    } else {
      break;
    }
  }
  return { core: current, ...(description !== undefined ? { description } : {}), ...(defaultValue !== undefined ? { default: defaultValue } : {}) };
}

function rejectMarkers(wrapper: z.core.$ZodType, path: string, what: string) {
  if (crdMarkers.has(wrapper)) throw new UnsupportedSchemaError(path, `CRD markers registered on ${what}: register them on the schema inside it`);
}

function convert(schema: z.core.$ZodType, path: string): JsonSchemaProps {
  const { core, description, default: defaultValue } = unwrap(schema, path);
  const markers: CrdMarkers = crdMarkers.get(core) ?? {};
  const node = convertCore(core, markers, path);
  if (description !== undefined) node.description = description;
  if (defaultValue !== undefined) node.default = defaultValue;
  return node;
}

function convertCore(schema: z.core.$ZodType, markers: CrdMarkers, path: string): JsonSchemaProps {
  const def = schema._zod.def;
  if (markers.intOrString && def.type !== 'union') throw new UnsupportedSchemaError(path, 'intOrString marker on a non-union schema');
  if (markers.preserveUnknownFields && def.type !== 'record') throw new UnsupportedSchemaError(path, 'preserveUnknownFields marker on a non-record schema');
  if (markers.keysCheckedByOperatorOnly !== undefined && def.type !== 'record') {
    throw new UnsupportedSchemaError(path, 'keysCheckedByOperatorOnly marker on a non-record schema');
  }
  if (markers.format !== undefined && def.type !== 'number') throw new UnsupportedSchemaError(path, 'format marker on a non-number schema');

  switch (def.type) {
    case 'string':
      return convertString(schema as z.core.$ZodString, path);
    case 'number':
      return convertNumber(schema as z.core.$ZodNumber, markers, path);
    case 'boolean':
      return withChecks({ type: 'boolean' }, schema, path, 'boolean');
    case 'enum':
      return convertEnum(schema as z.core.$ZodEnum, path);
    case 'literal':
      return convertLiteral(schema as z.core.$ZodLiteral, path);
    case 'object':
      return convertObject(schema as z.core.$ZodObject, path);
    case 'array':
      return convertArray(schema as z.core.$ZodArray, path);
    case 'record':
      return convertRecord(schema as z.core.$ZodRecord, markers, path);
    case 'union':
      return convertIntOrString(schema as z.core.$ZodUnion, markers, path);
    default:
      throw new UnsupportedSchemaError(path, `zod type '${def.type}' has no structural equivalent`);
  }
}

type NodeKind = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'map';

// Applies a node's checks: the plain ones become keywords, custom ones need a registered translation.
function withChecks(node: JsonSchemaProps, schema: z.core.$ZodType, path: string, kind: NodeKind): JsonSchemaProps {
  const checks = schema._zod.def.checks ?? [];
  for (const check of checks) {
    const checkDef = check._zod.def;
    switch (checkDef.check) {
      case 'min_length': {
        const { minimum } = checkDef as z.core.$ZodCheckMinLengthDef;
        if (kind === 'string') node.minLength = minimum;
        else if (kind === 'array') node.minItems = minimum;
        else throw new UnsupportedSchemaError(path, `min_length on a ${kind}`);
        break;
      }
      case 'max_length': {
        const { maximum } = checkDef as z.core.$ZodCheckMaxLengthDef;
        if (kind === 'string') node.maxLength = maximum;
        else if (kind === 'array') node.maxItems = maximum;
        else throw new UnsupportedSchemaError(path, `max_length on a ${kind}`);
        break;
      }
      case 'string_format': {
        const formatDef = checkDef as z.core.$ZodCheckStringFormatDef;
        if (kind !== 'string' || formatDef.format !== 'regex') {
          throw new UnsupportedSchemaError(path, `string format '${formatDef.format}': use a regex or a CEL rule`);
        }
        const { pattern } = checkDef as z.core.$ZodCheckRegexDef;
        if (pattern.flags !== '') throw new UnsupportedSchemaError(path, `regex /${pattern.source}/${pattern.flags}: flags have no OpenAPI equivalent`);
        if (node.pattern !== undefined) throw new UnsupportedSchemaError(path, 'more than one regex: OpenAPI allows one pattern per node');
        node.pattern = pattern.source;
        break;
      }
      case 'greater_than': {
        const { value, inclusive } = checkDef as z.core.$ZodCheckGreaterThanDef;
        setBound(node, 'minimum', Number(value), inclusive, path);
        break;
      }
      case 'less_than': {
        const { value, inclusive } = checkDef as z.core.$ZodCheckLessThanDef;
        setBound(node, 'maximum', Number(value), inclusive, path);
        break;
      }
      case 'multiple_of':
        node.multipleOf = Number((checkDef as z.core.$ZodCheckMultipleOfDef).value);
        break;
      case 'number_format':
        applyNumberFormat(node, (checkDef as z.core.$ZodCheckNumberFormatDef).format, path);
        break;
      case 'custom':
        applyTranslation(node, check, path, kind);
        break;
      default:
        throw new UnsupportedSchemaError(path, `zod check '${checkDef.check}' has no structural equivalent`);
    }
  }
  return node;
}

function setBound(node: JsonSchemaProps, which: 'minimum' | 'maximum', value: number, inclusive: boolean, path: string) {
  if (node[which] !== undefined) throw new UnsupportedSchemaError(path, `more than one ${which}`);
  // For integers an exclusive bound is the next integer: `minimum: 1` reads better than `minimum: 0, exclusiveMinimum: true`.
  if (!inclusive && node.type === 'integer' && Number.isInteger(value)) {
    node[which] = which === 'minimum' ? value + 1 : value - 1;
    return;
  }
  node[which] = value;
  if (!inclusive) node[which === 'minimum' ? 'exclusiveMinimum' : 'exclusiveMaximum'] = true;
}

function applyNumberFormat(node: JsonSchemaProps, format: string, path: string) {
  switch (format) {
    case 'safeint':
      node.type = 'integer';
      break;
    case 'int32':
      node.type = 'integer';
      node.format = 'int32';
      break;
    default:
      throw new UnsupportedSchemaError(path, `number format '${format}'`);
  }
}

function applyTranslation(node: JsonSchemaProps, check: z.core.$ZodCheck<never>, path: string, kind: NodeKind) {
  const translation = checkTranslationOf(check);
  if (translation === undefined) {
    throw new UnsupportedSchemaError(
      path,
      'a refinement without a CRD translation: build it with celRule() (or another helper that registers what the API server does instead)',
    );
  }
  switch (translation.kind) {
    case 'cel':
      (node['x-kubernetes-validations'] ??= []).push({ ...translation.rule });
      return;
    case 'maxProperties':
      if (kind !== 'map') throw new UnsupportedSchemaError(path, 'maxProperties on something that is not a map');
      node.maxProperties = translation.value;
      return;
    case 'listMap':
      if (kind !== 'array') throw new UnsupportedSchemaError(path, 'list-map keys on something that is not an array');
      node['x-kubernetes-list-type'] = 'map';
      node['x-kubernetes-list-map-keys'] = [...translation.keys];
      return;
    case 'listSet':
      if (kind !== 'array') throw new UnsupportedSchemaError(path, 'list-type set on something that is not an array');
      node['x-kubernetes-list-type'] = 'set';
      return;
  }
}

function convertString(schema: z.core.$ZodString, path: string): JsonSchemaProps {
  const node: JsonSchemaProps = { type: 'string' };
  // String-format schemas (z.iso.datetime() …) carry their format in their own definition.
  const ownFormat = (schema._zod.def as Partial<z.core.$ZodStringFormatDef>).format;
  if (ownFormat !== undefined) {
    if (ownFormat !== 'datetime') throw new UnsupportedSchemaError(path, `string format '${ownFormat}': use a regex or a CEL rule`);
    node.format = 'date-time';
    const checks = (schema._zod.def.checks ?? []) as z.core.$ZodCheck<never>[];
    if (checks.length > 0) throw new UnsupportedSchemaError(path, 'checks on a date-time string');
    return node;
  }
  return withChecks(node, schema, path, 'string');
}

function convertNumber(schema: z.core.$ZodNumber, markers: CrdMarkers, path: string): JsonSchemaProps {
  const node: JsonSchemaProps = { type: 'number' };
  // z.int() and friends are number schemas that carry their format in their own definition.
  const ownFormat = (schema._zod.def as Partial<z.core.$ZodCheckNumberFormatDef>).format;
  if (ownFormat !== undefined) applyNumberFormat(node, ownFormat, path);
  withChecks(node, schema, path, 'number');
  if (markers.format !== undefined) {
    if (node.type !== 'integer') throw new UnsupportedSchemaError(path, `format ${markers.format} on a non-integer`);
    node.format = markers.format;
  }
  return node;
}

function convertEnum(schema: z.core.$ZodEnum, path: string): JsonSchemaProps {
  const values = Object.values(schema._zod.def.entries);
  if (!values.every((v): v is string => typeof v === 'string')) throw new UnsupportedSchemaError(path, 'an enum with non-string values');
  return withChecks({ type: 'string', enum: values }, schema, path, 'string');
}

function convertLiteral(schema: z.core.$ZodLiteral, path: string): JsonSchemaProps {
  const values = schema._zod.def.values;
  if (!values.every((v): v is string => typeof v === 'string')) throw new UnsupportedSchemaError(path, 'a non-string literal');
  return withChecks({ type: 'string', enum: [...values] }, schema, path, 'string');
}

function convertObject(schema: z.core.$ZodObject, path: string): JsonSchemaProps {
  const def = schema._zod.def;
  const catchall = def.catchall?._zod.def.type;
  if (catchall !== undefined && catchall !== 'never') {
    throw new UnsupportedSchemaError(path, 'an object that keeps unknown keys: use freeFormObject() for free-form data');
  }
  const properties: Record<string, JsonSchemaProps> = {};
  const required: string[] = [];
  for (const [key, field] of Object.entries(def.shape)) {
    properties[key] = convert(field, `${path}.${key}`);
    // Fields with a default are optional on input: the API server fills them in.
    if (field._zod.optin === undefined) required.push(key);
  }
  const node: JsonSchemaProps = { type: 'object', properties };
  if (required.length > 0) node.required = required;
  return withChecks(node, schema, path, 'object');
}

function convertArray(schema: z.core.$ZodArray, path: string): JsonSchemaProps {
  const node: JsonSchemaProps = { type: 'array', items: convert(schema._zod.def.element, `${path}[]`) };
  return withChecks(node, schema, path, 'array');
}

function convertRecord(schema: z.core.$ZodRecord, markers: CrdMarkers, path: string): JsonSchemaProps {
  const def = schema._zod.def;
  const key = def.keyType;
  if (key._zod.def.type !== 'string') throw new UnsupportedSchemaError(path, `map keys of type '${key._zod.def.type}': keys must be strings`);
  const keyChecks = key._zod.def.checks ?? [];
  if (keyChecks.length > 0 && markers.keysCheckedByOperatorOnly === undefined) {
    throw new UnsupportedSchemaError(path, 'map keys with checks the CRD cannot express: say why with the keysCheckedByOperatorOnly marker');
  }
  if (markers.preserveUnknownFields) {
    if (def.valueType._zod.def.type !== 'unknown') throw new UnsupportedSchemaError(path, 'a free-form object must have unknown values');
    return withChecks({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, schema, path, 'map');
  }
  const node: JsonSchemaProps = { type: 'object', additionalProperties: convert(def.valueType, `${path}[*]`) };
  return withChecks(node, schema, path, 'map');
}

// The only union with a structural form: integer-or-string, marked explicitly with intOrString().
function convertIntOrString(schema: z.core.$ZodUnion, markers: CrdMarkers, path: string): JsonSchemaProps {
  if (!markers.intOrString) throw new UnsupportedSchemaError(path, 'a union: structural schemas have no oneOf/anyOf (only int-or-string)');
  const options = schema._zod.def.options;
  const integer = options.find((o) => o._zod.def.type === 'number');
  const string = options.find((o) => o._zod.def.type === 'string');
  if (options.length !== 2 || integer === undefined || string === undefined) {
    throw new UnsupportedSchemaError(path, 'int-or-string must be a union of one integer and one string schema');
  }
  const integerNode = convertNumber(integer as z.core.$ZodNumber, {}, path);
  if (integerNode.type !== 'integer' || Object.keys(integerNode).length !== 1) {
    throw new UnsupportedSchemaError(path, 'the integer side of an int-or-string may not have checks');
  }
  const { type: _string, ...stringConstraints } = convertString(string as z.core.$ZodString, path);
  return withChecks({ 'x-kubernetes-int-or-string': true, ...stringConstraints }, schema, path, 'string');
}

function toJsonValue(value: unknown, path: string): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value)) return value.map((v) => toJsonValue(v, path));
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v, path)]));
  }
  throw new UnsupportedSchemaError(path, `default value of type ${typeof value} is not JSON`);
}

// A fixed key order, so that the YAML reads top-down (what, type, constraints, children, extensions)
// and is byte-for-byte stable.
const KEY_ORDER: readonly (keyof JsonSchemaProps)[] = [
  'description',
  'type',
  'format',
  'enum',
  'default',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'maxProperties',
  'items',
  'properties',
  'required',
  'additionalProperties',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-validations',
];

export function orderKeys(node: JsonSchemaProps): JsonSchemaProps {
  const ordered: Record<string, unknown> = {};
  for (const key of KEY_ORDER) {
    const value = node[key];
    if (value === undefined) continue;
    if (key === 'items' || key === 'additionalProperties') ordered[key] = orderKeys(value as JsonSchemaProps);
    else if (key === 'properties') {
      ordered[key] = Object.fromEntries(Object.entries(value as Record<string, JsonSchemaProps>).map(([k, v]) => [k, orderKeys(v)]));
    } else ordered[key] = value;
  }
  const known: readonly string[] = KEY_ORDER;
  const unknown = Object.keys(node).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`orderKeys: unexpected keys ${unknown.join(', ')}`);
  return ordered;
}
