// TCP header view (RFC 9293 §3.1) over (ptr, len). `tcpCheckLen` validates once; the accessors then
// read without further checks.
import { checksum, pseudoHeaderSum, checksumFinish, fold32 } from './checksum';
import { loadBe16, loadBe32, storeBe16, storeBe32, IP_PROTO_TCP } from './ipv4';
import { REASON_OK, REASON_TCP_TOO_SHORT, REASON_TCP_BAD_DATA_OFFSET, REASON_TCP_HEADER_TRUNCATED } from './tables';

/** Length of the fixed TCP header. */
export const TCP_HEADER_LEN: i32 = 20;
// The flag bits (TCP_FIN … TCP_NS) are generated from abi.spec.json into tables.ts.
export { TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG, TCP_ECE, TCP_CWR, TCP_NS } from './tables';

/** Validates `len` bytes at `ptr` as a TCP segment: 0, or a reason code (len ≥ 20, data offset ≥ 5, data offset·4 ≤ len). */
export function tcpCheckLen(ptr: usize, len: i32): i32 {
  if (len < TCP_HEADER_LEN) return REASON_TCP_TOO_SHORT;
  let doff = (<i32>load<u8>(ptr, 12) >> 4) << 2;
  if (doff < TCP_HEADER_LEN) return REASON_TCP_BAD_DATA_OFFSET;
  if (doff > len) return REASON_TCP_HEADER_TRUNCATED;
  return REASON_OK;
}

/** Source Port. */
export function tcpSrcPort(ptr: usize): u16 { return loadBe16(ptr); }
/** Destination Port. */
export function tcpDstPort(ptr: usize): u16 { return loadBe16(ptr + 2); }
/** Sequence Number. */
// @ts-ignore: decorator
@inline export function tcpSeq(ptr: usize): u32 { return loadBe32(ptr + 4); }
/** Acknowledgment Number. */
export function tcpAck(ptr: usize): u32 { return loadBe32(ptr + 8); }
/** Data Offset in bytes (header length including options). */
export function tcpDataOffset(ptr: usize): i32 { return (<i32>load<u8>(ptr, 12) >> 4) << 2; }
/** Payload length of a segment of `tcpLen` bytes (header included): tcpLen − data offset. */
export function tcpPayloadLen(ptr: usize, tcpLen: i32): i32 { return tcpLen - tcpDataOffset(ptr); }
/** Control bits: FIN…CWR in the low 8 bits, NS as 0x100. */
export function tcpFlags(ptr: usize): u16 { return loadBe16(ptr + 12) & 0x1ff; }
/** Window (raw, unscaled). */
export function tcpWindow(ptr: usize): u16 { return loadBe16(ptr + 14); }
/** Checksum field as stored. */
export function tcpChecksum(ptr: usize): u16 { return loadBe16(ptr + 16); }
/** Urgent Pointer. */
export function tcpUrgent(ptr: usize): u16 { return loadBe16(ptr + 18); }

/** True when the checksum of `tcpLen` bytes (header + payload) with the pseudo header verifies. */
export function tcpChecksumOk(ptr: usize, tcpLen: i32, src: u32, dst: u32): bool {
  return checksum(ptr, tcpLen, pseudoHeaderSum(src, dst, IP_PROTO_TCP, tcpLen)) == 0xffff;
}

/**
 * Writes the fixed header with data offset 20+optionsLen rounded up to 4, checksum 0, urgent 0, and
 * zeroes (EOL-pads) the bytes between the options and the data offset; returns the header length.
 * Options themselves are written by the caller at ptr+20, before or after this call.
 */
// @ts-ignore: decorator
@inline export function tcpEmit(ptr: usize, srcPort: u16, dstPort: u16, seq: u32, ack: u32, flags: u16, window: u16, optionsLen: i32): i32 {
  if (optionsLen < 0) optionsLen = 0;
  if (optionsLen > 40) optionsLen = 40;
  let hlen = (TCP_HEADER_LEN + optionsLen + 3) & ~3;
  tcpEmitFixed(ptr, srcPort, dstPort, seq, ack, flags, window, hlen);
  for (let i = TCP_HEADER_LEN + optionsLen; i < hlen; i++) store<u8>(ptr + <usize>i, 0);
  return hlen;
}

/** The fixed header of `tcpEmit` for a header length `hlen` (20..60, a multiple of 4) the caller knows. */
// @ts-ignore: decorator
@inline export function tcpEmitFixed(ptr: usize, srcPort: u16, dstPort: u16, seq: u32, ack: u32, flags: u16, window: u16, hlen: i32): void {
  storeBe16(ptr, srcPort);
  storeBe16(ptr + 2, dstPort);
  storeBe32(ptr + 4, seq);
  storeBe32(ptr + 8, ack);
  store<u8>(ptr, <u8>((hlen << 2) | ((flags >> 8) & 1)), 12);
  store<u8>(ptr, <u8>flags, 13);
  storeBe16(ptr + 14, window);
  store<u32>(ptr, 0, 16);
}

/** Computes and stores the checksum over `tcpLen` bytes (header + payload) with the pseudo header. */
export function tcpSetChecksum(ptr: usize, tcpLen: i32, src: u32, dst: u32): void {
  store<u16>(ptr, 0, 16);
  let sum = checksum(ptr, tcpLen, pseudoHeaderSum(src, dst, IP_PROTO_TCP, tcpLen));
  storeBe16(ptr + 16, checksumFinish(sum));
}

/**
 * Stores the checksum reusing `payloadSum`, the sum of the payload that follows the header (e.g. from
 * `copyWithChecksum`, initial 0); `hdrLen` is a multiple of 4, so the payload starts at an even offset.
 */
// @ts-ignore: decorator
@inline export function tcpSetChecksumWithPayloadSum(ptr: usize, hdrLen: i32, payloadLen: i32, payloadSum: u32, src: u32, dst: u32): void {
  store<u16>(ptr, 0, 16);
  let initial = fold32(pseudoHeaderSum(src, dst, IP_PROTO_TCP, hdrLen + payloadLen) + fold32(payloadSum));
  storeBe16(ptr + 16, checksumFinish(checksum(ptr, hdrLen, initial)));
}
