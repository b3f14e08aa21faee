// ICMP header view (RFC 792) over (ptr, len). `icmpCheckLen` validates once; the accessors then read
// the 8-byte header without further checks.
import { checksum, checksumFinish } from './checksum';
import { loadBe16, storeBe16 } from './ipv4';
import { REASON_OK, REASON_ICMP_TOO_SHORT } from './tables';

/** Bytes of the ICMP header. */
export const ICMP_HEADER_LEN: i32 = 8;
/** The ICMP types the engine reads or writes (RFC 792): echo reply, destination unreachable, echo request, time exceeded. */
export const ICMP_ECHO_REPLY: u8 = 0, ICMP_DEST_UNREACH: u8 = 3, ICMP_ECHO_REQUEST: u8 = 8, ICMP_TIME_EXCEEDED: u8 = 11;

/** Validates `len` bytes at `ptr` as an ICMP message: 0, or a reason code. */
export function icmpCheckLen(ptr: usize, len: i32): i32 {
  return len < ICMP_HEADER_LEN ? REASON_ICMP_TOO_SHORT : REASON_OK;
}

/** Type. */
export function icmpType(ptr: usize): u8 { return load<u8>(ptr); }
/** Code. */
export function icmpCode(ptr: usize): u8 { return load<u8>(ptr, 1); }
/** Checksum field as stored. */
export function icmpChecksum(ptr: usize): u16 { return loadBe16(ptr + 2); }
/** Identifier of an echo request or reply. */
export function icmpEchoId(ptr: usize): u16 { return loadBe16(ptr + 4); }
/** Sequence number of an echo request or reply. */
export function icmpEchoSeq(ptr: usize): u16 { return loadBe16(ptr + 6); }
/** Next-hop MTU of a "fragmentation needed" (type 3 code 4, RFC 1191 §4). */
export function icmpNextHopMtu(ptr: usize): u16 { return loadBe16(ptr + 6); }
/** True when the checksum over the `len` bytes of the message verifies. */
export function icmpChecksumOk(ptr: usize, len: i32): bool { return checksum(ptr, len, 0) == 0xffff; }

/** Sets type and code of the message of `len` bytes at `ptr` and stores its checksum. */
export function icmpSetHeader(ptr: usize, len: i32, type: u8, code: u8): void {
  store<u8>(ptr, type);
  store<u8>(ptr, code, 1);
  store<u16>(ptr, 0, 2);
  storeBe16(ptr + 2, checksumFinish(checksum(ptr, len, 0)));
}
