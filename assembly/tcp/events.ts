// The host-facing event ring: fixed records of (kind, conn, arg) the host reads straight from memory
// (docs/engine-abi.md). The engine appends at EvHead + EvCount; the host reads from EvHead and moves
// it, both in the control block, so reading events takes no call.
import { Ctl, Ev, Stat, EVENT_RECORD_BYTES } from '../abi';
import { eventBase, ctlGet, ctlSet } from '../memory';
import { cfgEventQueueSize } from '../config';
import { statAdd } from './stats';

/** Queues an event. State events give way first when the ring is nearly full, so lifecycle events are not lost. */
export function emit(kind: Ev, conn: i32, arg: i32): void {
  let cap = cfgEventQueueSize;
  let count = ctlGet(Ctl.EvCount);
  if (count >= cap || (kind == Ev.State && count >= cap - (cap >> 3))) {
    statAdd(Stat.EventsDropped);
    return;
  }
  let i = ctlGet(Ctl.EvHead) + count;
  if (i >= cap) i -= cap;
  let p = eventBase + <usize>i * <usize>EVENT_RECORD_BYTES;
  store<i32>(p, <i32>kind);
  store<i32>(p, conn, 4);
  store<i32>(p, arg, 8);
  ctlSet(Ctl.EvCount, count + 1);
}

/** Empties the ring (init). */
export function eventsInit(): void {
  ctlSet(Ctl.EvHead, 0);
  ctlSet(Ctl.EvCount, 0);
}
