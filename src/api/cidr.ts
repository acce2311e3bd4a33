// CIDR parsing with the API server's rules, so that zod and CEL's `isCIDR()` agree. The API server
// parses with Go's netip.ParsePrefix and additionally refuses IPv4-mapped IPv6 addresses; that means
// no leading zeros in IPv4 octets or in the prefix length, no IPv6 zones, and no whitespace.

export interface ParsedCidr {
  readonly family: 4 | 6;
  /** The address as 4 or 16 bytes. */
  readonly bytes: readonly number[];
  readonly prefixLength: number;
}

export function parseCidr(text: string): ParsedCidr | undefined {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return undefined;
  const address = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(bitsText)) return undefined;
  const prefixLength = Number(bitsText);

  if (!address.includes(':')) {
    const bytes = parseIPv4(address);
    if (bytes === undefined || prefixLength > 32) return undefined;
    return { family: 4, bytes, prefixLength };
  }
  const bytes = parseIPv6(address);
  if (bytes === undefined || prefixLength > 128 || isIPv4MappedIPv6(bytes)) return undefined;
  return { family: 6, bytes, prefixLength };
}

export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

/** True when the address has no bits set past the prefix: `10.0.0.0/8`, not `10.1.2.3/8`. */
export function isNetworkAddress(cidr: ParsedCidr): boolean {
  return cidr.bytes.every((byte, index) => {
    const bitsKept = Math.min(8, Math.max(0, cidr.prefixLength - index * 8));
    const hostMask = 0xff >> bitsKept;
    return (byte & hostMask) === 0;
  });
}

/** True when every address of `inner` is in `outer` (same family, longer or equal prefix, same leading bits). */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner);
  const b = parseCidr(outer);
  if (!a || !b || a.family !== b.family || a.prefixLength < b.prefixLength) return false;
  return b.bytes.every((byte, index) => {
    const bits = Math.min(8, Math.max(0, b.prefixLength - index * 8));
    const mask = (0xff << (8 - bits)) & 0xff;
    return ((a.bytes[index] ?? 0) & mask) === (byte & mask);
  });
}

function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes.push(value);
  }
  return bytes;
}

function parseIPv6(text: string): number[] | undefined {
  if (text.includes('%')) return undefined; // zones are not allowed in a prefix
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : (halves[0] ?? '').split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] ?? '').split(':')) : [];

  const groups: number[] = [];
  const all = [...head, ...tail];
  for (const [index, group] of all.entries()) {
    const last = index === all.length - 1;
    if (last && group.includes('.')) {
      const v4 = parseIPv4(group);
      if (v4 === undefined) return undefined;
      groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      continue;
    }
    if (!/^[0-9A-Fa-f]{1,4}$/.test(group)) return undefined;
    groups.push(parseInt(group, 16));
  }

  const headGroups = groups.slice(0, head.length);
  const tailGroups = groups.slice(head.length);
  let full: number[];
  if (halves.length === 2) {
    const missing = 8 - headGroups.length - tailGroups.length;
    if (missing < 1) return undefined; // '::' must stand for at least one group
    full = [...headGroups, ...new Array<number>(missing).fill(0), ...tailGroups];
  } else {
    full = groups;
  }
  if (full.length !== 8) return undefined;
  return full.flatMap((group) => [group >> 8, group & 0xff]);
}

function isIPv4MappedIPv6(bytes: readonly number[]): boolean {
  return bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}
