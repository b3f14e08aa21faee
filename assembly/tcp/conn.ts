// The transmission control block (RFC 9293 §3.3.1): one fixed-size record per connection slot.
// Records live in the connection table laid out by assembly/memory.ts; never allocated.

/** Most out-of-order ranges remembered per connection (each also a SACK block). */
export const OOO_MAX: i32 = 4;

/** Most extents of the sender's scoreboard (scoreboard.ts): SB_INLINE in the record, the rest in a scoreboard pool slot (sbpool.ts). */
export const SB_MAX: i32 = 6;

/** Scoreboard extents in the record itself (the sb fields below hold exactly this many). */
export const SB_INLINE: i32 = 2;

/** "No slot" in the u16 links (slot indexes stay below maxConnections ≤ 65535). */
export const NIL: u16 = 0xffff;

/**
 * One connection record, 224 bytes. The fields every segment touches come first, in the record's
 * first 144 bytes (HOT_BYTES: sequence and window variables, ring indexes, cwnd, RTO, the three
 * deadlines, ports, MSS, small counters); the rest after them: the scoreboard, what the handshake and
 * the error paths keep, RACK and TLP, socket options. Field order within each part keeps wider fields
 * first so there is no padding. Some values share a field where they are never live at once (tlpHigh,
 * rackFlags, wscales), and some are derived instead of kept: SND.WL2 (input.ts processAck), a child's
 * listener and the accept queue's links (table.ts). The out-of-order ranges, the D-SACK block and an early FIN's
 * sequence number are not here: they live in the out-of-order pool (ooopool.ts), in a slot a
 * connection holds only while it has any of them; so do the scoreboard's extents past SB_INLINE
 * (sbpool.ts), held only while the scoreboard needs more.
 */
@unmanaged
export class Conn {
  /** Flag bits (F). */
  flags: u32;
  /** Peer IPv4 address. */
  remoteAddr: u32;
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
  /** Segment sequence number used for the last window update (no SND.WL2: input.ts takes Linux's rule). */
  sndWl1: u32;
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
  /** Retransmission or persist deadline, in deadlines.ts's eighths of a ms, or NONE (the three are adjacent: deadlines.ts rebase). */
  rtxDeadline: u32;
  /** Delayed-ACK deadline, or NONE. */
  delackDeadline: u32;
  /** Keepalive, TIME_WAIT or FIN_WAIT_2 deadline, or NONE. */
  idleDeadline: u32;
  /** Smoothed RTT in ms (RFC 6298), 0 before the first sample. */
  srtt: f32;
  /** RTT variation in ms. */
  rttvar: f32;
  /** Current RTO in ms, including backoff. */
  rto: f32;
  /** Next slot in a hash chain or the free list, or NIL. */
  next: u16;
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
  /**
   * Neighbours in the one list the slot is on besides the hash: its listener's children, or TIME_WAIT
   * (table.ts). A child (F.HALF_OPEN or F.ACCEPTQ) names no listener: it is the one on its local port
   * (table.ts childListener); the accept queue is the front of the children list (no link of its own).
   */
  listPrev: u16;
  listNext: u16;
  /** When in-order data last arrived, in 8 ms ticks mod 2^16, 0 = never (Linux icsk_ack.lrcvtime). */
  rcvDataTick: u16;
  /** RFC 9293 state (TcpState). */
  state: u8;
  /** Both window shifts (≤ 14 each): the peer's in the low four bits, ours in the high four (sndWscale, rcvWscale below). */
  wscales: u8;
  /** Consecutive retransmissions of the oldest segment (or persist/keepalive probes). */
  retransmits: u8;
  /** Duplicate ACKs in a row (RFC 5681 §3.2). */
  dupAcks: u8;
  /** Quick ACKs left (Linux quick-ACK mode). */
  quickAcks: u8;
  /** Number of out-of-order ranges in use (≤ OOO_MAX; they live in the out-of-order pool, ooopool.ts). */
  oooCount: u8;
  /** Full-sized segments received since our last ACK. */
  unackedSegs: u8;
  /** Interface the connection sends on; our address is that interface's (net/iface.ts). */
  ifIndex: u8;
  /** Unanswered keepalive probes. */
  kaProbes: u8;
  /** Zero-window probes sent in this persist episode: the probe interval's backoff exponent. */
  persistBackoff: u8;
  /** Scoreboard extents in use. */
  sbCount: u8;
  /** RACK and TLP bits (rack.ts: R_REORDER_SEEN, R_DSACK_ROUND, R_VALID, R_TLP_RETRANS), and in the high four the recoveries left before reoWndMult returns to 1 (RACK.reo_wnd_persist, less one). */
  rackFlags: u8;
  /** RACK reordering window multiplier (RFC 8985 §6.2 step 4, RACK.reo_wnd_mult). */
  reoWndMult: u8;
  /** Keepalive probes before the connection fails. */
  keepaliveCnt: u8;

  // ---------------------------------------------------------------- past HOT_BYTES
  /** When the timed segment was sent (RFC 6298 §3), in eighths of a ms mod 2^32 (clock.ts nowEighths). */
  rttStart: u32;
  /** Scoreboard extents [end, meta] (scoreboard.ts): the first SB_INLINE pairs; the rest in the scoreboard pool (sbSlot). */
  sb0e: u32; sb0m: u32; sb1e: u32; sb1m: u32;
  /** Initial send sequence number. */
  iss: u32;
  /** Initial receive sequence number. */
  irs: u32;
  /** End of the last sub-MSS segment sent (Minshall's Nagle, Linux snd_sml). */
  sndSml: u32;
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
  /**
   * TLP (RFC 8985 §7): SND.NXT when the outstanding probe went (valid with F.TLP_OUT). While the oldest
   * segment is being retransmitted after a timeout (`retransmits` > 0, timers.ts rtxFire) it holds
   * instead when that began (TCP_USER_TIMEOUT, Linux), in eighths of a ms mod 2^32: the timeout ends
   * the probe (recovery.ts lossOnTimeout) and none is scheduled until an ACK of new data (which
   * clears `retransmits`) reaches the recovery point (rack.ts tlpAllowed).
   */
  tlpHigh: u32;
  /** Keepalive idle time of this connection (ms). */
  keepaliveIdle: f32;
  /** TCP_USER_TIMEOUT in ms, 0 = off. */
  userTimeout: f32;
  /** Keepalive probe interval of this connection (ms). */
  keepaliveIntvl: f32;
  /** TCP_LINGER2 in ms: orphaned FIN_WAIT_2 lifetime (0 = finWait2TimeoutMs, −1 = none). */
  linger2: f32;
  /** Out-of-order pool slot + 1 holding the ranges, the D-SACK block and an early FIN (ooopool.ts), 0 = none. */
  oooSlot: u16;
  /** Scoreboard pool slot + 1 holding extents SB_INLINE.. (sbpool.ts), 0 = none (held only while sbCount > SB_INLINE). */
  sbSlot: u16;
  /** When the connection last answered an unacceptable segment, in 8 ms ticks mod 2^16, 0 = never (ratelimit.ts). */
  oowAckTick: u16;
  /** Pending error to report (positive errno), 0 = none. */
  error: u8;
  /** Soft error recorded from ICMP (positive errno), 0 = none. */
  softError: u8;

  /** Peer's window shift (Snd.Wind.Shift), in wscales. */
  // @ts-ignore: decorator
  @inline get sndWscale(): u8 { return this.wscales & 15; }
  // @ts-ignore: decorator
  @inline set sndWscale(v: u8) { this.wscales = (this.wscales & 0xf0) | v; }
  /** Our window shift (Rcv.Wind.Shift), in wscales. */
  // @ts-ignore: decorator
  @inline get rcvWscale(): u8 { return this.wscales >> 4; }
  // @ts-ignore: decorator
  @inline set rcvWscale(v: u8) { this.wscales = (this.wscales & 15) | (v << 4); }
}

/** Bytes at the start of a record that the per-segment paths read (the fields before rttStart). */
export const HOT_BYTES: i32 = <i32>offsetof<Conn>('rttStart');

/** Bytes of one connection record (no field is wider than 4 bytes: records need only 4-byte alignment). */
export const CONN_SIZE: i32 = (<i32>offsetof<Conn>() + 3) & ~3;

// The per-segment part must stay within what it was measured at (docs/engine.md).
if (HOT_BYTES > 148) ERROR('conn.ts: HOT_BYTES is over 148');
