// The interface the script runner drives: the WASM engine (engine.ts) or the kernel (kernel.ts).
import type { ConfigOverrides } from './profile.js';

/** The part of the engine wrapper (src/engine/engine.ts) the runner drives. */
export interface ScriptEngine {
  input(packet: Uint8Array, now: number): void;
  /** Hands over each packet sent; a wall-clock backend also gives the time it was sent (ms). */
  drainTx(fn: (packet: Uint8Array, sentMs?: number) => void): number;
  poll(now: number): number;
  nextEvent(ev: { kind: number; conn: number; arg: number }): boolean;
  listen(port: number, backlog?: number): number;
  unlisten(listener: number, now: number): void;
  accept(listener: number): number;
  connect(dstAddr: number, dstPort: number, now: number, srcPort?: number): number;
  send(conn: number, data: Uint8Array, now: number): number;
  recv(conn: number, into: Uint8Array, now: number): number;
  shutdown(conn: number, now: number): number;
  /** shutdown(SHUT_RD): later reads return 0. */
  shutdownRead?(conn: number, now: number): number;
  close(conn: number, now: number): number;
  abort(conn: number, now: number): number;
  release(conn: number, now: number): void;
  setNoDelay(conn: number, on: boolean, now: number): void;
  setKeepAlive(conn: number, on: boolean, idleMs: number | undefined, now: number): void;
  /** SO_LINGER {1, 0}. */
  setLinger0?(conn: number, on: boolean, now: number): void;
  /** TCP_KEEPIDLE / TCP_KEEPINTVL (ms) and TCP_KEEPCNT of one connection. */
  setKeepAliveParams?(conn: number, p: { idleMs?: number; intervalMs?: number; count?: number }, now: number): void;
  /** TCP_USER_TIMEOUT in ms. */
  setUserTimeout?(conn: number, ms: number, now: number): void;
  /** TCP_LINGER2 in seconds (negative: no orphaned FIN_WAIT_2; 0: the system default). */
  setLinger2?(conn: number, secs: number, now: number): void;
  /** getsockopt(TCP_LINGER2): the orphaned FIN_WAIT_2 lifetime in seconds, or −1. */
  getLinger2?(conn: number): number;
  state(conn: number): number;
  info(conn: number): { localPort: number; mss: number };
  bufferedSend(conn: number): number;
  /** Optional: bytes waiting in the receive buffer (SIOCINQ, poll). */
  bufferedRecv?(conn: number): number;
  /** Optional: the send MSS as Linux's TCP_MAXSEG reports it. */
  maxSeg?(conn: number): number;
  /** Optional: changes a behaviour knob after creation (per engine, so per script here). */
  setConfig?(key: string, value: number | boolean): boolean;
  /**
   * Optional, for a wall-clock backend (the kernel): when its last call took effect (ms; for
   * input() when the packet went in). The script's clock never lags behind it, and events are
   * anchored to it, as packetdrill anchors them to the live time an event finished.
   */
  wallClockMs?(): number;
  /** Bytes of a connection's send buffer (for poll's POLLOUT). */
  sendBufferSize: number;
  /**
   * SO_ERROR (read and cleared), as a positive errno or 0. recv() and send() report errors as
   * Linux does (the pending error once, then end of file or EPIPE), so the runner passes them through.
   */
  soError(conn: number): number;
  /** poll(2) readiness of a connection (Linux POLL* bits) as Linux tcp_poll reports it. */
  pollMask(conn: number): number;
  /** Optional passthrough for integer socket options the runner does not model (the kernel). */
  setsockopt?(conn: number, level: number, opt: number, value: number): number;
}

/** Creates an engine for a script: local address, seed and config overrides. */
export type EngineFactory = (opts: {
  addr: number;
  remote: number;
  seed: number;
  config: ConfigOverrides;
  /** net.ipv4 sysctls for a kernel backend: the Linux profile's plus the script's overrides. */
  sysctls: ReadonlyArray<[string, string]>;
}) => ScriptEngine;
