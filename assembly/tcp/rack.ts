// RACK-TLP loss detection (RFC 8985) on the scoreboard, with Linux's constants. RACK: a segment is
// lost once a segment sent after it was delivered and it has not been acknowledged within the
// latest RTT plus a reordering window (§6). TLP: when a flight's tail may be lost, a probe after
// about two round trips draws the ACK that lets RACK see it (§7); here only its timing. The times
// are the scoreboard's transmit ticks (1/8 ms); the state is a few fields of the record.
import { F, S } from '../abi';
import { Conn } from './conn';
import { cfgRtoMinMs, cfgTlp } from '../config';
import { nowMs } from './clock';
import { seqDiff, seqGe, seqGt, seqLt } from './seq';
import {
  SB_RETRANS, SB_SACKED, SB_LOST, sbMeta, sbEnd, sbMarkLost, sbTidy, metaTick, tickDiff, tickNow, ticksMs, msTicks,
  sbSackedBytes, sbAny, sbRecordEnd, sbRecordMeta,
} from './scoreboard';
import { effMss } from './window';
import { armRtx, rtxRunning } from './deadlines';
import { OPT_SACK } from '../options';

/** rackFlags bits. */
/** Data segment reordering was seen (RACK.reordering_seen). */
export const R_REORDER_SEEN: u8 = 1;
/** A D-SACK round is open: dsackRound holds its end (RACK.dsack_round). */
export const R_DSACK_ROUND: u8 = 2;
/** rackXmit/rackEnd/rackRtt hold a delivered segment. */
export const R_VALID: u8 = 4;
/** The outstanding tail loss probe (F.TLP_OUT) was a retransmission (the flags word has no bit left). */
export const R_TLP_RETRANS: u8 = 8;
/**
 * The high four bits: RACK.reo_wnd_persist less one while reoWndMult > 1. It is 1..16 then (a D-SACK
 * sets it to 16 as it raises the multiplier; the recovery that takes it to 0 sets the multiplier back
 * to 1), and 0 otherwise, so 4 bits hold it.
 */
const R_PERSIST_ONE: u8 = 16;

/** RFC 6675 DupThresh, in segments. */
const DUP_THRESH: u32 = 3;
/** Recoveries without D-SACK after which the reordering window shrinks back (RACK.reo_wnd_persist). */
const REO_WND_PERSIST: u8 = 16;
/** Linux TCP_TIMEOUT_MIN_US: added to the reordering and probe timeouts. */
const TIMEOUT_MIN_MS: f64 = 2;

/** Whether (t1, seq1) was sent after (t2, seq2): later, or at the same tick and higher (RACK_sent_after). */
// @ts-ignore: decorator
@inline function sentAfter(t1: u32, seq1: u32, t2: u32, seq2: u32): bool {
  let d = tickDiff(t1, t2);
  return d > 0 || (d == 0 && seqGt(seq1, seq2));
}

/** RACK_update (§6.2 step 2) for a segment ending at `end`, last sent at `xmit`, delivered at tick `now`. */
// @ts-ignore: decorator
@inline function rackUpdate(c: Conn, xmit: u32, end: u32, now: u32): void {
  let rtt = tickDiff(now, xmit);
  c.rackRtt = <u32>(rtt > 0 ? rtt : 0);
  if (!(c.rackFlags & R_VALID) || sentAfter(xmit, end, c.rackXmit, c.rackEnd)) {
    c.rackXmit = xmit;
    c.rackEnd = end;
    c.rackFlags |= R_VALID;
  }
}

/**
 * A segment ending at `end`, last sent at `xmit`, was newly delivered (SACKed or cumulatively
 * ACKed): RACK_update (§6.2 step 2) and the reordering check against `fack`, the highest sequence
 * delivered before (step 3). `tsOk` is false when the ACK's TSecr says an earlier transmission
 * of a resent segment was delivered (§6.2: skip it).
 */
export function rackDelivered(c: Conn, xmit: u32, end: u32, state: u32, fack: u32, tsOk: bool): void {
  let retrans = (state & SB_RETRANS) != 0;
  if (!retrans && seqLt(end, fack)) c.rackFlags |= R_REORDER_SEEN;
  let now = tickNow();
  // Ambiguous: which transmission arrived? Skip a resent one when the original plausibly did.
  if (retrans && (!tsOk || <u32>max<i32>(tickDiff(now, xmit), 0) < c.minRtt)) return;
  rackUpdate(c, xmit, end, now);
}

/**
 * rackDelivered for each of the `n` ≤ SB_INLINE extents, all cumulatively acknowledged (to `ack`)
 * and none resent, in sequence order: each ends above every one before, so none looks reordered
 * (step 3). With no extent, for the one sbCover would record: [SND.UNA, `ack`) sent now.
 */
// @ts-ignore: decorator
@inline export function rackDeliveredAll(c: Conn, n: i32, ack: u32): void {
  let now = tickNow();
  if (n == 0) {
    rackUpdate(c, now, ack, now);
    return;
  }
  let from = c.sndUna;
  for (let i = 0; i < n; i++) {
    let end = sbRecordEnd(c, i);
    if (!seqLt(from, end)) continue;
    from = end;
    rackUpdate(c, metaTick(sbRecordMeta(c, i)), end, now);
  }
}

/** A D-SACK arrived (§6.2 step 4): widen the reordering window once per round trip. */
export function rackDsack(c: Conn): void {
  if ((c.rackFlags & R_DSACK_ROUND) && !seqLt(c.sndUna, c.dsackRound)) c.rackFlags &= ~R_DSACK_ROUND;
  if (c.rackFlags & R_DSACK_ROUND) return;
  c.rackFlags |= R_DSACK_ROUND;
  c.dsackRound = c.sndNxt;
  if (c.reoWndMult == 0) c.reoWndMult = 1;
  if (c.reoWndMult < 255) c.reoWndMult++;
  c.rackFlags = (c.rackFlags & (R_PERSIST_ONE - 1)) | ((REO_WND_PERSIST - 1) * R_PERSIST_ONE);
}

/** Fast recovery ended (§6.2 step 4): after 16 without a D-SACK the window is the base one again. */
export function rackRecoveryDone(c: Conn): void {
  // reo_wnd_persist − 1 (rackFlags' high bits) while the multiplier is above 1: 0 means this is the last.
  if (c.reoWndMult > 1 && c.rackFlags >= R_PERSIST_ONE) { c.rackFlags -= R_PERSIST_ONE; return; }
  c.reoWndMult = 1;
}

/** RACK_reo_wnd (§6.2 step 4) in ticks; `inRecovery`: fast or RTO recovery runs. */
function reoWnd(c: Conn, inRecovery: bool): u32 {
  if (!(c.rackFlags & R_REORDER_SEEN)) {
    if (inRecovery) return 0;
    let mss = <u32>effMss(c);
    if (sbSackedBytes(c) >= DUP_THRESH * mss) return 0;
  }
  let w = (c.minRtt >> 2) * max<u32>(<u32>c.reoWndMult, 1);
  let srtt = msTicks(<f64>c.srtt);
  return w < srtt ? w : srtt;
}

/**
 * RACK_detect_loss (§6.2 step 5): marks lost every extent in flight that was sent before the most
 * recently delivered segment and has waited longer than its RTT plus the reordering window.
 * Returns how long (ms) until the next one would expire, or 0 when none waits; `marked` is set
 * when something was marked lost.
 */
export function rackDetectLoss(c: Conn, inRecovery: bool): f64 {
  rackMarked = false;
  if (!(c.rackFlags & R_VALID)) return 0;
  let reo = reoWnd(c, inRecovery);
  let now = tickNow();
  let wait: i32 = 0;
  let n = <i32>c.sbCount;
  for (let i = 0; i < n; i++) {
    let m = sbMeta(c, i);
    if (m & (SB_SACKED | SB_LOST)) continue; // delivered, or lost and not sent again yet
    let t = metaTick(m);
    // A resend at the same tick went after the delivered segment's transmission (ticks tie, order does not).
    if ((m & SB_RETRANS) && t == c.rackXmit) continue;
    if (!sentAfter(c.rackXmit, c.rackEnd, t, sbEnd(c, i))) continue;
    let remaining = tickDiff(t, now) + <i32>c.rackRtt + <i32>reo;
    if (remaining <= 0) {
      sbMarkLost(c, i);
      rackMarked = true;
    } else if (remaining > wait) wait = remaining;
  }
  if (rackMarked) sbTidy(c);
  return wait > 0 ? ticksMs(wait) + TIMEOUT_MIN_MS : 0;
}

/** Set by rackDetectLoss when it marked an extent lost. */
export let rackMarked: bool = false;

/**
 * The probe timeout (§7.2, Linux tcp_schedule_loss_probe): 2·SRTT, plus the minimum RTO when a
 * single segment is in flight (the peer may delay its ACK) or 2 ms otherwise; 1 s before any RTT
 * sample. The caller bounds it by the RTO.
 */
export function probeTimeout(c: Conn): f64 {
  if (c.srtt <= 0) return 1000;
  let oneSegment = seqDiff(c.sndMax, c.sndUna) <= effMss(c) + 1;
  return 2 * <f64>c.srtt + (oneSegment ? cfgRtoMinMs : TIMEOUT_MIN_MS);
}

// ---------------------------------------------------------------- the retransmission timer's kinds

/** Arms the retransmission timer for `t` as `kind` (0 = RTO, F.TLP_TIMER or F.REO_TIMER). */
export function armXmit(c: Conn, t: f64, kind: u32): void {
  c.flags = (c.flags & ~(F.PERSIST | F.TLP_TIMER | F.REO_TIMER)) | kind;
  armRtx(c, t);
}

/**
 * When a probe may be scheduled (§7.2, Linux tcp_schedule_loss_probe): TLP on, SACK, data in
 * flight in a data state, no recovery (fast or after an RTO) and nothing SACKed, lost or resent
 * (Linux's Open state).
 */
export function tlpAllowed(c: Conn): bool {
  if (!OPT_SACK || !cfgTlp || !(c.flags & F.SACK) || (c.flags & F.RECOVERY) || c.sndMax == c.sndUna) return false;
  let st = <i32>c.state;
  if (st != S.ESTABLISHED && st != S.CLOSE_WAIT && st != S.FIN_WAIT_1 && st != S.CLOSING && st != S.LAST_ACK) return false;
  if (seqLt(c.sndUna, c.recover) || c.sndUna == c.iss) return false;
  return !sbAny(c, SB_SACKED | SB_LOST | SB_RETRANS);
}

/** When the oldest segment in flight was last sent (ms; now when nothing is recorded). */
function headSentMs(c: Conn): f64 {
  if (c.sbCount == 0) return nowMs;
  let d = tickDiff(tickNow(), metaTick(sbMeta(c, 0)));
  return nowMs - ticksMs(d > 0 ? d : 0);
}

/**
 * Arms the probe timer when a probe is allowed, else the RTO (Linux tcp_set_xmit_timer, and
 * tcp_schedule_loss_probe after new data). After an ACK of new data (`afterAck`) the RTO restarts
 * (RFC 6298 §5.3) and bounds the probe timeout; after a send the RTO that runs for the oldest
 * segment bounds it, and an RTO starts only when none runs (RFC 6298 §5.1).
 */
export function armXmitTimer(c: Conn, afterAck: bool): void {
  let rto = <f64>c.rto;
  if (tlpAllowed(c)) {
    let left = afterAck ? rto : headSentMs(c) + rto - nowMs;
    let pto = probeTimeout(c);
    armXmit(c, nowMs + (left > 0 && left < pto ? left : pto), F.TLP_TIMER);
    return;
  }
  if (afterAck || !rtxRunning(c) || (c.flags & (F.PERSIST | F.TLP_TIMER))) armXmit(c, nowMs + rto, 0);
}

/** The RTO after a probe or a reordering timeout: from the oldest segment's last transmission (Linux tcp_rearm_rto). */
export function armRtoFromHead(c: Conn): void {
  let t = headSentMs(c) + <f64>c.rto;
  armXmit(c, t > nowMs ? t : nowMs + 1, 0);
}
