// ICMP errors for our connections (RFC 1122 §4.2.3.9, RFC 5927, RFC 5461): destination unreachable and
// time exceeded are soft errors for a synchronized connection; it keeps retransmitting and, if it
// times out, reports the recorded error (Linux). In SYN_SENT they may abort at once (cfgIcmpAbortsSynSent).
import { Errno, Ev, F, S, Stat } from '../abi';
import { Conn } from './conn';
import { tcpOutput } from './output';
import { resendAll } from './recovery';

import { connAt, connIndex } from '../memory';
import { cfgIcmpAbortsSynSent } from '../config';
import { lookup } from './table';
import { ifAddr } from '../net/iface';
import { seqGe, seqLt, seqLe } from './seq';
import { emit } from './events';
import { statBump } from './stats';
import { connDone } from './lifecycle';
import { checksum } from '../wire/checksum';
import { loadBe16, loadBe32, IP_PROTO_TCP } from '../wire/ipv4';
import { ICMP_DEST_UNREACH, ICMP_TIME_EXCEEDED } from '../wire/icmp';

/** Maps an ICMP type/code to a positive errno as Linux's icmp_err_convert does. */
function icmpErrno(type: u8, code: u8): i32 {
  if (type == ICMP_TIME_EXCEEDED) return Errno.EHOSTUNREACH;
  switch (code) {
    case 0: return Errno.ENETUNREACH; // net unreachable
    case 2: return Errno.ENOPROTOOPT; // protocol unreachable
    case 3: return Errno.ECONNREFUSED; // port unreachable
    case 6: case 7: case 11: return Errno.ENETUNREACH;
    case 9: case 10: case 13: return Errno.EHOSTUNREACH; // administratively prohibited (Linux: EACCES)
  }
  return Errno.EHOSTUNREACH; // host unreachable and the rest
}

/**
 * Fragmentation needed (RFC 1191 §6.5): shrink the send MSS to the next-hop MTU and send the
 * unacknowledged data again in smaller segments (Linux tcp_simple_retransmit). Not a soft error.
 */
function pathMtu(c: Conn, mtu: i32): void {
  if (mtu < 68 || <i32>c.state < <i32>S.ESTABLISHED) return;
  let mss = mtu - 40;
  if (mss >= <i32>c.sndMss) return;
  c.sndMss = <u16>mss;
  statBump(Stat.PmtuUpdates);
  if (c.sndMax != c.sndUna) {
    resendAll(c);
    c.flags &= ~F.RTT_TIMING;
    tcpOutput(c);
  }
}

/** Processes an ICMP message of `len` bytes at `p` (the original datagram's IP header + 8 bytes of TCP follow at p+8). */
export function icmpInput(p: usize, len: i32): void {
  if (len < 8 + 20 + 8) return;
  let type = load<u8>(p);
  let code = load<u8>(p, 1);
  if (type != ICMP_DEST_UNREACH && type != ICMP_TIME_EXCEEDED) return;
  if (checksum(p, len, 0) != 0xffff) { statBump(Stat.BadChecksum); return; }
  icmpError(type, code, p + 8, len - 8, <i32>loadBe16(p + 6));
}

/**
 * An ICMP error (type, code) about one of our datagrams, quoted at `ip` (`len` bytes: its IPv4 header
 * and at least 8 bytes of TCP); `mtu` is the next-hop MTU of a "fragmentation needed". Also how a
 * local failure is reported: ARP giving up is host unreachable (Linux dst_link_failure).
 */
export function icmpError(type: u8, code: u8, ip: usize, len: i32, mtu: i32): void {
  let vihl = <i32>load<u8>(ip);
  let hl = (vihl & 15) << 2;
  if ((vihl >> 4) != 4 || hl < 20 || hl + 8 > len || load<u8>(ip, 9) != IP_PROTO_TCP) return;
  let th = ip + <usize>hl;
  let i = lookup(loadBe32(ip + 16), <u32>loadBe16(th + 2), <u32>loadBe16(th));
  if (i < 0) return;
  let c = connAt(i);
  if (loadBe32(ip + 12) != ifAddr(<i32>c.ifIndex)) return;
  statBump(Stat.IcmpIn);
  // RFC 5927 §4.1: the quoted sequence number must lie in SND.UNA..SND.MAX.
  let seq = loadBe32(th + 4);
  if (!(seqGe(seq, c.sndUna) && (seqLt(seq, c.sndMax) || seqLe(seq, c.sndUna)))) return;
  if (type == ICMP_DEST_UNREACH && code == 4) { pathMtu(c, mtu); return; }
  let err = icmpErrno(type, code);
  if (c.state == S.SYN_SENT && cfgIcmpAbortsSynSent) { connDone(c, err); return; }
  c.softError = <u8>err;
  if (c.flags & F.HOST) emit(Ev.SoftError, connIndex(c), -err);
}
