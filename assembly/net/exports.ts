// Raw exports of the interface layer (ABI 5, docs/engine-abi.md): bring an interface up or down, and
// read the neighbour cache. The host wraps them in src/engine/engine.ts.
import { Errno, IfKind, NeighSlot, NeighState, F, S } from '../abi';
import { cfgMaxInterfaces, cfgArpCacheSize, cfgArpQueueBytes, cfgMaxConnections } from '../config';
import { infoBase, connAt } from '../memory';
import { setNow } from '../tcp/clock';
import { connDone } from '../tcp/lifecycle';
import { ifAt, ifOwning, ifaceSet, ifaceClear, prefixMask, unicast } from './iface';
import { arpAnnounce, neighAt, neighFailInterface, neighPurgeFailed } from './neighbour';
import { ETH_HEADER_LEN } from '../wire/ethernet';
import { OPT_ETHERNET } from '../options';

/**
 * Brings up interface `index` (free) as `kind` (IfKind) with our address `addr`/`prefixLen`, a default
 * gateway (0 = none, else on-link), MAC (macHi: first 2 bytes, macLo: last 4; Ethernet only) and
 * `mtu`; an Ethernet interface announces itself with a gratuitous ARP. 0, or −EINVAL (a bad value),
 * −EEXIST (the slot is in use), −EADDRINUSE (another interface has the address).
 */
export function ifaceUp(index: i32, kind: i32, addr: u32, prefixLen: i32, gateway: u32, macHi: u32, macLo: u32, mtu: i32, now: f64): i32 {
  setNow(now);
  if (index < 0 || index >= cfgMaxInterfaces || kind <= <i32>IfKind.NONE || kind > <i32>IfKind.LOOPBACK) return -Errno.EINVAL;
  if (prefixLen < 0 || prefixLen > 32 || !unicast(addr) || mtu < 68 || mtu > 65535) return -Errno.EINVAL;
  let mask = prefixMask(prefixLen);
  if (gateway != 0 && (!unicast(gateway) || gateway == addr || ((gateway ^ addr) & mask) != 0)) return -Errno.EINVAL;
  if (kind == <i32>IfKind.ETHERNET) {
    if (!OPT_ETHERNET) return -Errno.EOPNOTSUPP;
    // A unicast, non-zero MAC; a frame of the MTU must fit the resolution queue, if there is one.
    if (macHi > 0xffff || (macHi & 0x100) != 0 || (macHi | macLo) == 0) return -Errno.EINVAL;
    if (cfgArpQueueBytes > 0 && mtu + ETH_HEADER_LEN + 8 > cfgArpQueueBytes) return -Errno.EINVAL;
  }
  if (ifAt(index).kind != IfKind.NONE) return -Errno.EEXIST;
  if (ifOwning(addr) >= 0) return -Errno.EADDRINUSE;
  ifaceSet(index, kind, addr, prefixLen, gateway, macHi, macLo, mtu);
  if (OPT_ETHERNET && kind == <i32>IfKind.ETHERNET) arpAnnounce(index);
  return 0;
}

/**
 * Takes interface `index` down: its connections are closed with ENETDOWN (their address is gone, as
 * lwIP's netif_remove), its neighbour entries and the packets waiting for them are dropped.
 * 0 or −ENODEV.
 */
export function ifaceDown(index: i32, now: f64): i32 {
  setNow(now);
  if (index < 0 || index >= cfgMaxInterfaces || ifAt(index).kind == IfKind.NONE) return -Errno.ENODEV;
  for (let i = 0; i < cfgMaxConnections; i++) {
    let c = connAt(i);
    if ((c.flags & F.USED) && <i32>c.ifIndex == index && c.state != S.CLOSED) connDone(c, Errno.ENETDOWN);
  }
  if (OPT_ETHERNET) { neighFailInterface(index); neighPurgeFailed(); }
  ifaceClear(index);
  return 0;
}

/** Fills the info area with neighbour cache slot `i` (NeighSlot order); 0, −ENOENT for a free slot, −EINVAL out of range. */
export function neighInfo(i: i32): i32 {
  if (!OPT_ETHERNET) return -Errno.EOPNOTSUPP;
  if (i < 0 || i >= cfgArpCacheSize) return -Errno.EINVAL;
  let n = neighAt(i);
  if (n.state == NeighState.FREE) return -Errno.ENOENT;
  let p = infoBase;
  store<f64>(p + (<usize>NeighSlot.State << 3), <f64>n.state);
  store<f64>(p + (<usize>NeighSlot.IfIndex << 3), <f64>n.ifIndex);
  store<f64>(p + (<usize>NeighSlot.Addr << 3), <f64>n.addr);
  store<f64>(p + (<usize>NeighSlot.MacHi << 3), <f64>n.macHi);
  store<f64>(p + (<usize>NeighSlot.MacLo << 3), <f64>n.macLo);
  store<f64>(p + (<usize>NeighSlot.Deadline << 3), n.deadline);
  store<f64>(p + (<usize>NeighSlot.Tries << 3), <f64>n.tries);
  return 0;
}
