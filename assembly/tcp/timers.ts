// What happens when a deadline passes (Linux tcp_timer.c): retransmission with RFC 6298 backoff
// and Karn; SYN/data retry limits; persist probes (RFC 9293 §3.8.6.1); keepalive (RFC 1122
// §4.2.3.6); TIME_WAIT (2·MSL); FIN_WAIT_2 lifetime; delayed ACK (RFC 9293 §3.8.6.3). The deadlines
// themselves and their heap live in deadlines.ts.
import { Errno, F, S, Stat } from '../abi';
import { Conn } from './conn';
import { connAt } from '../memory';
import { cfgRtoMaxMs, cfgSynRetries, cfgSynAckRetries, cfgDataRetries, cfgKeepaliveRst } from '../config';
import { nowMs, nowEighths, msSince } from './clock';
import { statAdd } from './stats';
import { tcpOutput, sendAck, sendFrom, sendAbortRst, sendProbe, finSeq } from './output';
import { lossOnTimeout, reoTimeout } from './recovery';
import { armXmit, armRtoFromHead, R_TLP_RETRANS } from './rack';
import { ccOnTimeout } from './congestion';
import { connDone } from './lifecycle';
import { seqDiff, seqGt } from './seq';
import { effMss } from './window';
import { rtoBackoff } from './rtt';
import { armRtx, armIdle, stopRtx, stopDelack, stopIdle, takeDue, dueAt, reschedule, nextDeadline, rtxRunning, deadlineAt, deadlineNow } from './deadlines';

/** The connection gives up: ETIMEDOUT, or the ICMP soft error recorded meanwhile (Linux). */
export function connTimeout(c: Conn): void {
  statAdd(Stat.Timeouts);
  connDone(c, c.softError != 0 ? <i32>c.softError : Errno.ETIMEDOUT);
}

/**
 * Retransmission timeout (RFC 6298 §5.4–5.6): back off, collapse cwnd, and send again what was not
 * SACKed (RFC 6675 §5.1), from SND.UNA on; before our SYN is ACKed, the SYN. The same timer also
 * runs as the persist, probe and reordering timer.
 */
function rtxFire(c: Conn): void {
  if (c.flags & F.PERSIST) { persistFire(c); return; }
  if (c.flags & F.TLP_TIMER) { probeFire(c); return; }
  if (c.flags & F.REO_TIMER) { reoFire(c); return; }
  let st = <i32>c.state;
  let limit = st == S.SYN_SENT ? cfgSynRetries : st == S.SYN_RCVD ? cfgSynAckRetries : cfgDataRetries;
  // TCP_USER_TIMEOUT (RFC 5482) counts from the first retransmission, as Linux does (kept in tlpHigh).
  let user = <f64>c.userTimeout;
  if (<i32>c.retransmits >= limit || (user > 0 && c.retransmits > 0 && msSince(c.tlpHigh) >= user)) {
    connTimeout(c);
    return;
  }
  if (c.retransmits == 0) c.tlpHigh = nowEighths; // the user timeout's start (conn.ts); the probe ends below
  if (c.retransmits < 255) c.retransmits++;
  // Data resent after the timeout is counted per segment where it goes (resendLost).
  if (c.sndUna == c.iss) statAdd(Stat.Retransmits);
  statAdd(Stat.RtoExpirations);
  rtoBackoff(c);
  if (st != S.SYN_SENT && st != S.SYN_RCVD) ccOnTimeout(c);
  c.flags &= ~F.RTT_TIMING; // Karn: no sample from a retransmitted segment
  if (c.sndUna == c.iss) c.sndNxt = c.sndUna; // our SYN (or SYN-ACK) goes again
  else lossOnTimeout(c);
  stopRtx(c);
  tcpOutput(c);
  if (!rtxRunning(c) && c.state != S.CLOSED) armRtx(c, nowMs + <f64>c.rto);
  // Linux clamps the timer to the user timeout, so the connection ends right when it runs out.
  if (user > 0) {
    let end = nowMs + user - msSince(c.tlpHigh);
    if (c.rtxDeadline > deadlineAt(end)) armRtx(c, end);
  }
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
  sendProbe(c);
  statAdd(Stat.ZeroWindowProbes);
  // The interval keeps doubling even while the peer answers (RFC 1122 §4.2.2.17); only unanswered
  // probes (`retransmits`, reset by any acceptable ACK) count towards the retry limit.
  if (c.persistBackoff < 20) c.persistBackoff++;
  let t = <f64>c.rto * <f64>(1 << <i32>c.persistBackoff);
  armRtx(c, nowMs + (t > cfgRtoMaxMs ? cfgRtoMaxMs : t));
}

/**
 * Probe timeout (RFC 8985 §7.3, Linux tcp_send_loss_probe): one new segment when the peer's window
 * allows it (cwnd aside), else the last segment sent once more; at most one probe is outstanding.
 * The RTO follows from now, its backoff unchanged.
 */
function probeFire(c: Conn): void {
  c.flags &= ~F.TLP_TIMER;
  stopRtx(c);
  if (!(c.flags & F.TLP_OUT) && c.sndMax != c.sndUna) {
    let mss = effMss(c);
    let off = seqDiff(c.sndNxt, c.sndBufSeq);
    let avail = <i32>c.sndBufLen - off;
    let finDue = (c.flags & F.FIN_QUEUED) != 0 && !seqGt(c.sndNxt, finSeq(c)) && c.state != S.ESTABLISHED && c.state != S.CLOSE_WAIT;
    let len = min<i32>(avail > 0 ? avail : 0, mss);
    let n = 0;
    if ((len > 0 || finDue) && !seqGt(c.sndNxt + <u32>len, c.sndUna + c.sndWnd)) {
      n = sendFrom(c, c.sndNxt, len, false);
      if (n > 0) {
        c.sndNxt += <u32>n;
        if (seqGt(c.sndNxt, c.sndMax)) c.sndMax = c.sndNxt;
        c.flags |= F.TLP_OUT;
        c.rackFlags &= ~R_TLP_RETRANS;
      }
    }
    if (n <= 0) {
      // The last segment: what is left of the data after whole MSS-sized segments from SND.UNA, plus the FIN.
      let fin = (c.flags & F.FIN_QUEUED) != 0 && seqGt(c.sndMax, finSeq(c));
      let data = seqDiff(c.sndMax, c.sndUna) - (fin ? 1 : 0);
      let tail = data > 0 ? (data - 1) % mss + 1 : 0;
      n = sendFrom(c, c.sndMax - <u32>(fin ? 1 : 0) - <u32>tail, tail, true);
      if (n > 0) {
        statAdd(Stat.Retransmits);
        c.flags |= F.TLP_OUT;
        c.rackFlags |= R_TLP_RETRANS;
      }
    }
    if (n > 0) {
      c.tlpHigh = c.sndNxt;
      statAdd(Stat.LossProbes);
    }
  }
  if (c.state != S.CLOSED) armXmit(c, nowMs + <f64>c.rto, 0);
}

/** RACK's reordering timer (RFC 8985 §6.3): mark what waited long enough, send it, then the RTO. */
function reoFire(c: Conn): void {
  c.flags &= ~F.REO_TIMER;
  stopRtx(c);
  let wait = reoTimeout(c);
  tcpOutput(c);
  if (c.state == S.CLOSED || c.sndMax == c.sndUna) return;
  if (wait > 0) armXmit(c, nowMs + wait, F.REO_TIMER);
  else armRtoFromHead(c);
}

/** Delayed-ACK deadline: the owed ACK goes now. */
function delackFire(c: Conn): void {
  stopDelack(c);
  if (c.state != S.CLOSED) sendAck(c);
}

/** Idle deadline: TIME_WAIT ends, an orphaned FIN_WAIT_2 ends, or a keepalive probe is due. */
function idleFire(c: Conn): void {
  stopIdle(c);
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
  sendProbe(c);
  c.kaProbes++;
  statAdd(Stat.KeepaliveProbes);
  armIdle(c, nowMs + <f64>c.keepaliveIntvl);
}

/** Fires the deadlines of `c` that have passed at `now`: retransmission/persist, delayed ACK, idle. */
function fireDue(c: Conn, now: u32): void {
  if (c.rtxDeadline <= now) rtxFire(c);
  if ((c.flags & F.USED) && (c.flags & F.DELACK) && c.delackDeadline <= now) delackFire(c);
  if ((c.flags & F.USED) && c.idleDeadline <= now) idleFire(c);
}

/**
 * Fires every due timer, each connection at most once per call (a deadline it re-arms at or before
 * `now` waits for the next poll), and returns the earliest pending deadline (Infinity when none).
 */
export function pollTimers(): f64 {
  let now = deadlineNow();
  let n = takeDue(now);
  for (let i = 0; i < n; i++) {
    let c = connAt(dueAt(i));
    if (c.flags & F.USED) fireDue(c, now);
  }
  for (let i = 0; i < n; i++) {
    let c = connAt(dueAt(i));
    if (c.flags & F.USED) reschedule(c);
  }
  return nextDeadline();
}
