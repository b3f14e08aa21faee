// Per-connection deadlines and what happens when they pass (Linux tcp_timer.c): retransmission with
// RFC 6298 RTO, Karn and exponential backoff; SYN/data retry limits; persist probes (RFC 9293 §3.8.6.1);
// keepalive (RFC 1122 §4.2.3.6); TIME_WAIT (2·MSL); FIN_WAIT_2 lifetime; delayed ACK (RFC 9293 §3.8.6.3).
import { Errno, F, S, Stat } from '../abi';
import { Conn } from './conn';

import { connAt } from '../memory';
import { cfgMaxConnections, cfgRtoInitialMs, cfgRtoMinMs, cfgRtoMaxMs, cfgSynRetries, cfgSynAckRetries, cfgDataRetries, cfgDelayedAckMs, cfgLinuxRto, cfgKeepaliveRst } from '../config';
import { nowMs } from './clock';
import { statAdd } from './stats';
import { tcpOutput, sendAck, sendFrom, emitSegment, sendAbortRst } from './output';
import { effMss } from './window';
import { ccOnTimeout } from './congestion';
import { connDone } from './lifecycle';
import { seqDiff, seqGt } from './seq';
import { TCP_ACK } from '../wire/tcp';

let cachedNext: f64 = Infinity;

/** Lowers the cached earliest deadline to `t` if earlier. */
// @ts-ignore: decorator
@inline export function noteDeadline(t: f64): void {
  if (t < cachedNext) cachedNext = t;
}

/** Arms the retransmission (or persist) timer. */
export function armRtx(c: Conn, t: f64): void {
  c.rtxDeadline = t;
  noteDeadline(t);
}

/** Stops the retransmission and persist timer. */
export function stopRtx(c: Conn): void {
  c.rtxDeadline = Infinity;
  c.flags &= ~F.PERSIST;
}

/** Arms the delayed-ACK timer unless it already runs. */
export function armDelack(c: Conn): void {
  if (c.flags & F.DELACK) return;
  c.flags |= F.DELACK;
  c.delackDeadline = nowMs + cfgDelayedAckMs;
  noteDeadline(c.delackDeadline);
}

/** Arms the idle timer (keepalive, TIME_WAIT or FIN_WAIT_2, by state). */
export function armIdle(c: Conn, t: f64): void {
  c.idleDeadline = t;
  noteDeadline(t);
}

/** RFC 6298 §2.1: RTO before any sample. */
export function rtoInit(c: Conn): void {
  c.rto = <f32>cfgRtoInitialMs;
  c.srtt = 0;
  c.rttvar = 0;
}

/** RTO from srtt/rttvar (RFC 6298 §2.3, or Linux's variant), clamped to [rtoMin, rtoMax]; clears backoff. */
export function rtoCompute(c: Conn): void {
  if (c.srtt <= 0) return;
  let srtt = <f64>c.srtt;
  let var4 = 4.0 * <f64>c.rttvar;
  let rto = cfgLinuxRto ? srtt + max<f64>(var4, cfgRtoMinMs) : max<f64>(srtt + max<f64>(1.0, var4), cfgRtoMinMs);
  if (rto > cfgRtoMaxMs) rto = cfgRtoMaxMs;
  c.rto = <f32>rto;
}

/** Feeds one RTT measurement `r` (ms) into srtt/rttvar (RFC 6298 §2.2–2.3). */
export function rttSample(c: Conn, r: f64): void {
  if (r < 0) return;
  if (r < 1) r = 1;
  if (c.srtt <= 0) {
    c.srtt = <f32>r;
    c.rttvar = <f32>(r / 2);
  } else {
    let s = <f64>c.srtt;
    c.rttvar = <f32>(0.75 * <f64>c.rttvar + 0.25 * Math.abs(s - r));
    c.srtt = <f32>(0.875 * s + 0.125 * r);
  }
  rtoCompute(c);
}

/** The connection gives up: ETIMEDOUT, or the ICMP soft error recorded meanwhile (Linux). */
export function connTimeout(c: Conn): void {
  statAdd(Stat.Timeouts);
  connDone(c, c.softError != 0 ? <i32>c.softError : Errno.ETIMEDOUT);
}

/** Retransmission timeout (RFC 6298 §5.4–5.6): back off, collapse cwnd, go back to sndUna. */
function rtxFire(c: Conn): void {
  if (c.flags & F.PERSIST) { persistFire(c); return; }
  let st = <i32>c.state;
  let limit = st == S.SYN_SENT ? cfgSynRetries : st == S.SYN_RCVD ? cfgSynAckRetries : cfgDataRetries;
  // TCP_USER_TIMEOUT (RFC 5482) counts from the first retransmission, as Linux does.
  let user = <f64>c.userTimeout;
  if (<i32>c.retransmits >= limit || (user > 0 && c.retransmits > 0 && nowMs - c.userTimeoutStart >= user)) {
    connTimeout(c);
    return;
  }
  if (c.retransmits == 0) c.userTimeoutStart = nowMs;
  if (c.retransmits < 255) c.retransmits++;
  statAdd(Stat.Retransmits);
  statAdd(Stat.RtoExpirations);
  let rto = <f64>c.rto * 2;
  c.rto = <f32>(rto > cfgRtoMaxMs ? cfgRtoMaxMs : rto);
  if (st != S.SYN_SENT && st != S.SYN_RCVD) ccOnTimeout(c);
  c.flags &= ~F.RTT_TIMING; // Karn: no sample from a retransmitted segment
  c.sndNxt = c.sndUna;
  c.rtxDeadline = Infinity;
  tcpOutput(c);
  if (c.rtxDeadline == Infinity && c.state != S.CLOSED) armRtx(c, nowMs + <f64>c.rto);
  // Linux clamps the timer to the user timeout, so the connection ends right when it runs out.
  if (user > 0 && c.rtxDeadline > c.userTimeoutStart + user) armRtx(c, c.userTimeoutStart + user);
}

/** Persist timeout: send what the window allows (SWS override), else a zero-window probe (Linux style, SEQ=SND.UNA−1). */
function persistFire(c: Conn): void {
  if (c.retransmits < 255) c.retransmits++;
  if (<i32>c.retransmits > cfgDataRetries) { connTimeout(c); return; }
  let usable = seqDiff(c.sndUna + c.sndWnd, c.sndNxt);
  if (c.sndWnd > 0 && usable > 0) {
    let n = sendFrom(c, c.sndNxt, min<i32>(usable, effMss(c)), false);
    if (n > 0) {
      c.sndNxt += <u32>n;
      if (seqGt(c.sndNxt, c.sndMax)) c.sndMax = c.sndNxt;
      c.flags &= ~F.PERSIST;
      c.retransmits = 0;
      armRtx(c, nowMs + <f64>c.rto);
      return;
    }
  }
  emitSegment(c, c.sndUna - 1, TCP_ACK, 0, 0);
  statAdd(Stat.ZeroWindowProbes);
  // The interval keeps doubling even while the peer answers (RFC 1122 §4.2.2.17); only unanswered
  // probes (`retransmits`, reset by any acceptable ACK) count towards the retry limit.
  if (c.persistBackoff < 20) c.persistBackoff++;
  let t = <f64>c.rto * <f64>(1 << <i32>c.persistBackoff);
  armRtx(c, nowMs + (t > cfgRtoMaxMs ? cfgRtoMaxMs : t));
}

/** Idle deadline: TIME_WAIT ends, an orphaned FIN_WAIT_2 ends, or a keepalive probe is due. */
function idleFire(c: Conn): void {
  c.idleDeadline = Infinity;
  let st = <i32>c.state;
  if (st == S.TIME_WAIT || st == S.FIN_WAIT_2) { connDone(c, 0); return; }
  if (!(c.flags & F.KEEPALIVE) || (st != S.ESTABLISHED && st != S.CLOSE_WAIT)) return;
  if (c.sndMax != c.sndUna) { armIdle(c, nowMs + <f64>c.keepaliveIdle); return; }
  if (c.kaProbes >= c.keepaliveCnt) {
    if (cfgKeepaliveRst) sendAbortRst(c); // Linux tcp_keepalive_timer
    connTimeout(c);
    return;
  }
  // RFC 1122 §4.2.3.6: a segment with SEG.SEQ = SND.NXT − 1 and no data elicits an ACK.
  emitSegment(c, c.sndUna - 1, TCP_ACK, 0, 0);
  c.kaProbes++;
  statAdd(Stat.KeepaliveProbes);
  armIdle(c, nowMs + <f64>c.keepaliveIntvl);
}

/** Fires every due timer; returns the earliest pending deadline (Infinity when none). */
export function pollTimers(): f64 {
  let now = nowMs;
  if (now < cachedNext) return cachedNext;
  cachedNext = Infinity;
  let n = cfgMaxConnections;
  for (let i = 0; i < n; i++) {
    let c = connAt(i);
    if (!(c.flags & F.USED)) continue;
    if (c.rtxDeadline <= now) rtxFire(c);
    if ((c.flags & F.USED) && (c.flags & F.DELACK) && c.delackDeadline <= now) {
      c.flags &= ~F.DELACK;
      c.delackDeadline = Infinity;
      if (c.state != S.CLOSED) sendAck(c);
    }
    if ((c.flags & F.USED) && c.idleDeadline <= now) idleFire(c);
    if (c.flags & F.USED) {
      noteDeadline(c.rtxDeadline);
      noteDeadline(c.delackDeadline);
      noteDeadline(c.idleDeadline);
    }
  }
  return cachedNext;
}
