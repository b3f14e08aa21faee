// The interface table: which addresses are ours, on which interface, and the routing decision
// between them (longest prefix, then the default gateway). Lookups here walk the table, which is
// small and only walked when a connection opens or a packet is not for the interface it came in on;
// the per-packet path reads one record by index.
import { IfKind } from '../abi';
import { ifBase } from '../memory';
import { cfgMaxInterfaces } from '../config';
import { Iface, IFACE_SIZE } from './ifrecord';

/** The record of interface `i`. */
// @ts-ignore: decorator
@inline export function ifAt(i: i32): Iface {
  return changetype<Iface>(ifBase + <usize>i * <usize>IFACE_SIZE);
}

/** Our address on interface `i` (0 when it is down). */
export function ifAddr(i: i32): u32 {
  return ifAt(i).addr;
}

/** Netmask of a prefix length. */
// @ts-ignore: decorator
@inline export function prefixMask(len: i32): u32 {
  return len == 0 ? 0 : <u32>0xffffffff << <u32>(32 - len);
}

/** Whether `dst` is on the link of interface `f` (inside its prefix). */
// @ts-ignore: decorator
@inline export function onLink(f: Iface, dst: u32): bool {
  return ((dst ^ f.addr) & f.mask) == 0;
}

/** Whether `dst` is a broadcast address for `f`: 255.255.255.255 or its prefix's (RFC 1122 §3.2.1.3). */
export function ipBroadcast(f: Iface, dst: u32): bool {
  return dst == 0xffffffff || (f.prefix < 31 && onLink(f, dst) && (dst | f.mask) == 0xffffffff);
}

/** Whether `a` can be one end of a TCP connection: not 0.0.0.0, not 255.255.255.255, not multicast (224/4). */
export function unicast(a: u32): bool {
  return a != 0 && a != 0xffffffff && (a >>> 28) != 0xE;
}

/** The interface whose address `dst` is (a loopback interface owns its whole prefix), or −1. */
export function ifOwning(dst: u32): i32 {
  for (let i = 0; i < cfgMaxInterfaces; i++) {
    let f = ifAt(i);
    if (f.kind == IfKind.NONE) continue;
    if (f.addr == dst || (f.kind == IfKind.LOOPBACK && onLink(f, dst))) return i;
  }
  return -1;
}

/**
 * The interface a packet to `dst` leaves by (RFC 1122 §3.3.1.2): one of ours (it loops back), else the
 * longest prefix that holds `dst`, else the first interface with a default gateway; −1 when none.
 */
export function routeLookup(dst: u32): i32 {
  let own = ifOwning(dst);
  if (own >= 0) return own;
  let best = -1;
  let bestLen = -1;
  let gw = -1;
  for (let i = 0; i < cfgMaxInterfaces; i++) {
    let f = ifAt(i);
    if (f.kind == IfKind.NONE || f.kind == IfKind.LOOPBACK) continue;
    if (onLink(f, dst) && <i32>f.prefix > bestLen) { best = i; bestLen = <i32>f.prefix; }
    if (gw < 0 && f.gateway != 0) gw = i;
  }
  return best >= 0 ? best : gw;
}

/** Clears the table (init). */
export function ifaceTableInit(): void {
  memory.fill(ifBase, 0, <usize>cfgMaxInterfaces * <usize>IFACE_SIZE);
}

/** Fills interface `i` (validated by the caller). */
export function ifaceSet(i: i32, kind: i32, addr: u32, prefix: i32, gateway: u32, macHi: u32, macLo: u32, mtu: i32): void {
  let f = ifAt(i);
  f.addr = addr;
  f.prefix = <u8>prefix;
  f.mask = prefixMask(prefix);
  f.gateway = gateway;
  f.macHi = <u16>macHi;
  f.macLo = macLo;
  f.mtu = <u16>mtu;
  f.kind = <u8>kind;
}

/** Frees interface `i`. */
export function ifaceClear(i: i32): void {
  memory.fill(changetype<usize>(ifAt(i)), 0, <usize>IFACE_SIZE);
}
