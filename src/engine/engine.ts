// The typed wrapper around one engine instance (docs/engine-abi.md). The only code that calls raw exports.
// No Node built-ins; no allocation per packet in input/drainTx (one cached Uint8Array over memory).
import { instantiateEngine, type EngineExports } from './load.js';
import { CONFIG_KEYS, DEFAULT_CONFIG, configValue, type EngineConfig } from './config.js';
import { EngineError } from './errno.js';
import {
  ABI_VERSION, ConnFlag, Ctl, INFO_SLOTS, STAT_NAMES, readInfo, type ConnInfo, type EngineStats, type TcpState,
} from './abi.js';

export type { EngineConfig } from './config.js';
export { DEFAULT_CONFIG, LINUX_PROFILE, CONFIG_KEYS } from './config.js';
export { TcpState, STATE_NAMES, EventKind, STAT_NAMES, ConnFlag, type ConnInfo, type EngineStats } from './abi.js';

/** One event popped from the engine's queue. */
export interface EngineEvent { kind: number; conn: number; arg: number }

/** Options of Engine.create. */
export interface EngineOptions {
  /** Our IPv4 address as a u32 (a<<24|b<<16|c<<8|d). */
  addr: number;
  /** Secret for ISNs and hashing (RFC 6528); any number, 64 bits used. */
  seed: number;
  config?: Partial<EngineConfig>;
}

/** One TCP engine: a connection table, its buffers and timers, in its own WASM instance. */
export class Engine {
  /** The instance's memory; never grows after create(). */
  readonly memory: WebAssembly.Memory;
  /** The configuration in effect. */
  readonly config: EngineConfig;
  /** Bytes of engine state per connection, buffers excluded. */
  readonly connStateBytes: number;
  /** Bytes laid out at init (table, rings, queues). */
  readonly memoryBytes: number;
  private readonly ex: EngineExports;
  private u8: Uint8Array;
  private u32: Uint32Array;
  /** Control block address in u32 units (slots: Ctl). */
  private readonly ctl: number;
  private readonly rxPtr: number;
  private readonly rxCap: number;
  private readonly txPtr: number;
  private readonly statsPtr: number;
  private readonly infoPtr: number;

  private constructor(ex: EngineExports, config: EngineConfig) {
    this.ex = ex;
    this.memory = ex.memory;
    this.config = config;
    this.u8 = new Uint8Array(ex.memory.buffer);
    this.u32 = new Uint32Array(ex.memory.buffer);
    this.rxPtr = ex.rxPtr();
    this.rxCap = config.rxSlotSize;
    this.txPtr = ex.txPtr();
    this.statsPtr = ex.statsPtr();
    this.ctl = ex.ctlPtr() >>> 2;
    this.infoPtr = ex.infoPtr();
    this.connStateBytes = ex.connStateBytes();
    this.memoryBytes = ex.memoryLaidOut();
  }

  /** Instantiates and initialises an engine; throws EngineError (EINVAL, ENOBUFS) on a bad config. */
  static create(opts: EngineOptions): Engine {
    const ex = instantiateEngine();
    if (typeof ex.engineAbiVersion !== 'function' || ex.engineAbiVersion() !== ABI_VERSION) {
      throw new Error(`engine ABI mismatch: want ${ABI_VERSION}`);
    }
    const cfg = { ...DEFAULT_CONFIG, ...(opts.config ?? {}) } as EngineConfig;
    CONFIG_KEYS.forEach((k, i) => {
      const v = cfg[k];
      if (v === undefined) return;
      const r = ex.configSet(i, configValue(v as number | boolean));
      if (r < 0) throw new EngineError(r, `config ${k}=${String(v)}`);
    });
    const seed = Number.isFinite(opts.seed) ? opts.seed : 0;
    const lo = (seed >>> 0) | 0;
    const hi = Math.floor(seed / 0x100000000) | 0;
    const r = ex.init(opts.addr >>> 0, lo, hi);
    if (r < 0) throw new EngineError(r, 'init');
    const config = {} as Record<string, number | boolean>;
    CONFIG_KEYS.forEach((k, i) => {
      const v = ex.configGet(i);
      config[k] = typeof DEFAULT_CONFIG[k] === 'boolean' ? v !== 0 : v;
    });
    return new Engine(ex, config as unknown as EngineConfig);
  }

  /** The cached view of memory; memory never grows after init, but a detached view (length 0) is renewed. */
  private bytes(): Uint8Array {
    if (this.u8.length === 0) {
      this.u8 = new Uint8Array(this.memory.buffer);
      this.u32 = new Uint32Array(this.memory.buffer);
    }
    return this.u8;
  }

  /** Copies one IPv4 packet into the rx slot and processes it (oversized packets are counted and dropped). */
  input(packet: Uint8Array, now: number): void {
    const n = packet.length;
    if (n > this.rxCap) { this.ex.input(-1, now); return; }
    this.bytes().set(packet, this.rxPtr);
    this.ex.input(n, now);
  }

  /** Calls `fn` for every queued outbound IPv4 packet; the view is valid only during the call. Returns the count. */
  drainTx(fn: (packet: Uint8Array) => void): number {
    const ex = this.ex;
    let off = 0;
    let count = 0;
    const ctl = this.ctl;
    let end = this.u32[ctl + Ctl.TxUsed];
    if (end === 0) return 0;
    while (off < end) {
      const u8 = this.bytes();
      const p = this.txPtr + off; // records are 4-aligned, the queue 16-aligned
      const len = this.u32[p >>> 2];
      fn(u8.subarray(p + 4, p + 4 + len));
      off += 4 + ((len + 3) & ~3);
      count++;
      // `fn` may make this engine queue more (e.g. a loopback link): look again at the end.
      if (off >= end) end = this.u32[ctl + Ctl.TxUsed];
    }
    this.u32[ctl + Ctl.TxUsed] = 0; // the engine reads its fill level from the control block
    this.u32[ctl + Ctl.TxCount] = 0;
    void ex;
    return count;
  }

  /** Packets waiting in the tx queue. */
  get txPending(): number { return this.u32[this.ctl + Ctl.TxCount]; }

  /** Fires due timers (and resumes output held by a full tx queue); returns the next deadline in ms (Infinity when none). */
  poll(now: number): number { return this.ex.poll(now); }

  /** Pops the next event into `ev` and returns true, or returns false when the queue is empty. */
  nextEvent(ev: EngineEvent): boolean {
    const ctl = this.ctl;
    if (this.u32[ctl + Ctl.EvCount] === 0) return false;
    const kind = this.ex.eventNext();
    if (kind === 0) return false;
    ev.kind = kind;
    ev.conn = this.u32[ctl + Ctl.EvConn] | 0;
    ev.arg = this.u32[ctl + Ctl.EvArg] | 0;
    return true;
  }

  /** Opens a listener (port 0: a free one from the ephemeral range); returns its handle or −errno (EADDRINUSE, EMFILE, EINVAL). */
  listen(port: number, backlog = 0): number { return this.ex.tcpListen(port, backlog); }
  /** The port listener `listener` listens on (0 for a bad handle). */
  listenerPort(listener: number): number { return this.ex.tcpListenerPort(listener); }
  /** Stops listening; pending embryonic and unaccepted connections are reset. */
  unlisten(listener: number, now: number): void { this.ex.tcpUnlisten(listener, now); }
  /** Takes an established connection from the listener, or −EAGAIN. */
  accept(listener: number): number { return this.ex.tcpAccept(listener); }
  /** Active open; returns the connection (SYN_SENT) or −errno (EMFILE, EADDRINUSE, EADDRNOTAVAIL, ENETUNREACH, EINVAL). */
  connect(dstAddr: number, dstPort: number, now: number, srcPort = 0): number {
    return this.ex.tcpConnect(dstAddr >>> 0, dstPort, now, srcPort);
  }

  /** Queues bytes for sending; returns bytes queued (may be < length), −EAGAIN when the buffer is full, or −errno. */
  send(conn: number, data: Uint8Array, now: number): number {
    const ex = this.ex;
    const total = data.length;
    let done = 0;
    while (done < total) {
      const room = ex.tcpSendReserve(conn);
      if (room < 0) {
        if (done > 0) break; // the failed reserve marked "want Writable"
        return room;
      }
      const n = Math.min(room, total - done);
      const u8 = this.bytes();
      const p = this.u32[this.ctl + Ctl.Region];
      if (n === total) u8.set(data, p); else u8.set(data.subarray(done, done + n), p);
      done += n;
      // Flush with the last piece; a ring wrap commits the first piece without sending.
      ex.tcpSendCommit(conn, n, done === total || n < room, now);
    }
    if (done > 0 && done < total) ex.tcpFlush(conn, now);
    return done;
  }

  /** Reads into `into`; returns bytes read, 0 at end of stream, −EAGAIN when nothing yet, or −errno. */
  recv(conn: number, into: Uint8Array, now = -Infinity): number {
    const ex = this.ex;
    let done = 0;
    while (done < into.length) {
      const avail = ex.tcpRecvPeek(conn);
      if (avail <= 0) {
        if (done > 0) break;
        return avail;
      }
      const n = Math.min(avail, into.length - done);
      const p = this.u32[this.ctl + Ctl.Region];
      const u8 = this.bytes();
      if (n <= 32) for (let i = 0; i < n; i++) into[done + i] = u8[p + i]; // no view object for small reads
      else into.set(u8.subarray(p, p + n), done);
      done += n;
      if (ex.tcpRecvConsume(conn, n, now) <= 0) break; // nothing left: no second peek
    }
    return done;
  }

  /** Half-close: FIN after the queued data. */
  shutdown(conn: number, now: number): number { return this.ex.tcpShutdown(conn, now); }
  /** shutdown(SHUT_RD): later recv() calls return 0. */
  shutdownRead(conn: number): number { return this.ex.tcpShutdownRead(conn); }
  /** Orderly close; RST instead when unread data remains (RFC 2525) or SO_LINGER 0 was set. */
  close(conn: number, now: number): number { return this.ex.tcpClose(conn, now); }
  /** RST now (linger 0). */
  abort(conn: number, now: number): number { return this.ex.tcpAbort(conn, now); }
  /** The host is done with the handle: freed now if CLOSED, else closed and freed when it gets there. */
  release(conn: number): void { this.ex.tcpRelease(conn); }
  /** TCP_NODELAY. */
  setNoDelay(conn: number, on: boolean, now = -Infinity): void { this.ex.tcpSetNoDelay(conn, on, now); }
  /** SO_KEEPALIVE, optionally with an idle time in ms (0 keeps the current one). */
  setKeepAlive(conn: number, on: boolean, idleMs = 0, now = -Infinity): void { this.ex.tcpSetKeepAlive(conn, on, idleMs, 0, 0, now); }
  /** TCP_KEEPIDLE / TCP_KEEPINTVL (ms) and TCP_KEEPCNT of one connection; 0 keeps a value, keepalive on/off unchanged. */
  setKeepAliveParams(conn: number, p: { idleMs?: number; intervalMs?: number; count?: number }, now = -Infinity): void {
    const on = (this.info(conn).flags & ConnFlag.KEEPALIVE) !== 0;
    this.ex.tcpSetKeepAlive(conn, on, p.idleMs ?? 0, p.intervalMs ?? 0, p.count ?? 0, now);
  }
  /** SO_LINGER {onoff=1, linger=0}: close() aborts with RST. */
  setLinger0(conn: number, on: boolean): void { this.ex.tcpSetLinger0(conn, on); }
  /** TCP_USER_TIMEOUT in ms (0 = off). */
  setUserTimeout(conn: number, ms: number): void { this.ex.tcpSetUserTimeout(conn, ms); }
  /** Current state of the connection slot. */
  state(conn: number): TcpState { return this.ex.tcpState(conn); }
  /** Bytes queued, not yet acknowledged. */
  bufferedSend(conn: number): number { return this.ex.tcpBufferedSend(conn); }
  /** Bytes ready to read (SIOCINQ). */
  readable(conn: number): number { return this.ex.tcpReadable(conn); }
  /** Connection slots in use. */
  get connectionsInUse(): number { return this.ex.connectionsInUse(); }

  /** Snapshot of a connection's control block; throws EBADF for a free slot. */
  info(conn: number): ConnInfo {
    const r = this.ex.tcpInfo(conn);
    if (r < 0) throw new EngineError(r, 'info');
    return readInfo(new Float64Array(this.memory.buffer, this.infoPtr, INFO_SLOTS));
  }

  /** Engine-wide counters (a fresh object per read). */
  get stats(): EngineStats {
    const u = new Uint32Array(this.memory.buffer, this.statsPtr, STAT_NAMES.length);
    const out = {} as Record<string, number>;
    STAT_NAMES.forEach((n, i) => { out[n] = u[i]; });
    return out as EngineStats;
  }

  /** Test hook: the next ISN the engine picks is `v` (one shot). */
  setNextIss(v: number): void { this.ex.testSetNextIss(v >>> 0); }
}
