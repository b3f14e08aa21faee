// The typed wrapper around one engine instance (docs/engine-abi.md). The only code that calls raw exports.
// No Node built-ins. Packets and events cross through memory the engine laid out once: a packet record
// area each way, an event ring and a control block, read here with typed arrays made once, so the
// hot paths allocate nothing and make no call per packet or per event.
import { instantiateEngine, type EngineExports, type WasmModule } from './load.js';
import { CONFIG_KEYS, CONFIG_LIMITS, DEFAULT_CONFIG, configValue, type EngineConfig } from './config.js';
import { EngineError } from './errno.js';
import { appendRecords, copyRecords, forEachRecord, recordBatch, recordBytes, recordLength, type RecordBatch } from './records.js';
import {
  ABI_VERSION, Ctl, IfKind, INFO_FIELDS, NeighState, RECORD_HEADER, RECORD_IFACE_MASK, STAT_NAMES, SockOpt, Shut, readInfo, readNeigh,
  type ConnInfo, type EngineStats, type NeighInfo, type TcpState,
} from './abi.js';

export type { EngineConfig } from './config.js';
export { DEFAULT_CONFIG, LINUX_PROFILE, CONFIG_KEYS } from './config.js';
export {
  TcpState, STATE_NAMES, EventKind, STAT_NAMES, ConnFlag, SockOpt, Poll, IfKind, NeighState, NEIGH_STATE_NAMES,
  RECORD_LOCAL, type ConnInfo, type EngineStats, type NeighInfo,
} from './abi.js';

/** One event popped from the engine's ring. */
export interface EngineEvent { kind: number; conn: number; arg: number }

/** The addresses of one connection (Engine.tuple fills a caller's object: no allocation per call). */
export interface ConnTuple { localAddr: number; localPort: number; remoteAddr: number; remotePort: number }

const INFO_LOCAL_ADDR = INFO_FIELDS.indexOf('localAddr');
const INFO_LOCAL_PORT = INFO_FIELDS.indexOf('localPort');
const INFO_REMOTE_ADDR = INFO_FIELDS.indexOf('remoteAddr');
const INFO_REMOTE_PORT = INFO_FIELDS.indexOf('remotePort');

/** Options of Engine.create. */
export interface EngineOptions {
  /** Our IPv4 address as a u32 (a<<24|b<<16|c<<8|d): interface 0 as an IP interface /0; 0 = no interface yet (see ifaceUp). */
  addr: number;
  /** Secret for ISNs and hashing (RFC 6528); any number, 64 bits used. */
  seed: number;
  config?: Partial<EngineConfig>;
  /** The compiled module to instantiate (default: build/engine.wasm; tests pass build/engine.test.wasm). */
  module?: WasmModule;
}

/** How an interface is brought up (Engine.ifaceUp). */
export interface IfaceConfig {
  /** ETHERNET (TAP), IP (TUN) or LOOPBACK. */
  kind: IfKind;
  /** Our IPv4 address as a u32. */
  addr: number;
  /** Prefix length, 0–32. */
  prefix: number;
  /** Default gateway as a u32 (on-link), 0 or absent for none. */
  gateway?: number;
  /** MAC as a 48-bit number (Ethernet only). */
  mac?: number;
  /** Largest IPv4 packet, 68–65535 (an Ethernet frame of it must fit arpQueueBytes). */
  mtu: number;
}

/** Receives a tx batch of packet records (src/engine/records.ts); valid only during the call. */
export type RecordSink = (batch: RecordBatch) => void;

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
  /** The raw exports (for src/engine/ and tests of the test build's hooks). @internal */
  readonly exports: EngineExports;
  private readonly ex: EngineExports;
  private u8!: Uint8Array;
  private i32!: Int32Array;
  private f64!: Float64Array;
  /** The tx batch handed to drainTxRecords' sink (one object, reused). */
  private txBatch!: RecordBatch;
  /** Control block address in i32 units (slots: Ctl). */
  private readonly ctl: number;
  private readonly rxBase: number;
  private readonly rxSize: number;
  private readonly rxCap: number;
  private readonly txBase: number;
  private readonly evBase: number;
  private readonly evCap: number;
  private readonly stage: number;
  private readonly stageSize: number;
  private readonly statsPtr: number;
  private readonly infoPtr: number;
  /** Bytes of held records (holdRecords) at the start of the rx area: inputHeld processes them without a copy. */
  private rxHeld = 0;
  private rxHeldCount = 0;
  /** Held records that did not fit the rx area, after those in it. */
  private spill = recordBatch(new Uint8Array(0));

  private constructor(ex: EngineExports, config: EngineConfig) {
    this.ex = ex;
    this.exports = ex;
    this.memory = ex.memory;
    this.config = config;
    this.ctl = ex.ctlPtr() >>> 2;
    this.views();
    const c = (k: Ctl) => this.i32[this.ctl + k] >>> 0;
    this.rxBase = c(Ctl.RxBase);
    this.rxSize = c(Ctl.RxSize);
    this.rxCap = config.rxSlotSize;
    this.txBase = c(Ctl.TxBase);
    this.evBase = c(Ctl.EventBase) >>> 2;
    this.evCap = c(Ctl.EventCap);
    this.stage = c(Ctl.StageBase);
    this.stageSize = c(Ctl.StageSize);
    this.statsPtr = c(Ctl.StatsBase);
    this.infoPtr = c(Ctl.InfoBase);
    this.memoryBytes = c(Ctl.MemoryBytes);
    this.connStateBytes = c(Ctl.ConnStateBytes);
  }

  /** Instantiates and initialises an engine; throws EngineError (EINVAL, ENOBUFS) on a bad config. */
  static create(opts: EngineOptions): Engine {
    const ex = instantiateEngine(opts.module);
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
    // What the engine now holds: each value as set (validated), int knobs truncated, booleans as set.
    const config = {} as Record<string, number | boolean>;
    for (const k of CONFIG_KEYS) {
      const v = cfg[k] as number | boolean;
      config[k] = typeof DEFAULT_CONFIG[k] === 'boolean' ? v !== 0 && v !== false : CONFIG_LIMITS[k].type === 'int' ? Math.trunc(v as number) : v;
    }
    return new Engine(ex, config as unknown as EngineConfig);
  }

  /** (Re)makes the typed views over memory (it never grows after init; a detached view is renewed all the same). */
  private views(): void {
    const b = this.memory.buffer;
    this.u8 = new Uint8Array(b);
    this.i32 = new Int32Array(b);
    this.f64 = new Float64Array(b);
    this.txBatch = { u8: this.u8, i32: this.i32, start: 0, end: 0, count: 0 };
  }

  /** The bytes of engine memory (one view, reused). */
  private bytes(): Uint8Array {
    if (this.u8.length === 0) this.views();
    return this.u8;
  }

  // ---------------------------------------------------------------- packets

  /** Copies one IPv4 packet for interface 0 into the rx area and processes it (oversized packets are counted and dropped). */
  input(packet: Uint8Array, now: number): void {
    this.inputOn(0, packet, now);
  }

  /**
   * Copies one packet that arrived on interface `iface` into the rx area and processes it: an
   * Ethernet frame for an Ethernet interface, an IPv4 packet otherwise (oversized ones are counted and dropped).
   */
  inputOn(iface: number, packet: Uint8Array, now: number): void {
    const n = packet.length;
    if (this.rxHeld) this.spillHeld();
    if (n > this.rxCap) { this.ex.input(-1, now); return; }
    const u8 = this.bytes();
    const p = this.rxBase;
    this.i32[p >>> 2] = n;
    this.i32[(p >>> 2) + 1] = iface & RECORD_IFACE_MASK;
    u8.set(packet, p + RECORD_HEADER);
    this.ex.input(recordBytes(n), now);
  }

  /**
   * Processes a batch of packet records (the format of the tx area, e.g. a peer engine's tx batch)
   * with one copy and one call per rx area's worth; returns the packets taken.
   */
  inputRecords(batch: RecordBatch, now: number): number {
    if (this.rxHeld) this.spillHeld();
    const bytes = batch.end - batch.start;
    if (bytes > 0 && bytes <= this.rxSize) {
      copyRecords(this.bytes(), this.i32, this.rxBase, batch.u8, batch.i32, batch.start, batch.end);
      return this.ex.input(bytes, now);
    }
    return this.inputCut(batch, now);
  }

  /** inputRecords() of a batch larger than the rx area: cut at record boundaries, one call per piece. */
  private inputCut(batch: RecordBatch, now: number): number {
    const { u8, i32 } = batch;
    const size = this.rxSize;
    let start = batch.start;
    const end = batch.end;
    let n = 0;
    while (start < end) {
      let stop = end;
      if (stop - start > size) {
        // Cut the batch at the last record boundary that fits the rx area.
        stop = start;
        for (;;) {
          const next = stop + recordBytes(recordLength(u8, stop));
          if (next - start > size || next > end) break;
          stop = next;
        }
        if (stop === start) { this.ex.input(-1, now); return n; } // a record larger than the rx area
      }
      copyRecords(this.bytes(), this.i32, this.rxBase, u8, i32, start, stop);
      n += this.ex.input(stop - start, now);
      start = stop;
    }
    return n;
  }

  /**
   * Keeps the `count` records `u8[start, end)` (`i32`: the word view of the same memory) for the next
   * inputHeld(), in order: copied once, into the rx area while they fit (inputHeld then processes them
   * in place), else into a host buffer after them. For input that must wait (the host is draining).
   */
  holdRecords(u8: Uint8Array, i32: Int32Array, start: number, end: number, count: number): void {
    const bytes = end - start;
    if (this.spill.end === 0 && this.rxHeld + bytes <= this.rxSize) {
      copyRecords(this.bytes(), this.i32, this.rxBase + this.rxHeld, u8, i32, start, end);
      this.rxHeld += bytes;
      this.rxHeldCount += count;
      return;
    }
    appendRecords(this.spill, u8, i32, start, end, count);
  }

  /** Records are held for inputHeld(). */
  get held(): boolean { return this.rxHeld !== 0 || this.spill.end !== 0; }

  /** Processes the held records (holdRecords), in the order they came. */
  inputHeld(now: number): void {
    const bytes = this.rxHeld;
    if (bytes) {
      this.rxHeld = 0;
      this.rxHeldCount = 0;
      this.ex.input(bytes, now);
    }
    const spill = this.spill;
    if (spill.end) {
      this.inputRecords(spill, now);
      spill.end = 0;
      spill.count = 0;
    }
  }

  /** Drops the held records (the host crashed). */
  dropHeld(): void {
    this.rxHeld = 0;
    this.rxHeldCount = 0;
    this.spill.end = 0;
    this.spill.count = 0;
  }

  /** Before the rx area is reused for input that does not wait: its held records move to the front of the spill buffer. */
  private spillHeld(): void {
    const old = this.spill;
    const held = this.rxHeld;
    const next = recordBatch(new Uint8Array(Math.max(2 * (held + old.end), 4096)));
    next.u8.set(this.bytes().subarray(this.rxBase, this.rxBase + held));
    next.u8.set(old.u8.subarray(0, old.end), held);
    next.end = held + old.end;
    next.count = this.rxHeldCount + old.count;
    this.spill = next;
    this.rxHeld = 0;
    this.rxHeldCount = 0;
  }

  /**
   * Hands the whole tx batch to `sink` as records (one call, no object per packet), then empties the
   * tx area. Returns the packets handed over; `sink` may make this engine queue more (they follow).
   */
  drainTxRecords(sink: RecordSink): number {
    this.bytes();
    const i32 = this.i32;
    const ctl = this.ctl;
    const batch = this.txBatch;
    let total = 0;
    let from = 0;
    for (;;) {
      const used = i32[ctl + Ctl.TxUsed];
      if (used <= from) break;
      const count = i32[ctl + Ctl.TxCount] - total;
      batch.start = this.txBase + from;
      batch.end = this.txBase + used;
      batch.count = count;
      sink(batch);
      total += count;
      from = used;
    }
    i32[ctl + Ctl.TxUsed] = 0; // the engine reads its fill level from the control block
    i32[ctl + Ctl.TxCount] = 0;
    i32[ctl + Ctl.TxLocal] = 0;
    return total;
  }

  /** Calls `fn` for every queued outbound IPv4 packet (a view valid only during the call); returns the count. */
  drainTx(fn: (packet: Uint8Array) => void): number {
    return this.drainTxRecords((b) => forEachRecord(b.u8, b.start, b.end, fn));
  }

  /** Packets waiting in the tx area. */
  get txPending(): number { return this.i32[this.ctl + Ctl.TxCount]; }
  /** Packets in the tx area addressed to this engine's own address. */
  get txLocal(): number { return this.i32[this.ctl + Ctl.TxLocal]; }

  // ---------------------------------------------------------------- time and events

  /** Fires due timers (and resumes output held by a full tx area); returns the next deadline in ms (Infinity when none). */
  poll(now: number): number { return this.ex.poll(now); }

  /**
   * The engine's earliest deadline without a call: never later than the true one (a restarted timer
   * may still show its old time until a poll), Infinity when none, and at most the last `now` while
   * output waits for tx room. Poll when it is ≤ now.
   */
  get nextDeadline(): number { return this.f64[(this.ctl + Ctl.Deadline) >>> 1]; }

  /** Events waiting in the ring. */
  get eventsPending(): number { return this.i32[this.ctl + Ctl.EvCount]; }

  /** Reads the next event from the ring into `ev` (no call into the engine); false when the ring is empty. */
  nextEvent(ev: EngineEvent): boolean {
    const i32 = this.i32;
    const ctl = this.ctl;
    const count = i32[ctl + Ctl.EvCount];
    if (count === 0) return false;
    const head = i32[ctl + Ctl.EvHead];
    const p = this.evBase + head * 3;
    ev.kind = i32[p];
    ev.conn = i32[p + 1];
    ev.arg = i32[p + 2];
    i32[ctl + Ctl.EvHead] = head + 1 === this.evCap ? 0 : head + 1;
    i32[ctl + Ctl.EvCount] = count - 1;
    return true;
  }

  // ---------------------------------------------------------------- interfaces

  /** Brings up interface `index` (an Ethernet one sends a gratuitous ARP); 0 or −errno (EINVAL, EEXIST, EADDRINUSE). */
  ifaceUp(index: number, c: IfaceConfig, now: number): number {
    const mac = c.mac ?? 0;
    return this.ex.ifaceUp(index, c.kind, c.addr >>> 0, c.prefix, (c.gateway ?? 0) >>> 0, Math.floor(mac / 0x100000000), mac >>> 0, c.mtu, now);
  }

  /** Takes interface `index` down: its connections fail with ENETDOWN, its neighbours are forgotten; 0 or −ENODEV. */
  ifaceDown(index: number, now: number): number { return this.ex.ifaceDown(index, now); }

  /** The ARP neighbour cache: every entry in use (`ip neigh`), in slot order. */
  neighbours(): NeighInfo[] {
    const out: NeighInfo[] = [];
    const n = this.config.arpCacheSize;
    for (let i = 0; i < n; i++) {
      if (this.ex.neighInfo(i) !== 0) continue;
      if (this.f64.length === 0) this.views();
      const e = readNeigh(this.f64, this.infoPtr >>> 3);
      if (e.state !== NeighState.FREE) out.push(e);
    }
    return out;
  }

  // ---------------------------------------------------------------- listeners and connections

  /** Opens a listener (port 0: a free one from the ephemeral range); returns its handle or −errno (EADDRINUSE, EMFILE, EINVAL). */
  listen(port: number, backlog = 0): number { return this.ex.tcpListen(port, backlog); }
  /** The port of the last successful listen (how a listen on port 0 learns its port). */
  get lastListenPort(): number { return this.i32[this.ctl + Ctl.ListenPort]; }
  /** Stops listening; pending embryonic and unaccepted connections are reset. */
  unlisten(listener: number, now: number): void { this.ex.tcpUnlisten(listener, now); }
  /** Takes the next connection of the listener's accept queue, or −EAGAIN (openedState and opened() describe it; acceptMore follows). */
  accept(listener: number): number { return this.ex.tcpAccept(listener); }
  /** Whether the accept queue of the listener last accepted from still holds a connection (read without a call). */
  get acceptMore(): boolean { return this.i32[this.ctl + Ctl.AcceptMore] !== 0; }
  /** Active open; returns the connection (SYN_SENT) or −errno (EMFILE, EADDRINUSE, EADDRNOTAVAIL, ENETUNREACH, EINVAL). */
  connect(dstAddr: number, dstPort: number, now: number, srcPort = 0): number {
    return this.ex.tcpConnect(dstAddr >>> 0, dstPort, srcPort, now);
  }
  /** State of the connection the last successful accept or connect returned (read without a call). */
  get openedState(): TcpState { return this.i32[this.ctl + Ctl.OpenState]; }
  /** The 4-tuple of the connection the last successful accept or connect returned, into `out` (no tcpInfo call). */
  opened(out: ConnTuple): void {
    const i32 = this.i32;
    const ctl = this.ctl;
    out.localAddr = i32[ctl + Ctl.OpenLocalAddr] >>> 0;
    out.localPort = i32[ctl + Ctl.OpenLocalPort];
    out.remoteAddr = i32[ctl + Ctl.OpenRemoteAddr] >>> 0;
    out.remotePort = i32[ctl + Ctl.OpenRemotePort];
  }

  /** Queues bytes for sending; returns bytes queued (may be < length), −EAGAIN when the buffer is full, or −errno. */
  send(conn: number, data: Uint8Array, now: number): number {
    const total = data.length;
    if (total === 0) return 0;
    const ex = this.ex;
    if (total <= this.stageSize) {
      // One call: the engine copies from the stage area into its send ring and sends.
      const u8 = this.bytes();
      if (total <= 32) for (let i = 0; i < total; i++) u8[this.stage + i] = data[i];
      else u8.set(data, this.stage);
      return ex.tcpSend(conn, total, now);
    }
    return this.sendLarge(conn, data, now);
  }

  /** send() of more than the stage area: straight into the send ring, piece by piece. */
  private sendLarge(conn: number, data: Uint8Array, now: number): number {
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
      const p = this.i32[this.ctl + Ctl.Region] >>> 0;
      this.bytes().set(n === total ? data : data.subarray(done, done + n), p);
      done += n;
      // Flush with the last piece; a ring wrap commits the first piece without sending.
      ex.tcpSendCommit(conn, n, done === total || n < room, now);
    }
    if (done > 0 && done < total) ex.tcpFlush(conn, now);
    return done;
  }

  /** Reads into `into`; returns bytes read, 0 at end of stream, −EAGAIN when nothing yet, or −errno (reported once, as Linux). */
  recv(conn: number, into: Uint8Array, now: number): number {
    const ex = this.ex;
    const max = into.length;
    if (max === 0) return 0;
    if (max <= this.stageSize) {
      // One call: the engine copies up to `max` bytes into the stage area and consumes them.
      const n = ex.tcpRecv(conn, max, now);
      if (n > 0) {
        const u8 = this.bytes();
        const s = this.stage;
        if (n <= 32) for (let i = 0; i < n; i++) into[i] = u8[s + i];
        else into.set(u8.subarray(s, s + n));
      }
      return n;
    }
    return this.recvLarge(conn, into, now);
  }

  /** recv() into more than the stage area: straight from the receive ring, piece by piece. */
  private recvLarge(conn: number, into: Uint8Array, now: number): number {
    const ex = this.ex;
    const max = into.length;
    let done = 0;
    while (done < max) {
      const avail = ex.tcpRecvPeek(conn);
      if (avail <= 0) {
        if (done > 0) break;
        return avail;
      }
      const n = Math.min(avail, max - done);
      const p = this.i32[this.ctl + Ctl.Region] >>> 0;
      into.set(this.bytes().subarray(p, p + n), done);
      done += n;
      if (ex.tcpRecvConsume(conn, n, now) <= 0) break; // nothing left: no second peek
    }
    return done;
  }

  /** Half-close: FIN after the queued data. */
  shutdown(conn: number, now: number): number { return this.ex.tcpShutdown(conn, Shut.WR, now); }
  /** shutdown(SHUT_RD): later recv() calls return 0. */
  shutdownRead(conn: number, now: number): number { return this.ex.tcpShutdown(conn, Shut.RD, now); }
  /** Orderly close; RST instead when unread data remains (RFC 2525) or SO_LINGER 0 was set. */
  close(conn: number, now: number): number { return this.ex.tcpClose(conn, now); }
  /** RST now (linger 0). */
  abort(conn: number, now: number): number { return this.ex.tcpAbort(conn, now); }
  /** The host is done with the handle: freed now if CLOSED, else closed and freed when it gets there. */
  release(conn: number, now: number): void { this.ex.tcpRelease(conn, now); }
  /** release() of every handle of `conns`, in order: one call per stage area's worth (1 024 handles). */
  releaseAll(conns: readonly number[], now: number): void {
    const i32 = this.i32;
    const at = this.stage >>> 2;
    const per = this.stageSize >>> 2;
    for (let done = 0; done < conns.length;) {
      const n = Math.min(per, conns.length - done);
      if (n === 1) this.ex.tcpRelease(conns[done], now);
      else {
        for (let i = 0; i < n; i++) i32[at + i] = conns[done + i];
        this.ex.tcpReleaseMany(n, now);
      }
      done += n;
    }
  }

  /** Sets a connection option (SockOpt; booleans as 0/1, times in ms); returns 0 or −errno. */
  setOption(conn: number, opt: SockOpt, value: number | boolean, now: number): number {
    return this.ex.tcpSetOption(conn, opt, typeof value === 'boolean' ? (value ? 1 : 0) : value, now);
  }
  /** A connection option (SockOpt), or −errno. */
  getOption(conn: number, opt: SockOpt): number { return this.ex.tcpGetOption(conn, opt); }
  /** TCP_NODELAY. */
  setNoDelay(conn: number, on: boolean, now: number): void { this.setOption(conn, SockOpt.NoDelay, on, now); }
  /** SO_KEEPALIVE, with an idle time in ms first when `idleMs` > 0. */
  setKeepAlive(conn: number, on: boolean, idleMs: number, now: number): void {
    if (idleMs > 0) this.setOption(conn, SockOpt.KeepIdleMs, idleMs, now);
    this.setOption(conn, SockOpt.KeepAlive, on, now);
  }
  /** TCP_KEEPIDLE / TCP_KEEPINTVL (ms) and TCP_KEEPCNT of one connection; absent or 0 keeps a value. */
  setKeepAliveParams(conn: number, p: { idleMs?: number; intervalMs?: number; count?: number }, now: number): void {
    if (p.idleMs) this.setOption(conn, SockOpt.KeepIdleMs, p.idleMs, now);
    if (p.intervalMs) this.setOption(conn, SockOpt.KeepIntervalMs, p.intervalMs, now);
    if (p.count) this.setOption(conn, SockOpt.KeepCount, p.count, now);
  }
  /** SO_LINGER {onoff=1, linger=0}: close() aborts with RST. */
  setLinger0(conn: number, on: boolean, now: number): void { this.setOption(conn, SockOpt.Linger0, on, now); }
  /** TCP_USER_TIMEOUT in ms (0 = off). */
  setUserTimeout(conn: number, ms: number, now: number): void { this.setOption(conn, SockOpt.UserTimeoutMs, ms, now); }
  /** getsockopt(SO_ERROR): the error the connection died with (once), else the ICMP soft error (cleared), else 0; positive errno. */
  soError(conn: number): number { return this.ex.tcpSoError(conn); }
  /** poll(2) readiness (Poll bits, Linux values) as Linux tcp_poll reports it, or −errno. */
  pollMask(conn: number): number { return this.ex.tcpPoll(conn); }

  /** Current state of the connection slot. */
  state(conn: number): TcpState { return this.ex.tcpState(conn); }
  /** Bytes queued, not yet acknowledged (SIOCOUTQ). */
  bufferedSend(conn: number): number { return Math.max(0, this.getOption(conn, SockOpt.Outq)); }
  /** Bytes ready to read (SIOCINQ). */
  readable(conn: number): number { return Math.max(0, this.getOption(conn, SockOpt.Inq)); }
  /** Connection slots in use. */
  get connectionsInUse(): number { return this.i32[this.ctl + Ctl.ConnsInUse]; }

  /** Snapshot of a connection's control block; throws EBADF for a free slot. */
  info(conn: number): ConnInfo {
    const r = this.ex.tcpInfo(conn);
    if (r < 0) throw new EngineError(r, 'info');
    if (this.f64.length === 0) this.views();
    return readInfo(this.f64, this.infoPtr >>> 3);
  }

  /** The 4-tuple of a connection into `out` (no ConnInfo object); false for a free slot. */
  tuple(conn: number, out: ConnTuple): boolean {
    if (this.ex.tcpInfo(conn) < 0) return false;
    if (this.f64.length === 0) this.views();
    const f = this.f64;
    const at = this.infoPtr >>> 3;
    out.localAddr = f[at + INFO_LOCAL_ADDR];
    out.localPort = f[at + INFO_LOCAL_PORT];
    out.remoteAddr = f[at + INFO_REMOTE_ADDR];
    out.remotePort = f[at + INFO_REMOTE_PORT];
    return true;
  }

  /** Engine-wide counters (a fresh object per read). */
  get stats(): EngineStats {
    const u = new Uint32Array(this.memory.buffer, this.statsPtr, STAT_NAMES.length);
    const out = {} as Record<string, number>;
    STAT_NAMES.forEach((n, i) => { out[n] = u[i]; });
    return out as EngineStats;
  }
}
