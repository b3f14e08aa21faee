// TypeScript mirror of assembly/config.ts: key order (the numeric keys of `configSet`), defaults, profiles.

/** Every knob of the engine (assembly/config.ts), Linux-like defaults. Times in ms, sizes in bytes. */
export interface EngineConfig {
  maxConnections: number; maxListeners: number; backlog: number;
  sendBufferSize: number; recvBufferSize: number; mss: number;
  rtoInitialMs: number; rtoMinMs: number; rtoMaxMs: number;
  synRetries: number; dataRetries: number; timeWaitMs: number; delayedAckMs: number;
  keepaliveIdleMs: number; keepaliveIntervalMs: number; keepaliveCount: number;
  initialWindowSegments: number;
  /** Window shift we offer; −1 derives it from recvBufferSize. */
  windowScale: number;
  timestamps: boolean; sack: boolean;
  synAckRetries: number;
  /** Segments ACKed at once at connection start (Linux quick-ACK mode); 0 = always delay. */
  quickAcks: number;
  /** close() with unread data sends RST (RFC 2525). */
  abortOnUnreadClose: boolean;
  /** Data arriving after close() is answered with RST (Linux). */
  rstOnDataAfterClose: boolean;
  /** Orphaned FIN_WAIT_2 lifetime (Linux tcp_fin_timeout); 0 = forever. */
  finWait2TimeoutMs: number;
  /** Send MSS when the peer sends no MSS option. */
  defaultMss: number;
  txQueueSize: number; eventQueueSize: number; rxSlotSize: number;
  /** Random per-connection TSval offset. */
  tsRandomOffset: boolean;
  /** RTO = srtt + max(4·rttvar, rtoMin) (Linux) instead of RFC 6298's max(rtoMin, srtt + 4·rttvar). */
  linuxRto: boolean;
  /** ICMP unreachable aborts a connection in SYN_SENT (Linux). */
  icmpAbortsSynSent: boolean;
  /** Reuse the oldest orphaned TIME_WAIT slot when the table is full. */
  recycleTimeWait: boolean;
  ttl: number; ephemeralLow: number; ephemeralHigh: number;
  /** Milliseconds per TSval tick. */
  tsTickMs: number;
  /** Offer/accept window scaling at all. */
  windowScaling: boolean;
  /** Full-sized segments before an immediate ACK (2 per RFC 9293 §3.8.6.3). */
  delayedAckSegments: number;
  /** Answer an ACK of unsent data with an ACK (RFC 9293); Linux drops it silently. */
  ackUnsentData: boolean;
  /** Delay the ACK of a FIN that follows received data (Linux ping-pong mode). */
  delayFinAck: boolean;
  /** Send RST+ACK when keepalive gives up (Linux). */
  keepaliveRst: boolean;
  /** Minshall's Nagle variant (Linux). */
  minshallNagle: boolean;
  /** Send a window-limited sub-MSS segment when Nagle allows (Linux TSO split point). */
  linuxSenderWindow: boolean;
  /** Resend the SYN almost at once after answering a bad ACK in SYN_SENT (Linux). */
  synResendOnBadAck: boolean;
  /** Most challenge ACKs per second, engine-wide (RFC 5961 §7); 0 = no limit. */
  challengeAckLimit: number;
  /** PSH on the last data segment of every burst (Linux), not only where the queued data ends. */
  pshOnBurstEnd: boolean;
}

/** Keys in the order of assembly/config.ts `Key` (index = numeric key). */
export const CONFIG_KEYS: readonly (keyof EngineConfig)[] = [
  'maxConnections', 'maxListeners', 'backlog', 'sendBufferSize', 'recvBufferSize', 'mss',
  'rtoInitialMs', 'rtoMinMs', 'rtoMaxMs', 'synRetries', 'dataRetries', 'timeWaitMs', 'delayedAckMs',
  'keepaliveIdleMs', 'keepaliveIntervalMs', 'keepaliveCount', 'initialWindowSegments', 'windowScale',
  'timestamps', 'sack', 'synAckRetries', 'quickAcks', 'abortOnUnreadClose', 'rstOnDataAfterClose',
  'finWait2TimeoutMs', 'defaultMss', 'txQueueSize', 'eventQueueSize', 'rxSlotSize', 'tsRandomOffset',
  'linuxRto', 'icmpAbortsSynSent', 'recycleTimeWait', 'ttl', 'ephemeralLow', 'ephemeralHigh', 'tsTickMs',
  'windowScaling', 'delayedAckSegments', 'ackUnsentData', 'delayFinAck', 'keepaliveRst', 'minshallNagle',
  'linuxSenderWindow', 'synResendOnBadAck', 'challengeAckLimit', 'pshOnBurstEnd',
];

/** The defaults compiled into the engine (same values as assembly/config.ts). */
export const DEFAULT_CONFIG: Readonly<EngineConfig> = {
  maxConnections: 128, maxListeners: 16, backlog: 128, sendBufferSize: 65536, recvBufferSize: 65536, mss: 1460,
  rtoInitialMs: 1000, rtoMinMs: 200, rtoMaxMs: 120000, synRetries: 6, dataRetries: 15, timeWaitMs: 60000,
  delayedAckMs: 40, keepaliveIdleMs: 7200000, keepaliveIntervalMs: 75000, keepaliveCount: 9,
  initialWindowSegments: 10, windowScale: -1, timestamps: true, sack: true, synAckRetries: 5, quickAcks: 0,
  abortOnUnreadClose: true, rstOnDataAfterClose: true, finWait2TimeoutMs: 60000, defaultMss: 536,
  txQueueSize: 524288, eventQueueSize: 8192, rxSlotSize: 65536, tsRandomOffset: true, linuxRto: false,
  icmpAbortsSynSent: true, recycleTimeWait: true, ttl: 64, ephemeralLow: 32768, ephemeralHigh: 60999,
  tsTickMs: 1, windowScaling: true, delayedAckSegments: 2, ackUnsentData: true, delayFinAck: false,
  keepaliveRst: false, minshallNagle: false, linuxSenderWindow: false, synResendOnBadAck: false,
  challengeAckLimit: 1000, pshOnBurstEnd: false,
};

/**
 * What Linux chooses where the RFCs leave room, for packetdrill scripts written against Linux
 * (defaults.sh: tcp_rmem max 15 MiB → wscale 8, tcp_syn_retries 5, quick ACKs at connection start).
 */
export const LINUX_PROFILE: Readonly<Partial<EngineConfig>> = {
  mss: 1460, windowScale: 8, timestamps: true, sack: true, initialWindowSegments: 10,
  rtoInitialMs: 1000, rtoMinMs: 200, linuxRto: true, delayedAckMs: 40, quickAcks: 16, synRetries: 5,
  synAckRetries: 5, abortOnUnreadClose: true, rstOnDataAfterClose: true, icmpAbortsSynSent: true,
  tsTickMs: 1, recvBufferSize: 540000, sendBufferSize: 262144, delayFinAck: true,
  maxConnections: 16, // a packetdrill run has a handful of sockets: ~13 MB of rings instead of ~100 MB
  keepaliveRst: true, minshallNagle: true, linuxSenderWindow: true, synResendOnBadAck: true,
  pshOnBurstEnd: true,
};

/** Numeric value of a config entry as the engine takes it. */
export function configValue(v: number | boolean): number {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}
