// ARP packet view for IPv4 over Ethernet (RFC 826) over (ptr, len). `arpCheckLen` validates once (the
// only layout we speak: hardware type 1, protocol 0x0800, address lengths 6 and 4); the accessors
// then read the fixed offsets without further checks.
import { loadBe16, loadBe32, storeBe16, storeBe32 } from './ipv4';
import { macHiAt, macLoAt, macStore, ETHERTYPE_IPV4 } from './ethernet';
import { REASON_OK, REASON_ARP_TOO_SHORT, REASON_ARP_NOT_IPV4_ETHERNET } from './tables';

/** Bytes of an ARP packet for IPv4 over Ethernet. */
export const ARP_LEN: i32 = 28;
/** ar$op of a request. */
export const ARP_REQUEST: u16 = 1;
/** ar$op of a reply. */
export const ARP_REPLY: u16 = 2;

/** Validates `len` bytes at `ptr` as an IPv4-over-Ethernet ARP packet: 0, or a reason code. */
export function arpCheckLen(ptr: usize, len: i32): i32 {
  if (len < ARP_LEN) return REASON_ARP_TOO_SHORT;
  if (loadBe16(ptr) != 1 || loadBe16(ptr + 2) != ETHERTYPE_IPV4 || load<u8>(ptr, 4) != 6 || load<u8>(ptr, 5) != 4) {
    return REASON_ARP_NOT_IPV4_ETHERNET;
  }
  return REASON_OK;
}

/** ar$op: ARP_REQUEST, ARP_REPLY or another opcode. */
export function arpOp(ptr: usize): u16 { return loadBe16(ptr + 6); }
/** High 16 bits of the sender hardware address (ar$sha). */
export function arpShaHi(ptr: usize): u32 { return macHiAt(ptr + 8); }
/** Low 32 bits of the sender hardware address. */
export function arpShaLo(ptr: usize): u32 { return macLoAt(ptr + 8); }
/** Sender protocol address (ar$spa). */
export function arpSpa(ptr: usize): u32 { return loadBe32(ptr + 14); }
/** High 16 bits of the target hardware address (ar$tha). */
export function arpThaHi(ptr: usize): u32 { return macHiAt(ptr + 18); }
/** Low 32 bits of the target hardware address. */
export function arpThaLo(ptr: usize): u32 { return macLoAt(ptr + 18); }
/** Target protocol address (ar$tpa). */
export function arpTpa(ptr: usize): u32 { return loadBe32(ptr + 24); }

/** Writes a 28-byte ARP packet; returns 28. */
export function arpEmit(ptr: usize, op: u16, shaHi: u32, shaLo: u32, spa: u32, thaHi: u32, thaLo: u32, tpa: u32): i32 {
  storeBe16(ptr, 1);
  storeBe16(ptr + 2, ETHERTYPE_IPV4);
  store<u8>(ptr, 6, 4);
  store<u8>(ptr, 4, 5);
  storeBe16(ptr + 6, op);
  macStore(ptr + 8, shaHi, shaLo);
  storeBe32(ptr + 14, spa);
  macStore(ptr + 18, thaHi, thaLo);
  storeBe32(ptr + 24, tpa);
  return ARP_LEN;
}
