// Loss recovery on the ACK path: duplicate ACKs and fast retransmit (RFC 5681 §3.2), NewReno's
// partial ACKs (RFC 6582 §3.2) and SACK-guided hole retransmission (after RFC 6675 §5, one
// segment per ACK). It decides what to send again; congestion.ts does the window arithmetic.
import { F, Stat } from '../abi';
import { Conn } from './conn';
import { opts } from '../memory';
import { seqDiff, seqGe, seqGt, seqLe, seqLt, seqMax } from './seq';
import { statAdd } from './stats';
import { sendFrom } from './output';
import { effMss } from './window';
import { ccOnAck, ccEnterRecovery, ccInflate, ccFullAck, ccPartialAck } from './congestion';

/** A new cumulative ACK of `acked` bytes (before sndUna moves to `ack`). */
export function recoveryOnAck(c: Conn, ack: u32, acked: u32): void {
  if (!(c.flags & F.RECOVERY)) {
    c.dupAcks = 0;
    ccOnAck(c, acked);
    return;
  }
  if (seqGe(ack, c.recover)) {
    ccFullAck(c, ack);
    c.dupAcks = 0;
    return;
  }
  // Partial ACK: retransmit the next hole, unless the segment at `ack` already went again.
  if (!seqLt(ack, c.rtxHigh)) {
    let n = sendFrom(c, ack, effMss(c), true);
    if (n > 0) { c.rtxHigh = ack + <u32>n; statAdd(Stat.Retransmits); }
  } else {
    sackRetransmit(c, ack);
  }
  ccPartialAck(c, acked);
}

/** A duplicate ACK arrived (RFC 5681 §2 definition); returns true when it triggered a fast retransmit. */
export function recoveryOnDupAck(c: Conn): bool {
  if (c.dupAcks < 255) c.dupAcks++;
  statAdd(Stat.DupAcks);
  if (c.flags & F.RECOVERY) {
    ccInflate(c);
    sackRetransmit(c, c.sndUna);
    return false;
  }
  // RFC 6582 §3.2 step 2: only once the ACKs have passed `recover` (no repeated fast retransmits for
  // one loss), unless SACK blocks above SND.UNA show the data really is missing (RFC 6675).
  if (c.dupAcks == 3 && (seqGe(c.sndUna, c.recover) || sackedAbove(c))) {
    ccEnterRecovery(c);
    let n = sendFrom(c, c.sndUna, effMss(c), true);
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
 * SACK-guided retransmission during recovery: resend the first hole above both `una` and the last
 * retransmission that lies below the highest byte the ACK's SACK blocks report received. Without
 * SACK nothing happens (NewReno does the work).
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
