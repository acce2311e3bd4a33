import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { cidrWithin, isCidr, isNetworkAddress, parseCidr } from '../../../src/api/cidr.js';

// Cases follow Go's netip.ParsePrefix (what CEL's isCIDR() uses on the API server), plus its
// refusal of IPv4-mapped IPv6 addresses.
describe('isCidr', () => {
  it.each(['10.0.0.0/8', '0.0.0.0/0', '192.168.1.1/32', '::/0', 'fd00::/8', '2001:db8::/32', '2001:DB8:0:0:0:0:0:0/64', '::1/128', '64:ff9b::192.0.2.0/120'])(
    'accepts %s',
    (text) => expect(isCidr(text)).toBe(true),
  );

  it.each([
    '10.0.0.0',
    '10.0.0.0/33',
    '10.0.0.0/08',
    '010.0.0.0/8',
    '10.0.0/8',
    '256.0.0.0/8',
    ' 10.0.0.0/8',
    'fd00::/129',
    'fd00:::/8',
    '1:2:3:4:5:6:7:8:9/64',
    'fe80::1%eth0/64',
    '::ffff:10.0.0.0/104',
    'x/8',
    '',
  ])('refuses %s', (text) => expect(isCidr(text)).toBe(false));
});

describe('isNetworkAddress', () => {
  it.each([
    ['10.0.0.0/8', true],
    ['10.1.2.3/8', false],
    ['10.1.2.3/32', true],
    ['10.128.0.0/9', true],
    ['10.192.0.0/9', false],
    ['fd00::/8', true],
    ['fd00::1/64', false],
  ])('%s → %s', (text, expected) => {
    const parsed = parseCidr(text);
    expect(parsed && isNetworkAddress(parsed)).toBe(expected);
  });

  it('holds for any IPv4 address with its host bits cleared', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, bits) => {
        const value = ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        const network = (value & mask) >>> 0;
        const text = [24, 16, 8, 0].map((shift) => (network >>> shift) & 0xff).join('.');
        const parsed = parseCidr(`${text}/${bits}`);
        return parsed !== undefined && isNetworkAddress(parsed);
      }),
    );
  });
});

describe('cidrWithin', () => {
  it.each([
    ['10.20.30.0/24', '10.0.0.0/8', true],
    ['10.0.0.0/8', '10.0.0.0/8', true],
    ['10.0.0.0/8', '10.20.0.0/16', false],
    ['11.0.0.0/24', '10.0.0.0/8', false],
    ['0.0.0.0/0', '10.0.0.0/8', false],
    ['192.168.1.128/25', '192.168.1.0/24', true],
    ['192.168.2.0/25', '192.168.1.0/23', false],
    ['fd00:1::/32', 'fd00::/8', true],
    ['10.0.0.0/8', '::/0', false],
  ])('%s within %s → %s', (inner, outer, within) => expect(cidrWithin(inner, outer)).toBe(within));
});
