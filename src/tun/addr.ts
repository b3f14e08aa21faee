// IPv4 address and prefix parsing for the TUN command line; MAC checks (the MAC text form is util/mac.ts).
import { formatMac, isGroupMac, macAt } from '../util/mac.js';

/** An IPv4 address with its prefix length, e.g. `10.77.0.1/24`. */
export interface Cidr { addr: number; prefix: number }

/** Parses dotted-quad `a.b.c.d` into a u32 (`a<<24|b<<16|c<<8|d`), or returns undefined. */
export function parseIPv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const b = Number(m[i]);
    if (b > 255) return undefined;
    v = v * 256 + b;
  }
  return v >>> 0;
}

/** Parses `a.b.c.d/len` (len defaults to 32), or returns undefined. */
export function parseCidr(text: string): Cidr | undefined {
  const [a, p, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const addr = parseIPv4(a);
  const prefix = p === undefined ? 32 : /^\d{1,2}$/.test(p) ? Number(p) : -1;
  if (addr === undefined || prefix < 0 || prefix > 32) return undefined;
  return { addr, prefix };
}

/** Formats a u32 IPv4 address as dotted quad. */
export function formatIPv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/** True when `addr` lies inside the network of `net`. */
export function inSubnet(addr: number, net: Cidr): boolean {
  if (net.prefix === 0) return true;
  const mask = (0xffffffff << (32 - net.prefix)) >>> 0;
  return ((addr & mask) >>> 0) === ((net.addr & mask) >>> 0);
}

/** Why `mac` cannot be a host's own address (multicast/broadcast or all zeros), or undefined. */
export function macProblem(mac: number): string | undefined {
  if (isGroupMac(mac)) return 'a multicast or broadcast address cannot be an interface address';
  if (mac === 0) return 'the all-zeros address cannot be an interface address';
  return undefined;
}

/** A random locally administered unicast MAC (IEEE 802: bit 1 of the first byte set, bit 0 clear). */
export function randomMac(): string {
  const b = crypto.getRandomValues(new Uint8Array(6));
  b[0] = (b[0] & 0xfc) | 0x02;
  return formatMac(macAt(b, 0));
}
