// Segment building and the send decision (lwIP tcp_out.c, Linux tcp_output.c): options, window
// advertisement, Nagle, sender/receiver SWS avoidance, and copy+checksum from the send ring in one pass.
// Output cut short by a full tx queue waits on the pending-output ring until the next poll.
import { F, S, Stat } from '../abi';
import { Conn } from './conn';
import { connAt, connIndex, sndRing, sackScratch, outqBase } from '../memory';
import {
  cfgTtl, cfgSendBufferSize, cfgTimestamps, cfgSack, cfgWindowScaling, cfgMinshallNagle, cfgLinuxSenderWindow,
  cfgPshOnBurstEnd, cfgMaxConnections,
} from '../config';
import { ifAddr } from '../net/iface';
import { ipReserve } from '../net/route';
import { segDst, segIf } from './segment';
import { nowMs, nowEighths, tsValNow } from './clock';
import { seqDiff, seqGt, seqLt, seqMax } from './seq';
import { statAdd } from './stats';
import { armRtx, stopDelack, holdForOutput, rtxRunning } from './deadlines';
import { effMss, EFF_MSS_CUT_MAX, rcvSpace, windowFrom, synWindow } from './window';
import { sbSent, sbFirstLost, sbStart, sbEnd, sbPipe, tickNow } from './scoreboard';
import { ccBudget } from './congestion';
import { armXmit, armXmitTimer } from './rack';
import { dsackPending, dsackLeft, dsackRight, dsackClear, oooLeft, oooRight } from './ooopool';
import { ipv4Emit, ipv4EmitInline, IP_PROTO_TCP, loadBe16, storeBe16, swap16, swap32 } from '../wire/ipv4';
import { tcpEmit, tcpEmitFixed, tcpSetChecksumWithPayloadSum, TCP_SYN, TCP_ACK, TCP_FIN, TCP_RST, TCP_PSH } from '../wire/tcp';
import { emitSackBlocks } from '../wire/options';
import { copyWithChecksum, fold32, fold64, checksumUpdate } from '../wire/checksum';
import { OPT_SACK } from '../options';

// writeTsHeader reads both ports as one word.
if (offsetof<Conn>('remotePort') != offsetof<Conn>('localPort') + 2) ERROR('output.ts: Conn.remotePort must follow localPort');

let ipId: u16 = 0;
/** TCP header of the segment emitted last (valid until the host drains the tx queue). */
let lastTcpHeader: usize = 0;

// ---------------------------------------------------------------- pending output

// Exported for the test build's self-check (selfcheck.ts).
export let outqHead: i32 = 0;
export let outqCount: i32 = 0;

/** True when some connection waits for tx room (poll resumes it). */
export function outputPending(): bool { return outqCount > 0; }

/** Puts `c` on the pending-output ring (once: F.OUTQ survives the slot being freed and reused). */
function outqPush(c: Conn): void {
  c.flags |= F.NEED_OUTPUT;
  if (c.flags & F.OUTQ) return;
  c.flags |= F.OUTQ;
  let i = outqHead + outqCount;
  if (i >= cfgMaxConnections) i -= cfgMaxConnections;
  store<u16>(outqBase + (<usize>i << 1), <u16>connIndex(c));
  outqCount++;
  if (outqCount == 1) holdForOutput(true);
}

/** Resumes the output of the connections that waited for tx room, in the order they had to wait. */
export function outputResume(): void {
  for (let n = outqCount; n > 0; n--) {
    let c = connAt(<i32>load<u16>(outqBase + (<usize>outqHead << 1)));
    outqHead++;
    if (outqHead >= cfgMaxConnections) outqHead = 0;
    outqCount--;
    c.flags &= ~F.OUTQ;
    if ((c.flags & (F.USED | F.NEED_OUTPUT)) == (F.USED | F.NEED_OUTPUT)) tcpOutputFull(c);
  }
  if (outqCount == 0) holdForOutput(false);
}

/** Empties the ring (init). */
export function outputInit(): void {
  outqHead = 0;
  outqCount = 0;
}

// ---------------------------------------------------------------- building one segment

/** Sum of a payload chunk that starts at odd offset `odd` of the data (RFC 1071 §2(B): swap bytes). */
// @ts-ignore: decorator
@inline function placeSum(sum: u32, odd: bool): u32 {
  return odd ? ((sum & 0xff) << 8) | (sum >> 8) : sum;
}

/** Whether a segment with `flags` carries timestamps: negotiated, or offered on our SYN. */
// @ts-ignore: decorator
@inline function carriesTs(c: Conn, flags: u16): bool {
  return (c.flags & F.TS) != 0 || ((flags & TCP_SYN) != 0 && !(flags & TCP_ACK) && cfgTimestamps);
}

/** SACK-permitted on a SYN (offered) or SYN-ACK (echoed). */
// @ts-ignore: decorator
@inline function synSackOk(c: Conn, synAck: bool): bool { return OPT_SACK && (synAck ? (c.flags & F.SACK) != 0 : cfgSack); }

/** Window scale on a SYN (offered) or SYN-ACK (echoed). */
// @ts-ignore: decorator
@inline function synWs(c: Conn, synAck: bool): bool { return synAck ? (c.flags & F.WS) != 0 : cfgWindowScaling; }

/** SACK blocks a segment with `flags` carries after `optLen` bytes of other options (RFC 2018 §4, a D-SACK block first). */
function sackBlocksFor(c: Conn, flags: u16, optLen: i32): i32 {
  let n = <i32>c.oooCount + (dsackPending(c) ? 1 : 0);
  if (!OPT_SACK || !(c.flags & F.SACK) || n == 0 || (flags & TCP_RST)) return 0;
  return min<i32>(n, (40 - optLen - 4) >> 3);
}

/** Bytes of the option area of a segment with `flags`, `sackBlocks` blocks included. */
function optionLength(c: Conn, flags: u16, ts: bool, sackBlocks: i32): i32 {
  if (flags & TCP_SYN) {
    let synAck = (flags & TCP_ACK) != 0;
    return 4 + (ts ? 12 : 0) + (synSackOk(c, synAck) && !ts ? 4 : 0) + (synWs(c, synAck) ? 4 : 0);
  }
  let n = ts ? 12 : 0;
  return sackBlocks > 0 ? n + 4 + (sackBlocks << 3) : n;
}

/** The option bytes nop, nop, kind 8, length 10 as a big-endian u32 (as summed) and as stored. */
const TS_KIND_BE: u32 = 0x0101080a;
const TS_KIND_LE: u32 = 0x0a080101;
/** sackOK (kind 4, length 2), kind 8, length 10 as stored (a SYN's sackOK followed by timestamps). */
const TS_AFTER_SACK_OK_LE: u32 = 0x0a080204;

/** Writes the 4-byte word `first` (two bytes before the timestamps option, then its kind and length), TSval and TSecr; returns 12. */
// @ts-ignore: decorator
@inline function writeTs(o: usize, first: u32, tsVal: u32, tsEcr: u32): i32 {
  store<u32>(o, first);
  store<u64>(o, <u64>swap32(tsVal) | (<u64>swap32(tsEcr) << 32), 4);
  return 12;
}

/** Writes the options at `o` in Linux's order: SYN `mss,sackOK,TS,nop,wscale`, data `nop,nop,TS` then SACK. */
function writeOptions(c: Conn, o: usize, flags: u16, ts: bool, sackBlocks: i32): void {
  let tsVal = ts ? tsValNow(c) : 0;
  if (flags & TCP_SYN) {
    let synAck = (flags & TCP_ACK) != 0;
    let sackOk = synSackOk(c, synAck);
    store<u32>(o, 0x0402 | (<u32>swap16(c.rcvMss) << 16)); // MSS: kind 2, length 4, value
    o += 4;
    if (ts) {
      // sackOK (or nop,nop) then the timestamps option: its first word, then TSval and TSecr.
      o += writeTs(o, sackOk ? TS_AFTER_SACK_OK_LE : TS_KIND_LE, tsVal, synAck ? c.tsRecent : 0);
      sackOk = false;
    }
    if (sackOk) { store<u32>(o, 0x02040101); o += 4; } // nop, nop, sackOK
    if (synWs(c, synAck)) { store<u32>(o, 0x030301 | (<u32>c.rcvWscale << 24)); o += 4; } // nop, window scale
    return;
  }
  if (ts) o += writeTs(o, TS_KIND_LE, tsVal, c.tsRecent);
  if (sackBlocks > 0) {
    // RFC 2883 §4: a D-SACK block goes first (once); RFC 2018 §4: the ranges are kept most recent
    // first, which is the order the blocks go in.
    let k = 0;
    if (dsackPending(c)) {
      store<u32>(sackScratch, dsackLeft(c));
      store<u32>(sackScratch + 16, dsackRight(c));
      dsackClear(c);
      statAdd(Stat.DsacksOut);
      k = 1;
    }
    for (let i = 0; k < sackBlocks; i++, k++) {
      store<u32>(sackScratch + (<usize>k << 2), oooLeft(c, i));
      store<u32>(sackScratch + 16 + (<usize>k << 2), oooRight(c, i));
    }
    store<u16>(o, 0x0101); // nop, nop
    emitSackBlocks(o + 2, sackScratch, sackScratch + 16, sackBlocks);
  }
}

/**
 * The window field of a segment with `flags`; with ACK it also records what we advertise (RCV.ADV,
 * Last.ACK.sent) and settles any owed or delayed ACK.
 */
function advertise(c: Conn, flags: u16): u32 {
  let isSyn = (flags & TCP_SYN) != 0;
  if (!(flags & TCP_ACK)) return isSyn ? synWindow(c, rcvSpace(c)) : 0;
  // Each field once: nothing below writes them before the last read.
  let free = rcvSpace(c);
  let rcvNxt = c.rcvNxt;
  let ws = <u32>c.rcvWscale;
  let wnd = windowFrom(c, free, rcvNxt, ws);
  let win: u32;
  if (isSyn) {
    win = synWindow(c, wnd);
  } else {
    win = wnd >> ws;
    // Keep the advertised right edge from moving left because of scale rounding (RFC 7323 §2.4).
    if (<u32>(win << ws) < wnd && ((win + 1) << ws) <= free) win++;
    if (win > 65535) win = 65535;
  }
  let edge = rcvNxt + (isSyn ? win : win << ws);
  if (isSyn || seqGt(edge, c.rcvAdv)) c.rcvAdv = edge;
  c.lastAckSent = rcvNxt;
  c.flags &= ~F.ACK_NOW;
  stopDelack(c);
  c.unackedSegs = 0;
  return win;
}

/** Copies `len` bytes from send-ring offset `dataOff` to `dst`, summing them on the way (RFC 1071). */
function copyPayload(c: Conn, dst: usize, dataOff: u32, len: i32): u32 {
  let size = <u32>cfgSendBufferSize;
  let ring = sndRing(connIndex(c));
  let start = c.sndBufHead + dataOff;
  if (start >= size) start -= size;
  let first = min<i32>(len, <i32>(size - start));
  let sum = copyWithChecksum(dst, ring + <usize>start, first, 0);
  if (first < len) {
    let s2 = copyWithChecksum(dst + <usize>first, ring, len - first, 0);
    sum = fold32(sum + placeSum(s2, (first & 1) != 0));
  }
  return sum;
}

/** Swaps the bytes of each 16-bit half of `v` (two big-endian u16 fields as one little-endian word). */
// @ts-ignore: decorator
@inline function swapHalves(v: u32): u32 { return ((v & 0x00ff00ff) << 8) | ((v >>> 8) & 0x00ff00ff); }


/**
 * Writes the 32-byte header of a segment whose only option is `nop,nop,TS` (most segments after the
 * handshake) as whole words, with its checksum summed from the values written rather than read back
 * (RFC 1071: a 32-bit word adds as its two 16-bit halves, 2^16 ≡ 1 mod 0xffff). `sum` is the payload's.
 */
// @ts-ignore: decorator
@inline function writeTsHeader(c: Conn, t: usize, seq: u32, ack: u32, flags: u16, win: u32, len: i32, sum: u32, src: u32, dst: u32): void {
  let tsVal = tsValNow(c);
  let tsEcr = c.tsRecent;
  let ports = load<u32>(changetype<usize>(c), offsetof<Conn>('localPort')); // localPort, remotePort
  let ctl: u32 = ((<u32>0x8000 | <u32>(flags & 0x1ff)) << 16) | win; // data offset 8, flags; window
  let s = <u64>ports + <u64>seq + <u64>ack + <u64>ctl + <u64>TS_KIND_BE + <u64>tsVal + <u64>tsEcr +
    <u64>src + <u64>dst + <u64>(<u32>IP_PROTO_TCP + 32 + <u32>len) + <u64>sum;
  let csum = ~fold64(s) & 0xffff; // checksumFinish of a folded sum
  store<u32>(t, swapHalves(ports));
  store<u64>(t, <u64>swap32(seq) | (<u64>swap32(ack) << 32), 4);
  store<u64>(t, <u64>swap32(ctl) | (<u64>swapHalves(<u32>csum) << 32), 12); // urgent pointer 0
  store<u64>(t, <u64>TS_KIND_LE | (<u64>swap32(tsVal) << 32), 20);
  store<u32>(t, swap32(tsEcr), 28);
}

/**
 * Builds and queues one segment of `c`: `len` payload bytes from send-ring offset `dataOff`, control
 * bits `flags`; options per segment kind in Linux's order. Returns false when the tx queue is full
 * (the connection then waits on the pending-output ring).
 */
export function emitSegment(c: Conn, seq: u32, flags: u16, dataOff: u32, len: i32): bool {
  let ts = carriesTs(c, flags);
  let sackBlocks = flags & TCP_SYN ? 0 : sackBlocksFor(c, flags, ts ? 12 : 0);
  let optLen = optionLength(c, flags, ts, sackBlocks);
  let hdr = 20 + optLen;
  let ifi = <i32>c.ifIndex;
  let remoteAddr = c.remoteAddr;
  let p = ipReserve(20 + hdr + len, ifi, remoteAddr);
  if (p == 0) {
    outqPush(c);
    return false;
  }
  let t = p + 20;
  let sum = len > 0 ? copyPayload(c, t + <usize>hdr, dataOff, len) : 0;
  let ack = flags & TCP_ACK ? c.rcvNxt : 0;
  let win = advertise(c, flags);
  if (flags & TCP_RST) win = 0;
  let localAddr = ifAddr(ifi);
  if (ts && sackBlocks == 0 && !(flags & TCP_SYN)) {
    writeTsHeader(c, t, seq, ack, flags, win, len, sum, localAddr, remoteAddr);
  } else {
    writeOptions(c, t + 20, flags, ts, sackBlocks);
    tcpEmitFixed(t, c.localPort, c.remotePort, seq, ack, flags, <u16>win, hdr); // every layout is whole words
    tcpSetChecksumWithPayloadSum(t, hdr, len, sum, localAddr, remoteAddr);
  }
  ipv4EmitInline(p, localAddr, remoteAddr, IP_PROTO_TCP, hdr + len, ipId++, <u8>cfgTtl, true);
  lastTcpHeader = t;
  statAdd(Stat.SegmentsOut);
  if (len > 0) statAdd(Stat.BytesOut, <u32>len);
  return true;
}

/** Sets PSH on the segment emitted last, fixing its checksum incrementally (RFC 1624). */
function markPushOnLast(): void {
  let t = lastTcpHeader;
  let oldWord = loadBe16(t + 12);
  if (oldWord & TCP_PSH) return;
  let newWord = oldWord | TCP_PSH;
  storeBe16(t + 12, newWord);
  storeBe16(t + 16, checksumUpdate(loadBe16(t + 16), oldWord, newWord));
}

/**
 * Sends a bare RST (or RST+ACK) that belongs to no connection (RFC 9293 §3.10.7.1), in reply to the
 * segment being processed: from the address it was sent to, out of its interface; window 0, no options.
 */
export function emitReset(remoteAddr: u32, localPort: u32, remotePort: u32, seq: u32, ack: u32, flags: u16): void {
  let p = ipReserve(40, segIf, remoteAddr);
  if (p == 0) return;
  let t = p + 20;
  tcpEmit(t, <u16>localPort, <u16>remotePort, seq, ack, flags, 0, 0);
  tcpSetChecksumWithPayloadSum(t, 20, 0, 0, segDst, remoteAddr);
  ipv4Emit(p, segDst, remoteAddr, IP_PROTO_TCP, 20, ipId++, <u8>cfgTtl, true);
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

/** Sends a segment at SND.UNA − 1 with no data: a zero-window or keepalive probe that elicits an ACK. */
export function sendProbe(c: Conn): void {
  emitSegment(c, c.sndUna - 1, TCP_ACK, 0, 0);
}

// ---------------------------------------------------------------- the send decision

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

/** A FIN was asked for and the state has sent (or may send) it. */
// @ts-ignore: decorator
@inline function finAllowed(c: Conn, st: i32): bool {
  return (c.flags & F.FIN_QUEUED) != 0 && st != S.ESTABLISHED && st != S.CLOSE_WAIT;
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
  let finOk = finAllowed(c, <i32>c.state);
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
  let seq0 = c.sndBufSeq + <u32>off;
  if (!emitSegment(c, seq0, flags, <u32>off, len)) return -1;
  let n = len + (fin ? 1 : 0);
  noteSent(c, seq0, n);
  return n;
}

/**
 * Records on the scoreboard that `n` bytes of sequence space at `seq` went out now; a resend also
 * ends an RTT measurement it would make ambiguous (Karn, RFC 6298 §3).
 */
function noteSent(c: Conn, seq: u32, n: i32): void {
  if (c.sndUna == c.iss && seqLt(seq, c.sndMax)) return; // before our SYN is ACKed, rtxFire goes back to it
  if (seqLt(seq, c.sndMax) && (c.flags & F.RTT_TIMING) && seqLt(seq, c.rttSeq)) c.flags &= ~F.RTT_TIMING;
  sbSent(c, seq, seq + <u32>n, tickNow());
}

/**
 * Sends lost data again, lowest first (RFC 6675 NextSeg rule 1; after an RTO everything not
 * SACKed), one segment at a time while the congestion window has room (cwnd − pipe); `force` sends
 * the first one regardless (the fast retransmit, NewReno's partial ACK). Beyond the peer's window
 * only the segment at SND.UNA goes (Linux tcp_retransmit_skb). Returns whether anything went.
 */
export function resendLost(c: Conn, force: bool): bool {
  let mss = effMss(c);
  let sent = false;
  for (let guard = 0; guard < 65536; guard++) {
    let i = sbFirstLost(c);
    if (i < 0) break;
    let l = sbStart(c, i);
    let len = min<i32>(seqDiff(sbEnd(c, i), l), mss);
    if (!force && ccBudget(c, sbPipe(c)) < len) break;
    if (l != c.sndUna && !seqLt(l, c.sndUna + c.sndWnd)) break;
    let n = sendFrom(c, l, len, true);
    if (n <= 0) break;
    statAdd(Stat.Retransmits);
    sent = true;
    force = false;
  }
  return sent;
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

/** Starts an RTT measurement on the segment ending at `end` unless one runs (RFC 6298 §3). */
// @ts-ignore: decorator
@inline function timeSegment(c: Conn, end: u32): void {
  if (!(c.flags & F.RTT_TIMING)) {
    c.flags |= F.RTT_TIMING;
    c.rttSeq = end;
    c.rttStart = nowEighths;
  }
}

/**
 * Our SYN (SYN_SENT) or SYN-ACK (SYN_RCVD, or FIN_WAIT_1 after close() in SYN_RCVD) when it is due.
 * Returns false when output must stop here: still synchronizing, or the tx queue is full.
 */
function sendSyn(c: Conn, st: i32): bool {
  if (c.sndNxt == c.iss) {
    let flags: u16 = st == S.SYN_SENT ? TCP_SYN : TCP_SYN | TCP_ACK;
    if (!emitSegment(c, c.iss, flags, 0, 0)) return false;
    c.sndNxt = c.iss + 1;
    c.sndMax = seqMax(c.sndMax, c.sndNxt);
    if (!rtxRunning(c)) armRtx(c, nowMs + <f64>c.rto);
    if (c.retransmits == 0) timeSegment(c, c.iss + 1);
  }
  if (st == S.SYN_SENT || st == S.SYN_RCVD) {
    if ((c.flags & F.ACK_NOW) && st == S.SYN_RCVD) sendAck(c);
    return false;
  }
  return true;
}

/**
 * Sends as much queued data (and FIN) as the congestion and send windows allow, honouring Nagle
 * and sender SWS avoidance (RFC 9293 §3.8.6); returns whether anything went out.
 */
function sendData(c: Conn, st: i32): bool {
  // Lost data first (RFC 6675 §5 step C rule 1), then new data as the pipe and the peer's window allow.
  // An empty scoreboard holds nothing lost (the common case: everything sent is acknowledged).
  let resent = c.sbCount != 0 && resendLost(c, false);
  // Read once: nothing called below moves SND.UNA, SND.WND or the send queue, and SND.NXT moves only here.
  let nxt = c.sndNxt;
  let una = c.sndUna;
  let bufSeq = c.sndBufSeq;
  let bufLen = <i32>c.sndBufLen;
  let idleStart = nxt == una;
  let finOk = finAllowed(c, st);
  let sent = false;
  let lastDataLen = 0;
  let windowCut = false;
  // The MSS and the congestion budget only once something is to be sent (both are pure reads).
  let mss = 0;
  let budget = 0;
  let first = true;
  while (true) {
    let off = seqDiff(nxt, bufSeq);
    let avail = bufLen - off;
    if (avail < 0) avail = 0;
    let finDue = finOk && !seqGt(nxt, bufSeq + <u32>bufLen);
    if (avail == 0 && !finDue) break;
    if (first) {
      first = false;
      // Less data than any effMss (the send MSS less at most EFF_MSS_CUT_MAX): the send MSS orders
      // every length below against it as effMss would.
      mss = avail + EFF_MSS_CUT_MAX <= <i32>c.sndMss ? <i32>c.sndMss : effMss(c);
      budget = ccBudget(c, sbPipe(c));
    }
    let usable = min<i32>(seqDiff(una + c.sndWnd, nxt), budget);
    let len = min<i32>(avail, mss);
    if (usable < len) len = usable > 0 ? usable : 0;
    // A FIN rides on the segment that carries the last byte (it needs no window of its own).
    let fin = finDue && len == avail;
    if (avail > 0 && len == 0) { windowCut = true; break; }
    if (!fin && len < mss && !sendSmall(c, len, avail, idleStart)) break;
    let flags: u16 = TCP_ACK;
    if (fin) flags |= TCP_FIN;
    if (len > 0 && len == avail) flags |= TCP_PSH;
    let seq = nxt;
    if (!emitSegment(c, seq, flags, <u32>off, len)) break;
    sent = true;
    lastDataLen = len;
    if (len > 0 && len < mss) c.sndSml = seq + <u32>len;
    let isNew = !seqLt(seq, c.sndMax);
    let n = len + (fin ? 1 : 0);
    // New data: noteSent's two tests concern resends only.
    if (isNew) sbSent(c, seq, seq + <u32>n, tickNow());
    else noteSent(c, seq, n);
    budget -= n;
    nxt = seq + <u32>n;
    c.sndNxt = nxt;
    if (seqGt(nxt, c.sndMax)) c.sndMax = nxt;
    if (isNew) timeSegment(c, nxt);
    // All queued data went (with the FIN when one is due): the next round would find nothing.
    if (len == avail) break;
  }
  // Linux ends a burst cut short by the send or congestion window with PSH (its TSO skbs end there).
  if (windowCut && cfgPshOnBurstEnd && lastDataLen > 0) markPushOnLast();
  // A probe (RFC 8985 §7.2) or the RTO for what is now in flight.
  if (sent) armXmitTimer(c, false);
  else if (resent && !rtxRunning(c)) armXmit(c, nowMs + <f64>c.rto, 0);
  return sent || resent;
}

/** Persist timer (RFC 9293 §3.8.6.1): data waits, nothing is in flight, and the window is closed or too small. */
function armPersistIfStalled(c: Conn): void {
  let off = seqDiff(c.sndNxt, c.sndBufSeq);
  if (c.sndNxt == c.sndUna && <i32>c.sndBufLen > off && !rtxRunning(c)) {
    c.flags |= F.PERSIST;
    c.retransmits = 0;
    c.persistBackoff = 0;
    armRtx(c, nowMs + <f64>c.rto);
  }
}

/**
 * The output routine (RFC 9293 §3.8.6 / lwIP tcp_output): sends SYN or SYN-ACK when due, then as much
 * queued data (and FIN) as the windows allow; finally an ACK if one is owed and nothing carried it.
 */
export function tcpOutput(c: Conn): void {
  // Nothing to do (most calls after an ACK or in-order data): ESTABLISHED with all queued data sent,
  // nothing lost to resend, no ACK owed and our SYN acknowledged; what tcpOutputFull concludes too.
  if (c.state == S.ESTABLISHED && !(c.flags & F.ACK_NOW) && c.sbCount == 0 && c.sndUna != c.iss &&
      <i32>c.sndBufLen <= seqDiff(c.sndNxt, c.sndBufSeq)) {
    c.flags &= ~F.NEED_OUTPUT;
    return;
  }
  tcpOutputFull(c);
}

/** tcpOutput without its shortcut, for callers that have just queued data (send). */
export function tcpOutputFull(c: Conn): void {
  let st = <i32>c.state;
  if (st == S.CLOSED || st == S.LISTEN || st == S.TIME_WAIT) {
    if (st == S.TIME_WAIT && (c.flags & F.ACK_NOW)) sendAck(c);
    return;
  }
  c.flags &= ~F.NEED_OUTPUT;
  // Our SYN is unacknowledged (SYN_SENT, SYN_RCVD, or FIN_WAIT_1 after close() in SYN_RCVD).
  if ((st == S.SYN_SENT || st == S.SYN_RCVD || c.sndUna == c.iss) && !sendSyn(c, st)) return;
  let sent = false;
  if (dataState(st)) {
    sent = sendData(c, st);
    if (!sent) armPersistIfStalled(c); // after a send SND.NXT is past SND.UNA: nothing stalled
  }
  if (!sent && (c.flags & F.ACK_NOW)) sendAck(c);
}
