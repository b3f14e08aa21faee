// The host-facing event queue: a fixed ring of (kind, conn, arg) records (docs/engine-abi.md).
import { Ctl, Ev, Stat } from '../abi';
import { eventBase, EVENT_SIZE, ctlSet } from '../memory';
import { cfgEventQueueSize } from '../config';
import { statAdd } from './stats';

let head: i32 = 0;
let count: i32 = 0;

/** Queues an event. State events give way first when the queue is nearly full, so lifecycle events are not lost. */
export function emit(kind: Ev, conn: i32, arg: i32): void {
  let cap = cfgEventQueueSize;
  if (count >= cap || (kind == Ev.State && count >= cap - (cap >> 3))) {
    statAdd(Stat.EventsDropped);
    return;
  }
  let i = head + count;
  if (i >= cap) i -= cap;
  let p = eventBase + <usize>i * <usize>EVENT_SIZE;
  store<i32>(p, <i32>kind);
  store<i32>(p, conn, 4);
  store<i32>(p, arg, 8);
  count++;
  ctlSet(Ctl.EvCount, count);
}

/** Pops the oldest event: returns its kind (0 when empty) and leaves conn/arg in the control block. */
export function eventPop(): i32 {
  if (count == 0) return 0;
  let p = eventBase + <usize>head * <usize>EVENT_SIZE;
  let kind = load<i32>(p);
  ctlSet(Ctl.EvConn, load<i32>(p, 4));
  ctlSet(Ctl.EvArg, load<i32>(p, 8));
  head++;
  if (head >= cfgEventQueueSize) head = 0;
  count--;
  ctlSet(Ctl.EvCount, count);
  return kind;
}

/** Events waiting. */
export function eventCount(): i32 { return count; }
