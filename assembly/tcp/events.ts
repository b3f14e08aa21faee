// The host-facing event ring: fixed records of (kind, conn, arg) the host reads straight from memory
// (docs/engine-abi.md). The engine appends at EvHead + EvCount; the host reads from EvHead and moves
// it, both in the control block, so reading events takes no call.
import { Ctl, Ev, Stat, EVENT_RECORD_BYTES } from '../abi';
import { eventBase, ctlBase, ctlSet } from '../memory';
import { cfgEventQueueSize } from '../config';
import { statAdd } from './stats';

/** Queues an event. State events give way first when the ring is nearly full, so lifecycle events are not lost. */
export function emit(kind: Ev, conn: i32, arg: i32): void {
  let cap = cfgEventQueueSize;
  // EvHead and EvCount are adjacent control words: one load reads both (wasm is little-endian).
  if (<i32>Ctl.EvCount != <i32>Ctl.EvHead + 1) unreachable();
  let both = load<u64>(ctlBase + (<usize>Ctl.EvHead << 2));
  let head = <i32>both;
  let count = <i32>(both >>> 32);
  if (count >= cap - (cap >> 3) && (count >= cap || kind == Ev.State)) {
    statAdd(Stat.EventsDropped);
    return;
  }
  let i = head + count;
  if (i >= cap) i -= cap;
  let p = eventBase + <usize>i * <usize>EVENT_RECORD_BYTES;
  ctlSet(Ctl.EvCount, count + 1); // the host reads the ring only between calls: the order is free
  store<u64>(p, <u64><u32>kind | (<u64><u32>conn << 32)); // kind at 0, conn at 4
  store<i32>(p, arg, 8);
}

/** Empties the ring (init). */
export function eventsInit(): void {
  ctlSet(Ctl.EvHead, 0);
  ctlSet(Ctl.EvCount, 0);
}
