// Inbound path from a packet record to the transport: the interface the record names, Ethernet II
// (EtherType and destination filter), ARP, and IPv4 to TCP, ICMP errors and ICMP echo.
import { IfKind, Stat, RECORD_IFACE_MASK, RECORD_LOCAL } from '../abi';
import { cfgMaxInterfaces } from '../config';
import { ifAt, ifOwning, ipBroadcast, onLink, unicast } from './iface';
import { arpInput } from './arp';
import { echoInput } from './echo';
import { statBump } from '../tcp/stats';
import { tcpInput } from '../tcp/input';
import { icmpInput } from '../tcp/icmp';
import {
  ethCheckLen, ethType, ethIsBroadcast, ethDstHi, ethDstLo, ETH_HEADER_LEN, ETHERTYPE_IPV4, ETHERTYPE_ARP,
} from '../wire/ethernet';
import {
  ipv4CheckLen, ipv4ChecksumOk, ipv4IsFragment, ipv4FragOffset, ipv4Dst, ipv4Src, ipv4HeaderLen, ipv4TotalLen,
  ipv4Protocol, IP_PROTO_TCP, IP_PROTO_ICMP,
} from '../wire/ipv4';
import { icmpCheckLen, icmpChecksumOk, icmpType, ICMP_ECHO_REQUEST } from '../wire/icmp';
import { OPT_ETHERNET, OPT_ICMP } from '../options';

/** Processes the packet of record `meta` (`len` bytes at `p`): by its interface's kind, or a local record as IPv4. */
export function recordInput(p: usize, len: i32, meta: u32): void {
  let ifi = <i32>(meta & RECORD_IFACE_MASK);
  let kind = ifi < cfgMaxInterfaces ? <i32>ifAt(ifi).kind : IfKind.NONE;
  if ((meta & ~(RECORD_IFACE_MASK | RECORD_LOCAL)) != 0 || kind == IfKind.NONE) { statBump(Stat.BadPackets); return; }
  if (OPT_ETHERNET && kind == IfKind.ETHERNET && !(meta & RECORD_LOCAL)) etherInput(ifi, p, len);
  else ipInput(ifi, p, len);
}

/** An Ethernet II frame: broadcast or our MAC, IPv4 or ARP; the rest is counted and dropped. Shorter frames than 60 bytes are accepted. */
function etherInput(ifi: i32, p: usize, len: i32): void {
  if (ethCheckLen(p, len) != 0) { statBump(Stat.BadPackets); return; }
  let f = ifAt(ifi);
  let toUs = ethDstLo(p) == f.macLo && ethDstHi(p) == <u32>f.macHi;
  if (!toUs && !ethIsBroadcast(p)) { statBump(Stat.EtherNotForUs); return; }
  let type = ethType(p);
  if (type == ETHERTYPE_IPV4) ipInput(ifi, p + ETH_HEADER_LEN, len - ETH_HEADER_LEN);
  else if (type == ETHERTYPE_ARP) arpInput(ifi, p + ETH_HEADER_LEN, len - ETH_HEADER_LEN, toUs);
  else statBump(Stat.EtherTypeDropped);
}

/** An IPv4 packet that came in on `ifi` (malformed input is counted and dropped, never trapped). */
function ipInput(ifi: i32, p: usize, len: i32): void {
  if (ipv4CheckLen(p, len) != 0 || !ipv4ChecksumOk(p)) { statBump(Stat.BadPackets); return; }
  let f = ifAt(ifi);
  let dst = ipv4Dst(p);
  let hl = ipv4HeaderLen(p);
  let tl = ipv4TotalLen(p) - hl;
  let proto = ipv4Protocol(p);
  let to = ifi;
  if (dst != f.addr && !(f.kind == IfKind.LOOPBACK && onLink(f, dst))) {
    to = ifOwning(dst); // another of our addresses (the weak host model, as Linux)
    if (to < 0) {
      if (ipBroadcast(f, dst) && isEcho(p, proto, hl, tl)) statBump(Stat.IcmpEchoDropped);
      statBump(Stat.BadPackets);
      return;
    }
  }
  if (ipv4IsFragment(p)) {
    if (ipv4FragOffset(p) == 0 && isEcho(p, proto, hl, tl)) statBump(Stat.IcmpEchoDropped);
    statBump(Stat.BadPackets);
    return;
  }
  let src = ipv4Src(p);
  // RFC 1122 §3.2.1.3 / §4.2.3.10: a source that is 0, broadcast or multicast is bogus: drop silently.
  if (!unicast(src)) { statBump(Stat.BadPackets); return; }
  let t = p + <usize>hl;
  if (proto == IP_PROTO_TCP) tcpInput(t, tl, src, dst, to);
  else if (proto == IP_PROTO_ICMP) {
    if (icmpCheckLen(t, tl) != 0) { statBump(Stat.BadPackets); return; }
    if (icmpType(t) != ICMP_ECHO_REQUEST) { if (OPT_ICMP) icmpInput(t, tl); else statBump(Stat.BadPackets); return; }
    if (!icmpChecksumOk(t, tl)) { statBump(Stat.BadChecksum); return; }
    if (!OPT_ICMP) { statBump(Stat.IcmpEchoDropped); return; }
    echoInput(ifi, t, tl, src, dst, hl + tl);
  } else statBump(Stat.BadPackets);
}

/** Whether the IPv4 packet at `p` carries the start of an ICMP echo request. */
function isEcho(p: usize, proto: u8, hl: i32, tl: i32): bool {
  return proto == IP_PROTO_ICMP && tl > 0 && load<u8>(p + <usize>hl) == ICMP_ECHO_REQUEST;
}
