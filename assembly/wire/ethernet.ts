// Ethernet II header view (IEEE 802.3 framing with an EtherType, RFC 894) over (ptr, len). `ethCheckLen`
// validates once; the accessors then read without further checks. No FCS: TAP devices carry none.
import { loadBe16, storeBe16 } from './ipv4';
import { REASON_OK, REASON_ETH_TOO_SHORT } from './tables';

/** Bytes of the Ethernet II header: destination, source, EtherType. */
export const ETH_HEADER_LEN: i32 = 14;
/** Shortest frame on the wire without its FCS: shorter ones are padded on output (IEEE 802.3 §3.2.8). */
export const ETH_MIN_FRAME: i32 = 60;
/** EtherType of IPv4 (RFC 894). */
export const ETHERTYPE_IPV4: u16 = 0x0800;
/** EtherType of ARP (RFC 826). */
export const ETHERTYPE_ARP: u16 = 0x0806;

/** Validates `len` bytes at `ptr` as an Ethernet II frame: 0, or a reason code. */
export function ethCheckLen(ptr: usize, len: i32): i32 {
  return len < ETH_HEADER_LEN ? REASON_ETH_TOO_SHORT : REASON_OK;
}

/** The first 2 bytes of the MAC at `ptr` (big-endian), as a MAC is held: (hi u16, lo u32). */
// @ts-ignore: decorator
@inline export function macHiAt(ptr: usize): u32 { return <u32>loadBe16(ptr); }
/** The last 4 bytes of the MAC at `ptr` (big-endian). */
// @ts-ignore: decorator
@inline export function macLoAt(ptr: usize): u32 { return (<u32>loadBe16(ptr + 2) << 16) | <u32>loadBe16(ptr + 4); }
/** Writes the MAC (hi, lo) at `ptr`. */
export function macStore(ptr: usize, hi: u32, lo: u32): void {
  storeBe16(ptr, <u16>hi);
  storeBe16(ptr + 2, <u16>(lo >>> 16));
  storeBe16(ptr + 4, <u16>lo);
}

/** High 16 bits of the destination MAC. */
export function ethDstHi(ptr: usize): u32 { return macHiAt(ptr); }
/** Low 32 bits of the destination MAC. */
export function ethDstLo(ptr: usize): u32 { return macLoAt(ptr); }
/** High 16 bits of the source MAC. */
export function ethSrcHi(ptr: usize): u32 { return macHiAt(ptr + 6); }
/** Low 32 bits of the source MAC. */
export function ethSrcLo(ptr: usize): u32 { return macLoAt(ptr + 6); }
/** EtherType (or an 802.3 length, ≤ 1500). */
export function ethType(ptr: usize): u16 { return loadBe16(ptr + 12); }
/** True when the destination is the broadcast address ff:ff:ff:ff:ff:ff. */
export function ethIsBroadcast(ptr: usize): bool { return load<u32>(ptr) == 0xffffffff && load<u16>(ptr, 4) == 0xffff; }

/** Writes the 14-byte header; returns 14. */
export function ethEmit(ptr: usize, dstHi: u32, dstLo: u32, srcHi: u32, srcLo: u32, type: u16): i32 {
  macStore(ptr, dstHi, dstLo);
  macStore(ptr + 6, srcHi, srcLo);
  storeBe16(ptr + 12, type);
  return ETH_HEADER_LEN;
}
