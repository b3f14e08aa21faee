// ICMP destination unreachable (RFC 792) built in TypeScript, as a router on a failed path sends it.
import { inetChecksum } from '../util/checksum.js';

/** ICMP type 3: destination unreachable. */
export const ICMP_DEST_UNREACH = 3;
/** Code 1 of type 3: host unreachable. */
export const ICMP_HOST_UNREACH = 1;

let ipId = 0;

/**
 * Builds an IPv4 packet from `routerAddr` to the sender of `orig` carrying ICMP type 3 with `code`,
 * quoting the original IP header and the first 8 bytes of its payload (RFC 792); returns its length.
 * `out` must hold at least 20 + 8 + 60 + 8 bytes.
 */
export function buildIcmpUnreachable(orig: Uint8Array, routerAddr: number, code: number, out: Uint8Array): number {
  const ihl = (orig[0] & 0x0f) * 4;
  const quoted = Math.min(orig.length, Math.max(20, ihl) + 8);
  const total = 20 + 8 + quoted;
  out.fill(0, 0, total);
  // IPv4 header
  out[0] = 0x45;
  out[2] = total >>> 8;
  out[3] = total & 0xff;
  ipId = (ipId + 1) & 0xffff;
  out[4] = ipId >>> 8;
  out[5] = ipId & 0xff;
  out[8] = 64; // TTL
  out[9] = 1; // protocol ICMP
  out[12] = routerAddr >>> 24;
  out[13] = routerAddr >>> 16;
  out[14] = routerAddr >>> 8;
  out[15] = routerAddr;
  out.set(orig.subarray(12, 16), 16); // back to the original source
  const ipSum = inetChecksum(out, 0, 20);
  out[10] = ipSum >>> 8;
  out[11] = ipSum & 0xff;
  // ICMP header: type, code, checksum, 4 unused bytes, then the quoted datagram
  out[20] = ICMP_DEST_UNREACH;
  out[21] = code;
  out.set(orig.subarray(0, quoted), 28);
  const icmpSum = inetChecksum(out, 20, total);
  out[22] = icmpSum >>> 8;
  out[23] = icmpSum & 0xff;
  return total;
}
