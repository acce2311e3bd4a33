// BoundedLru: a cap on entries (oldest written first out) and on age since the last write, with
// every drop reported for the evictions metric, and a size that never counts expired entries.
import { describe, expect, it } from '@jest/globals';

import { BoundedLru } from '../../../src/runtime/bounded-lru.js';

function lru(maxEntries: number, maxAgeMs = 0) {
  let now = 1_000;
  const evicted: string[] = [];
  const map = new BoundedLru<string, number>({ maxEntries, maxAgeMs, now: () => now, onEvict: (reason) => evicted.push(reason) });
  return { map, evicted, advance: (ms: number) => void (now += ms) };
}

describe('BoundedLru', () => {
  it('keeps at most maxEntries, dropping the oldest written', () => {
    const { map, evicted } = lru(3);
    for (const [i, key] of ['a', 'b', 'c', 'd', 'e'].entries()) map.set(key, i);
    expect(map.size).toBe(3);
    expect(map.get('a')).toBeUndefined();
    expect(map.get('b')).toBeUndefined();
    expect(map.values()).toEqual([2, 3, 4]);
    expect(evicted).toEqual(['count', 'count']);
  });

  it('a write makes an entry the newest again; a read does not', () => {
    const { map } = lru(2);
    map.set('a', 1);
    map.set('b', 2);
    map.get('a');
    map.set('c', 3); // evicts a: reading it did not refresh it
    expect(map.get('a')).toBeUndefined();
    map.set('b', 20);
    map.set('d', 4); // evicts c, not the rewritten b
    expect(map.values()).toEqual([20, 4]);
  });

  it('drops entries not written for longer than maxAgeMs, on read and on write', () => {
    const { map, evicted, advance } = lru(10, 1000);
    map.set('old', 1);
    advance(600);
    map.set('young', 2);
    advance(500); // old is 1100 ms old, young 500
    expect(map.get('old')).toBeUndefined();
    expect(map.get('young')).toBe(2);
    expect(evicted).toEqual(['age']);
    advance(600);
    map.set('new', 3); // the write sweeps young
    expect(map.values()).toEqual([3]);
    expect(evicted).toEqual(['age', 'age']);
  });

  it('size counts live entries only', () => {
    const { map, advance } = lru(10, 1000);
    map.set('a', 1);
    map.set('b', 2);
    advance(1001);
    expect(map.size).toBe(0);
  });

  it('maxAgeMs 0 keeps entries until evicted by count', () => {
    const { map, advance } = lru(2, 0);
    map.set('a', 1);
    advance(10 ** 9);
    expect(map.get('a')).toBe(1);
  });

  it('delete is not an eviction', () => {
    const { map, evicted } = lru(2);
    map.set('a', 1);
    map.delete('a');
    expect(map.size).toBe(0);
    expect(evicted).toEqual([]);
  });
});
