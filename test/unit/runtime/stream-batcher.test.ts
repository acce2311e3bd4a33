import { describe, expect, it } from '@jest/globals';

import { StreamBatcher } from '../../../src/runtime/stream-batcher.js';

function batcher(interval = 40) {
  let clock = 0;
  const sent: string[] = [];
  const b = new StreamBatcher((t) => sent.push(t), interval, () => clock);
  return { b, sent, advance: (ms: number) => (clock += ms) };
}

describe('StreamBatcher', () => {
  it('sends the first piece at once, then coalesces pieces within the interval', () => {
    const { b, sent, advance } = batcher();
    b.push('a');
    b.push('b');
    advance(10);
    b.push('c');
    expect(sent).toEqual(['a']);
    advance(30);
    b.push('d');
    expect(sent).toEqual(['a', 'bcd']);
  });

  it('sends what is pending on flush, and nothing for empty text', () => {
    const { b, sent } = batcher();
    b.push('');
    b.flush();
    expect(sent).toEqual([]);
    b.push('x');
    b.push('y');
    b.flush();
    b.flush();
    expect(sent).toEqual(['x', 'y']);
  });

  it('turns 1,000 pieces arriving at once into a handful of events, losing nothing', () => {
    const { b, sent, advance } = batcher();
    for (let i = 0; i < 1000; i++) {
      b.push(`${i} `);
      if (i % 100 === 99) advance(40);
    }
    b.flush();
    expect(sent.length).toBeLessThanOrEqual(12);
    expect(sent.join('')).toBe(Array.from({ length: 1000 }, (_, i) => `${i} `).join(''));
  });
});
