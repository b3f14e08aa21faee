// Loss recovery on the ACK path. With SACK: the scoreboard (RFC 6675 §4) takes the cumulative ACK
// and the SACK blocks (a D-SACK block, RFC 2883, is a duplicate, never SACKed data), RACK (RFC 8985
// §6) or RFC 6675's DupThresh rule marks what is lost, and fast recovery follows RFC 6675 §5 (what
// goes out next is the lowest lost data, as the pipe allows; output.ts sends it). Without SACK:
// NewReno (RFC 5681 §3.2, RFC 6582 §3.2). Also the tail loss probe's episode (RFC 8985 §7.4), the
// retransmission timeout's marks, and which kind of retransmission timer runs after an ACK.
import { F, Stat } from '../abi';
import { Conn } from './conn';
import { opts } from '../memory';
import { cfgRack, cfgTsTickMs } from '../config';
import { nowMs, tsValNow } from './clock';
import { seqDiff, seqGt, seqLt, seqMax, seqMin } from './seq';
import { statAdd } from './stats';
import { resendLost } from './output';
import { effMss } from './window';
import { stopXmit } from './deadlines';
import {
  ccOnAck, ccGrow, ccEnterRecovery, ccEnterSackRecovery, ccInflate, ccFullAck, ccPartialAck, ccTlpRecovered,
} from './congestion';
import {
  SB_SACKED, SB_LOST, SB_RETRANS, sbCount, sbStart, sbEnd, sbMeta, metaState, metaTick, sbAcked, sbSack,
  sbMarkLost, sbTidy, sbHighSacked, sbCover, sbLoseHead, sbTimeout, sbAny, sbClear, sbPlainTo, tickNow, tickDiff, ticksMs,
} from './scoreboard';
import { rackDelivered, rackDeliveredAll, rackDetectLoss, rackDsack, rackRecoveryDone, rackMarked, armXmit, armXmitTimer, R_TLP_RETRANS } from './rack';
import { OPT_SACK } from '../options';

/** RFC 6675 DupThresh. */
const DUP_THRESH: i32 = 3;

/** RACK's reordering timeout (ms) found by the last lossOnAck, 0 = none. */
let reoWait: f64 = 0;

/** Whether the ACK being processed carried a D-SACK block. */
let ackDsack: bool = false;

// ---------------------------------------------------------------- the scoreboard from an ACK

/** Whether a resent segment's delivery could be the resend: the ACK's TSecr is not from before it went (RFC 8985 §6.2). */
function tsAllows(c: Conn, xmit: u32): bool {
  let o = opts();
  if (!(c.flags & F.TS) || !o.tsPresent || o.tsEcr == 0) return true;
  let ageTicks = <u32>(<u64>(ticksMs(tickDiff(tickNow(), xmit)) / cfgTsTickMs));
  return <i32>(o.tsEcr - (tsValNow(c) - ageTicks)) >= 0;
}

/**
 * Whether the ACK's TSecr predates the last resend of data in [SND.UNA, `ack`): the echo then is of
 * a segment sent before that resend (the peer had the data and the resend was spurious, Eifel,
 * RFC 3522), so now − TSecr would measure the retransmission timeout, not the path (Karn, RFC 6298 §3).
 */
export function tsEchoPredatesResend(c: Conn, ack: u32): bool {
  let n = sbCount(c);
  for (let i = 0; i < n; i++) {
    if (!seqLt(sbStart(c, i), ack)) break;
    let m = sbMeta(c, i);
    if ((m & SB_RETRANS) && !tsAllows(c, metaTick(m))) return true;
  }
  return false;
}

/** RACK update for the extents in [from, to) not SACKed before; returns the new highest delivered. */
function delivered(c: Conn, from: u32, to: u32, fack: u32): u32 {
  let n = sbCount(c);
  for (let i = 0; i < n; i++) {
    let l = seqMax(sbStart(c, i), from);
    let r = seqMin(sbEnd(c, i), to);
    if (!seqLt(l, r)) continue;
    let m = sbMeta(c, i);
    if (m & SB_SACKED) continue;
    let st = metaState(m);
    if (OPT_SACK && cfgRack) rackDelivered(c, metaTick(m), r, st, fack, !(st & SB_RETRANS) || tsAllows(c, metaTick(m)));
    if (seqGt(r, fack)) fack = r;
  }
  return fack;
}

/**
 * The cumulative ACK and the SACK blocks of the ACK at hand onto the scoreboard (RFC 6675 §4),
 * with RACK's per-segment updates. Returns whether the ACK SACKed data not SACKed before.
 */
function scoreAck(c: Conn, ack: u32): bool {
  if (!OPT_SACK) { ackDsack = false; if (seqGt(ack, c.sndUna)) { delivered(c, c.sndUna, ack, c.sndUna); sbAcked(c, ack); } return false; }
  let o = opts();
  let n = OPT_SACK && (c.flags & F.SACK) ? o.sackCount : 0;
  let first = 0;
  ackDsack = false;
  // RFC 2883 §4: a first block below the cumulative ACK, or inside the second block, is a D-SACK.
  if (n > 0 && (seqLt(o.sackLeft(0), ack) ||
      (n > 1 && !seqLt(o.sackLeft(0), o.sackLeft(1)) && !seqGt(o.sackRight(0), o.sackRight(1))))) {
    ackDsack = true;
    first = 1;
    statAdd(Stat.DsacksIn);
    if (cfgRack) rackDsack(c);
  }
  let fack = seqMax(c.sndUna, sbHighSacked(c));
  if (seqGt(ack, c.sndUna)) {
    fack = delivered(c, c.sndUna, ack, fack);
    sbAcked(c, ack);
  }
  // The other blocks in sequence order (Linux sorts them too), so none looks reordered for nothing.
  let newSack = false;
  let done: u32 = 0;
  for (let k = first; k < n; k++) {
    let best = -1;
    for (let j = first; j < n; j++) {
      if (done & (1 << j)) continue;
      if (best < 0 || seqLt(o.sackLeft(j), o.sackLeft(best))) best = j;
    }
    done |= 1 << best;
    let l = seqMax(o.sackLeft(best), seqMax(ack, c.sndUna));
    let r = o.sackRight(best);
    if (!seqLt(l, r) || seqGt(r, c.sndMax)) continue; // nothing above SND.UNA, or never sent
    let before = fack;
    fack = delivered(c, l, r, fack);
    if (fack != before || unsackedIn(c, l, r)) newSack = true;
    sbSack(c, l, r);
  }
  return newSack;
}

/** Whether [l, r) holds data not yet SACKed. */
function unsackedIn(c: Conn, l: u32, r: u32): bool {
  let n = sbCount(c);
  for (let i = 0; i < n; i++) {
    if (seqLt(sbStart(c, i), r) && seqGt(sbEnd(c, i), l) && !(sbMeta(c, i) & SB_SACKED)) return true;
  }
  return false;
}

/**
 * RFC 6675 IsLost for every hole: lost once DupThresh discontiguous SACKed ranges, or more than
 * (DupThresh − 1)·SMSS SACKed bytes, lie above it. Resent data is not marked again (without RACK
 * a lost resend waits for the RTO). Returns whether something was newly marked.
 */
function markLostDupThresh(c: Conn): bool {
  let mss = <u32>effMss(c);
  let n = sbCount(c);
  let sackedAbove: u32 = 0;
  let rangesAbove = 0;
  let marked = false;
  for (let i = n - 1; i >= 0; i--) {
    let m = sbMeta(c, i);
    if (m & SB_SACKED) {
      sackedAbove += <u32>seqDiff(sbEnd(c, i), sbStart(c, i));
      if (i == 0 || !(sbMeta(c, i - 1) & SB_SACKED)) rangesAbove++;
      continue;
    }
    if (m & (SB_LOST | SB_RETRANS)) continue;
    if (rangesAbove >= DUP_THRESH || sackedAbove > <u32>(DUP_THRESH - 1) * mss) {
      sbMarkLost(c, i);
      marked = true;
    }
  }
  if (marked) sbTidy(c);
  return marked;
}

// ---------------------------------------------------------------- the ACK path

/**
 * Everything an acceptable ACK of `ack` says about the data in flight; call it before SND.UNA moves
 * (it moves SND.UNA to `ack` once the scoreboard took the ACK). `acked` bytes are newly acknowledged; `dup` is a duplicate ACK by RFC 5681 §2. Lost data that
 * must go at once (the fast retransmit, NewReno's partial ACK) is sent here; the rest when output
 * runs. Call ackTimers once SND.UNA moved.
 */
export function lossOnAck(c: Conn, ack: u32, acked: u32, dup: bool): void {
  reoWait = 0;
  sbCover(c);
  let advanced = seqGt(ack, c.sndUna);
  let sack = OPT_SACK && (c.flags & F.SACK) != 0;
  if (advanced && !(c.flags & (F.RECOVERY | F.TLP_OUT)) && !(sack && opts().sackCount) && !sbAny(c, SB_SACKED | SB_LOST | SB_RETRANS)) {
    cleanAck(c, ack, acked, sack);
    return;
  }
  let newSack = scoreAck(c, ack);
  // SND.UNA moves now, so what is resent below starts where the scoreboard (and the buffer) do.
  if (advanced) {
    c.sndUna = ack;
    if (seqGt(ack, c.sndNxt)) c.sndNxt = ack;
  }
  if (sack) sackRecovery(c, ack, acked, advanced, newSack);
  else newReno(c, ack, acked, advanced, dup);
  if (OPT_SACK && (c.flags & F.TLP_OUT)) tlpOnAck(c, ack, advanced, newSack, dup);
}

/**
 * lossOnAck and ackTimers at once for the commonest ACK: new data up to SND.MAX (nothing left in
 * flight), no SACK blocks, every extent in flight and never resent (or none recorded, as for a
 * SYN), no recovery and no probe out.
 * What cleanAck would do then, with nothing left to detect and no timer to arm: RACK_update
 * (RFC 8985 §6.2 step 2) for each extent in sequence order (none can look reordered: each ends
 * above all before it), the scoreboard emptied, the window grown, the timer stopped. Returns false,
 * having changed nothing, for any other ACK (the caller then calls lossOnAck and ackTimers).
 */
export function ackedAll(c: Conn, ack: u32, acked: u32): bool {
  let flags = c.flags;
  if (ack != c.sndMax || (flags & (F.RECOVERY | F.TLP_OUT)) || (OPT_SACK && (flags & F.SACK) && opts().sackCount)) return false;
  // An empty scoreboard is what sbCover fills with one extent, sent now; an uncovered end otherwise is not plain.
  let n = sbCount(c);
  if (n != 0 && !sbPlainTo(c, ack)) return false;
  // (reoWait and ackDsack matter only from a lossOnAck to the ackTimers after it.)
  if (OPT_SACK && cfgRack) rackDeliveredAll(c, n, ack);
  sbClear(c);
  c.sndUna = ack;
  if (seqGt(ack, c.sndNxt)) c.sndNxt = ack;
  c.dupAcks = 0;
  if (acked > 0) ccGrow(c, acked);
  stopXmit(c, F.TLP_TIMER | F.REO_TIMER); // ackTimers with nothing in flight
  return true;
}

/** RFC 6675 §5 with RACK (or DupThresh) marking what is lost. */
function sackRecovery(c: Conn, ack: u32, acked: u32, advanced: bool, newSack: bool): void {
  if (newSack) {
    if (c.dupAcks < 255) c.dupAcks++;
    statAdd(Stat.DupAcks);
  } else if (advanced) c.dupAcks = 0;
  let inRecovery = (c.flags & F.RECOVERY) != 0 || seqLt(ack, c.recover);
  if (cfgRack) {
    // Nothing in flight once the ACK took the scoreboard: nothing to mark, no timeout (rackMarked is read after reoTimeout's own call only).
    reoWait = c.sbCount != 0 ? rackDetectLoss(c, inRecovery) : 0;
  } else {
    markLostDupThresh(c);
    // RFC 6675 §5 step 4: DupThresh ACKs with new SACK information also start recovery.
    if (<i32>c.dupAcks >= DUP_THRESH && !(c.flags & F.RECOVERY) && !seqLt(ack, c.recover)) sbLoseHead(c, <u32>effMss(c));
  }
  if (c.flags & F.RECOVERY) {
    if (!seqLt(ack, c.recover)) {
      ccFullAck(c, ack); // RFC 6675 §5 (A): recovery ends at RecoveryPoint
      c.dupAcks = 0;
      if (cfgRack) rackRecoveryDone(c);
    }
  } else if (acked > 0) {
    ccOnAck(c, acked);
  }
  if (!(c.flags & F.RECOVERY) && !seqLt(ack, c.recover) && sbAny(c, SB_LOST)) startSackRecovery(c);
}

/** RFC 6675 §5 step 4: enter recovery and send the first lost segment at once. */
function startSackRecovery(c: Conn): void {
  ccEnterSackRecovery(c);
  c.recover = c.sndMax;
  statAdd(Stat.FastRetransmits);
  resendLost(c, true);
}

/**
 * An ACK of new data with no SACK blocks, nothing SACKed, lost or resent on the scoreboard, no
 * recovery and no probe out: what scoreAck and sackRecovery (or newReno) do then. Extents never
 * resent went in sequence order, so RACK_update (RFC 8985 §6.2 step 2) for the newest one leaves
 * what the update of each would; nothing is SACKed, so nothing looks reordered.
 */
function cleanAck(c: Conn, ack: u32, acked: u32, sack: bool): void {
  ackDsack = false;
  delivered(c, c.sndUna, ack, c.sndUna);
  sbAcked(c, ack);
  c.sndUna = ack;
  if (seqGt(ack, c.sndNxt)) c.sndNxt = ack;
  c.dupAcks = 0;
  // RACK_detect_loss (§6.2 step 5) for what is still in flight; DupThresh finds nothing without SACKed data.
  let marked = false;
  if (sack && cfgRack && c.sbCount != 0) {
    reoWait = rackDetectLoss(c, seqLt(ack, c.recover));
    marked = rackMarked;
  }
  if (acked > 0) ccOnAck(c, acked);
  if (marked && !seqLt(ack, c.recover)) startSackRecovery(c);
}

/** NewReno without SACK (RFC 5681 §3.2, RFC 6582 §3.2). */
function newReno(c: Conn, ack: u32, acked: u32, advanced: bool, dup: bool): void {
  if (advanced) {
    if (!(c.flags & F.RECOVERY)) {
      c.dupAcks = 0;
      if (acked > 0) ccOnAck(c, acked);
      return;
    }
    if (!seqLt(ack, c.recover)) {
      ccFullAck(c, ack);
      c.dupAcks = 0;
      return;
    }
    // Partial ACK: resend the segment at the new SND.UNA, unless it already went again.
    if (sbCount(c) > 0 && !(sbMeta(c, 0) & (SB_RETRANS | SB_LOST))) {
      sbLoseHead(c, <u32>effMss(c));
      resendLost(c, true);
    }
    ccPartialAck(c, acked);
    return;
  }
  if (!dup) return;
  if (c.dupAcks < 255) c.dupAcks++;
  statAdd(Stat.DupAcks);
  if (c.flags & F.RECOVERY) {
    ccInflate(c);
    return;
  }
  // RFC 6582 §3.2 step 2: once the ACKs have passed `recover` (one fast retransmit per loss).
  if (c.dupAcks == DUP_THRESH && !seqLt(c.sndUna, c.recover)) {
    ccEnterRecovery(c);
    sbLoseHead(c, <u32>effMss(c));
    statAdd(Stat.FastRetransmits);
    resendLost(c, true);
  }
}

/**
 * The ACK of an outstanding probe (RFC 8985 §7.4, as Linux's tcp_process_tlp_ack): a probe of new
 * data ends the episode; a resent probe that the peer reports as a duplicate, or a plain duplicate
 * ACK, means nothing was lost; an ACK beyond the probe means the probe repaired a loss: one cwnd
 * reduction.
 */
function tlpOnAck(c: Conn, ack: u32, advanced: bool, newSack: bool, dup: bool): void {
  if (seqLt(ack, c.tlpHigh)) return;
  let end = false;
  if (!(c.rackFlags & R_TLP_RETRANS) || ackDsack) end = true;
  else if (seqGt(ack, c.tlpHigh)) { ccTlpRecovered(c); end = true; }
  else if (!advanced && !newSack && dup) end = true;
  if (end) { c.flags &= ~F.TLP_OUT; c.rackFlags &= ~R_TLP_RETRANS; }
}

/**
 * The retransmission timer's kind after an ACK, once SND.UNA moved (Linux tcp_ack): nothing in
 * flight stops it; RACK's reordering timer when a segment waits out the reordering window; else,
 * after new data was acknowledged, the probe timer or the RTO.
 */
export function ackTimers(c: Conn, advanced: bool): void {
  if (c.sndUna == c.sndMax) {
    stopXmit(c, F.TLP_TIMER | F.REO_TIMER);
    return;
  }
  if (reoWait > 0) { armXmit(c, nowMs + reoWait, F.REO_TIMER); return; }
  if (advanced) armXmitTimer(c, true);
}

// ---------------------------------------------------------------- timer-driven marking

/**
 * RACK's reordering timer fired (RFC 8985 §6.3): mark what waited long enough, recover as for an
 * ACK. Returns the next reordering timeout (ms), 0 when none waits.
 */
export function reoTimeout(c: Conn): f64 {
  if (!OPT_SACK) return 0;
  let inRecovery = (c.flags & F.RECOVERY) != 0 || seqLt(c.sndUna, c.recover);
  let wait = rackDetectLoss(c, inRecovery);
  if (rackMarked && !(c.flags & F.RECOVERY) && !seqLt(c.sndUna, c.recover)) {
    ccEnterSackRecovery(c);
    statAdd(Stat.FastRetransmits);
    resendLost(c, true);
  }
  return wait;
}

/** The RTO fired for data (RFC 6675 §5.1): everything not SACKed is lost; no probe is outstanding. */
export function lossOnTimeout(c: Conn): void {
  sbCover(c);
  sbTimeout(c);
  c.flags &= ~F.TLP_OUT;
  c.rackFlags &= ~R_TLP_RETRANS;
}

/** Everything in flight must go again (a smaller MSS, RFC 1191 §6.5): mark it lost and resend. */
export function resendAll(c: Conn): void {
  sbCover(c);
  sbTimeout(c);
}
