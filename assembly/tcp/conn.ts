// The transmission control block (RFC 9293 §3.3.1): one fixed-size record per connection slot.
// Records live in the connection table laid out by assembly/memory.ts; never allocated.
import { OPT_SACK } from '../options';

/** Most out-of-order ranges remembered per connection (each also a SACK block). */
export const OOO_MAX: i32 = 4;

/** Extents of the sender's scoreboard (scoreboard.ts; the sb fields below hold exactly this many). */
export const SB_MAX: i32 = 6;

/** "No slot" in the u16 links (slot indexes stay below maxConnections ≤ 65535). */
export const NIL: u16 = 0xffff;

/**
 * The hot part of a connection record: what the per-segment paths read, in its first 160 bytes. Field
 * order keeps 8-byte fields first so there is no padding. The rest of the connection's state is its
 * ConnX record (below), right after it in its slot, reached through the accessors at the end of the
 * class, so code reads `c.sbCount` wherever the field lives.
 */
@unmanaged
export class Conn {
  /** Retransmission or persist deadline (ms), or Infinity. */
  rtxDeadline: f64;
  /** Delayed-ACK deadline, or Infinity. */
  delackDeadline: f64;
  /** Keepalive, TIME_WAIT or FIN_WAIT_2 deadline, or Infinity. */
  idleDeadline: f64;

  /** Flag bits (F). */
  flags: u32;
  /** Peer IPv4 address. */
  remoteAddr: u32;
  /** Initial send sequence number. */
  iss: u32;
  /** Oldest unacknowledged sequence number. */
  sndUna: u32;
  /** Next sequence number to send. */
  sndNxt: u32;
  /** Highest sequence number sent (sndNxt moves back on retransmission timeout). */
  sndMax: u32;
  /** Peer's window in bytes (already scaled). */
  sndWnd: u32;
  /** Largest window the peer ever offered (RFC 9293 §3.8.6.2.1, SWS). */
  maxSndWnd: u32;
  /** Segment sequence number used for the last window update. */
  sndWl1: u32;
  /** Segment acknowledgment number used for the last window update. */
  sndWl2: u32;
  /** Sequence number of the first byte in the send ring. */
  sndBufSeq: u32;
  /** Bytes in the send ring (unacknowledged plus unsent). */
  sndBufLen: u32;
  /** Ring index of the first byte of the send ring. */
  sndBufHead: u32;
  /** Next sequence number expected. */
  rcvNxt: u32;
  /** Right edge of the window last advertised (rcvNxt + RCV.WND at that time). */
  rcvAdv: u32;
  /** Ring index of the first unread byte of the receive ring. */
  rcvBufHead: u32;
  /** In-order bytes ready for recv(). */
  rcvBufLen: u32;
  /** rcvNxt carried by the last ACK we sent (Last.ACK.sent, RFC 7323 §4.3). */
  lastAckSent: u32;
  /** Congestion window in bytes (RFC 5681). */
  cwnd: u32;
  /** Slow start threshold in bytes. */
  ssthresh: u32;
  /** NewReno recovery point (RFC 6582 §3.2). */
  recover: u32;
  /** Sequence number whose ACK ends the running RTT measurement. */
  rttSeq: u32;
  /** TS.Recent (RFC 7323 §4.3). */
  tsRecent: u32;
  /** Offset added to our TSval. */
  tsOffset: u32;
  /** Smoothed RTT in ms (RFC 6298), 0 before the first sample. */
  srtt: f32;
  /** RTT variation in ms. */
  rttvar: f32;
  /** Current RTO in ms, including backoff. */
  rto: f32;
  /** Next slot in a hash chain, free list or accept queue (−1 = none). */
  next: i32;

  /** Local port. */
  localPort: u16;
  /** Peer port. */
  remotePort: u16;
  /** Send MSS: the peer's MSS option bounded by ours (RFC 9293 §3.7.1). */
  sndMss: u16;
  /** MSS we advertised. */
  rcvMss: u16;
  /** Position in the timer heap (deadlines.ts), or NIL. */
  heapPos: u16;
  /** Neighbours in the one list the slot is on besides the hash: its listener's children, or TIME_WAIT (table.ts). */
  listPrev: u16;
  listNext: u16;
  /** When in-order data last arrived, in 8 ms ticks mod 2^16, 0 = never (Linux icsk_ack.lrcvtime). */
  rcvDataTick: u16;

  /** RFC 9293 state (TcpState). */
  state: u8;
  /** Peer's window shift (Snd.Wind.Shift). */
  sndWscale: u8;
  /** Our window shift (Rcv.Wind.Shift). */
  rcvWscale: u8;
  /** Consecutive retransmissions of the oldest segment (or persist/keepalive probes). */
  retransmits: u8;
  /** Duplicate ACKs in a row (RFC 5681 §3.2). */
  dupAcks: u8;
  /** Quick ACKs left (Linux quick-ACK mode). */
  quickAcks: u8;
  /** Number of out-of-order ranges in use (≤ OOO_MAX). */
  oooCount: u8;
  /** Full-sized segments received since our last ACK. */
  unackedSegs: u8;
  /** Interface the connection sends on; our address is that interface's (net/iface.ts). */
  ifIndex: u8;

  // ------------------------------------------------------------ the ConnX fields (see there)
  // @ts-ignore: decorator
  @inline get rttStart(): f64 { return connX(this).rttStart; }
  // @ts-ignore: decorator
  @inline set rttStart(v: f64) { connX(this).rttStart = v; }
  // @ts-ignore: decorator
  @inline get userTimeoutStart(): f64 { return connX(this).userTimeoutStart; }
  // @ts-ignore: decorator
  @inline set userTimeoutStart(v: f64) { connX(this).userTimeoutStart = v; }
  // @ts-ignore: decorator
  @inline get irs(): u32 { return connX(this).irs; }
  // @ts-ignore: decorator
  @inline set irs(v: u32) { connX(this).irs = v; }
  // @ts-ignore: decorator
  @inline get rcvFinSeq(): u32 { return connX(this).rcvFinSeq; }
  // @ts-ignore: decorator
  @inline set rcvFinSeq(v: u32) { connX(this).rcvFinSeq = v; }
  // @ts-ignore: decorator
  @inline get sndSml(): u32 { return connX(this).sndSml; }
  // @ts-ignore: decorator
  @inline set sndSml(v: u32) { connX(this).sndSml = v; }
  // @ts-ignore: decorator
  @inline get keepaliveIdle(): f32 { return connX(this).keepaliveIdle; }
  // @ts-ignore: decorator
  @inline set keepaliveIdle(v: f32) { connX(this).keepaliveIdle = v; }
  // @ts-ignore: decorator
  @inline get userTimeout(): f32 { return connX(this).userTimeout; }
  // @ts-ignore: decorator
  @inline set userTimeout(v: f32) { connX(this).userTimeout = v; }
  // @ts-ignore: decorator
  @inline get keepaliveIntvl(): f32 { return connX(this).keepaliveIntvl; }
  // @ts-ignore: decorator
  @inline set keepaliveIntvl(v: f32) { connX(this).keepaliveIntvl = v; }
  // @ts-ignore: decorator
  @inline get linger2(): f32 { return connX(this).linger2; }
  // @ts-ignore: decorator
  @inline set linger2(v: f32) { connX(this).linger2 = v; }
  // @ts-ignore: decorator
  @inline get acceptNext(): i32 { return connX(this).acceptNext; }
  // @ts-ignore: decorator
  @inline set acceptNext(v: i32) { connX(this).acceptNext = v; }
  // @ts-ignore: decorator
  @inline get listener(): i16 { return connX(this).listener; }
  // @ts-ignore: decorator
  @inline set listener(v: i16) { connX(this).listener = v; }
  // @ts-ignore: decorator
  @inline get oowAckTick(): u16 { return connX(this).oowAckTick; }
  // @ts-ignore: decorator
  @inline set oowAckTick(v: u16) { connX(this).oowAckTick = v; }
  // @ts-ignore: decorator
  @inline get error(): u8 { return connX(this).error; }
  // @ts-ignore: decorator
  @inline set error(v: u8) { connX(this).error = v; }
  // @ts-ignore: decorator
  @inline get softError(): u8 { return connX(this).softError; }
  // @ts-ignore: decorator
  @inline set softError(v: u8) { connX(this).softError = v; }
  // @ts-ignore: decorator
  @inline get keepaliveCnt(): u8 { return connX(this).keepaliveCnt; }
  // @ts-ignore: decorator
  @inline set keepaliveCnt(v: u8) { connX(this).keepaliveCnt = v; }
  // @ts-ignore: decorator
  @inline get kaProbes(): u8 { return connX(this).kaProbes; }
  // @ts-ignore: decorator
  @inline set kaProbes(v: u8) { connX(this).kaProbes = v; }
  // @ts-ignore: decorator
  @inline get persistBackoff(): u8 { return connX(this).persistBackoff; }
  // @ts-ignore: decorator
  @inline set persistBackoff(v: u8) { connX(this).persistBackoff = v; }
  // @ts-ignore: decorator
  @inline get sbCount(): u8 { return connX(this).sbCount; }
  // @ts-ignore: decorator
  @inline set sbCount(v: u8) { connX(this).sbCount = v; }
  // The SACK-only fields: absent from a build without SACK (they read 0 there, writes are dropped).
  // @ts-ignore: decorator
  @inline get rackXmit(): u32 { return OPT_SACK ? connX(this).rackXmit : 0; }
  // @ts-ignore: decorator
  @inline set rackXmit(v: u32) { if (OPT_SACK) connX(this).rackXmit = v; }
  // @ts-ignore: decorator
  @inline get rackEnd(): u32 { return OPT_SACK ? connX(this).rackEnd : 0; }
  // @ts-ignore: decorator
  @inline set rackEnd(v: u32) { if (OPT_SACK) connX(this).rackEnd = v; }
  // @ts-ignore: decorator
  @inline get rackRtt(): u32 { return OPT_SACK ? connX(this).rackRtt : 0; }
  // @ts-ignore: decorator
  @inline set rackRtt(v: u32) { if (OPT_SACK) connX(this).rackRtt = v; }
  // @ts-ignore: decorator
  @inline get minRtt(): u32 { return OPT_SACK ? connX(this).minRtt : 0; }
  // @ts-ignore: decorator
  @inline set minRtt(v: u32) { if (OPT_SACK) connX(this).minRtt = v; }
  // @ts-ignore: decorator
  @inline get dsackRound(): u32 { return OPT_SACK ? connX(this).dsackRound : 0; }
  // @ts-ignore: decorator
  @inline set dsackRound(v: u32) { if (OPT_SACK) connX(this).dsackRound = v; }
  // @ts-ignore: decorator
  @inline get tlpHigh(): u32 { return OPT_SACK ? connX(this).tlpHigh : 0; }
  // @ts-ignore: decorator
  @inline set tlpHigh(v: u32) { if (OPT_SACK) connX(this).tlpHigh = v; }
  // @ts-ignore: decorator
  @inline get dsackL(): u32 { return OPT_SACK ? connX(this).dsackL : 0; }
  // @ts-ignore: decorator
  @inline set dsackL(v: u32) { if (OPT_SACK) connX(this).dsackL = v; }
  // @ts-ignore: decorator
  @inline get dsackR(): u32 { return OPT_SACK ? connX(this).dsackR : 0; }
  // @ts-ignore: decorator
  @inline set dsackR(v: u32) { if (OPT_SACK) connX(this).dsackR = v; }
  // @ts-ignore: decorator
  @inline get reoWndMult(): u8 { return OPT_SACK ? connX(this).reoWndMult : 0; }
  // @ts-ignore: decorator
  @inline set reoWndMult(v: u8) { if (OPT_SACK) connX(this).reoWndMult = v; }
  // @ts-ignore: decorator
  @inline get reoWndPersist(): u8 { return OPT_SACK ? connX(this).reoWndPersist : 0; }
  // @ts-ignore: decorator
  @inline set reoWndPersist(v: u8) { if (OPT_SACK) connX(this).reoWndPersist = v; }
  // @ts-ignore: decorator
  @inline get rackFlags(): u8 { return OPT_SACK ? connX(this).rackFlags : 0; }
  // @ts-ignore: decorator
  @inline set rackFlags(v: u8) { if (OPT_SACK) connX(this).rackFlags = v; }
  // The scoreboard extent written by the test build (testing.ts).
  // @ts-ignore: decorator
  @inline get sb0e(): u32 { return connX(this).sb0e; }
  // @ts-ignore: decorator
  @inline set sb0e(v: u32) { connX(this).sb0e = v; }
}

/** Bytes of the hot part of one connection record. */
export const CONN_SIZE: i32 = (<i32>offsetof<Conn>() + 7) & ~7;

/**
 * The colder part of a connection's state, right after its Conn in the slot (a constant offset, so an
 * access costs what a field of Conn does): the retransmission scoreboard and the out-of-order ranges,
 * the socket options, what the handshake, the accept queue and the error paths keep, then the
 * SACK-only state (RACK, TLP, D-SACK), which a build without SACK (assembly/options.ts) does not lay out.
 */
@unmanaged
export class ConnX {
  /** When the timed segment was sent (RFC 6298 §3). */
  rttStart: f64;
  /** When the oldest unacknowledged segment was first retransmitted (TCP_USER_TIMEOUT, Linux). */
  userTimeoutStart: f64;
  /** Scoreboard extents [end, meta] (scoreboard.ts): SB_MAX pairs. */
  sb0e: u32; sb0m: u32; sb1e: u32; sb1m: u32; sb2e: u32; sb2m: u32;
  sb3e: u32; sb3m: u32; sb4e: u32; sb4m: u32; sb5e: u32; sb5m: u32;
  /** Out-of-order ranges [left, right) as sequence numbers, most recently changed first (RFC 2018 §4). */
  ooo0l: u32; ooo0r: u32; ooo1l: u32; ooo1r: u32; ooo2l: u32; ooo2r: u32; ooo3l: u32; ooo3r: u32;
  /** Initial receive sequence number. */
  irs: u32;
  /** Sequence number of an out-of-order FIN (flag OOO_FIN). */
  rcvFinSeq: u32;
  /** End of the last sub-MSS segment sent (Minshall's Nagle, Linux snd_sml). */
  sndSml: u32;
  /** Keepalive idle time of this connection (ms). */
  keepaliveIdle: f32;
  /** TCP_USER_TIMEOUT in ms, 0 = off. */
  userTimeout: f32;
  /** Keepalive probe interval of this connection (ms). */
  keepaliveIntvl: f32;
  /** TCP_LINGER2 in ms: orphaned FIN_WAIT_2 lifetime (0 = finWait2TimeoutMs, −1 = none). */
  linger2: f32;
  /** Next slot in the accept queue (−1 = none). */
  acceptNext: i32;
  /** Listener that created this connection, or −1. */
  listener: i16;
  /** When the connection last answered an unacceptable segment, in 8 ms ticks mod 2^16, 0 = never (ratelimit.ts). */
  oowAckTick: u16;
  /** Pending error to report (positive errno), 0 = none. */
  error: u8;
  /** Soft error recorded from ICMP (positive errno), 0 = none. */
  softError: u8;
  /** Keepalive probes before the connection fails. */
  keepaliveCnt: u8;
  /** Unanswered keepalive probes. */
  kaProbes: u8;
  /** Zero-window probes sent in this persist episode: the probe interval's backoff exponent. */
  persistBackoff: u8;
  /** Scoreboard extents in use. */
  sbCount: u8;
  /** RACK reordering window multiplier (RFC 8985 §6.2 step 4, RACK.reo_wnd_mult). SACK-only from here on. */
  reoWndMult: u8;
  /** Recoveries left before the multiplier returns to 1 (RACK.reo_wnd_persist). */
  reoWndPersist: u8;
  /** RACK and TLP bits (rack.ts: R_REORDER_SEEN, R_DSACK_ROUND, R_VALID, R_TLP_RETRANS). */
  rackFlags: u8;
  /** RACK (RFC 8985 §6): last transmission (scoreboard ticks) of the most recently sent segment delivered. */
  rackXmit: u32;
  /** RACK: end sequence number of that segment (ties of equal times go by sequence). */
  rackEnd: u32;
  /** RACK: its round-trip time in ticks. */
  rackRtt: u32;
  /** Smallest RTT measured by RACK, in ticks (0 = none yet). */
  minRtt: u32;
  /** RACK: SND.NXT when a D-SACK last widened the reordering window (one step per round trip). */
  dsackRound: u32;
  /** TLP (RFC 8985 §7): SND.NXT when the outstanding probe went (valid with F.TLP_OUT). */
  tlpHigh: u32;
  /** D-SACK block [dsackL, dsackR) for the next ACK (RFC 2883); empty when equal. */
  dsackL: u32; dsackR: u32;
}

/** Bytes of one ConnX record: without SACK it ends before the SACK-only fields. */
export const CONNX_SIZE: i32 = ((OPT_SACK ? <i32>offsetof<ConnX>() : <i32>offsetof<ConnX>('reoWndMult')) + 7) & ~7;

/** Bytes of one connection slot in the table: its Conn, then its ConnX (memory.ts). */
export const CONN_STRIDE: i32 = CONN_SIZE + CONNX_SIZE;

/** The ConnX record of connection record `c`: right after it in its slot (a constant offset, folded into the loads). */
// @ts-ignore: decorator
@inline export function connX(c: Conn): ConnX {
  return changetype<ConnX>(changetype<usize>(c) + <usize>CONN_SIZE);
}

/** Zeroes both parts of record `c`. */
export function connClear(c: Conn): void {
  memory.fill(changetype<usize>(c), 0, <usize>CONN_STRIDE);
}

/** Left edge of out-of-order range `i`. */
// @ts-ignore: decorator
@inline export function oooLeft(c: Conn, i: i32): u32 {
  return load<u32>(changetype<usize>(connX(c)) + offsetof<ConnX>('ooo0l') + (<usize>i << 3));
}
/** Right edge of out-of-order range `i`. */
// @ts-ignore: decorator
@inline export function oooRight(c: Conn, i: i32): u32 {
  return load<u32>(changetype<usize>(connX(c)) + offsetof<ConnX>('ooo0r') + (<usize>i << 3));
}
/** Stores out-of-order range `i`. */
// @ts-ignore: decorator
@inline export function oooSet(c: Conn, i: i32, left: u32, right: u32): void {
  let p = changetype<usize>(connX(c)) + offsetof<ConnX>('ooo0l') + (<usize>i << 3);
  store<u32>(p, left);
  store<u32>(p, right, 4);
}
