import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';

import { celRule } from '../../../src/api/cel-rule.js';
import { crdMarkers } from '../../../src/api/crd-translation.js';
import { intOrString, quantity } from '../../../src/api/int-or-string.js';
import { int64 } from '../../../src/api/integer-formats.js';
import { listMapKeys, listSet } from '../../../src/api/kubernetes-lists.js';
import { freeFormObject, maxProperties } from '../../../src/api/kubernetes-maps.js';
import { labelMap } from '../../../src/api/kubernetes-names.js';
import { toStructuralSchema, UnsupportedSchemaError } from '../../../src/api/structural-schema.js';

describe('toStructuralSchema', () => {
  it('translates plain constraints into OpenAPI keywords', () => {
    const schema = z.object({
      name: z.string().min(1).max(10).regex(/^[a-z]+$/).describe('A name.'),
      count: z.int32().min(1).max(5).optional(),
      ratio: z.number().gt(0).lt(1),
      big: int64().min(0),
      flag: z.boolean().default(true),
      kind: z.enum(['A', 'B']),
      fixed: z.literal('v1'),
      tags: z.array(z.string().max(8)).min(1).max(3),
    });
    expect(toStructuralSchema(schema)).toEqual({
      type: 'object',
      properties: {
        name: { description: 'A name.', type: 'string', minLength: 1, maxLength: 10, pattern: '^[a-z]+$' },
        count: { type: 'integer', format: 'int32', minimum: 1, maximum: 5 },
        ratio: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true },
        big: { type: 'integer', format: 'int64', minimum: 0 },
        flag: { type: 'boolean', default: true },
        kind: { type: 'string', enum: ['A', 'B'] },
        fixed: { type: 'string', enum: ['v1'] },
        tags: { type: 'array', minItems: 1, maxItems: 3, items: { type: 'string', maxLength: 8 } },
      },
      required: ['name', 'ratio', 'big', 'kind', 'fixed', 'tags'],
    });
  });

  it('turns an exclusive integer bound into the next integer', () => {
    expect(toStructuralSchema(z.int().gt(0).lt(10))).toEqual({ type: 'integer', minimum: 1, maximum: 9 });
  });

  it('carries CEL rules with message, fieldPath and reason', () => {
    const fields = z.object({ a: z.string().max(5).optional(), b: z.string().max(5).optional() });
    const schema = fields.check(
      celRule<z.output<typeof fields>>({
        rule: 'has(self.a) || has(self.b)',
        message: 'a or b is required',
        fieldPath: '.a',
        reason: 'FieldValueRequired',
        holds: (v) => v.a !== undefined || v.b !== undefined,
      }),
    );
    expect(toStructuralSchema(schema)['x-kubernetes-validations']).toEqual([
      { rule: 'has(self.a) || has(self.b)', message: 'a or b is required', fieldPath: '.a', reason: 'FieldValueRequired' },
    ]);
    const result = schema.safeParse({});
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ['a'], message: 'a or b is required' })]);
  });

  it('keeps CEL rules through optional() and describe()', () => {
    const rule = celRule<string>({ rule: "self != 'x'", message: 'must not be x', holds: (s) => s !== 'x' });
    const schema = z.object({ v: z.string().max(3).check(rule).optional().describe('V.') });
    expect(toStructuralSchema(schema).properties?.v).toEqual({
      description: 'V.',
      type: 'string',
      maxLength: 3,
      'x-kubernetes-validations': [{ rule: "self != 'x'", message: 'must not be x' }],
    });
  });

  it('marks list-type map and set, and zod enforces their uniqueness', () => {
    const items = z.array(z.object({ id: z.string().max(5) })).max(4).check(listMapKeys<{ id: string }>('id'));
    expect(toStructuralSchema(items)).toMatchObject({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'] });
    expect(items.safeParse([{ id: 'a' }, { id: 'a' }]).error?.issues).toEqual([
      expect.objectContaining({ path: [1], message: 'Duplicate value: {"id":"a"}' }),
    ]);
    const set = z.array(z.string().max(5)).max(4).check(listSet<string>());
    expect(toStructuralSchema(set)).toMatchObject({ 'x-kubernetes-list-type': 'set' });
    expect(set.safeParse(['a', 'b', 'a']).error?.issues).toEqual([expect.objectContaining({ path: [2] })]);
  });

  it('translates bounded maps, free-form objects and int-or-string', () => {
    expect(toStructuralSchema(z.record(z.string(), z.string().max(5)).check(maxProperties(3)))).toEqual({
      type: 'object',
      maxProperties: 3,
      additionalProperties: { type: 'string', maxLength: 5 },
    });
    expect(z.record(z.string(), z.string()).check(maxProperties(1)).safeParse({ a: '', b: '' }).success).toBe(false);
    expect(toStructuralSchema(freeFormObject())).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    expect(toStructuralSchema(intOrString(z.string().max(4)))).toEqual({ 'x-kubernetes-int-or-string': true, maxLength: 4 });
    expect(quantity().safeParse('500m').success).toBe(true);
    expect(quantity().safeParse(2).success).toBe(true);
    expect(quantity().safeParse(0.5).success).toBe(false);
    expect(toStructuralSchema(labelMap(4))).toMatchObject({ type: 'object', maxProperties: 4 });
  });

  it.each([
    ['a union', z.union([z.string(), z.boolean()])],
    ['a nullable', z.string().nullable()],
    ['a transform', z.string().transform((s) => s.length)],
    ['a refinement without a translation', z.string().refine((s) => s !== 'x')],
    ['an object that keeps unknown keys', z.looseObject({ a: z.string() })],
    ['map keys with checks and no explanation', z.record(z.string().max(3), z.string())],
    ['unknown values', z.unknown()],
    ['a string format without a CRD equivalent', z.email()],
    ['a regex with flags', z.string().regex(/^a$/i)],
    ['markers on an optional wrapper', z.string().optional().register(crdMarkers, { format: 'int64' })],
  ])('refuses %s', (_what, schema) => {
    expect(() => toStructuralSchema(schema)).toThrow(UnsupportedSchemaError);
  });

  it('says where an unsupported construct is', () => {
    const schema = z.object({ outer: z.object({ inner: z.union([z.string(), z.boolean()]) }) });
    expect(() => toStructuralSchema(schema, 'spec')).toThrow(/at spec\.outer\.inner into a CRD schema: a union/);
  });
});
