// The ARP neighbour cache (RFC 826's translation table with Linux's NUD states) and the queue of
// packets waiting for a resolution. Fixed memory: `arpCacheSize` entries found by a hash of (interface,
// address), and one byte queue of records [u32 frame length][u32 entry][frame][pad to 4]. Timeline
// (Linux defaults): an unknown address is INCOMPLETE and asked for by broadcast `arpRetries` times,
// `arpRetryMs` apart, then FAILED (its packets are reported unreachable); a reply makes it REACHABLE
// for `arpReachableMs`, then STALE; a STALE entry that is used waits `arpDelayMs` (DELAY) and is then
// re-confirmed by unicast probes (PROBE), or dropped after `arpProbes` of them.
import { NeighState, Stat, RECORD_HEADER } from '../abi';
import { neighBase, neighHashBase, neighHashMask, arpQueueBase } from '../memory';
import {
  cfgArpCacheSize, cfgArpQueueBytes, cfgArpRetries, cfgArpRetryMs, cfgArpReachableMs, cfgArpDelayMs, cfgArpProbes,
} from '../config';
import { Neigh, NEIGH_SIZE } from './neighrecord';
import { ifAt } from './iface';
import { txRecord } from './tx';
import { statBump } from '../tcp/stats';
import { nowMs } from '../tcp/clock';
import { setNetDeadline } from '../tcp/deadlines';
import { ethEmit, macStore, ETH_HEADER_LEN, ETH_MIN_FRAME, ETHERTYPE_ARP, ETHERTYPE_IPV4 } from '../wire/ethernet';
import { arpEmit, ARP_LEN, ARP_REQUEST } from '../wire/arp';

const NIL: u16 = 0xffff;
const BCAST_HI: u32 = 0xffff;
const BCAST_LO: u32 = 0xffffffff;

/** Bytes of the queue in use. */
let queueUsed: i32 = 0;
/** Earliest deadline of any entry (a lower bound), Infinity when none. */
let nextDue: f64 = Infinity;
/** Entries in use. */
let inUse: i32 = 0;

/** The entry in slot `i`. */
// @ts-ignore: decorator
@inline export function neighAt(i: i32): Neigh {
  return changetype<Neigh>(neighBase + <usize>i * <usize>NEIGH_SIZE);
}

/** The hash bucket of (interface, address): a call, not inlined (its three callers are the ARP paths). */
function bucket(ifi: i32, addr: u32): usize {
  let h = (addr ^ (<u32>ifi << 24)) * 0x9e3779b1;
  h ^= h >>> 15;
  return neighHashBase + (<usize>(h & neighHashMask) << 1);
}

/** Empties the cache and the queue (init). */
export function neighInit(): void {
  memory.fill(neighBase, 0, <usize>cfgArpCacheSize * <usize>NEIGH_SIZE);
  queueUsed = 0;
  inUse = 0;
  nextDue = Infinity;
  setNetDeadline(Infinity);
}

/** Moves the engine-wide deadline of the cache earlier to `t` if needed. */
function due(n: Neigh, t: f64): void {
  n.deadline = t;
  if (t < nextDue) {
    nextDue = t;
    setNetDeadline(t);
  }
}

/** The entry for `addr` on interface `ifi`, or −1. */
export function neighFind(ifi: i32, addr: u32): i32 {
  let i = <i32>load<u16>(bucket(ifi, addr));
  while (i != <i32>NIL) {
    let n = neighAt(i);
    if (n.addr == addr && <i32>n.ifIndex == ifi) return i;
    i = <i32>n.hashNext;
  }
  return -1;
}

function unhash(i: i32): void {
  let n = neighAt(i);
  let b = bucket(<i32>n.ifIndex, n.addr);
  let j = <i32>load<u16>(b);
  if (j == i) { store<u16>(b, n.hashNext); return; }
  while (j != <i32>NIL) {
    let m = neighAt(j);
    if (<i32>m.hashNext == i) { m.hashNext = n.hashNext; return; }
    j = <i32>m.hashNext;
  }
}

/** Frees entry `i` (its queued packets must be gone already). */
export function neighFree(i: i32): void {
  let n = neighAt(i);
  if (n.state == NeighState.FREE) return;
  unhash(i);
  n.state = <u8>NeighState.FREE;
  n.deadline = Infinity;
  inUse--;
}

/**
 * A slot for a new entry: a free one, else the least recently used entry that has no packets waiting
 * (lwIP etharp's choice: never one that is resolving); −1 when every entry is resolving.
 */
function neighSlot(): i32 {
  let victim = -1;
  let oldest = Infinity;
  for (let i = 0; i < cfgArpCacheSize; i++) {
    let n = neighAt(i);
    if (n.state == NeighState.FREE) return i;
    if (n.state != NeighState.INCOMPLETE && n.state != NeighState.FAILED && n.used < oldest) { oldest = n.used; victim = i; }
  }
  if (victim >= 0) {
    neighFree(victim);
    statBump(Stat.ArpEvictions);
  }
  return victim;
}

/** A new entry for `addr` on `ifi` in `state` (evicting if the cache is full); −1 when there is no room. */
function neighNew(ifi: i32, addr: u32, state: i32): i32 {
  let i = neighSlot();
  if (i < 0) return -1;
  let n = neighAt(i);
  n.addr = addr;
  n.ifIndex = <u8>ifi;
  n.state = <u8>state;
  n.tries = 0;
  n.used = nowMs;
  n.deadline = Infinity;
  let b = bucket(ifi, addr);
  n.hashNext = load<u16>(b);
  store<u16>(b, <u16>i);
  inUse++;
  return i;
}

// ---------------------------------------------------------------- ARP output

/** Sends an ARP packet out of interface `ifi` to MAC (dstHi, dstLo): op, target MAC and address. */
export function arpSend(ifi: i32, op: u16, dstHi: u32, dstLo: u32, thaHi: u32, thaLo: u32, tpa: u32): void {
  let f = ifAt(ifi);
  let p = txRecord(ETH_MIN_FRAME, <u32>ifi);
  if (p == 0) return;
  ethEmit(p, dstHi, dstLo, f.macHi, f.macLo, ETHERTYPE_ARP);
  arpEmit(p + ETH_HEADER_LEN, op, f.macHi, f.macLo, f.addr, thaHi, thaLo, tpa);
  memory.fill(p + ETH_HEADER_LEN + ARP_LEN, 0, <usize>(ETH_MIN_FRAME - ETH_HEADER_LEN - ARP_LEN));
  statBump(Stat.ArpOut);
}

/** A who-has for entry `n`: broadcast while resolving, unicast to its MAC while probing. */
function request(n: Neigh, unicastProbe: bool): void {
  let dHi = unicastProbe ? <u32>n.macHi : BCAST_HI;
  let dLo = unicastProbe ? n.macLo : BCAST_LO;
  arpSend(<i32>n.ifIndex, ARP_REQUEST, dHi, dLo, 0, 0, n.addr);
  n.tries++;
  due(n, nowMs + cfgArpRetryMs);
}

/** The gratuitous ARP of an interface coming up: a broadcast request for its own address (Linux arp_notify). */
export function arpAnnounce(ifi: i32): void {
  let f = ifAt(ifi);
  arpSend(ifi, ARP_REQUEST, BCAST_HI, BCAST_LO, 0, 0, f.addr);
}

// ---------------------------------------------------------------- use and learning

/**
 * The entry through which a packet to next hop `addr` on `ifi` goes now. A usable entry (REACHABLE,
 * STALE, DELAY, PROBE) is returned with its MAC valid (a STALE one starts DELAY); an unknown address
 * gets an INCOMPLETE entry and its first broadcast request. −1 when the cache has no room.
 */
export function neighUse(ifi: i32, addr: u32): i32 {
  let i = neighFind(ifi, addr);
  if (i < 0) {
    i = neighNew(ifi, addr, NeighState.INCOMPLETE);
    if (i < 0) return -1;
    request(neighAt(i), false);
    return i;
  }
  let n = neighAt(i);
  n.used = nowMs;
  if (n.state == NeighState.STALE) {
    n.state = <u8>NeighState.DELAY;
    due(n, nowMs + cfgArpDelayMs);
  }
  return i;
}

/** Whether entry `i` has a MAC packets can use. */
// @ts-ignore: decorator
@inline export function neighUsable(i: i32): bool {
  let s = neighAt(i).state;
  return s >= <u8>NeighState.REACHABLE && s <= <u8>NeighState.PROBE;
}

/**
 * What an ARP packet from (addr, mac) on `ifi` teaches (RFC 826 "merge"): an existing entry takes
 * the MAC; `confirmed` (a reply to us) makes it REACHABLE, otherwise it is STALE when new, changed or
 * resolving; an entry is only created when the packet was for us (`create`). Packets waiting for the
 * entry are sent.
 */
export function neighLearn(ifi: i32, addr: u32, macHi: u32, macLo: u32, create: bool, confirmed: bool): void {
  let i = neighFind(ifi, addr);
  if (i < 0) {
    if (!create) return;
    i = neighNew(ifi, addr, NeighState.STALE);
    if (i < 0) return;
  }
  let n = neighAt(i);
  let changed = <u32>n.macHi != macHi || n.macLo != macLo;
  let was = n.state;
  n.macHi = <u16>macHi;
  n.macLo = macLo;
  if (confirmed) {
    n.state = <u8>NeighState.REACHABLE;
    n.tries = 0;
    due(n, nowMs + cfgArpReachableMs);
  } else if (changed || was == NeighState.INCOMPLETE || was == NeighState.FAILED) {
    n.state = <u8>NeighState.STALE;
    n.tries = 0;
    n.deadline = Infinity;
  }
  if (was == NeighState.INCOMPLETE) queueFlush(i);
}

// ---------------------------------------------------------------- the resolution queue

/** Bytes of the queue record at `off`. */
function recBytes(off: i32): i32 {
  return RECORD_HEADER + ((<i32>load<u32>(arpQueueBase + <usize>off) + 3) & ~3);
}

/** Removes the queue records in [off, off + n) by moving the rest down. */
function queueCut(off: i32, n: i32): void {
  let base = arpQueueBase + <usize>off;
  memory.copy(base, base + <usize>n, <usize>(queueUsed - off - n));
  queueUsed -= n;
}

/**
 * Room in the queue for a frame carrying an `ipLen`-byte packet for entry `i`: the Ethernet header
 * (source and type written, destination filled in when it resolves) and the padding are laid out;
 * returns where the IPv4 packet goes. The oldest packets are dropped to make room (Linux); 0 when the
 * frame cannot fit the queue at all.
 */
export function queueReserve(i: i32, ipLen: i32): usize {
  let frame = max<i32>(ETH_MIN_FRAME, ipLen + ETH_HEADER_LEN);
  let need = RECORD_HEADER + ((frame + 3) & ~3);
  if (need > cfgArpQueueBytes) { statBump(Stat.ArpQueueDropped); return 0; }
  let drop = 0;
  while (queueUsed - drop + need > cfgArpQueueBytes) drop += recBytes(drop);
  if (drop > 0) {
    let off = 0;
    while (off < drop) { statBump(Stat.ArpQueueDropped); off += recBytes(off); }
    queueCut(0, drop);
  }
  let r = arpQueueBase + <usize>queueUsed;
  store<u32>(r, <u32>frame);
  store<u32>(r, <u32>i, 4);
  let p = r + RECORD_HEADER;
  let f = ifAt(<i32>neighAt(i).ifIndex);
  ethEmit(p, 0, 0, f.macHi, f.macLo, ETHERTYPE_IPV4);
  if (frame > ipLen + ETH_HEADER_LEN) memory.fill(p + ETH_HEADER_LEN + <usize>ipLen, 0, <usize>(frame - ipLen - ETH_HEADER_LEN));
  queueUsed += need;
  return p + ETH_HEADER_LEN;
}

/** Sends the packets waiting for entry `i` (now resolved), in the order they were queued. */
function queueFlush(i: i32): void {
  let n = neighAt(i);
  let off = 0;
  while (off < queueUsed) {
    let r = arpQueueBase + <usize>off;
    let bytes = recBytes(off);
    if (<i32>load<u32>(r, 4) != i) { off += bytes; continue; }
    let len = <i32>load<u32>(r);
    let p = txRecord(len, <u32>n.ifIndex);
    if (p != 0) {
      memory.copy(p, r + RECORD_HEADER, <usize>len);
      macStore(p, <u32>n.macHi, n.macLo);
    } else statBump(Stat.ArpQueueDropped);
    queueCut(off, bytes);
  }
}

/** Offset of the first queued record at or after `off` whose entry has FAILED, or −1. */
export function queueNextFailed(off: i32): i32 {
  while (off < queueUsed) {
    if (neighAt(<i32>load<u32>(arpQueueBase + <usize>off, 4)).state == NeighState.FAILED) return off;
    off += recBytes(off);
  }
  return -1;
}

/** The IPv4 packet of the queue record at `off`. */
export function queuePacket(off: i32): usize {
  return arpQueueBase + <usize>off + RECORD_HEADER + ETH_HEADER_LEN;
}

/** Bytes of the IPv4 packet of the queue record at `off` (its frame less the header; padding included). */
export function queuePacketLen(off: i32): i32 {
  return <i32>load<u32>(arpQueueBase + <usize>off) - ETH_HEADER_LEN;
}

/** Offset of the record after the one at `off`. */
export function queueNext(off: i32): i32 {
  return off + recBytes(off);
}

/** Drops the queued packets of FAILED entries and frees those entries. */
export function neighPurgeFailed(): void {
  let off = queueNextFailed(0);
  while (off >= 0) {
    statBump(Stat.ArpQueueDropped);
    queueCut(off, recBytes(off));
    off = queueNextFailed(off);
  }
  for (let i = 0; i < cfgArpCacheSize; i++) if (neighAt(i).state == NeighState.FAILED) neighFree(i);
}

/** Marks every entry of interface `ifi` FAILED, so its packets can be dropped with neighPurgeFailed (the interface goes down). */
export function neighFailInterface(ifi: i32): void {
  for (let i = 0; i < cfgArpCacheSize; i++) {
    let n = neighAt(i);
    if (n.state != NeighState.FREE && <i32>n.ifIndex == ifi) n.state = <u8>NeighState.FAILED;
  }
}

// ---------------------------------------------------------------- timers

/**
 * Moves every entry whose deadline has come to its next state (retry, give up, age, probe); returns
 * true when some resolution failed (its packets are still queued: report them, then neighPurgeFailed).
 */
export function neighTick(now: f64): bool {
  if (nextDue > now) return false;
  let failed = false;
  let next = Infinity;
  for (let i = 0; i < cfgArpCacheSize; i++) {
    let n = neighAt(i);
    let s = n.state;
    if (s == NeighState.FREE) continue;
    if (n.deadline <= now) {
      if (s == NeighState.INCOMPLETE) {
        if (<i32>n.tries < cfgArpRetries) request(n, false);
        else { n.state = <u8>NeighState.FAILED; n.deadline = Infinity; failed = true; statBump(Stat.ArpFailed); }
      } else if (s == NeighState.REACHABLE) {
        n.state = <u8>NeighState.STALE;
        n.deadline = Infinity;
      } else if (s == NeighState.DELAY) {
        n.state = <u8>NeighState.PROBE;
        n.tries = 0;
        request(n, true);
      } else if (s == NeighState.PROBE) {
        if (<i32>n.tries < cfgArpProbes) request(n, true);
        else neighFree(i);
      }
    }
    if (n.state != NeighState.FREE && n.deadline < next) next = n.deadline;
  }
  nextDue = next;
  setNetDeadline(next);
  return failed;
}

/** Entries in use. */
export function neighCount(): i32 { return inUse; }

/** The earliest deadline of the cache (a lower bound), Infinity when none. */
export function neighNextDeadline(): f64 { return nextDue; }
