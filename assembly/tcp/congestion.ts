// NewReno congestion control as window arithmetic only: slow start and congestion avoidance
// (RFC 5681 §3.1), the windows of fast recovery (RFC 5681 §3.2, RFC 6582 §3.2) and of a timeout.
// What to send again is decided by recovery.ts; nothing here sends.
import { F } from '../abi';
import { Conn } from './conn';
import { cfgInitialWindowSegments } from '../config';
import { seqDiff } from './seq';
import { effMss, EFF_MSS_CUT_MAX } from './window';

/** Sets the initial window (RFC 5681 §3.1 / RFC 6928: IW = n·SMSS) and an infinite ssthresh. */
export function ccInit(c: Conn): void {
  c.cwnd = <u32>cfgInitialWindowSegments * <u32>effMss(c);
  c.ssthresh = 0x7fffffff;
  c.recover = c.iss;
  c.dupAcks = 0;
  c.flags &= ~F.RECOVERY;
}

/** Bytes in flight. */
// @ts-ignore: decorator
@inline function flight(c: Conn): u32 {
  return <u32>seqDiff(c.sndMax, c.sndUna);
}

/** RFC 5681 eq. (4): ssthresh = max(FlightSize / 2, 2·SMSS). */
function halveSsthresh(c: Conn): void {
  let mss = <u32>effMss(c);
  c.ssthresh = max<u32>(flight(c) >> 1, mss << 1);
}

/** New data acknowledged outside recovery: slow start (RFC 5681 eq. 2, RFC 3465 L=1) or congestion avoidance (eq. 3). */
export function ccOnAck(c: Conn, acked: u32): void {
  if (c.cwnd < c.ssthresh) {
    // Fewer bytes than any effMss (the send MSS less at most EFF_MSS_CUT_MAX) need no effMss.
    c.cwnd += acked + <u32>EFF_MSS_CUT_MAX <= <u32>c.sndMss ? acked : min<u32>(acked, <u32>effMss(c));
  } else {
    let mss = <u32>effMss(c);
    let inc = (mss * mss) / (c.cwnd > 0 ? c.cwnd : 1);
    c.cwnd += inc > 0 ? inc : 1;
  }
}

/** ccOnAck with its commonest case inlined: slow start by fewer bytes than any effMss (recovery.ts ackedAll). */
// @ts-ignore: decorator
@inline export function ccGrow(c: Conn, acked: u32): void {
  let cwnd = c.cwnd;
  if (cwnd < c.ssthresh && acked + <u32>EFF_MSS_CUT_MAX <= <u32>c.sndMss) c.cwnd = cwnd + acked;
  else ccOnAck(c, acked);
}

/** Three duplicate ACKs: enter fast recovery (RFC 5681 §3.2 steps 2–3, RFC 6582 §3.2 step 2). */
export function ccEnterRecovery(c: Conn): void {
  let mss = <u32>effMss(c);
  halveSsthresh(c);
  c.recover = c.sndMax;
  c.cwnd = c.ssthresh + 3 * mss;
  c.flags |= F.RECOVERY;
  c.flags &= ~F.RTT_TIMING; // Karn
}

/**
 * Loss detected with SACK (RFC 6675 §5 step 4): ssthresh = cwnd = max(FlightSize / 2, 2·SMSS);
 * what goes out then is decided by the pipe (RFC 6675 §5 step C), not by window inflation.
 */
export function ccEnterSackRecovery(c: Conn): void {
  halveSsthresh(c);
  c.recover = c.sndMax;
  c.cwnd = c.ssthresh;
  c.flags |= F.RECOVERY;
}

/**
 * A tail loss probe repaired a loss (RFC 8985 §7.4.2, Linux tcp_process_tlp_ack): one congestion
 * window reduction, ssthresh = cwnd = max(cwnd / 2, 2·SMSS), without entering recovery.
 */
export function ccTlpRecovered(c: Conn): void {
  let mss = <u32>effMss(c);
  c.ssthresh = max<u32>(c.cwnd >> 1, mss << 1);
  c.cwnd = c.ssthresh;
}

/**
 * Bytes the congestion window lets out now (RFC 6675 §5 step C: cwnd − pipe; may be negative).
 * Without SACK each of the first two duplicate ACKs lets one more segment out (RFC 3042 limited
 * transmit); with SACK the pipe already leaves out what was SACKed.
 */
export function ccBudget(c: Conn, pipe: u32): i32 {
  let lt: u32 = 0;
  if (!(c.flags & F.SACK) && c.dupAcks > 0 && c.dupAcks < 3 && !(c.flags & F.RECOVERY)) lt = <u32>c.dupAcks * <u32>effMss(c);
  return <i32>(c.cwnd + lt) - <i32>pipe;
}

/** A duplicate ACK in recovery inflates the window by one segment (RFC 5681 §3.2 step 4). */
export function ccInflate(c: Conn): void {
  c.cwnd += <u32>effMss(c);
}

/** RFC 6582 §3.2 step 3, full ACK of `ack`: deflate to min(ssthresh, FlightSize + SMSS) and leave recovery. */
export function ccFullAck(c: Conn, ack: u32): void {
  let mss = <u32>effMss(c);
  let fl = <u32>seqDiff(c.sndMax, ack);
  c.cwnd = min<u32>(c.ssthresh, max<u32>(fl, mss) + mss);
  c.flags &= ~F.RECOVERY;
}

/** RFC 6582 §3.2 step 4, partial ACK of `acked` bytes: deflate by the amount acked, add back one SMSS. */
export function ccPartialAck(c: Conn, acked: u32): void {
  let mss = <u32>effMss(c);
  c.cwnd = c.cwnd > acked ? c.cwnd - acked : 0;
  if (acked >= mss) c.cwnd += mss;
  if (c.cwnd < mss) c.cwnd = mss;
}

/** The retransmission timer fired (RFC 5681 §3.1 eq. 4, cwnd = loss window of one SMSS; RFC 6582 §4). */
export function ccOnTimeout(c: Conn): void {
  halveSsthresh(c);
  c.cwnd = <u32>effMss(c);
  c.recover = c.sndMax;
  c.dupAcks = 0;
  c.flags &= ~F.RECOVERY;
}
