// Where an outbound IPv4 packet goes (lwIP ip4_output_if + etharp_output): to ourselves as a local
// record, to a TUN interface as it is, or to a TAP interface in an Ethernet frame for the next hop's
// MAC (the destination when on-link, else the interface's gateway), queued while ARP resolves it.
// Per packet: one interface record by index, a prefix compare and a hash probe of the neighbour cache.
import { IfKind, Stat, RECORD_LOCAL } from '../abi';
import { ifAt, onLink, ipBroadcast } from './iface';
import { neighUse, neighUsable, neighAt, queueReserve } from './neighbour';
import { txRecord, txRecordInline, txScratch } from './tx';
import { statBump } from '../tcp/stats';
import { ethEmit, ETH_HEADER_LEN, ETH_MIN_FRAME, ETHERTYPE_IPV4 } from '../wire/ethernet';
import { OPT_ETHERNET } from '../options';

/**
 * Room for an IPv4 packet of `ipLen` bytes to `dst` leaving by interface `ifi`: the address where the
 * caller writes it (header first). A packet that cannot go (interface down, neighbour cache full) is
 * counted and written to scratch room that is never sent; 0 means the tx area is full (try later).
 */
export function ipReserve(ipLen: i32, ifi: i32, dst: u32): usize {
  let f = ifAt(ifi);
  let kind = f.kind;
  let meta = <u32>ifi;
  if (dst == f.addr || kind == IfKind.LOOPBACK) {
    if (kind == IfKind.NONE) return noRoute(ipLen);
    meta |= RECORD_LOCAL;
  } else if (kind != IfKind.IP) {
    if (OPT_ETHERNET && kind == IfKind.ETHERNET) return etherReserve(ipLen, ifi, dst);
    return noRoute(ipLen);
  }
  return txRecordInline(ipLen, meta);
}

/** Scratch room for a packet that cannot go, counted. */
function noRoute(ipLen: i32): usize {
  statBump(Stat.NoRoute);
  return txScratch(ipLen);
}

/**
 * An Ethernet frame for the packet: in the tx area when the next hop's MAC is known (0 when the area
 * is full), else in the resolution queue; scratch room when the cache has no entry to spare.
 */
function etherReserve(ipLen: i32, ifi: i32, dst: u32): usize {
  let f = ifAt(ifi);
  let frame = max<i32>(ETH_MIN_FRAME, ipLen + ETH_HEADER_LEN);
  if (ipBroadcast(f, dst)) return frameAt(txRecord(frame, <u32>ifi), frame, ipLen, 0xffff, 0xffffffff, ifi);
  let hop = onLink(f, dst) || f.gateway == 0 ? dst : f.gateway;
  let i = neighUse(ifi, hop);
  if (i >= 0 && neighUsable(i)) {
    let n = neighAt(i);
    return frameAt(txRecord(frame, <u32>ifi), frame, ipLen, <u32>n.macHi, n.macLo, ifi);
  }
  let q = i >= 0 ? queueReserve(i, ipLen) : 0;
  if (q != 0) return q;
  if (i < 0) statBump(Stat.ArpQueueDropped);
  return txScratch(ipLen);
}

/** Writes the Ethernet header (and zero padding) of a `frame`-byte record at `p`; returns where the IPv4 packet goes, 0 for p = 0. */
function frameAt(p: usize, frame: i32, ipLen: i32, dHi: u32, dLo: u32, ifi: i32): usize {
  if (p == 0) return 0;
  let f = ifAt(ifi);
  ethEmit(p, dHi, dLo, f.macHi, f.macLo, ETHERTYPE_IPV4);
  if (frame > ipLen + ETH_HEADER_LEN) memory.fill(p + ETH_HEADER_LEN + <usize>ipLen, 0, <usize>(frame - ipLen - ETH_HEADER_LEN));
  return p + ETH_HEADER_LEN;
}
