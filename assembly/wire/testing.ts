// Test-build exports of the wire layer (build/engine.test.wasm only): the checksums, views, emitters
// and option parser under `wire` names, for the wire tests and the checksum benchmark.
import { checksumScalar, checksumSimd, checksum, copyWithChecksum, pseudoHeaderSum, checksumUpdate } from './checksum';
import { TcpOptions, parseTcpOptions } from './options';

/** Scalar RFC 1071 sum of `len` bytes at `ptr` plus `initial`, folded, not complemented. */
export function wireChecksumScalar(ptr: usize, len: i32, initial: u32): u32 { return checksumScalar(ptr, len, initial); }
/** SIMD RFC 1071 sum of `len` bytes at `ptr` plus `initial`, folded, not complemented. */
export function wireChecksumSimd(ptr: usize, len: i32, initial: u32): u32 { return checksumSimd(ptr, len, initial); }
/** The engine's checksum sum (SIMD for large, scalar for tiny). */
export function wireChecksum(ptr: usize, len: i32, initial: u32): u32 { return checksum(ptr, len, initial); }
/** Copies `len` bytes from `src` to `dst` and returns their sum plus `initial`. */
export function wireCopyWithChecksum(dst: usize, src: usize, len: i32, initial: u32): u32 { return copyWithChecksum(dst, src, len, initial); }
/** Pseudo header sum (RFC 9293 §3.1), folded. */
export function wirePseudoHeaderSum(src: u32, dst: u32, protocol: u8, length: i32): u32 { return pseudoHeaderSum(src, dst, protocol, length); }
/** RFC 1624 incremental checksum update. */
export function wireChecksumUpdate(oldChecksum: u16, oldWord: u16, newWord: u16): u16 { return checksumUpdate(oldChecksum, oldWord, newWord); }
/** `memory.copy` of `len` bytes, the bandwidth reference of the checksum benchmark. */
export function wireMemoryCopy(dst: usize, src: usize, len: i32): void { memory.copy(dst, src, <usize>len); }

// Views and emitters, exported under `wire` names for the tests (the engine calls them directly).
export {
  ipv4CheckLen as wireIpv4CheckLen, ipv4Version as wireIpv4Version, ipv4Ihl as wireIpv4Ihl,
  ipv4HeaderLen as wireIpv4HeaderLen, ipv4Dscp as wireIpv4Dscp, ipv4Ecn as wireIpv4Ecn,
  ipv4TotalLen as wireIpv4TotalLen, ipv4Id as wireIpv4Id, ipv4Df as wireIpv4Df, ipv4Mf as wireIpv4Mf,
  ipv4FragOffset as wireIpv4FragOffset, ipv4IsFragment as wireIpv4IsFragment, ipv4Ttl as wireIpv4Ttl,
  ipv4Protocol as wireIpv4Protocol, ipv4Checksum as wireIpv4Checksum, ipv4Src as wireIpv4Src,
  ipv4Dst as wireIpv4Dst, ipv4ChecksumOk as wireIpv4ChecksumOk, ipv4Emit as wireIpv4Emit,
} from './ipv4';
export {
  tcpCheckLen as wireTcpCheckLen, tcpSrcPort as wireTcpSrcPort, tcpDstPort as wireTcpDstPort,
  tcpSeq as wireTcpSeq, tcpAck as wireTcpAck, tcpDataOffset as wireTcpDataOffset, tcpFlags as wireTcpFlags,
  tcpWindow as wireTcpWindow, tcpPayloadLen as wireTcpPayloadLen, tcpChecksum as wireTcpChecksum, tcpUrgent as wireTcpUrgent,
  tcpChecksumOk as wireTcpChecksumOk, tcpEmit as wireTcpEmit, tcpSetChecksum as wireTcpSetChecksum,
  tcpSetChecksumWithPayloadSum as wireTcpSetChecksumWithPayloadSum,
} from './tcp';
export {
  emitNop as wireEmitNop, emitEol as wireEmitEol, emitMss as wireEmitMss, emitWindowScale as wireEmitWindowScale,
  emitSackPermitted as wireEmitSackPermitted, emitTimestamps as wireEmitTimestamps, emitSackBlocks as wireEmitSackBlocks,
} from './options';

/** TcpOptions instance for `wireParseTcpOptions`, laid out statically. */
const testOptions = changetype<TcpOptions>(memory.data(offsetof<TcpOptions>(), 16));

/** Parses an option area into a static TcpOptions; returns 0 or a reason code (read it with wireOpt*). */
export function wireParseTcpOptions(ptr: usize, len: i32): i32 { return parseTcpOptions(ptr, len, testOptions); }
/** MSS of the last `wireParseTcpOptions`, or -1. */
export function wireOptMss(): i32 { return testOptions.mss; }
/** Window scale of the last `wireParseTcpOptions`, or -1. */
export function wireOptWscale(): i32 { return testOptions.wscale; }
/** SACK-permitted of the last `wireParseTcpOptions`. */
export function wireOptSackPermitted(): bool { return testOptions.sackPermitted; }
/** Timestamps present in the last `wireParseTcpOptions`. */
export function wireOptTsPresent(): bool { return testOptions.tsPresent; }
/** TSval of the last `wireParseTcpOptions`. */
export function wireOptTsVal(): u32 { return testOptions.tsVal; }
/** TSecr of the last `wireParseTcpOptions`. */
export function wireOptTsEcr(): u32 { return testOptions.tsEcr; }
/** SACK block count of the last `wireParseTcpOptions`. */
export function wireOptSackCount(): i32 { return testOptions.sackCount; }
/** Left edge of SACK block `i` of the last `wireParseTcpOptions`. */
export function wireOptSackLeft(i: i32): u32 { return testOptions.sackLeft(i); }
/** Right edge of SACK block `i` of the last `wireParseTcpOptions`. */
export function wireOptSackRight(i: i32): u32 { return testOptions.sackRight(i); }
export {
  ethCheckLen as wireEthCheckLen, ethDstHi as wireEthDstHi, ethDstLo as wireEthDstLo, ethSrcHi as wireEthSrcHi,
  ethSrcLo as wireEthSrcLo, ethType as wireEthType, ethIsBroadcast as wireEthIsBroadcast, ethEmit as wireEthEmit,
} from './ethernet';
export {
  arpCheckLen as wireArpCheckLen, arpOp as wireArpOp, arpShaHi as wireArpShaHi, arpShaLo as wireArpShaLo,
  arpSpa as wireArpSpa, arpThaHi as wireArpThaHi, arpThaLo as wireArpThaLo, arpTpa as wireArpTpa, arpEmit as wireArpEmit,
} from './arp';
export {
  icmpCheckLen as wireIcmpCheckLen, icmpType as wireIcmpType, icmpCode as wireIcmpCode, icmpChecksum as wireIcmpChecksum,
  icmpEchoId as wireIcmpEchoId, icmpEchoSeq as wireIcmpEchoSeq, icmpNextHopMtu as wireIcmpNextHopMtu,
  icmpChecksumOk as wireIcmpChecksumOk, icmpSetHeader as wireIcmpSetHeader,
} from './icmp';
