// Whole-packet parser for the host's decoder (`wasm-tcp decode`): IPv4 + TCP + options into a fixed
// result struct of i32 slots. Reads only the `len` captured bytes; a capture shorter than the IP total
// length is parsed when the TCP header and options are present, with the TCP checksum reported unknown;
// one that ends inside those headers is reported as cut (PARSE_TRUNCATED), not malformed.
import {
  IPV4_HEADER_LEN, IP_PROTO_TCP, ipv4HeaderLen, ipv4TotalLen, ipv4IsFragment, ipv4Protocol, ipv4Src, ipv4Dst,
  ipv4Ttl, ipv4Id, ipv4ChecksumOk,
} from './ipv4';
import {
  tcpCheckLen, tcpSrcPort, tcpDstPort, tcpSeq, tcpAck, tcpDataOffset, tcpFlags, tcpWindow, tcpChecksum, tcpChecksumOk,
  tcpUrgent, TCP_HEADER_LEN,
} from './tcp';
import { TcpOptions, parseTcpOptions, TCPOPT_EOL, TCPOPT_NOP } from './options';
import {
  REASON_OK, REASON_IP_TOO_SHORT, REASON_IP_BAD_IHL, REASON_IP_BAD_TOTAL_LENGTH, REASON_IP_HEADER_TRUNCATED, REASON_IP_BAD_VERSION,
  REASON_TCP_TOO_SHORT, REASON_TCP_HEADER_TRUNCATED,
} from './reason';

/** `wireParse` outcome: an IPv4/TCP segment, all slots filled. */
export const PARSE_TCP: i32 = 0;
/** Not IPv4: slot DETAIL holds the IP version (6 for IPv6). */
export const PARSE_NOT_IPV4: i32 = 1;
/** IPv4 fragment (MF or offset ≠ 0): IP slots filled, TCP slots not. */
export const PARSE_FRAGMENT: i32 = 2;
/** IPv4 but not TCP: slot DETAIL holds the protocol number; IP slots filled. */
export const PARSE_OTHER_PROTOCOL: i32 = 3;
/** Malformed: slot DETAIL holds a reason code (reason.ts). */
export const PARSE_MALFORMED: i32 = 4;
/** Cut by the capture (IP total length > captured bytes) before the IPv4/TCP headers end: DETAIL holds the reason code. */
export const PARSE_TRUNCATED: i32 = 5;

// Slot indexes (i32 each, byte offset = 4·index) of the result struct; mirrored in src/wire/parse.ts.
/** Outcome (PARSE_*). */
export const SLOT_KIND: i32 = 0;
/** IP version, protocol number or reason code, by kind. */
export const SLOT_DETAIL: i32 = 1;
/** IPv4 source (u32). */
export const SLOT_SRC: i32 = 2;
/** IPv4 destination (u32). */
export const SLOT_DST: i32 = 3;
/** TTL. */
export const SLOT_TTL: i32 = 4;
/** IP identification. */
export const SLOT_ID: i32 = 5;
/** IP total length field. */
export const SLOT_IP_LEN: i32 = 6;
/** 1 when the IP header checksum verifies. */
export const SLOT_IP_CHECKSUM_OK: i32 = 7;
/** TCP source port. */
export const SLOT_SPORT: i32 = 8;
/** TCP destination port. */
export const SLOT_DPORT: i32 = 9;
/** Sequence number (u32). */
export const SLOT_SEQ: i32 = 10;
/** Acknowledgment number (u32). */
export const SLOT_ACK: i32 = 11;
/** Flags incl. NS as 0x100. */
export const SLOT_FLAGS: i32 = 12;
/** Raw window. */
export const SLOT_WIN: i32 = 13;
/** Payload length from the IP total length (also when the capture is truncated). */
export const SLOT_PAYLOAD_LEN: i32 = 14;
/** TCP checksum field. */
export const SLOT_CHECKSUM: i32 = 15;
/** 1 ok, 0 bad, -1 unknown (capture shorter than the IP total length). */
export const SLOT_CHECKSUM_OK: i32 = 16;
/** MSS or -1. */
export const SLOT_MSS: i32 = 17;
/** Window scale shift or -1. */
export const SLOT_WSCALE: i32 = 18;
/** 1 when SACK-permitted is present. */
export const SLOT_SACK_PERMITTED: i32 = 19;
/** Number of SACK blocks (0..4). */
export const SLOT_SACK_COUNT: i32 = 20;
/** 1 when timestamps are present. */
export const SLOT_TS_PRESENT: i32 = 21;
/** TSval (u32). */
export const SLOT_TSVAL: i32 = 22;
/** TSecr (u32). */
export const SLOT_TSECR: i32 = 23;
/** SACK blocks: left0, right0, … left3, right3 (8 slots). */
export const SLOT_SACK: i32 = 24;
/** IP header length in bytes. */
export const SLOT_IP_HEADER_LEN: i32 = 32;
/** TCP header length (data offset) in bytes. */
export const SLOT_TCP_HEADER_LEN: i32 = 33;
/** 1 when the capture is shorter than the IP total length. */
export const SLOT_TRUNCATED: i32 = 34;
/** TCP urgent pointer. */
export const SLOT_URGENT: i32 = 35;
/** Number of TCP options listed in SLOT_OPT_KINDS (NOP and EOL included). */
export const SLOT_OPT_COUNT: i32 = 36;
/** Option kinds in wire order, one byte each (up to 40 bytes = 10 slots). */
export const SLOT_OPT_KINDS: i32 = 37;
/** Number of slots. */
export const PARSE_SLOTS: i32 = 47;

/** The result struct, static (no allocation). */
export const parseResult: usize = memory.data(PARSE_SLOTS << 2, 16);
/** Scratch TcpOptions used by the parser. */
const parseOptions = changetype<TcpOptions>(memory.data(offsetof<TcpOptions>(), 16));

// @ts-ignore: decorator
@inline function put(slot: i32, v: i32): void { store<i32>(parseResult + (<usize>slot << 2), v); }

/** Parses one IPv4 packet of `len` captured bytes at `ptr` into the result struct; returns its kind (PARSE_*). */
export function wireParse(ptr: usize, len: i32): i32 {
  memory.fill(parseResult, 0, <usize>(PARSE_SLOTS << 2));
  if (len < 1) return malformed(REASON_IP_TOO_SHORT);
  let version = <i32>load<u8>(ptr) >> 4;
  if (version != 4) {
    if (version != 6) return malformed(REASON_IP_BAD_VERSION);
    put(SLOT_KIND, PARSE_NOT_IPV4);
    put(SLOT_DETAIL, version);
    return PARSE_NOT_IPV4;
  }
  // A total length beyond the captured bytes means the capture cut the packet (snap length).
  if (len < IPV4_HEADER_LEN) {
    let claimed = len >= 4 ? <i32>ipv4TotalLen(ptr) : 0;
    return claimed >= IPV4_HEADER_LEN && claimed > len ? cut(REASON_IP_TOO_SHORT) : malformed(REASON_IP_TOO_SHORT);
  }
  let hlen = ipv4HeaderLen(ptr);
  if (hlen < IPV4_HEADER_LEN) return malformed(REASON_IP_BAD_IHL);
  let total = ipv4TotalLen(ptr);
  if (hlen > total) return malformed(REASON_IP_BAD_TOTAL_LENGTH);
  if (hlen > len) return cut(REASON_IP_HEADER_TRUNCATED); // here total ≥ hlen > len
  // Bytes past the total length (link padding) are ignored; fewer mean a truncated capture.
  let truncated = total > len;
  let avail = truncated ? len : total;
  put(SLOT_SRC, <i32>ipv4Src(ptr));
  put(SLOT_DST, <i32>ipv4Dst(ptr));
  put(SLOT_TTL, <i32>ipv4Ttl(ptr));
  put(SLOT_ID, <i32>ipv4Id(ptr));
  put(SLOT_IP_LEN, total);
  put(SLOT_IP_CHECKSUM_OK, ipv4ChecksumOk(ptr) ? 1 : 0);
  put(SLOT_IP_HEADER_LEN, hlen);
  put(SLOT_TRUNCATED, truncated ? 1 : 0);
  if (ipv4IsFragment(ptr)) {
    put(SLOT_KIND, PARSE_FRAGMENT);
    return PARSE_FRAGMENT;
  }
  let proto = ipv4Protocol(ptr);
  if (proto != IP_PROTO_TCP) {
    put(SLOT_KIND, PARSE_OTHER_PROTOCOL);
    put(SLOT_DETAIL, <i32>proto);
    return PARSE_OTHER_PROTOCOL;
  }
  let tcp = ptr + <usize>hlen;
  let tcpAvail = avail - hlen;
  let r = tcpCheckLen(tcp, tcpAvail);
  if (r != REASON_OK) {
    // Cut by the capture only if the segment's own length would have held the whole header.
    let whole = total - hlen;
    let wasCut = truncated && ((r == REASON_TCP_TOO_SHORT && whole >= TCP_HEADER_LEN)
      || (r == REASON_TCP_HEADER_TRUNCATED && tcpDataOffset(tcp) <= whole));
    return wasCut ? cut(r) : malformed(r);
  }
  let doff = tcpDataOffset(tcp);
  r = parseTcpOptions(tcp + TCP_HEADER_LEN, doff - TCP_HEADER_LEN, parseOptions);
  if (r != REASON_OK) return malformed(r);
  let tcpLen = total - hlen;
  put(SLOT_SPORT, <i32>tcpSrcPort(tcp));
  put(SLOT_DPORT, <i32>tcpDstPort(tcp));
  put(SLOT_SEQ, <i32>tcpSeq(tcp));
  put(SLOT_ACK, <i32>tcpAck(tcp));
  put(SLOT_FLAGS, <i32>tcpFlags(tcp));
  put(SLOT_WIN, <i32>tcpWindow(tcp));
  put(SLOT_PAYLOAD_LEN, tcpLen - doff);
  put(SLOT_CHECKSUM, <i32>tcpChecksum(tcp));
  put(SLOT_CHECKSUM_OK, truncated ? -1 : (tcpChecksumOk(tcp, tcpLen, ipv4Src(ptr), ipv4Dst(ptr)) ? 1 : 0));
  put(SLOT_TCP_HEADER_LEN, doff);
  put(SLOT_URGENT, <i32>tcpUrgent(tcp));
  listOptionKinds(tcp + TCP_HEADER_LEN, doff - TCP_HEADER_LEN);
  let o = parseOptions;
  put(SLOT_MSS, o.mss);
  put(SLOT_WSCALE, o.wscale);
  put(SLOT_SACK_PERMITTED, o.sackPermitted ? 1 : 0);
  put(SLOT_SACK_COUNT, o.sackCount);
  put(SLOT_TS_PRESENT, o.tsPresent ? 1 : 0);
  put(SLOT_TSVAL, <i32>o.tsVal);
  put(SLOT_TSECR, <i32>o.tsEcr);
  for (let b = 0; b < o.sackCount; b++) {
    put(SLOT_SACK + (b << 1), <i32>o.sackLeft(b));
    put(SLOT_SACK + (b << 1) + 1, <i32>o.sackRight(b));
  }
  put(SLOT_KIND, PARSE_TCP);
  return PARSE_TCP;
}

/**
 * Lists the option kinds of an area `parseTcpOptions` accepted, in wire order (EOL, if present, is listed
 * and ends the list), for the decoder's tcpdump-style option list.
 */
function listOptionKinds(ptr: usize, len: i32): void {
  let kinds = parseResult + (<usize>SLOT_OPT_KINDS << 2);
  let n = 0;
  let i = 0;
  while (i < len) {
    let kind = load<u8>(ptr + <usize>i);
    store<u8>(kinds + <usize>n, kind);
    n++;
    if (kind == TCPOPT_EOL) break;
    i += kind == TCPOPT_NOP ? 1 : <i32>load<u8>(ptr + <usize>i, 1);
  }
  put(SLOT_OPT_COUNT, n);
}

/** Records a packet cut by the capture with reason `r`. */
function cut(r: i32): i32 {
  put(SLOT_KIND, PARSE_TRUNCATED);
  put(SLOT_DETAIL, r);
  return PARSE_TRUNCATED;
}

/** Records a malformed packet with reason `r`. */
function malformed(r: i32): i32 {
  put(SLOT_KIND, PARSE_MALFORMED);
  put(SLOT_DETAIL, r);
  return PARSE_MALFORMED;
}
