// NewReno congestion control: slow start and congestion avoidance (RFC 5681 §3.1), fast retransmit and
// fast recovery (RFC 5681 §3.2) with NewReno's partial-ACK handling (RFC 6582 §3.2).
import { F, Stat } from '../abi';
import { Conn } from './conn';
import { cfgInitialWindowSegments } from '../config';
import { seqDiff, seqGe, seqGt, seqLe, seqLt, seqMax } from './seq';
import { opts } from '../memory';
import { statAdd } from './stats';
import { sendFrom } from './output';
import { effMss } from './window';

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

/** A new cumulative ACK of `acked` bytes arrived (before sndUna moves: segAck is `ack`). */
export function ccOnAck(c: Conn, ack: u32, acked: u32): void {
  let mss = <u32>effMss(c);
  if (c.flags & F.RECOVERY) {
    if (seqGe(ack, c.recover)) {
      // RFC 6582 §3.2 step 3, full ACK: deflate to min(ssthresh, FlightSize + SMSS).
      let fl = <u32>seqDiff(c.sndMax, ack);
      c.cwnd = min<u32>(c.ssthresh, max<u32>(fl, mss) + mss);
      c.flags &= ~F.RECOVERY;
      c.dupAcks = 0;
    } else {
      // Partial ACK (step 4): retransmit the next hole, deflate by the amount acked, add back one SMSS.
      if (!seqLt(ack, c.rtxHigh)) {
        let n = sendFrom(c, ack, <i32>mss, true);
        if (n > 0) { c.rtxHigh = ack + <u32>n; statAdd(Stat.Retransmits); }
      } else {
        sackRetransmit(c, ack); // the segment at `ack` already went again: fill the next SACK hole
      }
      c.cwnd = c.cwnd > acked ? c.cwnd - acked : 0;
      if (acked >= mss) c.cwnd += mss;
      if (c.cwnd < mss) c.cwnd = mss;
    }
    return;
  }
  c.dupAcks = 0;
  if (c.cwnd < c.ssthresh) {
    c.cwnd += min<u32>(acked, mss); // slow start (RFC 5681 eq. 2, RFC 3465 L=1)
  } else {
    let inc = (mss * mss) / (c.cwnd > 0 ? c.cwnd : 1); // congestion avoidance (eq. 3)
    c.cwnd += inc > 0 ? inc : 1;
  }
}

/** A duplicate ACK arrived (RFC 5681 §2 definition). Returns true when it triggered a fast retransmit. */
export function ccOnDupAck(c: Conn): bool {
  let mss = <u32>effMss(c);
  if (c.dupAcks < 255) c.dupAcks++;
  statAdd(Stat.DupAcks);
  if (c.flags & F.RECOVERY) {
    c.cwnd += mss; // RFC 5681 §3.2 step 4: inflate
    sackRetransmit(c, c.sndUna);
    return false;
  }
  // RFC 6582 §3.2 step 2: only once the ACKs have passed `recover` (no repeated fast retransmits for
  // one loss), unless SACK blocks above SND.UNA show the data really is missing (RFC 6675).
  if (c.dupAcks == 3 && (seqGe(c.sndUna, c.recover) || sackedAbove(c))) {
    halveSsthresh(c);
    c.recover = c.sndMax;
    c.cwnd = c.ssthresh + 3 * mss;
    c.flags |= F.RECOVERY;
    c.flags &= ~F.RTT_TIMING; // Karn
    let n = sendFrom(c, c.sndUna, <i32>mss, true);
    c.rtxHigh = c.sndUna + <u32>(n > 0 ? n : 0);
    statAdd(Stat.FastRetransmits);
    statAdd(Stat.Retransmits);
    return true;
  }
  return false;
}

/** True when the ACK being processed SACKs data above SND.UNA that we sent. */
function sackedAbove(c: Conn): bool {
  if (!(c.flags & F.SACK)) return false;
  let o = opts();
  for (let i = 0; i < o.sackCount; i++) {
    let r = o.sackRight(i);
    if (seqGt(r, c.sndUna) && seqLe(r, c.sndMax)) return true;
  }
  return false;
}

/**
 * SACK-guided retransmission during recovery (after RFC 6675 §5, one segment per ACK): resend the
 * first hole above both `una` and the last retransmission that lies below the highest byte the
 * ACK's SACK blocks report received. Without SACK nothing happens (NewReno does the work).
 */
function sackRetransmit(c: Conn, una: u32): void {
  if (!(c.flags & F.SACK)) return;
  let o = opts();
  let n = o.sackCount;
  if (n <= 0) return;
  let high = una;
  for (let i = 0; i < n; i++) {
    let r = o.sackRight(i);
    if (seqGt(r, high) && seqLe(r, c.sndMax)) high = r;
  }
  let next = seqMax(c.rtxHigh, una);
  // Skip what the blocks say arrived (they may chain, so look again after each move).
  for (let pass = 0; pass < n; pass++) {
    let moved = false;
    for (let i = 0; i < n; i++) {
      if (seqLe(o.sackLeft(i), next) && seqLt(next, o.sackRight(i))) { next = o.sackRight(i); moved = true; }
    }
    if (!moved) break;
  }
  if (!seqLt(next, high)) return;
  let end = high;
  for (let i = 0; i < n; i++) {
    let l = o.sackLeft(i);
    if (seqGt(l, next) && seqLt(l, end)) end = l;
  }
  let len = min<i32>(seqDiff(end, next), effMss(c));
  let sent = sendFrom(c, next, len, true);
  if (sent > 0) {
    c.rtxHigh = next + <u32>sent;
    statAdd(Stat.Retransmits);
  }
}

/** The retransmission timer fired (RFC 5681 §3.1 eq. 4, cwnd = loss window of one SMSS; RFC 6582 §4). */
export function ccOnTimeout(c: Conn): void {
  halveSsthresh(c);
  c.cwnd = <u32>effMss(c);
  c.recover = c.sndMax;
  c.dupAcks = 0;
  c.flags &= ~F.RECOVERY;
}
