// IPv4/TCP packets as bytes, for the fuzzer and the flood generator: field offsets, and checksums
// recomputed in place so a mutated or generated packet reaches the state machine. Browser-safe.
import { onesSum } from '../util/checksum.js';

/** IPv4 protocol number of TCP. */
export const PROTO_TCP = 6;

/** IPv4 header length in bytes of the packet at `b[p]` (IHL · 4). */
export function ipHeaderLength(b: Uint8Array, p: number): number {
  return (b[p] & 15) * 4;
}

/** Big-endian 16-bit read. */
export function be16(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

/** Big-endian 32-bit read. */
export function be32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

/** Big-endian 16-bit write. */
export function put16(b: Uint8Array, p: number, v: number): void {
  b[p] = (v >>> 8) & 255;
  b[p + 1] = v & 255;
}

/** Big-endian 32-bit write. */
export function put32(b: Uint8Array, p: number, v: number): void {
  b[p] = (v >>> 24) & 255;
  b[p + 1] = (v >>> 16) & 255;
  b[p + 2] = (v >>> 8) & 255;
  b[p + 3] = v & 255;
}

/** Rewrites the IPv4 header checksum of the packet at `b[p]` (header length from its IHL, at least 20). */
export function fixIpChecksum(b: Uint8Array, p: number): void {
  const hl = Math.max(20, ipHeaderLength(b, p));
  b[p + 10] = 0;
  b[p + 11] = 0;
  put16(b, p + 10, ~onesSum(b, p, p + hl) & 0xffff);
}

/**
 * Rewrites the TCP checksum of the IPv4/TCP packet at `b[p..p+len)`: over the segment the IP total
 * length says (cut to the bytes there are) with the pseudo-header. Does nothing when the headers do
 * not leave room for a TCP checksum field.
 */
export function fixTcpChecksum(b: Uint8Array, p: number, len: number): void {
  const hl = ipHeaderLength(b, p);
  const t = p + hl;
  const end = Math.min(p + len, p + be16(b, p + 2));
  if (hl < 20 || t + 18 > end) return;
  b[t + 16] = 0;
  b[t + 17] = 0;
  const segLen = end - t;
  const pseudo = onesSum(b, p + 12, p + 20, PROTO_TCP + segLen);
  put16(b, t + 16, ~onesSum(b, t, end, pseudo) & 0xffff);
}

/** Both checksums of the IPv4/TCP packet at `b[p..p+len)`. */
export function fixChecksums(b: Uint8Array, p: number, len: number): void {
  if (len < 20) return;
  fixIpChecksum(b, p);
  fixTcpChecksum(b, p, len);
}

/** Fields of a TCP segment to write. */
export interface TcpFields {
  src: number; dst: number; sport: number; dport: number; seq: number; ack: number;
  flags: number; win: number; options?: Uint8Array; payload?: Uint8Array; ttl?: number; id?: number;
}

/** Writes an IPv4/TCP packet at `b[p]` with correct checksums; returns its length. */
export function writeTcpPacket(b: Uint8Array, p: number, f: TcpFields): number {
  const opt = f.options?.length ?? 0;
  const data = f.payload?.length ?? 0;
  const thl = 20 + ((opt + 3) & ~3);
  const total = 20 + thl + data;
  b.fill(0, p, p + total);
  b[p] = 0x45;
  put16(b, p + 2, total);
  put16(b, p + 4, f.id ?? 0);
  b[p + 6] = 0x40; // DF
  b[p + 8] = f.ttl ?? 64;
  b[p + 9] = PROTO_TCP;
  put32(b, p + 12, f.src);
  put32(b, p + 16, f.dst);
  const t = p + 20;
  put16(b, t, f.sport);
  put16(b, t + 2, f.dport);
  put32(b, t + 4, f.seq);
  put32(b, t + 8, f.ack);
  b[t + 12] = (thl / 4) << 4;
  b[t + 13] = f.flags & 255;
  put16(b, t + 14, f.win);
  if (f.options) b.set(f.options, t + 20);
  if (f.payload) b.set(f.payload, t + thl);
  fixChecksums(b, p, total);
  return total;
}
