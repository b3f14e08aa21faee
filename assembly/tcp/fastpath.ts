// Header prediction (the "fast path" of 4.4BSD tcp_input and Linux tcp_rcv_established): recognises the
// common segment of a steady ESTABLISHED connection, for which the checks of RFC 9293 §3.10.7.4's first
// four steps all pass and change nothing, so input.ts may go straight to TS.Recent and the ACK. Only
// tests: every rule stays in input.ts (the slow path), which the predicted segment then runs through.
import { F, S } from '../abi';
import { Conn } from './conn';
import { segSeq, segFlags, segDataLen } from './segment';
import { seqLt } from './seq';
import { rcvSpace } from './window';
import { TcpOptions, TCPOPT_NOP, TCPOPT_TIMESTAMPS } from '../wire/options';
import { loadBe32 } from '../wire/ipv4';
import { TCP_SYN, TCP_ACK, TCP_RST, TCP_FIN, TCP_URG } from '../wire/tcp';

/** Off only in the test build's comparison of both paths (testing.ts); a release build never writes it. */
export let fastPathOn: bool = true;
/** Segments header prediction took (the test build reads it). */
export let fastPathHits: u32 = 0;

/** Test hook: header prediction on or off. */
export function fastPathSet(on: bool): void { fastPathOn = on; }

/** NOP, NOP, kind 8, length 10: the timestamps option as every stack aligns it (RFC 7323 Appendix A). */
const ALIGNED_TS: u32 = (<u32>TCPOPT_NOP << 24) | (<u32>TCPOPT_NOP << 16) | (<u32>TCPOPT_TIMESTAMPS << 8) | 10;

/**
 * The option areas of nearly every segment after the handshake, read without the general parser
 * (Linux tcp_parse_aligned_timestamp): none, or exactly NOP NOP TS. Leaves `out` as parseTcpOptions
 * would and returns true; false for any other area (the caller runs the parser).
 */
export function parseAligned(ptr: usize, len: i32, out: TcpOptions): bool {
  if (len == 0) { out.reset(); return true; }
  if (len != 12 || !fastPathOn || loadBe32(ptr) != ALIGNED_TS) return false;
  out.reset();
  out.tsPresent = true;
  out.tsVal = loadBe32(ptr + 4);
  out.tsEcr = loadBe32(ptr + 8);
  return true;
}

/**
 * True when the segment in segment.ts is predicted for `c`: ESTABLISHED, ACK (and PSH) but no SYN,
 * RST, FIN or URG, SEG.SEQ = RCV.NXT with its payload inside the receive space, nothing out of order,
 * no early FIN, no keepalive to re-arm, not closed by the user, and a timestamp PAWS keeps. Then the
 * first step (sequence check, RFC 9293 §3.10.7.4) accepts it untrimmed, PAWS (RFC 7323 §5.3), RST,
 * SYN and the ACK-bit tests pass, ackStep's state changes do not apply, and no FIN step follows.
 */
export function predicted(c: Conn, o: TcpOptions): bool {
  if (!fastPathOn || c.state != S.ESTABLISHED) return false;
  if ((segFlags & (TCP_SYN | TCP_RST | TCP_FIN | TCP_URG | TCP_ACK)) != TCP_ACK) return false;
  if (segSeq != c.rcvNxt || <u32>segDataLen > rcvSpace(c)) return false;
  if ((c.flags & (F.KEEPALIVE | F.OOO_FIN | F.USER_CLOSED)) || c.oooCount != 0) return false;
  if ((c.flags & F.TS) && o.tsPresent && seqLt(o.tsVal, c.tsRecent)) return false;
  fastPathHits++;
  return true;
}
