// Engine config: the knobs themselves are generated from the spec (src/engine/abi.ts); here the
// profiles built on them.
import type { EngineConfig } from './abi.js';

export { CONFIG_KEYS, DEFAULT_CONFIG, CONFIG_LIMITS, CONFIG_CHECKS, type EngineConfig, type ConfigLimit } from './abi.js';

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
  pshOnBurstEnd: true, tlp: true, // tcp_early_retrans=3, Linux's default
};

/** Numeric value of a config entry as the engine takes it. */
export function configValue(v: number | boolean): number {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}
