// What counts as "not set", and finding the fields a stripping parse dropped.
import { describe, expect, it } from '@jest/globals';

import { droppedPaths, isUnset } from '../../../src/convert/unconverted-fields.js';

describe('isUnset', () => {
  it("is Go's zero value: kagent treats it as not set", () => {
    for (const value of [undefined, null, '', false, [], {}, { a: '', b: [] }, { nested: { empty: {} } }]) expect(isUnset(value)).toBe(true);
    for (const value of [0, 'x', true, [0], { a: 1 }, { a: { b: 'x' } }]) expect(isUnset(value)).toBe(false);
  });
});

describe('droppedPaths', () => {
  it('lists what is set in the input and missing from the output, item by item in lists', () => {
    const input = { a: 1, b: { c: 2, d: 3 }, list: [{ keep: 1, drop: 2 }, { keep: 3 }], empty: '', gone: [1] };
    const output = { a: 1, b: { c: 2 }, list: [{ keep: 1 }, { keep: 3 }] };
    expect(droppedPaths(input, output)).toEqual([['b', 'd'], ['list', 0, 'drop'], ['gone']]);
  });

  it('finds nothing when the output has it all', () => {
    expect(droppedPaths({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }], extra: true })).toEqual([]);
  });
});
