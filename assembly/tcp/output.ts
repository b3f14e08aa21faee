// Segment building and the send decision (lwIP tcp_out.c, Linux tcp_output.c): options, window
// advertisement, Nagle, sender/receiver SWS avoidance, and copy+checksum from the send ring in one pass.
import { F, S, Stat } from '../abi';
import { Conn, oooLeft, oooRight } from './conn';

import { connIndex, sndRing, sackScratch } from '../memory';
import { cfgTtl, cfgRecvBufferSize, cfgSendBufferSize, cfgTsTickMs, cfgWindowScale, cfgTimestamps, cfgSack, cfgWindowScaling, cfgMinshallNagle, cfgLinuxSenderWindow, cfgPshOnBurstEnd } from '../config';
import { localAddr } from './table';
import { txReserve } from './txqueue';
import { nowMs } from './clock';
import { seqDiff, seqGt, seqLt, seqMax } from './seq';
import { statAdd } from './stats';
import { armRtx } from './timers';
import { effMss } from './window';
import { ipv4Emit, IP_PROTO_TCP } from '../wire/ipv4';
import { tcpEmit, tcpSetChecksumWithPayloadSum, TCP_SYN, TCP_ACK, TCP_FIN, TCP_RST, TCP_PSH } from '../wire/tcp';
import { emitMss, emitNop, emitSackPermitted, emitTimestamps, emitWindowScale, emitSackBlocks } from '../wire/options';
import { copyWithChecksum, fold32, checksumUpdate } from '../wire/checksum';
import { loadBe16, storeBe16 } from '../wire/ipv4';

let ipId: u16 = 0;
/** TCP header of the segment emitted last (valid until the host drains the tx queue). */
let lastTcpHeader: usize = 0;

/** Sets PSH on the segment emitted last, fixing its checksum incrementally (RFC 1624). */
function markPushOnLast(): void {
  let t = lastTcpHeader;
  let oldWord = loadBe16(t + 12);
  if (oldWord & TCP_PSH) return;
  let newWord = oldWord | TCP_PSH;
  storeBe16(t + 12, newWord);
  storeBe16(t + 16, checksumUpdate(loadBe16(t + 16), oldWord, newWord));
}
/** Set when some connection could not send for lack of tx room (poll retries). */
export let outputPending: bool = false;

/** Clears outputPending (poll is about to retry). */
export function clearOutputPending(): void { outputPending = false; }

/** The window shift we offer (RFC 7323 §2.3): configured, or the smallest that covers the receive buffer. */
export function ourWscale(): u8 {
  if (cfgWindowScale >= 0) return <u8>cfgWindowScale;
  let s = 0;
  while ((cfgRecvBufferSize >> s) > 65535 && s < 14) s++;
  return <u8>s;
}

/** Our current timestamp value (RFC 7323 §5.4). */
export function tsValNow(c: Conn): u32 {
  return <u32>(<u64>(nowMs / cfgTsTickMs)) + c.tsOffset;
}

/** Free bytes of the receive ring past rcvNxt: the most we can accept. */
export function rcvSpace(c: Conn): u32 {
  return <u32>cfgRecvBufferSize - c.rcvBufLen;
}

/**
 * Window to advertise, in bytes, with receiver-side SWS avoidance (RFC 9293 §3.8.6.2.2): the right edge
 * moves only by at least min(buffer/2, MSS), and never moves left.
 */
function windowToAdvertise(c: Conn): u32 {
  let free = rcvSpace(c);
  let cur = seqDiff(c.rcvAdv, c.rcvNxt);
  let curU: u32 = cur > 0 ? <u32>cur : 0;
  let step = min<u32>(<u32>cfgRecvBufferSize >> 1, <u32>c.rcvMss);
  let wnd = free >= curU + step ? free : curU;
  if (wnd > free) wnd = free;
  let maxWnd: u32 = c.flags & F.WS ? <u32>65535 << c.rcvWscale : 65535;
  if (wnd > maxWnd) wnd = maxWnd;
  return wnd;
}

/** Window of a SYN or SYN-ACK: never scaled (RFC 7323 §2.2), rounded down to whole MSS (Linux: 64240 for 1460). */
function synWindow(c: Conn, wnd: u32): u32 {
  let w = min<u32>(wnd, 65535);
  let mss = <u32>c.rcvMss;
  if (w > mss) w -= w % mss;
  return w;
}

/** Sum of a payload chunk that starts at odd offset `odd` of the data (RFC 1071 §2(B): swap bytes). */
// @ts-ignore: decorator
@inline function placeSum(sum: u32, odd: bool): u32 {
  return odd ? ((sum & 0xff) << 8) | (sum >> 8) : sum;
}

/**
 * Builds and queues one segment of `c`: `len` payload bytes from send-ring offset `dataOff`, control
 * bits `flags`; options per segment kind in Linux's order. Returns false when the tx queue is full.
 */
export function emitSegment(c: Conn, seq: u32, flags: u16, dataOff: u32, len: i32): bool {
  let isSyn = (flags & TCP_SYN) != 0;
  let ts = (c.flags & F.TS) != 0 || (isSyn && !(flags & TCP_ACK) && cfgTimestamps);
  // Option area length, then room check.
  let optLen = 0;
  let sackBlocks = 0;
  if (isSyn) {
    let synAck = (flags & TCP_ACK) != 0;
    let sackOk = synAck ? (c.flags & F.SACK) != 0 : cfgSack;
    let ws = synAck ? (c.flags & F.WS) != 0 : cfgWindowScaling;
    optLen = 4 + (ts ? 12 : 0) + (sackOk && !ts ? 4 : 0) + (ws ? 4 : 0);
  } else {
    if (ts) optLen = 12;
    if ((c.flags & F.SACK) && c.oooCount > 0 && !(flags & TCP_RST)) {
      sackBlocks = <i32>c.oooCount;
      let room = (40 - optLen - 4) >> 3;
      if (sackBlocks > room) sackBlocks = room;
      optLen += 4 + (sackBlocks << 3);
    }
  }
  let hdr = 20 + optLen;
  let p = txReserve(20 + hdr + len);
  if (p == 0) {
    c.flags |= F.NEED_OUTPUT;
    outputPending = true;
    return false;
  }
  let t = p + 20;
  let o = t + 20;
  let tsVal = ts ? tsValNow(c) : 0;
  if (isSyn) {
    let synAck = (flags & TCP_ACK) != 0;
    let sackOk = synAck ? (c.flags & F.SACK) != 0 : cfgSack;
    let ws = synAck ? (c.flags & F.WS) != 0 : cfgWindowScaling;
    o += emitMss(o, c.rcvMss);
    if (ts) {
      if (sackOk) { o += emitSackPermitted(o); sackOk = false; } else { o += emitNop(o); o += emitNop(o); }
      o += emitTimestamps(o, tsVal, synAck ? c.tsRecent : 0);
    }
    if (sackOk) { o += emitNop(o); o += emitNop(o); o += emitSackPermitted(o); }
    if (ws) { o += emitNop(o); o += emitWindowScale(o, c.rcvWscale); }
  } else {
    if (ts) { o += emitNop(o); o += emitNop(o); o += emitTimestamps(o, tsVal, c.tsRecent); }
    if (sackBlocks > 0) {
      // RFC 2018 §4: ranges are kept most recent first, which is the order the blocks go in.
      let n = sackBlocks;
      for (let i = 0; i < n; i++) {
        store<u32>(sackScratch + (<usize>i << 2), oooLeft(c, i));
        store<u32>(sackScratch + 16 + (<usize>i << 2), oooRight(c, i));
      }
      o += emitNop(o); o += emitNop(o);
      o += emitSackBlocks(o, sackScratch, sackScratch + 16, n);
    }
  }
  let ack: u32 = 0;
  let win: u32 = 0;
  if (flags & TCP_ACK) {
    ack = c.rcvNxt;
    let wnd = windowToAdvertise(c);
    if (isSyn) {
      win = synWindow(c, wnd);
    } else {
      win = wnd >> c.rcvWscale;
      // Keep the advertised right edge from moving left because of scale rounding (RFC 7323 §2.4).
      if (<u32>(win << c.rcvWscale) < wnd && ((win + 1) << c.rcvWscale) <= rcvSpace(c)) win++;
      if (win > 65535) win = 65535;
    }
    let edge = c.rcvNxt + (isSyn ? win : win << c.rcvWscale);
    if (isSyn || seqGt(edge, c.rcvAdv)) c.rcvAdv = edge;
    c.lastAckSent = c.rcvNxt;
    c.flags &= ~(F.ACK_NOW | F.DELACK);
    c.delackDeadline = Infinity;
    c.unackedSegs = 0;
  } else if (isSyn) {
    win = synWindow(c, rcvSpace(c));
  }
  if (flags & TCP_RST) win = 0;
  tcpEmit(t, c.localPort, c.remotePort, seq, ack, flags, <u16>win, optLen);
  let sum: u32 = 0;
  if (len > 0) {
    let size = <u32>cfgSendBufferSize;
    let ring = sndRing(connIndex(c));
    let start = c.sndBufHead + dataOff;
    if (start >= size) start -= size;
    let first = min<i32>(len, <i32>(size - start));
    sum = copyWithChecksum(t + <usize>hdr, ring + <usize>start, first, 0);
    if (first < len) {
      let s2 = copyWithChecksum(t + <usize>(hdr + first), ring, len - first, 0);
      sum = fold32(sum + placeSum(s2, (first & 1) != 0));
    }
  }
  tcpSetChecksumWithPayloadSum(t, hdr, len, sum, localAddr, c.remoteAddr);
  ipv4Emit(p, localAddr, c.remoteAddr, IP_PROTO_TCP, hdr + len, ipId++, <u8>cfgTtl, true);
  lastTcpHeader = t;
  statAdd(Stat.SegmentsOut);
  if (len > 0) statAdd(Stat.BytesOut, <u32>len);
  return true;
}

/** Sends a bare RST (or RST+ACK) that belongs to no connection (RFC 9293 §3.10.7.1); window 0, no options. */
export function emitReset(remoteAddr: u32, localPort: u32, remotePort: u32, seq: u32, ack: u32, flags: u16): void {
  let p = txReserve(40);
  if (p == 0) return;
  let t = p + 20;
  tcpEmit(t, <u16>localPort, <u16>remotePort, seq, ack, flags, 0, 0);
  tcpSetChecksumWithPayloadSum(t, 20, 0, 0, localAddr, remoteAddr);
  ipv4Emit(p, localAddr, remoteAddr, IP_PROTO_TCP, 20, ipId++, <u8>cfgTtl, true);
  statAdd(Stat.SegmentsOut);
  statAdd(Stat.RstOut);
}

/**
 * Sends an ACK now: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. SND.NXT here is the highest sequence sent
 * (sndMax): after a go-back-N timeout sndNxt moves back, and an ACK carrying that older number would
 * itself be unacceptable to the peer (an ACK war).
 */
export function sendAck(c: Conn): void {
  emitSegment(c, c.sndMax, TCP_ACK, 0, 0);
}

/** Sends RST+ACK with <SEQ=SND.NXT> for an abort (Linux tcp_send_active_reset). */
export function sendAbortRst(c: Conn): void {
  emitSegment(c, c.sndMax, TCP_RST | TCP_ACK, 0, 0);
}

/** Sequence number of our FIN (the end of the queued data). */
// @ts-ignore: decorator
@inline export function finSeq(c: Conn): u32 {
  return c.sndBufSeq + c.sndBufLen;
}

/** True when data queued before our FIN may still be sent in this state. */
// @ts-ignore: decorator
@inline function dataState(s: i32): bool {
  return s == S.ESTABLISHED || s == S.CLOSE_WAIT || s == S.FIN_WAIT_1 || s == S.LAST_ACK || s == S.CLOSING;
}

/**
 * Sends the segment starting at `seq` (a retransmission, or a window-override send of new data):
 * up to `maxLen` payload bytes, plus FIN when it reaches the end of the data and a FIN is queued.
 * A retransmission (`resend`) never reaches past SND.MAX: those bytes were never sent, so the peer's
 * ACK of them would be unacceptable (RFC 9293 §3.10.7.4) and the connection would stall; the caller
 * of a new-data send advances SND.NXT/SND.MAX itself. Returns bytes of sequence space sent, or −1
 * when the tx queue is full.
 */
export function sendFrom(c: Conn, seq: u32, maxLen: i32, resend: bool): i32 {
  let off = seqDiff(seq, c.sndBufSeq);
  if (off < 0) off = 0;
  let avail = <i32>c.sndBufLen - off;
  if (avail < 0) avail = 0;
  let len = min<i32>(avail, maxLen);
  let finOk = (c.flags & F.FIN_QUEUED) != 0 && c.state != S.ESTABLISHED && c.state != S.CLOSE_WAIT;
  if (resend) {
    let sent = seqDiff(c.sndMax, c.sndBufSeq + <u32>off);
    if (sent <= 0) return 0;
    if (len > sent) len = sent;
    finOk = finOk && seqGt(c.sndMax, finSeq(c)); // only a FIN that already went out
  }
  let flags: u16 = TCP_ACK;
  let fin = finOk && len == avail;
  if (fin) flags |= TCP_FIN;
  if (len > 0 && len == avail) flags |= TCP_PSH;
  if (len == 0 && !fin) return 0;
  if (!emitSegment(c, c.sndBufSeq + <u32>off, flags, <u32>off, len)) return -1;
  return len + (fin ? 1 : 0);
}

/**
 * Whether a sub-MSS segment of `len` bytes (of `avail` unsent) may go now: sender SWS avoidance
 * (RFC 9293 §3.8.6.2.1) and Nagle (RFC 896), classic or Minshall's variant (Linux).
 */
function sendSmall(c: Conn, len: i32, avail: i32, idleStart: bool): bool {
  let nagleOk: bool;
  if (c.flags & F.NODELAY) nagleOk = true;
  else if (cfgMinshallNagle) nagleOk = idleStart || !(seqGt(c.sndSml, c.sndUna) && !seqGt(c.sndSml, c.sndNxt));
  else nagleOk = c.sndNxt == c.sndUna;
  if (len == avail) return nagleOk; // the tail of the queued data
  // Window-limited: RFC rule (3), at least half the largest window the peer offered; or Linux's split.
  if (c.maxSndWnd > 0 && <u32>len >= (c.maxSndWnd >> 1)) return true;
  return cfgLinuxSenderWindow && nagleOk;
}

/**
 * The output routine (RFC 9293 §3.8.6 / lwIP tcp_output): sends SYN or SYN-ACK when due, then as much
 * queued data (and FIN) as the congestion and send windows allow, honouring Nagle and sender SWS
 * avoidance; finally an ACK if one is owed and nothing carried it.
 */
export function tcpOutput(c: Conn): void {
  let st = <i32>c.state;
  if (st == S.CLOSED || st == S.LISTEN || st == S.TIME_WAIT) {
    if (st == S.TIME_WAIT && (c.flags & F.ACK_NOW)) sendAck(c);
    return;
  }
  c.flags &= ~F.NEED_OUTPUT;
  // Our SYN is unacknowledged (SYN_SENT, SYN_RCVD, or FIN_WAIT_1 after close() in SYN_RCVD).
  if (st == S.SYN_SENT || st == S.SYN_RCVD || c.sndUna == c.iss) {
    if (c.sndNxt == c.iss) {
      let flags: u16 = st == S.SYN_SENT ? TCP_SYN : TCP_SYN | TCP_ACK;
      if (!emitSegment(c, c.iss, flags, 0, 0)) return;
      c.sndNxt = c.iss + 1;
      c.sndMax = seqMax(c.sndMax, c.sndNxt);
      if (c.rtxDeadline == Infinity) armRtx(c, nowMs + <f64>c.rto);
      if (c.retransmits == 0 && !(c.flags & F.RTT_TIMING)) {
        c.flags |= F.RTT_TIMING;
        c.rttSeq = c.iss + 1;
        c.rttStart = nowMs;
      }
    }
    if (st == S.SYN_SENT || st == S.SYN_RCVD) {
      if ((c.flags & F.ACK_NOW) && st == S.SYN_RCVD) sendAck(c);
      return;
    }
  }
  let sent = false;
  if (dataState(st)) {
    let mss = effMss(c);
    let idleStart = c.sndNxt == c.sndUna;
    let lastDataLen = 0;
    let windowCut = false;
    while (true) {
      // RFC 3042 limited transmit: each of the first two duplicate ACKs lets one new segment out.
      let lt: u32 = c.dupAcks > 0 && c.dupAcks < 3 && !(c.flags & F.RECOVERY) ? <u32>c.dupAcks * <u32>mss : 0;
      let wnd = min<u32>(c.sndWnd, c.cwnd + lt);
      let usable = seqDiff(c.sndUna + wnd, c.sndNxt);
      let off = seqDiff(c.sndNxt, c.sndBufSeq);
      let avail = <i32>c.sndBufLen - off;
      if (avail < 0) avail = 0;
      let finDue = (c.flags & F.FIN_QUEUED) != 0 && st != S.ESTABLISHED && st != S.CLOSE_WAIT &&
        !seqGt(c.sndNxt, finSeq(c));
      if (avail == 0 && !finDue) break;
      let len = min<i32>(avail, mss);
      if (usable < len) len = usable > 0 ? usable : 0;
      let flags: u16 = TCP_ACK;
      // A FIN rides on the segment that carries the last byte (it needs no window of its own).
      let fin = finDue && len == avail;
      if (avail > 0 && len == 0) { windowCut = true; break; }
      if (!fin && len < mss && !sendSmall(c, len, avail, idleStart)) break;
      if (fin) flags |= TCP_FIN;
      if (len > 0 && len == avail) flags |= TCP_PSH;
      let seq = c.sndNxt;
      if (!emitSegment(c, seq, flags, <u32>off, len)) break;
      sent = true;
      lastDataLen = len;
      if (len > 0 && len < mss) c.sndSml = seq + <u32>len;
      let adv = <u32>len + (fin ? 1 : 0);
      let isNew = !seqLt(seq, c.sndMax);
      c.sndNxt = seq + adv;
      if (seqGt(c.sndNxt, c.sndMax)) c.sndMax = c.sndNxt;
      if (isNew && !(c.flags & F.RTT_TIMING)) {
        c.flags |= F.RTT_TIMING;
        c.rttSeq = c.sndNxt;
        c.rttStart = nowMs;
      }
      if (c.rtxDeadline == Infinity || (c.flags & F.PERSIST)) {
        c.flags &= ~F.PERSIST;
        armRtx(c, nowMs + <f64>c.rto);
      }
      if (fin) break;
    }
    // Linux ends a burst cut short by the send or congestion window with PSH (its TSO skbs end there).
    if (windowCut && cfgPshOnBurstEnd && lastDataLen > 0) markPushOnLast();
    // Persist timer (RFC 9293 §3.8.6.1): data waits, nothing in flight, window closed or too small.
    let off2 = seqDiff(c.sndNxt, c.sndBufSeq);
    if (c.sndNxt == c.sndUna && <i32>c.sndBufLen > off2 && c.rtxDeadline == Infinity) {
      c.flags |= F.PERSIST;
      c.retransmits = 0;
      c.persistBackoff = 0;
      armRtx(c, nowMs + <f64>c.rto);
    }
  }
  if (!sent && (c.flags & F.ACK_NOW)) sendAck(c);
}
