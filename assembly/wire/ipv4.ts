// IPv4 header view (RFC 791 §3.1) over (ptr, len). `ipv4CheckLen` validates once; the accessors then
// read without further checks (they assume at least the 20-byte header is present).
import { checksum, checksumFinishInline, fold64 } from './checksum';
import {
  REASON_OK, REASON_IP_TOO_SHORT, REASON_IP_BAD_VERSION, REASON_IP_BAD_IHL,
  REASON_IP_BAD_TOTAL_LENGTH, REASON_IP_TRUNCATED,
} from './tables';

/** Length of an IPv4 header without options. */
export const IPV4_HEADER_LEN: i32 = 20;
/** IP protocol numbers of ICMP, TCP and UDP (IANA "Assigned Internet Protocol Numbers"). */
export const IP_PROTO_ICMP: u8 = 1, IP_PROTO_TCP: u8 = 6, IP_PROTO_UDP: u8 = 17;

/** Byte swap of a u16, inlined (the standard library's bswap is a call per field). */
// @ts-ignore: decorator
@inline export function swap16(v: u16): u16 { return <u16>((<u32>v << 8) | (<u32>v >> 8)); }
/** Byte swap of a u32, inlined: two rotations of the interleaved bytes. */
// @ts-ignore: decorator
@inline export function swap32(v: u32): u32 { return rotl<u32>(v & 0xff00ff00, 8) | rotr<u32>(v & 0x00ff00ff, 8); }

/** Reads a big-endian u16 at `ptr`. */
// @ts-ignore: decorator
@inline export function loadBe16(ptr: usize): u16 { return swap16(load<u16>(ptr)); }
/** Reads a big-endian u32 at `ptr`. */
// @ts-ignore: decorator
@inline export function loadBe32(ptr: usize): u32 { return swap32(load<u32>(ptr)); }
/** Writes `v` big-endian at `ptr`. */
// @ts-ignore: decorator
@inline export function storeBe16(ptr: usize, v: u16): void { store<u16>(ptr, swap16(v)); }
/** Writes `v` big-endian at `ptr`. */
// @ts-ignore: decorator
@inline export function storeBe32(ptr: usize, v: u32): void { store<u32>(ptr, swap32(v)); }

/** Validates `len` bytes at `ptr` as an IPv4 packet: 0, or a reason code (version 4, IHL ≥ 5, IHL·4 ≤ total length ≤ len). */
export function ipv4CheckLen(ptr: usize, len: i32): i32 {
  if (len < IPV4_HEADER_LEN) return REASON_IP_TOO_SHORT;
  let vihl = <i32>load<u8>(ptr);
  if ((vihl >> 4) != 4) return REASON_IP_BAD_VERSION;
  let hlen = (vihl & 15) << 2;
  if (hlen < IPV4_HEADER_LEN) return REASON_IP_BAD_IHL;
  let total = <i32>loadBe16(ptr + 2);
  if (hlen > total) return REASON_IP_BAD_TOTAL_LENGTH;
  if (total > len) return REASON_IP_TRUNCATED;
  return REASON_OK;
}

/** Version field (4 for IPv4). */
export function ipv4Version(ptr: usize): i32 { return <i32>load<u8>(ptr) >> 4; }
/** Internet Header Length in 32-bit words. */
export function ipv4Ihl(ptr: usize): i32 { return <i32>load<u8>(ptr) & 15; }
/** Header length in bytes (IHL·4); options, if any, are skipped by it. */
export function ipv4HeaderLen(ptr: usize): i32 { return (<i32>load<u8>(ptr) & 15) << 2; }
/** Differentiated Services code point (RFC 2474), the top 6 bits of the old TOS byte. */
export function ipv4Dscp(ptr: usize): i32 { return <i32>load<u8>(ptr, 1) >> 2; }
/** Explicit Congestion Notification bits (RFC 3168). */
export function ipv4Ecn(ptr: usize): i32 { return <i32>load<u8>(ptr, 1) & 3; }
/** Total Length: header plus data, in bytes. */
export function ipv4TotalLen(ptr: usize): i32 { return <i32>loadBe16(ptr + 2); }
/** Identification field. */
export function ipv4Id(ptr: usize): u16 { return loadBe16(ptr + 4); }
/** Don't Fragment flag. */
export function ipv4Df(ptr: usize): bool { return (load<u8>(ptr, 6) & 0x40) != 0; }
/** More Fragments flag. */
export function ipv4Mf(ptr: usize): bool { return (load<u8>(ptr, 6) & 0x20) != 0; }
/** Fragment Offset in 8-byte units. */
export function ipv4FragOffset(ptr: usize): i32 { return <i32>(loadBe16(ptr + 6) & 0x1fff); }
/** True for any fragment (MF set or a non-zero offset); fragments are not parsed as TCP. */
export function ipv4IsFragment(ptr: usize): bool { return (loadBe16(ptr + 6) & 0x3fff) != 0; }
/** Time To Live. */
export function ipv4Ttl(ptr: usize): u8 { return load<u8>(ptr, 8); }
/** Protocol number (6 TCP, 17 UDP, 1 ICMP). */
export function ipv4Protocol(ptr: usize): u8 { return load<u8>(ptr, 9); }
/** Header Checksum field as stored. */
export function ipv4Checksum(ptr: usize): u16 { return loadBe16(ptr + 10); }
/** Source address as `a<<24|b<<16|c<<8|d`. */
export function ipv4Src(ptr: usize): u32 { return loadBe32(ptr + 12); }
/** Destination address as `a<<24|b<<16|c<<8|d`. */
export function ipv4Dst(ptr: usize): u32 { return loadBe32(ptr + 16); }
/** True when the header checksum (over IHL·4 bytes) verifies; needs IHL·4 bytes present. */
export function ipv4ChecksumOk(ptr: usize): bool {
  let hl = ipv4HeaderLen(ptr);
  if (hl != IPV4_HEADER_LEN) return checksum(ptr, hl, 0) == 0xffff;
  // No options: five 32-bit words (summing LE words is byte-order independent, checksum.ts; 0xffff is its own swap).
  let s = <u64>load<u32>(ptr) + <u64>load<u32>(ptr, 4) + <u64>load<u32>(ptr, 8) + <u64>load<u32>(ptr, 12) + <u64>load<u32>(ptr, 16);
  return fold64(s) == 0xffff;
}

/**
 * Writes a 20-byte IPv4 header (no options) with its checksum for `payloadLen` bytes of payload; returns 20.
 * Five 32-bit stores, each word assembled in memory order (little-endian loads of big-endian fields).
 */
export function ipv4Emit(ptr: usize, src: u32, dst: u32, protocol: u8, payloadLen: i32, id: u16, ttl: u8, df: bool): i32 {
  return ipv4EmitInline(ptr, src, dst, protocol, payloadLen, id, ttl, df);
}

/** `ipv4Emit` inlined (the TCP segment builder's copy). */
// @ts-ignore: decorator
@inline export function ipv4EmitInline(ptr: usize, src: u32, dst: u32, protocol: u8, payloadLen: i32, id: u16, ttl: u8, df: bool): i32 {
  let total = <u16>(IPV4_HEADER_LEN + payloadLen);
  let frag: u32 = df ? 0x4000 : 0;
  // The header checksum from the fields, without reading them back (RFC 1071).
  let sum: u32 = 0x4500 + <u32>total + <u32>id + frag + ((<u32>ttl << 8) | <u32>protocol) +
    (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff);
  store<u32>(ptr, 0x45 | (<u32>swap16(total) << 16)); // version 4, IHL 5; TOS 0; total length
  store<u32>(ptr, <u32>swap16(id) | (<u32>swap16(<u16>frag) << 16), 4); // identification; flags, offset 0
  store<u32>(ptr, <u32>ttl | (<u32>protocol << 8) | (<u32>swap16(checksumFinishInline(sum)) << 16), 8);
  storeBe32(ptr + 12, src);
  storeBe32(ptr + 16, dst);
  return IPV4_HEADER_LEN;
}
