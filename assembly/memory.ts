// Lays out ALL engine memory once, at init (lwIP memp pools): past the static data (`__heap_base`),
// inside the initial memory when it fits (an MCU-sized config needs one 64 KiB page), else after a
// single memory.grow. Nothing in the engine allocates (no allocator is compiled in, so the runtime's
// heap is free for the layout) and memory.buffer never changes after init.
//
// Layout (each region 16-byte aligned, in this order, starting at __heap_base):
//   connection table   maxConnections × CONN_SIZE
//   out-of-order pool  oooPoolSlots × OOO_SLOT_BYTES (tcp/ooopool.ts)
//   scoreboard pool    sbPoolSlots × SB_SLOT_BYTES (tcp/sbpool.ts)
//   listener table     maxListeners × LISTENER_SIZE
//   4-tuple hash       buckets × 4 (power of two ≥ 2·maxConnections)
//   listener port hash buckets × 2 (power of two ≥ 2·maxListeners)
//   timer heap         maxConnections × (4 key + 2 slot), due list maxConnections × 2
//   pending output     maxConnections × 2 (a ring of slots)
//   event queue        eventQueueSize × 12
//   stats, info, option scratch, SACK scratch, stage area (STAGE_SIZE)
//   interface table    maxInterfaces × IFACE_SIZE
//   neighbour cache    arpCacheSize × NEIGH_SIZE, its hash (u16 heads, power of two ≥ 2·arpCacheSize)
//   resolution queue   arpQueueBytes
//   rx area            rxSlotSize padded to 4 + one record header
//   tx area            txQueueSize
//   send rings         maxConnections × sendBufferSize
//   receive rings      maxConnections × recvBufferSize
import {
  cfgMaxConnections, cfgMaxListeners, cfgEventQueueSize, cfgRxSlotSize, cfgTxQueueSize,
  cfgSendBufferSize, cfgRecvBufferSize, cfgMaxInterfaces, cfgArpCacheSize, cfgArpQueueBytes, cfgOooPoolSize, cfgSbPoolSize,
} from './config';
import { CONN_SIZE, Conn } from './tcp/conn';
import { LISTENER_SIZE, Listener } from './tcp/listener';
import { Ctl, Errno, INFO_SLOTS, RECORD_HEADER, STAGE_SIZE, EVENT_RECORD_BYTES, Stat } from './abi';
import { TcpOptions } from './wire/options';
import { IFACE_SIZE } from './net/ifrecord';
import { NEIGH_SIZE } from './net/neighrecord';
import { OPT_ETHERNET } from './options';

/** Number of u32 statistics counters (see assembly/tcp/stats.ts), rounded up to a multiple of 8. */
export const STATS_SLOTS: i32 = (<i32>Stat.Count + 7) & ~7;

/** Control block address (Ctl slots, 32-bit each). */
export const ctlBase: usize = memory.data(<i32>Ctl.Slots << 2, 16);

/** Reads control slot `k`. */
// @ts-ignore: decorator
@inline export function ctlGet(k: Ctl): i32 { return load<i32>(ctlBase + (<usize>k << 2)); }
/** Writes control slot `k`. */
// @ts-ignore: decorator
@inline export function ctlSet(k: Ctl, v: i32): void { store<i32>(ctlBase + (<usize>k << 2), v); }
/** Writes the f64 control slot at `k` (an even index). */
// @ts-ignore: decorator
@inline export function ctlSetF64(k: Ctl, v: f64): void { store<f64>(ctlBase + (<usize>k << 2), v); }

/** Connection table base. */
export let connBase: usize = 0;
/** Out-of-order pool base (tcp/ooopool.ts). */
export let oooPoolBase: usize = 0;
/** Slots of the out-of-order pool. */
export let oooPoolSlots: i32 = 0;
/** Bytes of one out-of-order pool slot (tcp/ooopool.ts checks its layout against this at compile time). */
export const OOO_SLOT_BYTES: i32 = 48;
/** Scoreboard pool base (tcp/sbpool.ts). */
export let sbPoolBase: usize = 0;
/** Slots of the scoreboard pool. */
export let sbPoolSlots: i32 = 0;
/** Bytes of one scoreboard pool slot (tcp/sbpool.ts checks its layout against this at compile time). */
export const SB_SLOT_BYTES: i32 = 40;
/** Listener table base. */
export let listenerBase: usize = 0;
/** Hash bucket array base (i32 heads, −1 = empty). */
export let hashBase: usize = 0;
/** Bucket count − 1. */
export let hashMask: u32 = 0;
/** Listener port hash base (u16 heads, NIL = empty). */
export let portHashBase: usize = 0;
/** Listener port hash bucket count − 1. */
export let portHashMask: u32 = 0;
/** Timer heap keys (u32 deadlines, tcp/deadlines.ts; one per position). */
export let heapKeyBase: usize = 0;
/** Timer heap slots (u16, one per position). */
export let heapSlotBase: usize = 0;
/** Connections taken out of the heap by the running poll (u16 slots). */
export let dueBase: usize = 0;
/** Pending-output ring (u16 slots). */
export let outqBase: usize = 0;
/** Event queue base. */
export let eventBase: usize = 0;
/** Statistics counters (u32). */
export let statsBase: usize = 0;
/** Info area (f64 slots) filled by tcpInfo. */
export let infoBase: usize = 0;
/** Scratch TcpOptions for the segment being processed. */
export let optsPtr: usize = 0;
/** Scratch u32 arrays (4 lefts, then 4 rights) for emitting SACK blocks. */
export let sackScratch: usize = 0;
/** Interface table base. */
export let ifBase: usize = 0;
/** Neighbour cache base. */
export let neighBase: usize = 0;
/** Neighbour hash base (u16 heads, NIL = empty). */
export let neighHashBase: usize = 0;
/** Neighbour hash bucket count − 1. */
export let neighHashMask: u32 = 0;
/** Resolution queue base (records of packets waiting for ARP). */
export let arpQueueBase: usize = 0;
/** Inbound packet area (records). */
export let rxBase: usize = 0;
/** Bytes of the rx area. */
export let rxSize: i32 = 0;
/** Outbound packet area (records). */
export let txBase: usize = 0;
/** Stage area: tcpSend copies from it, tcpRecv into it. */
export let stageBase: usize = 0;
/** Send rings base. */
export let sndRingBase: usize = 0;
/** Receive rings base. */
export let rcvRingBase: usize = 0;
/** Total bytes laid out at init. */
export let layoutBytes: f64 = 0;
/** True once init laid memory out. */
export let laidOut: bool = false;

// @ts-ignore: decorator
@inline function align16(n: u64): u64 { return (n + 15) & ~(<u64>15); }

/** Lays out every region (growing memory at most once); returns 0, or −ENOBUFS when memory cannot grow enough. */
export function layoutMemory(): i32 {
  if (laidOut) return -Errno.EALREADY;
  let buckets: u32 = 16;
  while (buckets < <u32>cfgMaxConnections * 2) buckets <<= 1;
  let portBuckets: u32 = 16;
  while (portBuckets < <u32>cfgMaxListeners * 2) portBuckets <<= 1;
  // Without Ethernet (assembly/options.ts) the neighbour cache, its hash and the resolution queue take nothing.
  let arpSlots: u32 = OPT_ETHERNET ? <u32>cfgArpCacheSize : 0;
  let neighBuckets: u32 = OPT_ETHERNET ? 16 : 0;
  while (neighBuckets < arpSlots * 2) neighBuckets <<= 1;
  let n = <u64>cfgMaxConnections;
  let start: u64 = align16(<u64>__heap_base);
  let p = start;
  let conns = p; p = align16(p + n * <u64>CONN_SIZE);
  // oooPoolSize −1: a quarter of the table, rounded up (never more slots than connections).
  let poolSlots = min<i32>(cfgOooPoolSize < 0 ? (cfgMaxConnections + 3) >> 2 : cfgOooPoolSize, cfgMaxConnections);
  let pool = p; p = align16(p + <u64>poolSlots * <u64>OOO_SLOT_BYTES);
  // sbPoolSize −1: the same quarter.
  let sbSlots = min<i32>(cfgSbPoolSize < 0 ? (cfgMaxConnections + 3) >> 2 : cfgSbPoolSize, cfgMaxConnections);
  let sbPool = p; p = align16(p + <u64>sbSlots * <u64>SB_SLOT_BYTES);
  let lst = p; p = align16(p + <u64>cfgMaxListeners * <u64>LISTENER_SIZE);
  let hash = p; p = align16(p + <u64>buckets * 2);
  let portHash = p; p = align16(p + <u64>portBuckets * 2);
  let keys = p; p = align16(p + n * 4);
  let slots = p; p = align16(p + n * 2);
  let due = p; p = align16(p + n * 2);
  let outq = p; p = align16(p + n * 2);
  let ev = p; p = align16(p + <u64>cfgEventQueueSize * <u64>EVENT_RECORD_BYTES);
  let st = p; p = align16(p + <u64>STATS_SLOTS * 4);
  let inf = p; p = align16(p + <u64>INFO_SLOTS * 8);
  let op = p; p = align16(p + <u64>offsetof<TcpOptions>());
  let sk = p; p = align16(p + 32);
  let stage = p; p = align16(p + <u64>STAGE_SIZE);
  let ifs = p; p = align16(p + <u64>cfgMaxInterfaces * <u64>IFACE_SIZE);
  let nb = p; p = align16(p + <u64>arpSlots * <u64>NEIGH_SIZE);
  let nh = p; p = align16(p + <u64>neighBuckets * 2);
  let aq = p; p = align16(p + <u64>(OPT_ETHERNET ? cfgArpQueueBytes : 0));
  // One packet of rxSlotSize bytes always fits as a record: its header and its padding to 4 included.
  let rxBytes = ((cfgRxSlotSize + 3) & ~3) + RECORD_HEADER;
  let rx = p; p = align16(p + <u64>rxBytes);
  let tx = p; p = align16(p + <u64>cfgTxQueueSize);
  let snd = p; p = align16(p + n * <u64>cfgSendBufferSize);
  let rcv = p; p = align16(p + n * <u64>cfgRecvBufferSize);
  if (p > 0xFFFF0000) return -Errno.ENOBUFS;
  let have: u64 = <u64>memory.size() << 16;
  if (p > have && memory.grow(<i32>((p - have + 0xffff) >> 16)) < 0) return -Errno.ENOBUFS;
  connBase = <usize>conns; oooPoolBase = <usize>pool; oooPoolSlots = poolSlots; sbPoolBase = <usize>sbPool; sbPoolSlots = sbSlots;
  listenerBase = <usize>lst; hashBase = <usize>hash; hashMask = buckets - 1;
  portHashBase = <usize>portHash; portHashMask = portBuckets - 1;
  heapKeyBase = <usize>keys; heapSlotBase = <usize>slots; dueBase = <usize>due; outqBase = <usize>outq;
  eventBase = <usize>ev; statsBase = <usize>st; infoBase = <usize>inf; optsPtr = <usize>op;
  sackScratch = <usize>sk; stageBase = <usize>stage; rxBase = <usize>rx; rxSize = rxBytes;
  txBase = <usize>tx; sndRingBase = <usize>snd; rcvRingBase = <usize>rcv;
  ifBase = <usize>ifs; neighBase = <usize>nb; neighHashBase = <usize>nh; neighHashMask = neighBuckets - 1; arpQueueBase = <usize>aq;
  layoutBytes = <f64>(p - start);
  memory.fill(<usize>hash, 0xff, <usize>buckets * 2);
  memory.fill(<usize>portHash, 0xff, <usize>portBuckets * 2);
  memory.fill(<usize>nh, 0xff, <usize>neighBuckets * 2);
  laidOut = true;
  return 0;
}

/** The record of connection slot `i`. */
// @ts-ignore: decorator
@inline export function connAt(i: i32): Conn {
  return changetype<Conn>(connBase + <usize>i * <usize>CONN_SIZE);
}

/** The slot index of connection record `c`. */
// @ts-ignore: decorator
@inline export function connIndex(c: Conn): i32 {
  return <i32>((changetype<usize>(c) - connBase) / <usize>CONN_SIZE);
}

/** The record of listener slot `i`. */
// @ts-ignore: decorator
@inline export function listenerAt(i: i32): Listener {
  return changetype<Listener>(listenerBase + <usize>i * <usize>LISTENER_SIZE);
}

/** Start of the send ring of connection slot `i`. */
// @ts-ignore: decorator
@inline export function sndRing(i: i32): usize {
  return sndRingBase + <usize>i * <usize>cfgSendBufferSize;
}

/** Start of the receive ring of connection slot `i`. */
// @ts-ignore: decorator
@inline export function rcvRing(i: i32): usize {
  return rcvRingBase + <usize>i * <usize>cfgRecvBufferSize;
}

/** The scratch options record. */
// @ts-ignore: decorator
@inline export function opts(): TcpOptions {
  return changetype<TcpOptions>(optsPtr);
}
