// IPv4 address text <-> u32 (a<<24 | b<<16 | c<<8 | d), the engine's representation.

/** Parses a dotted quad ("10.0.0.1") to a u32; throws a TypeError with code ERR_INVALID_IP_ADDRESS on bad input. */
export function parseIPv4(text: string): number {
  const v = tryParseIPv4(text);
  if (v === undefined) throw invalid(text);
  return v;
}

/** Parses a dotted quad to a u32 (no leading zeros, each part 0–255), or returns undefined. */
export function tryParseIPv4(text: string): number | undefined {
  if (typeof text !== 'string') return undefined;
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a virtual trailing '.'
    if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return undefined; // no leading zeros
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else if (c === 46 && digits > 0) {
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else return undefined;
  }
  if (dots !== 4) return undefined;
  return v >>> 0;
}

/** Formats a u32 address as a dotted quad. */
export function formatIPv4(addr: number): string {
  return `${(addr >>> 24) & 255}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/** True for a well-formed dotted quad. */
export function isIPv4(text: string): boolean {
  return tryParseIPv4(text) !== undefined;
}

/** Reads the source address of an IPv4 packet (no length check: callers check `length >= 20`). */
export function ipSrc(p: Uint8Array): number {
  return ((p[12] << 24) | (p[13] << 16) | (p[14] << 8) | p[15]) >>> 0;
}

/** Reads the destination address of an IPv4 packet (no length check: callers check `length >= 20`). */
export function ipDst(p: Uint8Array): number {
  return ((p[16] << 24) | (p[17] << 16) | (p[18] << 8) | p[19]) >>> 0;
}

/** An address with its prefix length ('10.0.0.2/24'). */
export interface Cidr {
  /** The address as a u32. */
  addr: number;
  /** Prefix length, 0–32. */
  prefix: number;
}

/** Parses 'a.b.c.d/nn' (the prefix is required); throws a TypeError ERR_INVALID_ARG_VALUE naming `name` on bad input. */
export function parseCidr(text: unknown, name: string): Cidr {
  const bad = () => Object.assign(new TypeError(`The property '${name}' must be an IPv4 address with a prefix length ('10.0.0.2/24'). Received ${typeof text === 'string' ? `'${text}'` : String(text)}`), { code: 'ERR_INVALID_ARG_VALUE' });
  if (typeof text !== 'string') throw bad();
  const slash = text.indexOf('/');
  const len = text.slice(slash + 1);
  if (slash < 0 || !isIPv4(text.slice(0, slash)) || !/^(?:[0-9]|[12][0-9]|3[0-2])$/.test(len)) throw bad();
  return { addr: parseIPv4(text.slice(0, slash)), prefix: Number(len) };
}

/** Parses 'a.b.c.d' or 'a.b.c.d/nn' (the prefix defaults to 32), or returns undefined (command-line forms). */
export function tryParseCidr(text: string): Cidr | undefined {
  const [a, p, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const addr = tryParseIPv4(a);
  const prefix = p === undefined ? 32 : /^(?:[0-9]|[12][0-9]|3[0-2])$/.test(p) ? Number(p) : -1;
  return addr === undefined || prefix < 0 ? undefined : { addr, prefix };
}

/** True when `addr` lies inside the network of `net`. */
export function inSubnet(addr: number, net: Cidr): boolean {
  const mask = prefixMask(net.prefix);
  return ((addr & mask) >>> 0) === ((net.addr & mask) >>> 0);
}

/** Netmask of a prefix length as a u32. */
export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function invalid(text: unknown): TypeError {
  const err = new TypeError(`Invalid IPv4 address: ${String(text)}`) as TypeError & { code: string };
  err.code = 'ERR_INVALID_IP_ADDRESS';
  return err;
}
