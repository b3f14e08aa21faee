// Every knob of the engine in one place (lwIP's lwipopts.h). Defaults are close to Linux.
// The host may override any of them with `configSet(key, value)` before `init()`; after `init()`
// only the timing and behaviour knobs (not the sizes) may change. The TypeScript mirror of the
// keys, in the same order, is src/engine/config.ts.

/** Config keys, in the order of src/engine/config.ts CONFIG_KEYS. */
export const enum Key {
  MaxConnections = 0, MaxListeners, Backlog, SendBufferSize, RecvBufferSize, Mss,
  RtoInitialMs, RtoMinMs, RtoMaxMs, SynRetries, DataRetries, TimeWaitMs, DelayedAckMs,
  KeepaliveIdleMs, KeepaliveIntervalMs, KeepaliveCount, InitialWindowSegments, WindowScale,
  Timestamps, Sack, SynAckRetries, QuickAcks, AbortOnUnreadClose, RstOnDataAfterClose,
  FinWait2TimeoutMs, DefaultMss, TxQueueSize, EventQueueSize, RxSlotSize, TsRandomOffset,
  LinuxRto, IcmpAbortsSynSent, RecycleTimeWait, Ttl, EphemeralLow, EphemeralHigh, TsTickMs,
  WindowScaling, DelayedAckSegments, AckUnsentData, DelayFinAck, KeepaliveRst, MinshallNagle,
  LinuxSenderWindow, SynResendOnBadAck, ChallengeAckLimit, PshOnBurstEnd,
  Count,
}

/** Most connections (slots of the connection table). */
export let cfgMaxConnections: i32 = 128;
/** Most listening ports. */
export let cfgMaxListeners: i32 = 16;
/** Largest accept backlog (embryonic plus unaccepted connections per listener). */
export let cfgBacklog: i32 = 128;
/** Bytes of each connection's send ring. */
export let cfgSendBufferSize: i32 = 64 * 1024;
/** Bytes of each connection's receive ring (the largest receive window). */
export let cfgRecvBufferSize: i32 = 64 * 1024;
/** MSS we advertise and the most we send (1460 = 1500 MTU − 40). */
export let cfgMss: i32 = 1460;
/** RFC 6298 §2.1 initial RTO. */
export let cfgRtoInitialMs: f64 = 1000;
/** Lower bound of the RTO (Linux TCP_RTO_MIN). */
export let cfgRtoMinMs: f64 = 200;
/** Upper bound of the RTO and of its backoff (Linux TCP_RTO_MAX). */
export let cfgRtoMaxMs: f64 = 120000;
/** SYN retransmissions before an active open fails (Linux tcp_syn_retries). */
export let cfgSynRetries: i32 = 6;
/** Retransmissions of data/FIN before the connection fails (Linux tcp_retries2). */
export let cfgDataRetries: i32 = 15;
/** TIME_WAIT length, 2·MSL (Linux TCP_TIMEWAIT_LEN). */
export let cfgTimeWaitMs: f64 = 60000;
/** Delayed ACK timeout (RFC 9293 §3.8.6.3 allows up to 500 ms; Linux 40 ms). */
export let cfgDelayedAckMs: f64 = 40;
/** Keepalive idle time before the first probe (RFC 1122 §4.2.3.6: ≥ 2 h). */
export let cfgKeepaliveIdleMs: f64 = 7200000;
/** Interval between keepalive probes. */
export let cfgKeepaliveIntervalMs: f64 = 75000;
/** Unanswered keepalive probes before the connection fails. */
export let cfgKeepaliveCount: i32 = 9;
/** Initial congestion window in segments (RFC 6928 IW10). */
export let cfgInitialWindowSegments: i32 = 10;
/** Window scale shift we offer (RFC 7323 §2); −1 derives it from the receive buffer size. */
export let cfgWindowScale: i32 = -1;
/** Offer and accept RFC 7323 timestamps. */
export let cfgTimestamps: bool = true;
/** Offer and accept SACK (RFC 2018); we send SACK blocks for out-of-order data. */
export let cfgSack: bool = true;
/** SYN-ACK retransmissions before an embryonic connection is dropped (Linux tcp_synack_retries). */
export let cfgSynAckRetries: i32 = 5;
/** Segments ACKed immediately at the start of a connection (Linux quick-ACK mode); 0 = none. */
export let cfgQuickAcks: i32 = 0;
/** close() with unread data aborts with RST (RFC 2525 §2.17, Linux). */
export let cfgAbortOnUnreadClose: bool = true;
/** Data arriving after close() is answered with RST and the connection dies (Linux). */
export let cfgRstOnDataAfterClose: bool = true;
/** Lifetime of FIN_WAIT_2 after close() (Linux tcp_fin_timeout); 0 = forever. */
export let cfgFinWait2TimeoutMs: f64 = 60000;
/** Send MSS assumed when the peer sends no MSS option (RFC 9293 §3.7.1). */
export let cfgDefaultMss: i32 = 536;
/** Bytes of the outbound packet queue the host drains. */
export let cfgTxQueueSize: i32 = 512 * 1024;
/** Entries of the host event queue. */
export let cfgEventQueueSize: i32 = 8192;
/** Bytes of the inbound packet slot (≥ 65535, the largest IPv4 packet). */
export let cfgRxSlotSize: i32 = 65536;
/** Add a per-connection random offset to TSval (RFC 7323 §5.4, Linux). */
export let cfgTsRandomOffset: bool = true;
/** Linux RTO formula: srtt + max(4·rttvar, rtoMin) instead of RFC 6298's max(rtoMin, srtt + 4·rttvar). */
export let cfgLinuxRto: bool = false;
/** An ICMP unreachable aborts a connection in SYN_SENT (Linux); otherwise it is only a soft error. */
export let cfgIcmpAbortsSynSent: bool = true;
/** When the table is full, reuse the oldest orphaned TIME_WAIT slot (lwIP tcp_kill_timewait). */
export let cfgRecycleTimeWait: bool = true;
/** TTL of outbound packets. */
export let cfgTtl: i32 = 64;
/** Lowest ephemeral port (Linux ip_local_port_range). */
export let cfgEphemeralLow: i32 = 32768;
/** Highest ephemeral port. */
export let cfgEphemeralHigh: i32 = 60999;
/** Milliseconds per timestamp tick (Linux: 1). */
export let cfgTsTickMs: f64 = 1;
/** Offer and accept window scaling at all (RFC 7323 §2). */
export let cfgWindowScaling: bool = true;
/** Full-sized segments received before an ACK is sent without waiting (RFC 9293 §3.8.6.3: 2). */
export let cfgDelayedAckSegments: i32 = 2;

/** An ACK for data never sent is answered with an ACK (RFC 9293); Linux drops it silently. */
export let cfgAckUnsentData: bool = true;
/** The ACK of a FIN that follows received data waits for the delayed-ACK timer (Linux ping-pong mode). */
export let cfgDelayFinAck: bool = false;
/** A connection killed by keepalive sends RST+ACK first (Linux tcp_keepalive_timer). */
export let cfgKeepaliveRst: bool = false;
/** Nagle as Minshall's variant (Linux): a small segment may go while no other small one is unacknowledged. */
export let cfgMinshallNagle: bool = false;
/** A window-limited, sub-MSS segment may go when Nagle allows (Linux TSO split), not only under RFC SWS rule (3). */
export let cfgLinuxSenderWindow: bool = false;
/** After answering a bad ACK in SYN_SENT, resend the SYN almost at once (Linux TCP_TIMEOUT_MIN). */
export let cfgSynResendOnBadAck: bool = false;

/** Most challenge ACKs sent per second, engine-wide (RFC 5961 §7); 0 = no limit. */
export let cfgChallengeAckLimit: i32 = 1000;

/** PSH on the last data segment of every burst, not only at the end of the queued data (Linux). */
export let cfgPshOnBurstEnd: bool = false;

/** Sets config `key` to `value`; returns 0, or −22 (EINVAL) for an unknown key or a bad value. */
export function configSetValue(key: i32, v: f64): i32 {
  let i = <i32>v;
  let b = v != 0;
  if (v != v) return -22;
  switch (key) {
    case Key.MaxConnections: if (i < 1 || i > 65535) return -22; cfgMaxConnections = i; break;
    case Key.MaxListeners: if (i < 1 || i > 4096) return -22; cfgMaxListeners = i; break;
    case Key.Backlog: if (i < 1) return -22; cfgBacklog = i; break;
    case Key.SendBufferSize: if (i < 1024 || i > 0x40000000) return -22; cfgSendBufferSize = i; break;
    case Key.RecvBufferSize: if (i < 1024 || i > 0x40000000) return -22; cfgRecvBufferSize = i; break;
    case Key.Mss: if (i < 64 || i > 65495) return -22; cfgMss = i; break;
    case Key.RtoInitialMs: if (v <= 0) return -22; cfgRtoInitialMs = v; break;
    case Key.RtoMinMs: if (v <= 0) return -22; cfgRtoMinMs = v; break;
    case Key.RtoMaxMs: if (v <= 0) return -22; cfgRtoMaxMs = v; break;
    case Key.SynRetries: if (i < 0 || i > 255) return -22; cfgSynRetries = i; break;
    case Key.DataRetries: if (i < 0 || i > 255) return -22; cfgDataRetries = i; break;
    case Key.TimeWaitMs: if (v < 0) return -22; cfgTimeWaitMs = v; break;
    case Key.DelayedAckMs: if (v < 0) return -22; cfgDelayedAckMs = v; break;
    case Key.KeepaliveIdleMs: if (v <= 0) return -22; cfgKeepaliveIdleMs = v; break;
    case Key.KeepaliveIntervalMs: if (v <= 0) return -22; cfgKeepaliveIntervalMs = v; break;
    case Key.KeepaliveCount: if (i < 1 || i > 255) return -22; cfgKeepaliveCount = i; break;
    case Key.InitialWindowSegments: if (i < 1 || i > 1000) return -22; cfgInitialWindowSegments = i; break;
    case Key.WindowScale: if (i < -1 || i > 14) return -22; cfgWindowScale = i; break;
    case Key.Timestamps: cfgTimestamps = b; break;
    case Key.Sack: cfgSack = b; break;
    case Key.SynAckRetries: if (i < 0 || i > 255) return -22; cfgSynAckRetries = i; break;
    case Key.QuickAcks: if (i < 0 || i > 255) return -22; cfgQuickAcks = i; break;
    case Key.AbortOnUnreadClose: cfgAbortOnUnreadClose = b; break;
    case Key.RstOnDataAfterClose: cfgRstOnDataAfterClose = b; break;
    case Key.FinWait2TimeoutMs: if (v < 0) return -22; cfgFinWait2TimeoutMs = v; break;
    case Key.DefaultMss: if (i < 64 || i > 65495) return -22; cfgDefaultMss = i; break;
    case Key.TxQueueSize: if (i < 70000 || i > 0x40000000) return -22; cfgTxQueueSize = i; break;
    case Key.EventQueueSize: if (i < 16 || i > 1 << 24) return -22; cfgEventQueueSize = i; break;
    case Key.RxSlotSize: if (i < 65536 || i > 1 << 24) return -22; cfgRxSlotSize = i; break;
    case Key.TsRandomOffset: cfgTsRandomOffset = b; break;
    case Key.LinuxRto: cfgLinuxRto = b; break;
    case Key.IcmpAbortsSynSent: cfgIcmpAbortsSynSent = b; break;
    case Key.RecycleTimeWait: cfgRecycleTimeWait = b; break;
    case Key.Ttl: if (i < 1 || i > 255) return -22; cfgTtl = i; break;
    case Key.EphemeralLow: if (i < 1 || i > 65535) return -22; cfgEphemeralLow = i; break;
    case Key.EphemeralHigh: if (i < 1 || i > 65535) return -22; cfgEphemeralHigh = i; break;
    case Key.TsTickMs: if (v <= 0) return -22; cfgTsTickMs = v; break;
    case Key.WindowScaling: cfgWindowScaling = b; break;
    case Key.DelayedAckSegments: if (i < 1 || i > 255) return -22; cfgDelayedAckSegments = i; break;
    case Key.AckUnsentData: cfgAckUnsentData = b; break;
    case Key.DelayFinAck: cfgDelayFinAck = b; break;
    case Key.KeepaliveRst: cfgKeepaliveRst = b; break;
    case Key.MinshallNagle: cfgMinshallNagle = b; break;
    case Key.LinuxSenderWindow: cfgLinuxSenderWindow = b; break;
    case Key.SynResendOnBadAck: cfgSynResendOnBadAck = b; break;
    case Key.ChallengeAckLimit: if (i < 0) return -22; cfgChallengeAckLimit = i; break;
    case Key.PshOnBurstEnd: cfgPshOnBurstEnd = b; break;
    default: return -22;
  }
  return 0;
}

/** Checks the knobs against each other (each was range-checked when set); returns 0 or −EINVAL. */
export function configCheck(): i32 {
  if (cfgRtoMinMs > cfgRtoMaxMs) return -22;
  if (cfgEphemeralLow > cfgEphemeralHigh) return -22;
  return 0;
}

/** Current value of config `key` (NaN for an unknown key). */
export function configGetValue(key: i32): f64 {
  switch (key) {
    case Key.MaxConnections: return cfgMaxConnections;
    case Key.MaxListeners: return cfgMaxListeners;
    case Key.Backlog: return cfgBacklog;
    case Key.SendBufferSize: return cfgSendBufferSize;
    case Key.RecvBufferSize: return cfgRecvBufferSize;
    case Key.Mss: return cfgMss;
    case Key.RtoInitialMs: return cfgRtoInitialMs;
    case Key.RtoMinMs: return cfgRtoMinMs;
    case Key.RtoMaxMs: return cfgRtoMaxMs;
    case Key.SynRetries: return cfgSynRetries;
    case Key.DataRetries: return cfgDataRetries;
    case Key.TimeWaitMs: return cfgTimeWaitMs;
    case Key.DelayedAckMs: return cfgDelayedAckMs;
    case Key.KeepaliveIdleMs: return cfgKeepaliveIdleMs;
    case Key.KeepaliveIntervalMs: return cfgKeepaliveIntervalMs;
    case Key.KeepaliveCount: return cfgKeepaliveCount;
    case Key.InitialWindowSegments: return cfgInitialWindowSegments;
    case Key.WindowScale: return cfgWindowScale;
    case Key.Timestamps: return cfgTimestamps ? 1 : 0;
    case Key.Sack: return cfgSack ? 1 : 0;
    case Key.SynAckRetries: return cfgSynAckRetries;
    case Key.QuickAcks: return cfgQuickAcks;
    case Key.AbortOnUnreadClose: return cfgAbortOnUnreadClose ? 1 : 0;
    case Key.RstOnDataAfterClose: return cfgRstOnDataAfterClose ? 1 : 0;
    case Key.FinWait2TimeoutMs: return cfgFinWait2TimeoutMs;
    case Key.DefaultMss: return cfgDefaultMss;
    case Key.TxQueueSize: return cfgTxQueueSize;
    case Key.EventQueueSize: return cfgEventQueueSize;
    case Key.RxSlotSize: return cfgRxSlotSize;
    case Key.TsRandomOffset: return cfgTsRandomOffset ? 1 : 0;
    case Key.LinuxRto: return cfgLinuxRto ? 1 : 0;
    case Key.IcmpAbortsSynSent: return cfgIcmpAbortsSynSent ? 1 : 0;
    case Key.RecycleTimeWait: return cfgRecycleTimeWait ? 1 : 0;
    case Key.Ttl: return cfgTtl;
    case Key.EphemeralLow: return cfgEphemeralLow;
    case Key.EphemeralHigh: return cfgEphemeralHigh;
    case Key.TsTickMs: return cfgTsTickMs;
    case Key.WindowScaling: return cfgWindowScaling ? 1 : 0;
    case Key.DelayedAckSegments: return cfgDelayedAckSegments;
    case Key.AckUnsentData: return cfgAckUnsentData ? 1 : 0;
    case Key.DelayFinAck: return cfgDelayFinAck ? 1 : 0;
    case Key.KeepaliveRst: return cfgKeepaliveRst ? 1 : 0;
    case Key.MinshallNagle: return cfgMinshallNagle ? 1 : 0;
    case Key.LinuxSenderWindow: return cfgLinuxSenderWindow ? 1 : 0;
    case Key.SynResendOnBadAck: return cfgSynResendOnBadAck ? 1 : 0;
    case Key.ChallengeAckLimit: return cfgChallengeAckLimit;
    case Key.PshOnBurstEnd: return cfgPshOnBurstEnd ? 1 : 0;
  }
  return NaN;
}
