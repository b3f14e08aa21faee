// The receive side of the text step (RFC 9293 §3.10.7.4 seventh): in-order data goes into the receive
// ring; out-of-order data is placed at its offset in the same ring and remembered as one of OOO_MAX
// ranges, which are also the SACK blocks we send (RFC 2018 §4). Data received twice is reported in a
// D-SACK block (RFC 2883). The ranges and the D-SACK block live in the out-of-order pool
// (ooopool.ts): taken before the first is set, given back when the last goes. Delayed-ACK decisions
// live here.
import { Ev, F, Stat } from '../abi';
import { Conn, OOO_MAX } from './conn';
import {
  oooLeft, oooRight, oooSet, oooAcquire, oooRelease, dsackPending, dsackLeft, dsackRight, dsackSet,
  rcvFinSeq,
} from './ooopool';
import { connIndex, rcvRing } from '../memory';
import { cfgRecvBufferSize, cfgDelayedAckSegments, cfgDsack, cfgQuickAcks } from '../config';
import { segSeq, segData, segDataLen, segInRing } from './segment';
import { copyWithChecksum, fold32 } from '../wire/checksum';
import { seqDiff, seqGt, seqLe, seqLt, seqMax, seqMin } from './seq';
import { advertisedWindow } from './window';
import { armDelack } from './deadlines';
import { tick8ms } from './clock';
import { emit } from './events';
import { statAdd } from './stats';
import { OPT_SACK } from '../options';
import { copyBytes } from '../wire/copy';

/** Copies `len` bytes at `src` into the receive ring at `off` bytes past rcvNxt's position. */
function ringWrite(c: Conn, off: u32, src: usize, len: i32): void {
  let size = <u32>cfgRecvBufferSize;
  let ring = rcvRing(connIndex(c));
  let pos = c.rcvBufHead + c.rcvBufLen + off;
  while (pos >= size) pos -= size;
  let first = min<i32>(len, <i32>(size - pos));
  copyBytes(ring + <usize>pos, src, <usize>first);
  if (first < len) memory.copy(ring, src + <usize>first, <usize>(len - first));
}

/**
 * Copies `len` payload bytes to the receive ring at rcvNxt's position and returns their checksum sum
 * (RFC 1071, as if at an even offset; a chunk after an odd-length first chunk is byte-swapped).
 */
export function ringCopyWithChecksum(c: Conn, src: usize, len: i32): u32 {
  let size = <u32>cfgRecvBufferSize;
  let ring = rcvRing(connIndex(c));
  let pos = c.rcvBufHead + c.rcvBufLen;
  if (pos >= size) pos -= size;
  let first = min<i32>(len, <i32>(size - pos));
  let sum = copyWithChecksum(ring + <usize>pos, src, first, 0);
  if (first < len) {
    let s2 = copyWithChecksum(ring, src + <usize>first, len - first, 0);
    if (first & 1) s2 = ((s2 & 0xff) << 8) | (s2 >> 8);
    sum = fold32(sum + s2);
  }
  return sum;
}

/** Removes out-of-order range `i`, keeping the others in recency order. */
function oooRemove(c: Conn, i: i32): void {
  let n = <i32>c.oooCount;
  for (let k = i; k + 1 < n; k++) oooSet(c, k, oooLeft(c, k + 1), oooRight(c, k + 1));
  c.oooCount--;
}

/**
 * Records [l, r) merged with every range it touches, as the most recent range (index 0, the first
 * SACK block). When all OOO_MAX slots hold other data, or the pool has no slot for a first range,
 * nothing is recorded and false is returned: the data is dropped rather than a range forgotten, so
 * nothing once SACKed is ever taken back (no reneging, RFC 2018 §8); the sender resends it.
 */
export function oooAdd(c: Conn, l: u32, r: u32): bool {
  if (!oooAcquire(c)) return false;
  let n0 = <i32>c.oooCount;
  if (n0 >= OOO_MAX) {
    let touches = false;
    for (let k = 0; k < n0; k++) if (seqLe(l, oooRight(c, k)) && seqLe(oooLeft(c, k), r)) touches = true;
    if (!touches) return false;
  }
  let i = 0;
  while (i < <i32>c.oooCount) {
    let li = oooLeft(c, i);
    let ri = oooRight(c, i);
    if (seqLe(l, ri) && seqLe(li, r)) {
      l = seqMin(l, li);
      r = seqMax(r, ri);
      oooRemove(c, i);
      continue;
    }
    i++;
  }
  let n = <i32>c.oooCount;
  if (n >= OOO_MAX) n = OOO_MAX - 1;
  for (let k = n; k > 0; k--) oooSet(c, k, oooLeft(c, k - 1), oooRight(c, k - 1));
  oooSet(c, 0, l, r);
  c.oooCount = <u8>(n + 1);
  return true;
}

// ---------------------------------------------------------------- D-SACK (RFC 2883)

/**
 * Notes [l, r) as received twice: the next ACK reports it as its first SACK block (RFC 2883 §4).
 * The first duplicate part of a segment replaces a block still waiting (`first`); later parts only
 * extend the block when they touch it (Linux tcp_dsack_set / tcp_dsack_extend).
 */
export function dsackNote(c: Conn, l: u32, r: u32, first: bool): void {
  if (!OPT_SACK || !cfgDsack || !(c.flags & F.SACK) || !seqLt(l, r)) return;
  if (dsackPending(c) && !first) {
    let dl = dsackLeft(c), dr = dsackRight(c);
    if (!(seqLe(l, dr) && seqLe(dl, r))) return;
    l = seqMin(l, dl);
    r = seqMax(r, dr);
  }
  if (!oooAcquire(c)) return;
  dsackSet(c, l, r);
}

/**
 * Notes the parts of [l, r) that out-of-order ranges already hold, lowest first. `first`: no part
 * of the segment below RCV.NXT was noted before.
 */
function dsackOverlaps(c: Conn, l: u32, r: u32, first: bool): void {
  let n = <i32>c.oooCount;
  let from = l;
  for (let pass = 0; pass < n; pass++) {
    // The lowest range ending above `from` that starts below r.
    let best = -1;
    for (let k = 0; k < n; k++) {
      let lk = oooLeft(c, k);
      if (seqGt(oooRight(c, k), from) && seqLt(lk, r) && (best < 0 || seqLt(lk, oooLeft(c, best)))) best = k;
    }
    if (best < 0) return;
    let ol = seqMax(from, oooLeft(c, best));
    let or = seqMin(r, oooRight(c, best));
    dsackNote(c, ol, or, first);
    first = false;
    from = or;
  }
}

/** Linux TCP_MAX_QUICKACKS: the most quick ACKs a duplicate starts. */
const MAX_QUICKACKS: u32 = 16;

/**
 * The segment started below RCV.NXT: `old` bytes at `seq` were received before (a D-SACK block).
 * When nothing new remains of it, it is ACKed at once and quick-ACK mode starts again (Linux
 * tcp_data_queue "a retransmit", tcp_send_dupack); otherwise the new part is ACKed as usual.
 */
export function oldDataReceived(c: Conn, seq: u32, old: i32, nothingNew: bool): void {
  if (old > 0) dsackNote(c, seq, seq + <u32>old, true);
  if (!nothingNew) return;
  c.flags |= F.ACK_NOW;
  // Linux tcp_enter_quickack_mode(TCP_MAX_QUICKACKS), also with no quick ACKs at the start: the
  // sender timed out or lost our ACK and restarts from one segment, so a delayed ACK stalls it.
  if (old > 0) quickAckMode(c);
}

/** Linux tcp_incr_quickack: as many quick ACKs as half the window holds segments, 2 to max(16, quickAcks). */
function quickAckMode(c: Conn): void {
  let q = advertisedWindow(c) / (<u32>c.rcvMss << 1);
  if (q < 2) q = 2;
  let cap = max<u32>(<u32>cfgQuickAcks, MAX_QUICKACKS);
  if (q > cap) q = cap;
  if (q > <u32>c.quickAcks) c.quickAcks = <u8>q;
}

/** Milliseconds per tick of Conn.rcvDataTick (a u16: it wraps after 524 s). */
const DATA_TICK_MS: f64 = 8;

/**
 * In-order data arrived (Linux tcp_event_data_recv): more than one RTO after the last means the
 * sender timed out and restarts from one segment, so quick ACKs, lest a delayed one stall it.
 */
function dataArrived(c: Conn): void {
  let now = tick8ms();
  let last = <u32>c.rcvDataTick;
  if (last != 0 && <f64>((now - last) & 0xffff) * DATA_TICK_MS > <f64>c.rto) quickAckMode(c);
  c.rcvDataTick = <u16>now;
}

/** Forgets out-of-order data at and past `end` (a FIN's sequence number: nothing follows it). */
export function oooTrim(c: Conn, end: u32): void {
  let i = 0;
  while (i < <i32>c.oooCount) {
    let l = oooLeft(c, i);
    if (!seqLt(l, end)) { oooRemove(c, i); continue; }
    if (seqLt(end, oooRight(c, i))) oooSet(c, i, l, end);
    i++;
  }
  oooRelease(c);
}

/** Tells the host data can be read (once per recv call); inlined into its two callers. */
// @ts-ignore: decorator
@inline export function notifyReadable(c: Conn): void {
  if ((c.flags & F.HOST) && !(c.flags & F.READ_NOTIFIED)) {
    c.flags |= F.READ_NOTIFIED;
    emit(Ev.Readable, connIndex(c), 0);
  }
}

/**
 * Accepts the (already trimmed, in-window) payload of the current segment. In-order data advances
 * rcvNxt and absorbs out-of-order ranges it reaches; out-of-order data asks for an immediate ACK
 * (RFC 5681 §4.2). Returns the number of bytes rcvNxt advanced.
 */
export function receiveData(c: Conn): i32 {
  let len = segDataLen;
  if (len <= 0) return 0;
  let seq = segSeq;
  let before = c.rcvNxt;
  let off = seqDiff(seq, before);
  if (off < 0) return 0;
  // (An old part of this segment, trimmed off before, ends exactly at RCV.NXT.)
  if (OPT_SACK && c.oooCount > 0) dsackOverlaps(c, seq, seq + <u32>len, !(off == 0 && dsackPending(c) && dsackRight(c) == seq));
  if (!(segInRing && off == 0)) ringWrite(c, <u32>off, segData, len);
  if (off > 0) {
    c.flags |= F.ACK_NOW; // RFC 5681 §4.2
    statAdd(Stat.OutOfOrder);
    if (oooAdd(c, seq, seq + <u32>len)) statAdd(Stat.BytesIn, <u32>len);
    return 0;
  }
  statAdd(Stat.BytesIn, <u32>len);
  let adv = len;
  c.rcvNxt = before + <u32>len;
  if (c.oooCount > 0) {
    let i = 0;
    while (i < <i32>c.oooCount) {
      if (seqLe(oooLeft(c, i), c.rcvNxt)) {
        c.rcvNxt = seqMax(c.rcvNxt, oooRight(c, i));
        // A range may end with an early FIN's sequence number: processFin advances over it.
        if ((c.flags & F.OOO_FIN) && c.rcvNxt == rcvFinSeq(c) + 1) c.rcvNxt = rcvFinSeq(c);
        oooRemove(c, i);
        i = 0; // a later range may now touch rcvNxt
        continue;
      }
      i++;
    }
    oooRelease(c);
    c.flags |= F.ACK_NOW; // a hole was filled (RFC 5681 §4.2)
    adv = seqDiff(c.rcvNxt, before);
  }
  c.rcvBufLen += <u32>adv;
  dataArrived(c);
  // Delayed ACK (RFC 9293 §3.8.6.3): ACK at least every second full-sized segment, else within the timeout.
  let flags = c.flags;
  let full = <i32>c.rcvMss - (flags & F.TS ? 12 : 0);
  let quick = c.quickAcks;
  if (quick > 0) {
    c.quickAcks = quick - 1;
    c.flags = flags | F.ACK_NOW;
  } else {
    let unacked = c.unackedSegs;
    if (len >= full && unacked < 255) c.unackedSegs = ++unacked;
    if (<i32>unacked >= cfgDelayedAckSegments) c.flags = flags | F.ACK_NOW;
    else if (!(flags & F.ACK_NOW)) armDelack(c);
  }
  notifyReadable(c);
  return adv;
}
