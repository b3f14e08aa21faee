// ICMP echo (RFC 792; RFC 1122 §3.2.2.6): a request to one of our addresses is answered from that
// address with the same identifier, sequence number and data. Requests we cannot answer in one
// packet (larger than the interface MTU, fragmented) and broadcast pings (Linux
// icmp_echo_ignore_broadcasts) are dropped and counted.
import { Stat } from '../abi';
import { ifAt } from './iface';
import { ipReserve } from './route';
import { statBump } from '../tcp/stats';
import { cfgTtl } from '../config';
import { ipv4Emit, IP_PROTO_ICMP, IPV4_HEADER_LEN } from '../wire/ipv4';
import { icmpSetHeader, ICMP_ECHO_REPLY } from '../wire/icmp';

let echoId: u16 = 0;

/** Answers the echo request of `len` bytes at `icmp` (checksum verified) from `src` to our `dst` on `ifi`; `ipLen` is the request's total length. */
export function echoInput(ifi: i32, icmp: usize, len: i32, src: u32, dst: u32, ipLen: i32): void {
  if (ipLen > <i32>ifAt(ifi).mtu) { statBump(Stat.IcmpEchoDropped); return; }
  let p = ipReserve(IPV4_HEADER_LEN + len, ifi, src);
  if (p == 0) return; // tx area full (counted)
  ipv4Emit(p, dst, src, IP_PROTO_ICMP, len, echoId++, <u8>cfgTtl, false);
  let r = p + IPV4_HEADER_LEN;
  memory.copy(r, icmp, <usize>len);
  icmpSetHeader(r, len, ICMP_ECHO_REPLY, 0);
  statBump(Stat.IcmpEchoReplies);
}
