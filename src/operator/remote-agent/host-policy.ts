// Which hosts the operator may fetch a RemoteAgent's card from (remoteAgents.allowedHosts): the
// operator sits inside the cluster network, and a spec.url written by a tenant must not turn it into
// that tenant's proxy to the API server, a node's kubelet or the cloud's metadata endpoint.
//
// Two checks, both needed. The URL's host must match a pattern: an exact host, `*.suffix` (any
// depth below the suffix, not the suffix itself), or, for an IP literal, a CIDR containing it. And
// the address the connection actually goes to (what the name resolved to, checked at connect time
// so DNS rebinding cannot slip past) must not be loopback, link-local, private, unique-local or
// otherwise special unless a CIDR pattern contains it, even when the name matched.
import { isIP } from 'node:net';

import { cidrWithin, isCidr, parseCidr } from '../../api/cidr.js';

export interface HostPolicy {
  /** The patterns it was made from. */
  readonly patterns: readonly string[];
  /** Whether a URL naming `hostname` may connect to `address` (what it resolved to, or the literal). */
  allows(hostname: string, address: string): boolean;
  /**
   * Why not, in words for a condition message, or undefined when allowed. Without an address only
   * the name is checked (before it is resolved).
   */
  refusal(hostname: string, address?: string): string | undefined;
}

/** Address ranges no card is fetched from unless a CIDR pattern contains the address. */
const SPECIAL_RANGES: ReadonlyArray<{ cidr: string; what: string }> = [
  { cidr: '0.0.0.0/8', what: '"this network"' },
  { cidr: '10.0.0.0/8', what: 'private' },
  { cidr: '100.64.0.0/10', what: 'shared (carrier-grade NAT)' },
  { cidr: '127.0.0.0/8', what: 'loopback' },
  { cidr: '169.254.0.0/16', what: 'link-local (cloud metadata)' },
  { cidr: '172.16.0.0/12', what: 'private' },
  { cidr: '192.168.0.0/16', what: 'private' },
  { cidr: '224.0.0.0/4', what: 'multicast' },
  { cidr: '240.0.0.0/4', what: 'reserved' },
  { cidr: '::/128', what: 'unspecified' },
  { cidr: '::1/128', what: 'loopback' },
  { cidr: 'fc00::/7', what: 'unique-local' },
  { cidr: 'fe80::/10', what: 'link-local' },
  { cidr: 'fec0::/10', what: 'site-local' },
  { cidr: 'ff00::/8', what: 'multicast' },
];

/** NAT64's well-known prefix: the last 32 bits are an IPv4 address the network's gateway connects to. */
const NAT64_PREFIX = '64:ff9b::/96';

/** A hostname as matched: lower case, no brackets around IPv6, no trailing dot, no zone. */
function normalHost(hostname: string): string {
  let host = hostname.trim().toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host;
}

/**
 * An IP address as a /32 or /128 CIDR (the form cidrWithin compares), IPv4-mapped IPv6 and NAT64
 * written as the IPv4 address they stand for; undefined when it is not an IP address.
 */
export function addressCidr(address: string): string | undefined {
  const plain = normalHost(address).replace(/%.*$/, '');
  const family = isIP(plain);
  if (family === 4) return `${plain}/32`;
  if (family !== 6) return undefined;
  // The URL parser writes IPv6 in its canonical form: ::ffff:7f00:1 for ::ffff:127.0.0.1.
  const canonical = new URL(`http://[${plain}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped) return `${ipv4FromGroups(mapped[1] ?? '0', mapped[2] ?? '0')}/32`;
  if (cidrWithin(`${canonical}/128`, NAT64_PREFIX)) {
    const bytes = parseCidr(`${canonical}/128`)?.bytes ?? [];
    return `${bytes.slice(12).join('.')}/32`;
  }
  return `${canonical}/128`;
}

function ipv4FromGroups(high: string, low: string): string {
  const h = parseInt(high, 16);
  const l = parseInt(low, 16);
  return [h >> 8, h & 0xff, l >> 8, l & 0xff].join('.');
}

/** What kind of special address this is ("loopback", "private"...), or undefined for an ordinary one. */
export function specialAddressKind(address: string): string | undefined {
  const cidr = addressCidr(address);
  if (cidr === undefined) return 'unparseable';
  return SPECIAL_RANGES.find((range) => cidrWithin(cidr, range.cidr))?.what;
}

/** Reads remoteAgents.allowedHosts; throws on a pattern that is none of the three forms (the config schema refuses those first). */
export function parseHostPolicy(patterns: readonly string[]): HostPolicy {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  const cidrs: string[] = [];
  for (const pattern of patterns) {
    const text = normalHost(pattern);
    if (isCidr(text)) cidrs.push(text);
    else if (text.startsWith('*.') && text.length > 2 && !text.slice(2).includes('*')) suffixes.push(text.slice(1));
    else if (text !== '' && !text.includes('*') && !text.includes('/')) exact.add(text);
    else throw new Error(`remoteAgents.allowedHosts: ${JSON.stringify(pattern)} is not a hostname, a '*.' suffix or a CIDR`);
  }
  const inCidr = (cidr: string) => cidrs.some((pattern) => cidrWithin(cidr, pattern));

  function nameRefusal(host: string): string | undefined {
    if (exact.has(host) || suffixes.some((suffix) => host.endsWith(suffix))) return undefined;
    const literal = addressCidr(host);
    if (literal !== undefined && isIP(host.replace(/%.*$/, '')) !== 0 && inCidr(literal)) return undefined;
    if (patterns.length === 0) return `no host is allowed: remoteAgents.allowedHosts is empty`;
    return `${host} is not in remoteAgents.allowedHosts`;
  }

  function refusal(hostname: string, address?: string): string | undefined {
    const host = normalHost(hostname);
    const byName = nameRefusal(host);
    if (byName !== undefined || address === undefined) return byName;
    const cidr = addressCidr(address);
    if (cidr === undefined) return `${host} resolves to ${address}, which is not an IP address`;
    if (inCidr(cidr)) return undefined;
    const kind = specialAddressKind(address);
    if (kind === undefined) return undefined;
    const shown = normalHost(address);
    const subject = shown === host ? shown : `${host} resolves to ${shown}, which`;
    return `${subject} is a ${kind} address; only a CIDR in remoteAgents.allowedHosts admits one`;
  }

  return {
    patterns: [...patterns],
    refusal,
    allows: (hostname, address) => refusal(hostname, address) === undefined,
  };
}
