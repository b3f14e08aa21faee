// Inbound processing: RFC 9293 §3.10.7 "SEGMENT ARRIVES", one function per state group and, for the
// synchronized states, one function per step in the RFC's order (sequence check, RST, SYN, ACK, text, FIN).
import { Errno, Ev, F, S, Stat } from '../abi';
import { Conn } from './conn';
import { setState, setStateFrom } from './state';
import { connAt, connIndex, listenerAt, opts } from '../memory';
import {
  cfgTimestamps, cfgSack, cfgWindowScaling, cfgDefaultMss, cfgSendBufferSize,
  cfgRstOnDataAfterClose, cfgTsTickMs, cfgRtoInitialMs, cfgAckUnsentData,
  cfgDelayFinAck, cfgSynResendOnBadAck, cfgSynCookies,
} from '../config';
import { lookup, listenerFind, childAdd, halfOpenRoom, halfOpenAdd } from './table';
import { ifAddr } from '../net/iface';
import {
  segSet, segSrc, segSport, segDport, segSeq, segAck, segFlags, segWnd, segDataLen,
  segTrimFront, segTrimBack, segClearFlags, segSetInRing, segSetLocal, segDst, segIf,
} from './segment';
import { seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq';
import { nowMs, msSince, tsValNow } from './clock';
import { statAdd } from './stats';
import { emit } from './events';
import { tcpOutput, sendAck, emitReset } from './output';
import { armRtx, armIdle, armDelack, stopRtx } from './deadlines';
import { rttSample, rtoCompute } from './rtt';
import { ccInit } from './congestion';
import { lossOnAck, ackedAll, ackTimers, tsEchoPredatesResend } from './recovery';
import { receiveData, notifyReadable, ringCopyWithChecksum, oooAdd, oooTrim, oldDataReceived } from './reassembly';
import { oooAcquire, rcvFinSeq, rcvFinSeqSet, dsackClear } from './ooopool';
import { connDone, becomeEstablished, becomeEstablishedFrom, enterTimeWait, restartTimeWait, orphanFinWait2 } from './lifecycle';
import { connOpen } from './open';
import { rcvSpace, ourWscale } from './window';
import { isnFor, isnSetOverride } from './isn';
import { IP_PROTO_TCP } from '../wire/ipv4';
import { replyAllowed, challengeAllowed, rstAllowed } from './ratelimit';
import { cookieSynAck, cookieCheck, cookiesRecent, cookieMss, cookieWscale, cookieSack } from './syncookie';
import {
  tcpCheckLen, tcpChecksumOk, tcpSrcPort, tcpDstPort, tcpSeq, tcpAck, tcpFlags, tcpWindow,
  tcpDataOffset, TCP_SYN, TCP_ACK, TCP_RST, TCP_FIN, TCP_PSH,
} from '../wire/tcp';
import { parseTcpOptions } from '../wire/options';
import { checksum, pseudoHeaderSum, fold32 } from '../wire/checksum';
import { OPT_SYN_COOKIES, OPT_SACK } from '../options';

/**
 * Fast path: in-order data for an ESTABLISHED connection is copied into the receive ring while its
 * checksum is summed (one pass over the payload). Nothing is committed before the sum verifies;
 * without out-of-order data in the ring, the bytes past rcvNxt are free space. Returns 1 when the
 * payload is in the ring and verified, 0 when the slow path must check the segment, −1 when its
 * checksum is bad.
 */
function copyInOrder(i: i32, t: usize, tlen: i32, doff: i32, src: u32, dst: u32): i32 {
  if (i < 0 || tlen - doff < 64) return 0;
  let c = connAt(i);
  if (c.state != S.ESTABLISHED || c.oooCount != 0 || tcpSeq(t) != c.rcvNxt || <u32>(tlen - doff) > rcvSpace(c) ||
    (tcpFlags(t) & (TCP_SYN | TCP_RST))) return 0;
  let sum = checksum(t, doff, pseudoHeaderSum(src, dst, IP_PROTO_TCP, tlen));
  let ps = ringCopyWithChecksum(c, t + <usize>doff, tlen - doff);
  return fold32(sum + ps) == 0xffff ? 1 : -1;
}

/** Validates one TCP segment from `src` to our `dst` (owned by interface `ifi`), parses it into segment.ts, and dispatches it by connection state. */
export function tcpInput(t: usize, tlen: i32, src: u32, dst: u32, ifi: i32): void {
  if (tcpCheckLen(t, tlen) != 0) { statAdd(Stat.BadPackets); return; }
  let doff = tcpDataOffset(t);
  let sport = <u32>tcpSrcPort(t);
  let dport = <u32>tcpDstPort(t);
  let i = lookup(src, sport, dport);
  let inRing = copyInOrder(i, t, tlen, doff, src, dst);
  if (inRing < 0 || (inRing == 0 && !tcpChecksumOk(t, tlen, src, dst))) { statAdd(Stat.BadChecksum); return; }
  if (parseTcpOptions(t + 20, doff - 20, opts()) != 0) { statAdd(Stat.BadPackets); return; }
  statAdd(Stat.SegmentsIn);
  if (sport == 0 || dport == 0) { statAdd(Stat.BadPackets); return; }
  segSet(src, sport, dport, tcpSeq(t), tcpAck(t), <u32>tcpFlags(t), <u32>tcpWindow(t), t + <usize>doff, tlen - doff);
  segSetInRing(inRing > 0);
  segSetLocal(dst, ifi);
  if (i < 0) {
    let li = listenerFind(dport);
    // A connection's address is its interface's: other addresses of a loopback prefix get a RST.
    if (li >= 0 && dst == ifAddr(ifi)) listenInput(li); else closedInput();
    return;
  }
  let c = connAt(i);
  if (c.state == S.SYN_SENT) synSentInput(c); else otherInput(c);
}

/** Replies to a segment that belongs to no connection (RFC 9293 §3.10.7.1). */
function closedInput(): void {
  statAdd(Stat.NoConnection);
  resetNoConnection();
}

/** RST for a segment of no connection, within the engine-wide budget (ratelimit.ts). */
function resetNoConnection(): void {
  if (!(segFlags & TCP_RST) && rstAllowed()) replyReset();
}

/** RST for the current segment: <SEQ=SEG.ACK><CTL=RST> if it has ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
function replyReset(): void {
  let f = segFlags;
  if (f & TCP_RST) return;
  if (f & TCP_ACK) {
    emitReset(segSrc, segDport, segSport, segAck, 0, TCP_RST);
  } else {
    let len = <u32>segDataLen + (f & TCP_SYN ? 1 : 0) + (f & TCP_FIN ? 1 : 0);
    emitReset(segSrc, segDport, segSport, 0, segSeq + len, TCP_RST | TCP_ACK);
  }
}

/**
 * Takes the peer's SYN options: MSS (RFC 9293 §3.7.1; `mss` < 0 when absent), window scale (`wscale`
 * < 0 when absent) and timestamps (RFC 7323), SACK-permitted (RFC 2018), and its ISN `irs`.
 */
function synOptions(c: Conn, mss: i32, wscale: i32, sackOk: bool, tsOk: bool, tsVal: u32, irs: u32): void {
  let flags = c.flags & ~(F.TS | F.SACK | F.WS); // one load and one store of the flags word
  if (cfgTimestamps && tsOk) { flags |= F.TS; c.tsRecent = tsVal; }
  if (OPT_SACK && cfgSack && sackOk) flags |= F.SACK;
  if (cfgWindowScaling && wscale >= 0) {
    flags |= F.WS;
    c.wscales = <u8>min<i32>(wscale, 14) | (ourWscale() << 4); // sndWscale, rcvWscale
  } else {
    c.wscales = 0;
  }
  c.flags = flags | F.HAVE_IRS;
  let peer = mss >= 0 ? max<i32>(mss, 64) : cfgDefaultMss;
  c.sndMss = <u16>min<i32>(peer, <i32>c.rcvMss); // the peer's MSS, bounded by ours (cfgMss, the interface MTU)
  let rcvNxt = irs + 1;
  c.irs = irs;
  c.rcvNxt = rcvNxt;
  c.lastAckSent = rcvNxt;
  c.rcvAdv = rcvNxt;
}

/** Takes the options, ISN and window of the SYN being processed. */
function negotiate(c: Conn): void {
  let o = opts();
  synOptions(c, o.mss, o.wscale, o.sackPermitted, o.tsPresent, o.tsVal, segSeq);
  c.sndWnd = segWnd; // RFC 7323 §2.2: the window of a SYN is never scaled
  c.maxSndWnd = segWnd;
  c.sndWl1 = segSeq;
  ccInit(c);
}

/**
 * SEGMENT ARRIVES in LISTEN (RFC 9293 §3.10.7.2): a SYN creates a half-open child in SYN_RCVD while
 * the listener's SYN queue and the table have room, else it is answered with a SYN cookie (RFC 4987);
 * an ACK may carry a cookie; anything else with ACK gets a RST.
 */
function listenInput(li: i32): void {
  let f = segFlags;
  if (f & TCP_RST) return;
  if (f & TCP_ACK) {
    if (!(f & TCP_SYN) && cookieInput(li)) return;
    resetNoConnection();
    return;
  }
  if (!(f & TCP_SYN)) return;
  let l = listenerAt(li);
  let queued = <i32>l.pending - <i32>l.halfOpen; // established, waiting for accept
  if (queued >= <i32>l.backlog) { statAdd(Stat.SynDropped); return; } // Linux: the accept queue is full
  let c = halfOpenRoom(l, queued) ? connOpen(segSrc, segSport, segDport, segIf) : null;
  if (c == null) {
    if (OPT_SYN_COOKIES && cfgSynCookies) { cookieSynAck(); statAdd(Stat.SynCookiesSent); } else statAdd(Stat.SynDropped);
    return;
  }
  childAdd(li, c);
  halfOpenAdd(li, c);
  negotiate(c);
  setStateFrom(c, S.SYN_RCVD, S.LISTEN);
  tcpOutput(c); // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
}

/**
 * An ACK to listener `li`: when it carries a valid SYN cookie (syncookie.ts), the connection it
 * describes is created straight into ESTABLISHED (window scale and SACK from the echoed timestamp,
 * lost without timestamps) and the rest of the segment is processed on it. Returns false when the
 * ACK carries no cookie (the caller answers with RST).
 */
function cookieInput(li: i32): bool {
  if (!OPT_SYN_COOKIES || !cfgSynCookies || !cookiesRecent()) return false;
  let irs = segSeq - 1;
  let idx = cookieCheck(segAck - 1, irs);
  if (idx < 0) { statAdd(Stat.SynCookiesFailed); return false; }
  let l = listenerAt(li);
  // No room to queue it: drop the ACK (Linux); the peer's next segment may find room.
  if (<i32>l.pending - <i32>l.halfOpen >= <i32>l.backlog) { statAdd(Stat.SynDropped); return true; }
  let c = connOpen(segSrc, segSport, segDport, segIf);
  if (c == null) { statAdd(Stat.SynDropped); return true; }
  statAdd(Stat.SynCookiesRecv);
  childAdd(li, c);
  let o = opts();
  let ts = o.tsPresent;
  synOptions(c, cookieMss(idx), ts ? cookieWscale(o.tsEcr) : -1, ts && cookieSack(o.tsEcr), ts, o.tsVal, irs);
  c.iss = segAck - 1;
  c.sndUna = segAck;
  c.sndNxt = segAck;
  c.sndMax = segAck;
  c.sndBufSeq = segAck;
  c.sndWl1 = irs; // the window update below takes this ACK's window
  ccInit(c);
  becomeEstablishedFrom(c, S.LISTEN, li);
  otherInput(c);
  return true;
}

/** SEGMENT ARRIVES in SYN_SENT (RFC 9293 §3.10.7.3). */
function synSentInput(c: Conn): void {
  let f = segFlags;
  let ackOk = false;
  if (f & TCP_ACK) {
    // First: an ACK outside (ISS, SND.NXT] is answered with a reset.
    if (seqLe(segAck, c.iss) || seqGt(segAck, c.sndMax)) {
      if (!(f & TCP_RST)) emitReset(segSrc, segDport, segSport, segAck, 0, TCP_RST);
      // Linux: the peer may have missed an earlier reset; try the SYN again almost at once.
      if (cfgSynResendOnBadAck && c.retransmits == 0) armRtx(c, nowMs + 2);
      return;
    }
    ackOk = true;
  }
  // Second: RST is accepted only with an acceptable ACK (RFC 5961 §3.2 for SYN_SENT).
  if (f & TCP_RST) {
    statAdd(Stat.RstIn);
    if (ackOk) connDone(c, Errno.ECONNREFUSED);
    return;
  }
  // Fourth: SYN.
  if (!(f & TCP_SYN)) return;
  negotiate(c);
  if (ackOk) {
    ackSyn(c);
    becomeEstablished(c);
    if (c.flags & F.FIN_QUEUED) setState(c, S.FIN_WAIT_1);
    c.flags |= F.ACK_NOW;
    tcpOutput(c);
  } else {
    // Simultaneous open (RFC 9293 §3.5 Figure 7): answer with SYN-ACK from the same ISS.
    setState(c, S.SYN_RCVD);
    c.sndNxt = c.iss;
    stopRtx(c);
    tcpOutput(c);
  }
}

/** Our SYN was acknowledged: RTT sample (not after a retransmission, Karn), stop the timer. */
function ackSyn(c: Conn): void {
  let o = opts();
  if ((c.flags & F.TS) && o.tsPresent && o.tsEcr != 0) {
    rttSample(c, <f64><i32>(tsValNow(c) - o.tsEcr) * cfgTsTickMs);
  } else if ((c.flags & F.RTT_TIMING) && c.retransmits == 0) {
    rttSample(c, msSince(c.rttStart));
  }
  c.flags &= ~F.RTT_TIMING;
  synRtoFallback(c);
  c.sndUna = segAck;
  if (seqGt(c.sndUna, c.sndNxt)) c.sndNxt = c.sndUna;
  c.retransmits = 0;
  stopRtx(c);
}

/** RFC 6298 §5.7: the SYN was retransmitted and no RTT sample exists: data starts with RTO = 3 s. */
function synRtoFallback(c: Conn): void {
  if (c.srtt <= 0 && c.retransmits > 0) c.rto = <f32>max<f64>(3000, cfgRtoInitialMs);
}

/** True when our FIN has been sent and acknowledged. */
// @ts-ignore: decorator
@inline function finAcked(c: Conn): bool {
  return (c.flags & F.FIN_QUEUED) != 0 && c.sndBufLen == 0 && c.sndUna == c.sndBufSeq + 1;
}

/** RFC 5961 challenge ACK, rate-limited per connection and engine-wide (§7, ratelimit.ts). */
function challengeAck(c: Conn): void {
  if (!challengeAllowed(c)) return;
  statAdd(Stat.ChallengeAcks);
  sendAck(c);
}

/** Answers an unacceptable segment with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, rate-limited per connection. */
function dupAck(c: Conn, flags: u32, dataLen: i32): void {
  if (replyAllowed(c, flags, dataLen)) sendAck(c);
}

/**
 * RFC 6191: a SYN for a connection in TIME_WAIT opens a new one when its timestamp (or, without
 * timestamps, its sequence number) is newer than anything of the old incarnation. Returns true
 * when it did.
 */
function timeWaitSyn(c: Conn): bool {
  let o = opts();
  let newer = (c.flags & F.TS) && o.tsPresent ? seqGt(o.tsVal, c.tsRecent) : seqGt(segSeq, c.rcvNxt);
  let li = listenerFind(segDport);
  if (!newer || li < 0) return false;
  let old = c.sndMax;
  connDone(c, 0);
  let iss = isnFor(segDst, segDport, segSrc, segSport, nowMs);
  isnSetOverride(<i64>(seqGt(iss, old) ? iss : old + 250000));
  listenInput(li);
  return true;
}

/**
 * First step (RFC 9293 §3.10.7.4): is the segment acceptable, with the zero-window allowance?
 * An unacceptable one is answered with an ACK (unless it is a RST) and dropped (returns false);
 * an acceptable one is trimmed to the window: old bytes off the front, bytes past it off the back.
 */
function checkSequence(c: Conn, st: i32): bool {
  let f = segFlags;
  let segLen = <u32>segDataLen + (f & TCP_SYN ? 1 : 0) + (f & TCP_FIN ? 1 : 0);
  let wnd = rcvSpace(c);
  let rel = seqDiff(segSeq, c.rcvNxt);
  let ok: bool;
  if (segLen == 0) {
    ok = wnd == 0 ? rel == 0 : rel >= 0 && <u32>rel < wnd;
  } else if (wnd == 0) {
    ok = rel == 0; // RFC 9293: still take the ACK and RST of a segment at RCV.NXT when the window is zero
  } else {
    let relEnd = rel + <i32>segLen - 1;
    ok = (rel >= 0 && <u32>rel < wnd) || (relEnd >= 0 && <u32>relEnd < wnd);
  }
  if (!ok) {
    if (!(f & TCP_RST)) {
      if (st == S.TIME_WAIT && (f & TCP_FIN)) restartTimeWait(c); // retransmitted FIN
      if (rel < 0 && segDataLen > 0) oldDataReceived(c, segSeq, min<i32>(segDataLen, -rel), true);
      dupAck(c, f, segDataLen);
    }
    return false;
  }
  if (rel < 0 && !(f & TCP_SYN)) {
    let d = -rel;
    if (d >= segDataLen) {
      if (d > segDataLen && (f & TCP_FIN)) segClearFlags(TCP_FIN);
      d = segDataLen;
    }
    // Old bytes are a D-SACK; only a segment with nothing new is ACKed at once for that.
    oldDataReceived(c, segSeq, d, d == segDataLen && !(segFlags & TCP_FIN));
    segTrimFront(d);
  }
  let room = seqDiff(c.rcvNxt + wnd, segSeq);
  if (segDataLen > room) {
    segTrimBack(room > 0 ? room : 0);
    segClearFlags(TCP_FIN);
    c.flags |= F.ACK_NOW;
  }
  return true;
}

/** Second step: RST (RFC 5961 §3.2: reset only on an exact match, challenge ACK otherwise). */
function resetStep(c: Conn, st: i32, seq0: u32): void {
  statAdd(Stat.RstIn);
  if (seq0 != c.rcvNxt) { challengeAck(c); return; }
  if (st == S.SYN_RCVD) connDone(c, c.flags & F.ACTIVE ? Errno.ECONNREFUSED : 0);
  else if (st == S.CLOSE_WAIT) connDone(c, Errno.EPIPE); // Linux tcp_reset: the read side already ended
  else if (st == S.ESTABLISHED || st == S.FIN_WAIT_1 || st == S.FIN_WAIT_2) connDone(c, Errno.ECONNRESET);
  else connDone(c, 0);
}

/**
 * Fifth step: the ACK. Keepalive and SYN_RCVD bookkeeping, then processAck, then the state changes
 * an acknowledged FIN brings (FIN_WAIT_1→2, CLOSING→TIME_WAIT, LAST_ACK→CLOSED). Returns false when
 * processing ends here.
 */
function ackStep(c: Conn, st: i32, seq0: u32): bool {
  if (st == S.TIME_WAIT) {
    if (c.flags & F.ACK_NOW) sendAck(c);
    return false;
  }
  if ((c.flags & F.KEEPALIVE) && (st == S.ESTABLISHED || st == S.CLOSE_WAIT)) {
    c.kaProbes = 0;
    armIdle(c, nowMs + <f64>c.keepaliveIdle);
  }
  if (st == S.SYN_RCVD) {
    if (!(seqLt(c.sndUna, segAck) && seqLe(segAck, c.sndMax))) {
      emitReset(segSrc, segDport, segSport, segAck, 0, TCP_RST);
      return false;
    }
    c.sndWnd = segWnd << c.sndWscale;
    if (c.sndWnd > c.maxSndWnd) c.maxSndWnd = c.sndWnd;
    c.sndWl1 = seq0;
    becomeEstablished(c);
    if ((c.flags & F.ACTIVE) && (c.flags & F.FIN_QUEUED)) setState(c, S.FIN_WAIT_1);
    st = <i32>c.state;
  }
  if (!processAck(c, seq0)) return false;
  if (!finAcked(c)) return true;
  if (st == S.FIN_WAIT_1) {
    setState(c, S.FIN_WAIT_2);
    // TCP_LINGER2 < 0: no orphaned FIN_WAIT_2; Linux answers the ACK with a RST.
    if ((c.flags & F.USER_CLOSED) && !orphanFinWait2(c)) { replyReset(); return false; }
  } else if (st == S.CLOSING) {
    enterTimeWait(c);
    return false;
  } else if (st == S.LAST_ACK) {
    connDone(c, 0);
    return false;
  }
  return true;
}

/** Seventh step: segment text (URG, the sixth, is ignored). Returns false when the connection died. */
function textStep(c: Conn): bool {
  if (segDataLen <= 0) return true;
  let st = <i32>c.state;
  if (st != S.ESTABLISHED && st != S.FIN_WAIT_1 && st != S.FIN_WAIT_2) {
    c.flags |= F.ACK_NOW;
    return true;
  }
  if ((c.flags & F.USER_CLOSED) && cfgRstOnDataAfterClose) {
    // Nobody will read it (Linux tcp_rcv_state_process "abort on data").
    replyReset();
    connDone(c, Errno.ECONNRESET);
    return false;
  }
  // Nothing follows a FIN: bytes at or past an early FIN's sequence number are not data.
  if (c.flags & F.OOO_FIN) {
    let room = seqDiff(rcvFinSeq(c), segSeq);
    if (room < segDataLen) {
      segTrimBack(room > 0 ? room : 0);
      c.flags |= F.ACK_NOW;
    }
  }
  receiveData(c);
  return true;
}

/**
 * Eighth step: FIN, in order only; an early FIN waits for the hole to fill (its SACK block covers it,
 * as Linux), and out-of-order data past it is forgotten. A second early FIN counts only if it is
 * earlier than the first.
 */
function finStep(c: Conn): void {
  if (segFlags & TCP_FIN) {
    let fs = segSeq + <u32>segDataLen;
    if (fs == c.rcvNxt) processFin(c);
    else if (seqGt(fs, c.rcvNxt) && !((c.flags & F.OOO_FIN) && !seqLt(fs, rcvFinSeq(c))) && oooAcquire(c)) {
      c.flags |= F.OOO_FIN | F.ACK_NOW;
      rcvFinSeqSet(c, fs);
      oooTrim(c, fs);
      oooAdd(c, fs, fs + 1);
    }
  } else if ((c.flags & F.OOO_FIN) && rcvFinSeq(c) == c.rcvNxt) {
    processFin(c);
  }
}

/**
 * Header prediction (RFC 9293 has none; Van Jacobson's, as BSD and Linux): in ESTABLISHED, a segment
 * with ACK (± PSH) only, at RCV.NXT, that fits the receive space, with no out-of-order data or early
 * FIN held, that passes PAWS, and whose ACK is new or finds nothing in flight, goes through the steps
 * of `otherInput` that can apply to it: TS.Recent, keepalive, processAck, textStep, output. Anything
 * else returns false before any change, for the full path.
 */
function predictedInput(c: Conn): bool {
  let f = segFlags;
  let seq0 = segSeq;
  let ack = segAck;
  let o = opts();
  let flags = c.flags;
  let ts = (flags & F.TS) != 0;
  let una = c.sndUna;
  let max = c.sndMax;
  let tsVal = o.tsVal;
  if ((f & ~TCP_PSH) != TCP_ACK || seq0 != c.rcvNxt || <u32>segDataLen > rcvSpace(c) ||
    (flags & (F.OOO_FIN | F.USER_CLOSED | F.PERSIST)) || c.oooCount != 0 ||
    (ts && (!o.tsPresent || seqLt(tsVal, c.tsRecent))) ||
    seqGt(ack, max) || !(seqGt(ack, una) || (ack == una && max == una))) return false;
  // RFC 7323 §4.3 (as in otherInput; PAWS passed above).
  if (ts && seqLe(seq0, c.lastAckSent)) c.tsRecent = tsVal;
  if (flags & F.KEEPALIVE) {
    c.kaProbes = 0;
    armIdle(c, nowMs + <f64>c.keepaliveIdle);
  }
  if (!processAck(c, seq0) || !textStep(c)) return true;
  if (c.state != S.CLOSED) tcpOutput(c);
  return true;
}

/** SEGMENT ARRIVES in SYN_RCVD and every synchronized state (RFC 9293 §3.10.7.4), step by step. */
function otherInput(c: Conn): void {
  let st = <i32>c.state;
  if (st == S.ESTABLISHED && predictedInput(c)) return;
  let f = segFlags;
  let o = opts();
  let seq0 = segSeq;
  if (st == S.TIME_WAIT && (f & TCP_SYN) && !(f & (TCP_ACK | TCP_RST)) && timeWaitSyn(c)) return;
  // A repeated SYN in SYN_RCVD means our SYN-ACK was lost: send it again (rate-limited, as Linux).
  if (st == S.SYN_RCVD && (f & TCP_SYN) && !(f & (TCP_ACK | TCP_RST)) && segSeq == c.irs) {
    if (replyAllowed(c, f, segDataLen)) {
      c.sndNxt = c.iss;
      tcpOutput(c);
    }
    return;
  }
  // RFC 7323 §5.3 PAWS: an older timestamp means an old duplicate (Linux exempts RST).
  if ((c.flags & F.TS) && o.tsPresent && !(f & TCP_RST) && seqLt(o.tsVal, c.tsRecent)) {
    statAdd(Stat.PawsRejected);
    dupAck(c, f, segDataLen);
    return;
  }
  if (!checkSequence(c, st)) return;
  // RFC 7323 §4.3: TS.Recent follows the segment that carries Last.ACK.sent.
  if ((c.flags & F.TS) && o.tsPresent && seqGe(o.tsVal, c.tsRecent) && seqLe(seq0, c.lastAckSent)) c.tsRecent = o.tsVal;
  f = segFlags;
  if (f & TCP_RST) { resetStep(c, st, seq0); return; }
  // Fourth: SYN in a synchronized state (RFC 5961 §4): challenge ACK.
  if (f & TCP_SYN) { challengeAck(c); return; }
  if (!(f & TCP_ACK)) return;
  if (!ackStep(c, st, seq0)) return;
  if (!textStep(c)) return;
  finStep(c);
  if (c.state != S.CLOSED) tcpOutput(c);
}

/**
 * How far below SND.UNA an ACK may be (RFC 5961 §5.2: MAX.SND.WND), clamped as Linux does to the
 * bytes the peer has acknowledged so far: an ACK for bytes we never sent is never acceptable.
 */
function oldAckRange(c: Conn): u32 {
  if (c.flags & F.ACKED_WINDOW) return c.maxSndWnd;
  let acked = c.sndUna - (c.iss + 1); // data bytes acknowledged; below 2^31 until the flag is set
  if (<i32>acked < 0) return 0;
  if (acked >= c.maxSndWnd) { c.flags |= F.ACKED_WINDOW; return c.maxSndWnd; }
  return acked;
}

/** Fifth step for synchronized states: validate SEG.ACK, take new data acknowledged, count duplicates, update the window. */
function processAck(c: Conn, seq0: u32): bool {
  let ack = segAck;
  let max = c.sndMax;
  // RFC 9293 / RFC 5961 §5.2: an ACK for data never sent, or too old, gets an ACK and is dropped.
  if (seqGt(ack, max)) {
    if (cfgAckUnsentData) dupAck(c, segFlags, segDataLen);
    return false;
  }
  let una = c.sndUna;
  if (seqLt(ack, una - oldAckRange(c))) {
    challengeAck(c);
    return false;
  }
  // A peer answering zero-window probes is alive: the connection stays open as long as it
  // does (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17); only unanswered probes count.
  if (c.flags & F.PERSIST) c.retransmits = 0;
  let wnd = segWnd << c.sndWscale;
  if (seqGt(ack, una)) {
    ackNewData(c, ack);
  } else if (max != una) {
    // RFC 5681 §2 duplicate ACK (NewReno counts them; with SACK the blocks say what arrived).
    let dup = ack == una && segDataLen == 0 && !(segFlags & (TCP_SYN | TCP_FIN)) && wnd == c.sndWnd;
    if (dup || (c.flags & F.SACK)) {
      lossOnAck(c, ack, 0, dup);
      ackTimers(c, false);
    }
  }
  // Window update (RFC 9293 §3.10.7.4 fifth step): only from an ACK in SND.UNA..SND.NXT (one below
  // SND.UNA is ignored, as Linux tcp_ack's old_ack), and not from a segment older than the last one
  // taken (SND.WL1 ≤ SEG.SEQ). The RFC's SND.WL2 ≤ SEG.ACK test always holds then (SND.WL2, the ACK
  // of the last update, is at most SND.UNA ≤ SEG.ACK), so no SND.WL2 is kept.
  if (seqGe(ack, una) && seqLe(c.sndWl1, seq0)) {
    c.sndWnd = wnd;
    c.sndWl1 = seq0;
    if (wnd > c.maxSndWnd) c.maxSndWnd = wnd;
    if (wnd > 0 && (c.flags & F.PERSIST)) {
      stopRtx(c);
      c.retransmits = 0;
    }
  }
  return true;
}

/** RFC 7323 §4.1 (RTTM with TSecr) or RFC 6298 §3 timing with Karn's rule, for an ACK of `ack`. */
function sampleRtt(c: Conn, ack: u32): void {
  let o = opts();
  let flags = c.flags; // rttSample and rtoCompute leave the flags alone
  let timed = (flags & F.RTT_TIMING) != 0 && seqGe(ack, c.rttSeq);
  let ecr = o.tsEcr;
  if ((flags & F.TS) && o.tsPresent && ecr != 0) {
    // An echo from before a resend of this data measures the timeout, not the path; the resend was
    // spurious (RFC 3522), so the RTO drops its backoff and keeps SRTT and RTTVAR.
    if (!tsEchoPredatesResend(c, ack)) rttSample(c, <f64><i32>(tsValNow(c) - ecr) * cfgTsTickMs);
    else rtoCompute(c);
  } else if (timed) {
    rttSample(c, msSince(c.rttStart));
  } // else Karn (RFC 6298 §5): the backed-off RTO stays until a valid sample
  if (timed) c.flags = flags & ~F.RTT_TIMING;
}

/** Frees the send-ring bytes `ack` acknowledges; returns how many. */
function releaseAcked(c: Conn, ack: u32): i32 {
  let freed = seqDiff(ack, c.sndBufSeq);
  if (freed < 0) freed = 0;
  if (<u32>freed > c.sndBufLen) freed = <i32>c.sndBufLen;
  if (freed > 0) {
    let h = c.sndBufHead + <u32>freed;
    if (h >= <u32>cfgSendBufferSize) h -= <u32>cfgSendBufferSize;
    c.sndBufHead = h;
    c.sndBufLen -= <u32>freed;
    c.sndBufSeq += <u32>freed;
  }
  return freed;
}

/** SND.UNA < SEG.ACK ≤ SND.MAX: RTT sample, free acknowledged bytes, congestion control, timer. */
function ackNewData(c: Conn, ack: u32): void {
  sampleRtt(c, ack);
  if (c.sndUna == c.iss) synRtoFallback(c); // this ACK completes a passive open
  let freed = releaseAcked(c, ack);
  if (ackedAll(c, ack, <u32>freed)) {
    c.retransmits = 0;
  } else {
    lossOnAck(c, ack, <u32>freed, false);
    c.sndUna = ack;
    if (seqGt(ack, c.sndNxt)) c.sndNxt = ack;
    c.retransmits = 0;
    ackTimers(c, true); // RFC 6298 §5.2–5.3, or the probe / reordering timer (RFC 8985)
  }
  if ((c.flags & F.WANT_WRITE) && freed > 0 && (c.flags & F.HOST)) {
    c.flags &= ~F.WANT_WRITE;
    emit(Ev.Writable, connIndex(c), 0);
  }
}

/** Eighth step: the peer's FIN is in order: advance RCV.NXT over it, ACK it, and change state. */
function processFin(c: Conn): void {
  let st = <i32>c.state;
  // Linux enters ping-pong mode on a FIN in ESTABLISHED: once data has arrived, its ACK is delayed.
  let delay = cfgDelayFinAck && (st == S.ESTABLISHED || st == S.SYN_RCVD) && seqDiff(c.rcvNxt, c.irs) > 1;
  c.rcvNxt += 1;
  c.flags = (c.flags | F.PEER_FIN) & ~F.OOO_FIN;
  c.oooCount = 0; // out-of-order data past the FIN is not data (Linux tcp_fin purges it)
  dsackClear(c); // Linux tcp_fin resets the SACK state: the ACK of a FIN carries no D-SACK (the pool slot goes)
  if (delay && !(c.flags & F.ACK_NOW)) armDelack(c); else c.flags |= F.ACK_NOW;
  if (c.flags & F.HOST) {
    emit(Ev.PeerFin, connIndex(c), 0);
    notifyReadable(c);
  }
  if (st == S.SYN_RCVD || st == S.ESTABLISHED) setState(c, S.CLOSE_WAIT);
  else if (st == S.FIN_WAIT_1) setState(c, S.CLOSING);
  else if (st == S.FIN_WAIT_2) enterTimeWait(c);
  else if (st == S.TIME_WAIT) restartTimeWait(c);
}
