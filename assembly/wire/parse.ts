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
  PARSE_TCP, PARSE_NOT_IPV4, PARSE_FRAGMENT, PARSE_OTHER_PROTOCOL, PARSE_MALFORMED, PARSE_TRUNCATED, PARSE_SLOTS,
  SLOT_KIND, SLOT_DETAIL, SLOT_SRC, SLOT_DST, SLOT_TTL, SLOT_ID, SLOT_IP_LEN, SLOT_IP_CHECKSUM_OK, SLOT_SPORT, SLOT_DPORT,
  SLOT_SEQ, SLOT_ACK, SLOT_FLAGS, SLOT_WIN, SLOT_PAYLOAD_LEN, SLOT_CHECKSUM, SLOT_CHECKSUM_OK, SLOT_MSS, SLOT_WSCALE,
  SLOT_SACK_PERMITTED, SLOT_SACK_COUNT, SLOT_TS_PRESENT, SLOT_TSVAL, SLOT_TSECR, SLOT_SACK, SLOT_IP_HEADER_LEN,
  SLOT_TCP_HEADER_LEN, SLOT_TRUNCATED, SLOT_URGENT, SLOT_OPT_COUNT, SLOT_OPT_KINDS,
} from './tables';

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
