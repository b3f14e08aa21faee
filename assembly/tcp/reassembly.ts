// The receive side of the text step (RFC 9293 §3.10.7.4 seventh): in-order data goes into the receive
// ring; out-of-order data is placed at its offset in the same ring and remembered as one of OOO_MAX
// ranges, which are also the SACK blocks we send (RFC 2018 §4). Delayed-ACK decisions live here.
import { Ev, F, Stat } from '../abi';
import { Conn, OOO_MAX, oooLeft, oooRight, oooSet } from './conn';
import { connIndex, rcvRing } from '../memory';
import { cfgRecvBufferSize, cfgDelayedAckSegments } from '../config';
import { segSeq, segData, segDataLen, segInRing } from './segment';
import { copyWithChecksum, fold32 } from '../wire/checksum';
import { seqDiff, seqLe, seqLt, seqMax, seqMin } from './seq';
import { armDelack } from './deadlines';
import { emit } from './events';
import { statAdd } from './stats';

/** Copies `len` bytes at `src` into the receive ring at `off` bytes past rcvNxt's position. */
function ringWrite(c: Conn, off: u32, src: usize, len: i32): void {
  let size = <u32>cfgRecvBufferSize;
  let ring = rcvRing(connIndex(c));
  let pos = c.rcvBufHead + c.rcvBufLen + off;
  while (pos >= size) pos -= size;
  let first = min<i32>(len, <i32>(size - pos));
  memory.copy(ring + <usize>pos, src, <usize>first);
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
 * SACK block); when all OOO_MAX slots hold other data the oldest range is forgotten.
 */
export function oooAdd(c: Conn, l: u32, r: u32): void {
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
}

/** Tells the host data can be read (once per recv call). */
export function notifyReadable(c: Conn): void {
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
  let off = seqDiff(segSeq, c.rcvNxt);
  if (off < 0) return 0;
  if (!(segInRing && off == 0)) ringWrite(c, <u32>off, segData, len);
  statAdd(Stat.BytesIn, <u32>len);
  if (off > 0) {
    oooAdd(c, segSeq, segSeq + <u32>len);
    c.flags |= F.ACK_NOW;
    statAdd(Stat.OutOfOrder);
    return 0;
  }
  let before = c.rcvNxt;
  c.rcvNxt += <u32>len;
  if (c.oooCount > 0) {
    let i = 0;
    while (i < <i32>c.oooCount) {
      if (seqLe(oooLeft(c, i), c.rcvNxt)) {
        c.rcvNxt = seqMax(c.rcvNxt, oooRight(c, i));
        // A range may end with an early FIN's sequence number: processFin advances over it.
        if ((c.flags & F.OOO_FIN) && c.rcvNxt == c.rcvFinSeq + 1) c.rcvNxt = c.rcvFinSeq;
        oooRemove(c, i);
        i = 0; // a later range may now touch rcvNxt
        continue;
      }
      i++;
    }
    c.flags |= F.ACK_NOW; // a hole was filled (RFC 5681 §4.2)
  }
  let adv = seqDiff(c.rcvNxt, before);
  c.rcvBufLen += <u32>adv;
  // Delayed ACK (RFC 9293 §3.8.6.3): ACK at least every second full-sized segment, else within the timeout.
  let full = <i32>c.rcvMss - (c.flags & F.TS ? 12 : 0);
  if (c.quickAcks > 0) {
    c.quickAcks--;
    c.flags |= F.ACK_NOW;
  } else {
    if (len >= full && c.unackedSegs < 255) c.unackedSegs++;
    if (<i32>c.unackedSegs >= cfgDelayedAckSegments) c.flags |= F.ACK_NOW;
    else if (!(c.flags & F.ACK_NOW)) armDelack(c);
  }
  notifyReadable(c);
  return adv;
}
