// The test build's self-check (testSelfCheck): walks every table and verifies the invariants of
// the spec's SELF_CHECKS (sequence order, ring counters, out-of-order ranges, the hash, the free
// list, timers and their heap, listeners with their children and accept queues, the TIME_WAIT list,
// half-open counts, the pending-output ring, the control block, the sender's scoreboard and its pool, the out-of-order pool). The fuzzer calls it after every
// step. Returns 0, or (check << 16) | slot of the first invariant broken. Not in the release module.
import { Check, Ctl, F, S } from '../abi';
import { Conn, NIL, OOO_MAX, SB_MAX } from './conn';
import { oooLeft, oooRight, rcvFinSeq, dsackPending, dsackLeft, dsackRight, oooConnOk, oooPoolOk } from './ooopool';
import { sbConnOk, sbPoolOk } from './sbpool';
import {
  connAt, listenerAt, hashBase, hashMask, heapKeyBase, heapSlotBase, outqBase, ctlGet,
} from '../memory';
import {
  cfgMaxConnections, cfgMaxListeners, cfgSendBufferSize, cfgRecvBufferSize,
  cfgEventQueueSize, cfgTxQueueSize,
} from '../config';
import {
  lookup, listenerFind, childListener, freeHead, freeListener, twHead, twTail, connsInUse, halfOpenTotal,
} from './table';
import { heapSize, earliest, NONE } from './deadlines';
import { outqHead, outqCount } from './output';
import { seqDiff, seqGt, seqLe, seqLt } from './seq';
import { sbEnd, sbStart } from './scoreboard';
import { R_TLP_RETRANS } from './rack';
import { finWait2Lifetime } from './lifecycle';

// @ts-ignore: decorator
@inline function fail(check: Check, slot: i32): i32 { return (<i32>check << 16) | (slot & 0xffff); }
// @ts-ignore: decorator
@inline function keyAt(i: i32): u32 { return load<u32>(heapKeyBase + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function slotAt(i: i32): i32 { return <i32>load<u16>(heapSlotBase + (<usize>i << 1)); }

/** The scoreboard's extents lie in order inside [SND.UNA, SND.MAX] (scoreboard.ts); D-SACK and TLP marks agree. */
function scoreboardOk(c: Conn): bool {
  let n = <i32>c.sbCount;
  if (n > SB_MAX) return false;
  for (let k = 0; k < n; k++) if (!seqLt(sbStart(c, k), sbEnd(c, k))) return false;
  if (n > 0 && seqGt(sbEnd(c, n - 1), c.sndMax)) return false;
  if (dsackPending(c) && seqGt(dsackLeft(c), dsackRight(c))) return false;
  return !((c.rackFlags & R_TLP_RETRANS) && !(c.flags & F.TLP_OUT));
}

/** The checks of one used connection record on its own. */
function checkConn(c: Conn, i: i32): i32 {
  let st = <i32>c.state;
  if (st > <i32>S.TIME_WAIT || st == S.LISTEN) return fail(Check.STATE, i);
  if (st == S.CLOSED) {
    if (!(c.flags & (F.HOST | F.ACCEPTQ))) return fail(Check.STATE, i);
    if (c.flags & F.HASHED) return fail(Check.HASH, i);
    if (earliest(c) != NONE) return fail(Check.TIMERS, i);
    return 0; // the rest of a dead record no longer matters
  }
  if (!(c.flags & F.HASHED) || lookup(c.remoteAddr, c.remotePort, c.localPort) != i) return fail(Check.HASH, i);
  if (!(seqLe(c.sndUna, c.sndNxt) && seqLe(c.sndNxt, c.sndMax))) return fail(Check.SEQ_ORDER, i);
  if (c.sndBufLen > <u32>cfgSendBufferSize || c.sndBufHead >= <u32>cfgSendBufferSize) return fail(Check.SEND_RING, i);
  let una = seqDiff(c.sndUna, c.sndBufSeq);
  if (una < -1 || una > 1 || seqGt(c.sndMax, c.sndBufSeq + c.sndBufLen + 1)) return fail(Check.SEND_RING, i);
  if (c.rcvBufLen > <u32>cfgRecvBufferSize || c.rcvBufHead >= <u32>cfgRecvBufferSize) return fail(Check.RECV_RING, i);
  if (<i32>c.oooCount > OOO_MAX) return fail(Check.OOO_RANGES, i);
  // A range ends inside the ring's free space, or one past it when it ends with an early FIN taken
  // at the window's edge (as Linux takes it; the FIN takes no byte of the ring).
  let edge = c.rcvNxt + (<u32>cfgRecvBufferSize - c.rcvBufLen);
  let finEdge = (c.flags & F.OOO_FIN) && rcvFinSeq(c) == edge ? edge + 1 : edge;
  for (let k = 0; k < <i32>c.oooCount; k++) {
    let l = oooLeft(c, k), r = oooRight(c, k);
    if (!seqLt(l, r) || !seqLt(c.rcvNxt, l) || seqGt(r, finEdge)) return fail(Check.OOO_RANGES, i);
  }
  if (!scoreboardOk(c)) return fail(Check.SCOREBOARD, i);
  if (c.flags & F.HALF_OPEN) {
    if (st != S.SYN_RCVD || childListener(c) < 0) return fail(Check.HALF_OPEN, i);
  } else if (st == S.SYN_RCVD && childListener(c) >= 0) return fail(Check.HALF_OPEN, i);
  // Nobody can end a connection that is not the host's, not queued for accept and has no deadline.
  let e = earliest(c);
  let orphanOk = (c.flags & (F.HOST | F.ACCEPTQ | F.NEED_OUTPUT)) != 0 || (st == S.FIN_WAIT_2 && finWait2Lifetime(c) <= 0);
  if (e == NONE && !orphanOk) return fail(Check.TIMERS, i);
  if (e != NONE) {
    let pos = <i32>c.heapPos;
    if (pos == <i32>NIL || pos >= heapSize || slotAt(pos) != i || keyAt(pos) > e) return fail(Check.HEAP, i);
  }
  return 0;
}

/** Every slot, the free list and the hash chains. */
function checkSlots(): i32 {
  let used = 0, hashed = 0, tw = 0, half = 0, children = 0, outq = 0, pooled = 0, sbPooled = 0;
  for (let i = 0; i < cfgMaxConnections; i++) {
    let c = connAt(i);
    if (c.flags & F.OUTQ) outq++;
    if (!(c.flags & F.USED)) {
      if (c.heapPos != NIL || (c.flags & F.HASHED)) return fail(Check.TIMERS, i); // a free slot's deadlines are stale: only the heap counts
      if (c.oooSlot != 0) return fail(Check.OOO_POOL, i);
      if (c.sbSlot != 0) return fail(Check.SCOREBOARD, i);
      continue;
    }
    used++;
    if (!oooConnOk(c, i) || (c.state == S.CLOSED && c.oooSlot != 0)) return fail(Check.OOO_POOL, i);
    if (c.oooSlot != 0) pooled++;
    // Before checkConn reads the extents: those past SB_INLINE only with a slot that names this record.
    if (!sbConnOk(c, i) || (c.state == S.CLOSED && c.sbSlot != 0)) return fail(Check.SCOREBOARD, i);
    if (c.sbSlot != 0) sbPooled++;
    if (c.flags & F.HASHED) hashed++;
    if (c.state == S.TIME_WAIT) tw++;
    if (c.flags & F.HALF_OPEN) half++;
    if (childListener(c) >= 0) children++;
    let r = checkConn(c, i);
    if (r != 0) return r;
  }
  if (used != connsInUse || ctlGet(Ctl.ConnsInUse) != used) return fail(Check.FREE_LIST, 0);
  if (!oooPoolOk(pooled)) return fail(Check.OOO_POOL, 0);
  if (!sbPoolOk(sbPooled)) return fail(Check.SCOREBOARD, 0);
  let free = 0;
  for (let i = freeHead; i != <i32>NIL; i = <i32>connAt(i).next) {
    if (i >= cfgMaxConnections || (connAt(i).flags & F.USED) || ++free > cfgMaxConnections) return fail(Check.FREE_LIST, i);
  }
  if (free != cfgMaxConnections - used) return fail(Check.FREE_LIST, 0);
  let inHash = 0;
  for (let b: u32 = 0; b <= hashMask; b++) {
    for (let i = <i32>load<u16>(hashBase + (<usize>b << 1)); i != <i32>NIL; i = <i32>connAt(i).next) {
      if (i >= cfgMaxConnections || ++inHash > cfgMaxConnections) return fail(Check.HASH, i);
      let c = connAt(i);
      if ((c.flags & (F.USED | F.HASHED)) != (F.USED | F.HASHED)) return fail(Check.HASH, i);
    }
  }
  if (inHash != hashed) return fail(Check.HASH, 0);
  let r = checkTimeWait(tw);
  if (r != 0) return r;
  r = checkListeners(half, children);
  if (r != 0) return r;
  return checkOutq(outq);
}

/** The TIME_WAIT list: exactly the `count` TIME_WAIT connections, linked both ways. */
function checkTimeWait(count: i32): i32 {
  let n = 0, prev = <i32>NIL;
  for (let i = twHead; i != <i32>NIL; i = <i32>connAt(i).listNext) {
    let c = connAt(i);
    if (i >= cfgMaxConnections || !(c.flags & F.USED) || c.state != S.TIME_WAIT || <i32>c.listPrev != prev || ++n > count) return fail(Check.TIME_WAIT_LIST, i);
    prev = i;
  }
  if (n != count || twTail != prev) return fail(Check.TIME_WAIT_LIST, prev);
  return 0;
}

/** Listeners: port hash, free list, children (`children` in all, `half` half-open) and accept queues. */
function checkListeners(half: i32, children: i32): i32 {
  let used = 0, pending = 0, halfSum = 0;
  for (let li = 0; li < cfgMaxListeners; li++) {
    let l = listenerAt(li);
    if (l.port == 0) continue;
    used++;
    if (listenerFind(<u32>l.port) != li) return fail(Check.LISTENERS, li);
    // The children: the accept queue (F.ACCEPTQ) first, ending at acceptTail, then the half-open ones.
    let n = 0, h = 0, prev = <i32>NIL, last = <i32>NIL, queue = true;
    for (let i = <i32>l.childHead; i != <i32>NIL; i = <i32>connAt(i).listNext) {
      let c = connAt(i);
      if (i >= cfgMaxConnections || !(c.flags & F.USED) || childListener(c) != li || <i32>c.listPrev != prev || ++n > cfgMaxConnections) return fail(Check.LISTENERS, li);
      if (c.flags & F.HALF_OPEN) h++;
      if (c.flags & F.ACCEPTQ) {
        if (!queue) return fail(Check.LISTENERS, li);
        last = i;
      } else queue = false;
      prev = i;
    }
    if (n != <i32>l.pending) return fail(Check.LISTENERS, li);
    if (h != <i32>l.halfOpen) return fail(Check.HALF_OPEN, li);
    if (last != <i32>l.acceptTail) return fail(Check.LISTENERS, li);
    pending += n;
    halfSum += h;
  }
  if (pending != children) return fail(Check.LISTENERS, 0);
  if (halfSum != half || half != halfOpenTotal) return fail(Check.HALF_OPEN, 0);
  let free = 0;
  for (let li = freeListener; li != <i32>NIL; li = <i32>listenerAt(li).hashNext) {
    if (li >= cfgMaxListeners || listenerAt(li).port != 0 || ++free > cfgMaxListeners) return fail(Check.LISTENERS, li);
  }
  if (free + used != cfgMaxListeners) return fail(Check.LISTENERS, 0);
  return 0;
}

/** The pending-output ring: `flagged` slots carry OUTQ, and the ring names exactly those. */
function checkOutq(flagged: i32): i32 {
  if (outqCount != flagged || outqCount > cfgMaxConnections) return fail(Check.OUTPUT_QUEUE, 0);
  let p = outqHead;
  for (let n = 0; n < outqCount; n++) {
    let slot = <i32>load<u16>(outqBase + (<usize>p << 1));
    if (slot >= cfgMaxConnections || !(connAt(slot).flags & F.OUTQ)) return fail(Check.OUTPUT_QUEUE, slot);
    if (++p >= cfgMaxConnections) p = 0;
  }
  return 0;
}

/** The heap's own order and back-pointers. */
function checkHeap(): i32 {
  if (heapSize < 0 || heapSize > cfgMaxConnections) return fail(Check.HEAP, 0);
  for (let pos = 0; pos < heapSize; pos++) {
    let slot = slotAt(pos);
    if (slot >= cfgMaxConnections || !(connAt(slot).flags & F.USED) || <i32>connAt(slot).heapPos != pos) return fail(Check.HEAP, slot);
    if (pos > 0) {
      let up = (pos - 1) >> 1;
      let k = keyAt(pos), ku = keyAt(up);
      if (k < ku || (k == ku && slot < slotAt(up))) return fail(Check.HEAP, slot);
    }
  }
  return 0;
}

/** Runs every check; 0 when all hold. */
export function selfCheck(): i32 {
  let ev = ctlGet(Ctl.EvCount), head = ctlGet(Ctl.EvHead), tx = ctlGet(Ctl.TxUsed);
  if (ev < 0 || ev > cfgEventQueueSize || head < 0 || head >= cfgEventQueueSize || tx < 0 || tx > cfgTxQueueSize) return fail(Check.QUEUES, 0);
  let r = checkHeap();
  if (r != 0) return r;
  return checkSlots();
}
