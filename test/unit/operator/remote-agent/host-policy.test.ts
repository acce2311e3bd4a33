// remoteAgents.allowedHosts as a policy: the URL's host must match a pattern, and the address it
// resolves to must not be loopback, link-local, private or otherwise special unless a CIDR pattern
// contains it. Examples first, then the same rules as properties over generated hosts and addresses.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { addressCidr, parseHostPolicy, specialAddressKind } from '../../../../src/operator/remote-agent/host-policy.js';

describe('parseHostPolicy', () => {
  const policy = parseHostPolicy(['agents.example.com', '*.partner.example', '10.20.0.0/16', 'fd00:1::/32']);

  it.each([
    ['agents.example.com', '93.184.216.34'],
    ['AGENTS.Example.COM.', '93.184.216.34'],
    ['a.partner.example', '2606:4700::1111'],
    ['deep.er.partner.example', '93.184.216.34'],
    // A name that matched, resolving into a CIDR of the list: private, but admitted.
    ['agents.example.com', '10.20.3.4'],
    ['a.partner.example', 'fd00:1::5'],
    // IP literals: allowed by the CIDR that contains them.
    ['10.20.0.9', '10.20.0.9'],
    ['[fd00:1::9]', 'fd00:1::9'],
  ])('allows %s at %s', (host, address) => {
    expect(policy.refusal(host, address)).toBeUndefined();
    expect(policy.allows(host, address)).toBe(true);
  });

  it.each([
    ['other.example.com', '93.184.216.34', 'other.example.com is not in remoteAgents.allowedHosts'],
    // The suffix itself and look-alikes are not below it.
    ['partner.example', '93.184.216.34', 'partner.example is not in remoteAgents.allowedHosts'],
    ['evilpartner.example', '93.184.216.34', 'evilpartner.example is not in remoteAgents.allowedHosts'],
    // DNS rebinding: the name matched, the address is not an ordinary one.
    ['agents.example.com', '127.0.0.1', 'agents.example.com resolves to 127.0.0.1, which is a loopback address; only a CIDR in remoteAgents.allowedHosts admits one'],
    ['agents.example.com', '169.254.169.254', 'agents.example.com resolves to 169.254.169.254, which is a link-local (cloud metadata) address'],
    ['agents.example.com', '10.21.0.1', 'which is a private address'],
    ['agents.example.com', '192.168.1.1', 'which is a private address'],
    ['agents.example.com', '172.31.255.255', 'which is a private address'],
    ['agents.example.com', '::1', 'which is a loopback address'],
    ['agents.example.com', 'fe80::1%eth0', 'which is a link-local address'],
    ['agents.example.com', 'fd00:ec2::254', 'which is a unique-local address'],
    ['agents.example.com', '::ffff:127.0.0.1', 'resolves to ::ffff:127.0.0.1, which is a loopback address'],
    ['agents.example.com', '64:ff9b::a9fe:a9fe', 'which is a link-local (cloud metadata) address'],
    ['agents.example.com', '0.0.0.0', 'which is a "this network" address'],
    ['agents.example.com', 'not-an-address', 'resolves to not-an-address, which is not an IP address'],
    // A literal is still checked as an address: matching by name is not enough.
    ['10.30.0.1', '10.30.0.1', '10.30.0.1 is not in remoteAgents.allowedHosts'],
  ])('refuses %s at %s', (host, address, why) => {
    expect(policy.refusal(host, address)).toContain(why);
    expect(policy.allows(host, address)).toBe(false);
  });

  it('checks the name alone before anything is resolved', () => {
    expect(policy.refusal('agents.example.com')).toBeUndefined();
    expect(policy.refusal('elsewhere.example')).toBe('elsewhere.example is not in remoteAgents.allowedHosts');
  });

  it('an exact IP pattern names the host, yet a private one needs a CIDR', () => {
    const byName = parseHostPolicy(['203.0.113.7', '10.0.0.1']);
    expect(byName.allows('203.0.113.7', '203.0.113.7')).toBe(true);
    expect(byName.refusal('10.0.0.1', '10.0.0.1')).toBe('10.0.0.1 is a private address; only a CIDR in remoteAgents.allowedHosts admits one');
  });

  it('allows nothing when empty, and says so', () => {
    expect(parseHostPolicy([]).refusal('agents.example.com', '93.184.216.34')).toBe('no host is allowed: remoteAgents.allowedHosts is empty');
  });

  it.each(['', '*', '*.', 'a.*.example', '10.0.0.0/33', 'http://x/'])('throws on the pattern %j', (pattern) => {
    expect(() => parseHostPolicy([pattern])).toThrow(/remoteAgents\.allowedHosts/);
  });

  it('keeps its patterns', () => {
    expect(parseHostPolicy(['a.example', '*.b.example']).patterns).toEqual(['a.example', '*.b.example']);
  });
});

describe('addressCidr and specialAddressKind', () => {
  it.each([
    ['8.8.8.8', '8.8.8.8/32'],
    ['::ffff:10.0.0.1', '10.0.0.1/32'],
    ['::FFFF:7f00:1', '127.0.0.1/32'],
    ['64:ff9b::0a00:0001', '10.0.0.1/32'],
    ['64:ff9b::1', '0.0.0.1/32'],
    ['2001:DB8::1', '2001:db8::1/128'],
    ['[::1]', '::1/128'],
    ['fe80::1%lo', 'fe80::1/128'],
    ['example.com', undefined],
  ])('%s is %s', (address, cidr) => {
    expect(addressCidr(address)).toBe(cidr);
  });

  it.each([
    ['100.64.1.1', 'shared (carrier-grade NAT)'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'site-local'],
    ['::', 'unspecified'],
    ['8.8.8.8', undefined],
    ['2606:4700::1111', undefined],
  ])('%s is %s', (address, kind) => {
    expect(specialAddressKind(address)).toBe(kind);
  });
});

// Generators: addresses inside and outside the special ranges, and hostnames.
const octet = fc.nat(255);
const ipv4 = fc.tuple(octet, octet, octet, octet).map((bytes) => bytes.join('.'));
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const hostname = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'));
/** Ranges (as first octets) every address of which is special. */
const specialIpv4 = fc.oneof(
  fc.tuple(octet, octet, octet).map(([b, c, d]) => `10.${b}.${c}.${d}`),
  fc.tuple(octet, octet, octet).map(([b, c, d]) => `127.${b}.${c}.${d}`),
  fc.tuple(octet, octet).map(([c, d]) => `169.254.${c}.${d}`),
  fc.tuple(fc.integer({ min: 16, max: 31 }), octet, octet).map(([b, c, d]) => `172.${b}.${c}.${d}`),
  fc.tuple(octet, octet).map(([c, d]) => `192.168.${c}.${d}`),
  fc.tuple(fc.integer({ min: 224, max: 255 }), octet, octet, octet).map((bytes) => bytes.join('.')),
);
const specialIpv6 = fc.oneof(
  fc.constant('::1'),
  fc.integer({ min: 0, max: 0xffff }).map((n) => `fe80::${n.toString(16)}`),
  fc.tuple(fc.integer({ min: 0xfc00, max: 0xfdff }), fc.integer({ min: 0, max: 0xffff })).map(([a, b]) => `${a.toString(16)}::${b.toString(16)}`),
);
const hex = (n: number) => n.toString(16);
const mapped = (v4: string) => `::ffff:${v4}`;
const nat64 = (v4: string) => {
  const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
  return `64:ff9b::${hex((a << 8) | b)}:${hex((c << 8) | d)}`;
};

describe('host policy properties', () => {
  it('a special address is refused for any matching name, and admitted by a CIDR containing it', () => {
    fc.assert(
      fc.property(hostname, fc.oneof(specialIpv4, specialIpv6), (host, address) => {
        expect(parseHostPolicy([host]).allows(host, address)).toBe(false);
        const single = address.includes(':') ? `${addressCidr(address)}` : `${address}/32`;
        expect(parseHostPolicy([host, single]).allows(host, address)).toBe(true);
      }),
    );
  });

  it('an ordinary address is allowed exactly when the name matches', () => {
    fc.assert(
      fc.property(hostname, hostname, ipv4, (allowed, asked, address) => {
        fc.pre(specialAddressKind(address) === undefined);
        expect(parseHostPolicy([allowed]).allows(asked, address)).toBe(allowed === asked);
      }),
    );
  });

  it('*.suffix admits every name below the suffix and nothing else', () => {
    fc.assert(
      fc.property(hostname, hostname, label, (below, suffix, glued) => {
        const policy = parseHostPolicy([`*.${suffix}`]);
        expect(policy.allows(`${below}.${suffix}`, '93.184.216.34')).toBe(true);
        expect(policy.allows(suffix, '93.184.216.34')).toBe(false);
        expect(policy.allows(`${glued}${suffix}`, '93.184.216.34')).toBe(false);
      }),
    );
  });

  it('IPv4-mapped and NAT64 forms of an IPv4 address are judged as that address', () => {
    fc.assert(
      fc.property(hostname, ipv4, fc.boolean(), (host, address, withCidr) => {
        const policy = parseHostPolicy(withCidr ? [host, `${address}/32`] : [host]);
        const verdict = policy.allows(host, address);
        expect(policy.allows(host, mapped(address))).toBe(verdict);
        expect(policy.allows(host, nat64(address))).toBe(verdict);
      }),
    );
  });

  it('names match whatever their case and a trailing dot', () => {
    fc.assert(
      fc.property(hostname, ipv4, (host, address) => {
        const policy = parseHostPolicy([host]);
        expect(policy.allows(`${host.toUpperCase()}.`, address)).toBe(policy.allows(host, address));
      }),
    );
  });
});
