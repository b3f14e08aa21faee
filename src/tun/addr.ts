// The TUN command line's address checks: IPv4 forms from util/ip.ts, MAC checks (the MAC text form is util/mac.ts).
import { formatMac, isGroupMac, macAt } from '../util/mac.js';

// The address forms live in util/ip.ts (one IPv4 text module); the command line's names for them:
export { type Cidr, formatIPv4, inSubnet, tryParseCidr as parseCidr, tryParseIPv4 as parseIPv4 } from '../util/ip.js';

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
