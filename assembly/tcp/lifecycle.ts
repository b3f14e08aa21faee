// Connection life-cycle steps shared by input, timers and user calls: reaching ESTABLISHED, TIME_WAIT, CLOSED.
import { Ev, F, S, Stat } from '../abi';
import { Conn } from './conn';
import { setState, setStateFrom } from './state';
import { connIndex } from '../memory';
import { cfgTimeWaitMs, cfgFinWait2TimeoutMs } from '../config';
import { emit } from './events';
import { hashRemove, connFree, timeWaitAdd, timeWaitRemove, halfOpenLeave, childListener, childQueue } from './table';
import { nowMs } from './clock';
import { armIdle, stopRtx, stopDelack, stopIdle } from './deadlines';
import { statAdd } from './stats';
import { oooDrop } from './ooopool';
import { sbDrop } from './sbpool';

/** Enters CLOSED: stops timers, leaves the hash, reports Closed(−err) to the host, frees an unowned slot. */
export function connDone(c: Conn, err: i32): void {
  if (!(c.flags & F.USED) || c.state == S.CLOSED) return; // already done: one Closed event per connection
  if (c.state == S.TIME_WAIT) timeWaitRemove(c);
  setState(c, S.CLOSED);
  stopRtx(c);
  stopDelack(c);
  stopIdle(c);
  c.flags &= ~(F.NEED_OUTPUT | F.ACK_NOW);
  hashRemove(c);
  oooDrop(c); // out-of-order data of a dead connection is never delivered: the pool slot goes now
  sbDrop(c); // nor is anything in flight any more: the scoreboard and its pool slot go too
  if (err != 0 && c.error == 0) c.error = <u8>err;
  statAdd(Stat.ConnectionsClosed);
  if (c.flags & F.HOST) {
    emit(Ev.Closed, connIndex(c), -err);
  } else if (!(c.flags & F.ACCEPTQ)) {
    connFree(c); // an embryonic child or an orphan: nobody will release it (connFree leaves the children list)
  }
}

/** Enters ESTABLISHED: Connected for an active open, or queue on the listener and report Accept. */
export function becomeEstablished(c: Conn): void {
  becomeEstablishedFrom(c, <i32>c.state, childListener(c));
}

/**
 * becomeEstablished reporting `from` as the old state, for a child of listener `li` (−1 for none; a
 * connection made from a SYN cookie comes from LISTEN and is no half-open child yet).
 */
export function becomeEstablishedFrom(c: Conn, from: i32, li: i32): void {
  halfOpenLeave(c, li);
  setStateFrom(c, S.ESTABLISHED, from);
  let me = connIndex(c);
  if (c.flags & F.ACTIVE) {
    if (c.flags & F.HOST) emit(Ev.Connected, me, 0);
  } else if (li >= 0) {
    childQueue(li, c);
    c.flags |= F.ACCEPTQ;
    emit(Ev.Accept, li, me);
  }
}

/** Enters TIME_WAIT for 2·MSL (RFC 9293 §3.10.7.4). */
export function enterTimeWait(c: Conn): void {
  setState(c, S.TIME_WAIT);
  stopRtx(c);
  if (cfgTimeWaitMs <= 0) { connDone(c, 0); return; }
  timeWaitAdd(c);
  armIdle(c, nowMs + cfgTimeWaitMs);
}

/** A retransmitted FIN in TIME_WAIT restarts the 2·MSL timer (RFC 9293 §3.10.7.4): it is now the youngest. */
export function restartTimeWait(c: Conn): void {
  timeWaitRemove(c);
  timeWaitAdd(c);
  armIdle(c, nowMs + cfgTimeWaitMs);
}

/**
 * Lifetime of an orphaned FIN_WAIT_2 in ms (Linux tcp_fin_time): TCP_LINGER2 if set, else
 * finWait2TimeoutMs, never below 3.5·RTO (so the peer's FIN has time to come); 0 = forever.
 */
export function finWait2Lifetime(c: Conn): f64 {
  let t = c.linger2 > 0 ? <f64>c.linger2 : cfgFinWait2TimeoutMs;
  if (t <= 0) return 0;
  let floor = 3.5 * <f64>c.rto;
  return t < floor ? floor : t;
}

/**
 * An orphaned connection (close() was called) is in FIN_WAIT_2: its lifetime starts, or with
 * TCP_LINGER2 < 0 it ends at once (Linux tcp_rcv_state_process: tcp_done, no RST). Returns false
 * when the connection ended.
 */
export function orphanFinWait2(c: Conn): bool {
  if (c.linger2 < 0) { connDone(c, 0); return false; }
  let t = finWait2Lifetime(c);
  if (t > 0) armIdle(c, nowMs + t);
  return true;
}
