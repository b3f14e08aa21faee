// Connection life-cycle steps shared by input, timers and user calls: reaching ESTABLISHED, TIME_WAIT, CLOSED.
import { Ev, F, S, Stat } from '../abi';
import { Conn } from './conn';
import { setState } from './state';
import { connIndex, connAt, listenerAt } from '../memory';
import { cfgTimeWaitMs } from '../config';
import { emit } from './events';
import { hashRemove, connFree } from './table';
import { nowMs } from './clock';
import { armIdle, stopRtx } from './timers';
import { statAdd } from './stats';

/** Enters CLOSED: stops timers, leaves the hash, reports Closed(−err) to the host, frees an unowned slot. */
export function connDone(c: Conn, err: i32): void {
  if (!(c.flags & F.USED) || c.state == S.CLOSED) return; // already done: one Closed event per connection
  setState(c, S.CLOSED);
  stopRtx(c);
  c.delackDeadline = Infinity;
  c.idleDeadline = Infinity;
  c.flags &= ~(F.DELACK | F.NEED_OUTPUT | F.ACK_NOW);
  hashRemove(c);
  if (err != 0 && c.error == 0) c.error = <u16>err;
  statAdd(Stat.ConnectionsClosed);
  if (c.flags & F.HOST) {
    emit(Ev.Closed, connIndex(c), -err);
  } else if (!(c.flags & F.ACCEPTQ)) {
    if (c.listener >= 0) {
      let l = listenerAt(c.listener);
      if (l.pending > 0) l.pending--;
      c.listener = -1;
    }
    connFree(c);
  }
}

/** Enters ESTABLISHED: Connected for an active open, or queue on the listener and report Accept. */
export function becomeEstablished(c: Conn): void {
  setState(c, S.ESTABLISHED);
  let me = connIndex(c);
  if (c.flags & F.ACTIVE) {
    if (c.flags & F.HOST) emit(Ev.Connected, me, 0);
  } else if (c.listener >= 0) {
    let l = listenerAt(c.listener);
    c.acceptNext = -1;
    if (l.acceptTail >= 0) connAt(l.acceptTail).acceptNext = me; else l.acceptHead = me;
    l.acceptTail = me;
    c.flags |= F.ACCEPTQ;
    emit(Ev.Accept, c.listener, me);
  }
}

/** Enters TIME_WAIT for 2·MSL (RFC 9293 §3.10.7.4). */
export function enterTimeWait(c: Conn): void {
  setState(c, S.TIME_WAIT);
  stopRtx(c);
  if (cfgTimeWaitMs <= 0) { connDone(c, 0); return; }
  armIdle(c, nowMs + cfgTimeWaitMs);
}
