// Runs one parsed packetdrill script against a fresh engine on a virtual clock.
// Time: script microseconds; the engine gets milliseconds (f64). See docs/script.md.
import { ERRNO, SYMBOLS, errnoName } from './constants.js';
import { Aggregate, FlowMap, flagBits, formatSegment, inboundOptions, matchOutbound } from './matcher.js';
import type { Expr, PacketEvent, Script, ScriptEvent, SyscallEvent, TimeSpec } from './model.js';
import { parseScript, ScriptSyntaxError } from './parser.js';
import { LINUX_PROFILE, interpretCommand, type ConfigOverrides } from './profile.js';
import { ACK, buildIcmpPacket, buildTcpPacket, decodeSegment, parseIpv4, type Segment } from './wire.js';

/** The part of the engine wrapper (src/engine/engine.ts) the runner drives. */
export interface ScriptEngine {
  input(packet: Uint8Array, now: number): void;
  drainTx(fn: (packet: Uint8Array) => void): number;
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
  shutdownRead?(conn: number): number;
  close(conn: number, now: number): number;
  abort(conn: number, now: number): number;
  release(conn: number): void;
  setNoDelay(conn: number, on: boolean, now: number): void;
  setKeepAlive(conn: number, on: boolean, idleMs: number | undefined, now: number): void;
  /** SO_LINGER {1, 0}. */
  setLinger0?(conn: number, on: boolean): void;
  /** TCP_KEEPIDLE / TCP_KEEPINTVL (ms) and TCP_KEEPCNT of one connection. */
  setKeepAliveParams?(conn: number, p: { idleMs?: number; intervalMs?: number; count?: number }, now: number): void;
  /** TCP_USER_TIMEOUT in ms. */
  setUserTimeout?(conn: number, ms: number): void;
  state(conn: number): number;
  info(conn: number): { localPort: number; mss: number };
  bufferedSend(conn: number): number;
  /** Optional: bytes waiting in the receive buffer (SIOCINQ, poll). */
  bufferedRecv?(conn: number): number;
  /** Optional: the send MSS as Linux's TCP_MAXSEG reports it. */
  maxSeg?(conn: number): number;
  /** Optional: changes a behaviour knob after creation (per engine, so per script here). */
  setConfig?(key: string, value: number | boolean): boolean;
  /** Bytes of a connection's send buffer (for poll's POLLOUT). */
  sendBufferSize: number;
  /**
   * True when recv()/send() already report errors as Linux does (once, then EOF/EPIPE), e.g.
   * the kernel itself; the runner then passes results through instead of emulating sk_err.
   */
  nativeErrors?: boolean;
  /** With nativeErrors: SO_ERROR (read and cleared), as a positive errno or 0. */
  soError?(conn: number): number;
  /** Optional passthrough for integer socket options the runner does not model (the kernel). */
  setsockopt?(conn: number, level: number, opt: number, value: number): number;
}

/** Creates an engine for a script: local address, seed and config overrides. */
export type EngineFactory = (opts: { addr: number; remote: number; seed: number; config: ConfigOverrides; init?: string }) => ScriptEngine;

/** Options of one run. */
export interface RunOptions {
  profile: 'linux' | 'default';
  /** Overrides the script's --tolerance_usecs. */
  toleranceUsecs?: number;
  /** Called with one line per event when verbose. */
  log?: (line: string) => void;
  /** Known config keys of the engine; overrides for other keys are reported as missing knobs. */
  configKeys?: readonly string[];
  /** Do not compare PSH on outbound lines (packetdrill-syntax.md §6 leniency). */
  ignorePsh?: boolean;
}

/** The verdict of one script. */
export interface ScriptResult {
  verdict: 'PASS' | 'FAIL' | 'SKIP';
  /** Line of the failing or skipped construct. */
  line?: number;
  message?: string;
  /** Things reported but not fatal: commands not interpreted, knobs missing, blocks not evaluated. */
  notes: string[];
}

// Engine event kinds and states (docs/engine-abi.md).
const EV_PEER_FIN = 5, EV_CLOSED = 6, EV_SOFT_ERROR = 8;
const ST_CLOSED = 0, ST_SYN_SENT = 2, ST_SYN_RCVD = 3, ST_ESTABLISHED = 4;
const DEFAULT_TOLERANCE = 4000;
const PACKET_TIMEOUT = 2_000_000;

class Verdict extends Error {
  constructor(readonly verdict: 'FAIL' | 'SKIP', readonly line: number, message: string) {
    super(message);
  }
}

interface Sock {
  fd: number;
  kind: 'new' | 'listener' | 'conn';
  nonblock: boolean;
  port?: number;
  listener?: number;
  conn?: number;
  linger0: boolean;
  shutRd: boolean;
  shutWr: boolean;
  connecting: boolean;
  connectReported: boolean;
  noDelay: boolean;
  keepAlive: boolean;
  keepIdleMs?: number;
  /** TCP_KEEPINTVL / TCP_KEEPCNT, also inherited by accepted connections. */
  keepParams?: { intervalMs?: number; count?: number };
  userTimeoutMs?: number;
}

interface Flow {
  localPort: number;
  remotePort: number;
  map: FlowMap;
}

interface Outbound {
  at: number;
  seg: Segment | string;
}

interface Pending {
  ev: SyscallEvent;
  endUs: number;
  tolerance: number;
  retry: () => number | null;
}

type CallResult = { value: number } | { block: () => number | null };

const ZERO = new Uint8Array(1 << 20);

/** Parses and runs a script; never throws for bad scripts (they FAIL with the parse error). */
export function runScriptText(text: string, factory: EngineFactory, opts: RunOptions): ScriptResult {
  let script: Script;
  try {
    script = parseScript(text);
  } catch (e) {
    if (e instanceof ScriptSyntaxError) return { verdict: 'FAIL', line: e.line, message: `parse error: ${e.reason}`, notes: [] };
    throw e;
  }
  return new Runner(script, factory, opts).run();
}

/** Executes one script; create a new Runner per script. */
export class Runner {
  private engine!: ScriptEngine;
  private nowUs = 0;
  private deadlineUs = Infinity;
  private readonly tx: Outbound[] = [];
  private readonly socks = new Map<number, Sock>();
  private readonly connErr = new Map<number, number>();
  private readonly connClosed = new Set<number>();
  private readonly peerFin = new Set<number>();
  private readonly softErr = new Map<number, number>();
  private readonly orphans = new Set<number>();
  private sut: Sock | Flow | null = null;
  private flow: Flow | null = null;
  private pending: Pending | null = null;
  private nextPeerPort = 40000;
  private readonly notes: string[] = [];
  private skipReasons: string[] = [];
  private localAddr = parseIpv4('192.168.0.1');
  private remoteAddr = parseIpv4('192.0.2.1');
  private bindPort = 8080;
  private connectPort = 8080;
  private tolerance = DEFAULT_TOLERANCE;
  private tsTick = 0;
  private strict = false;
  private base = 0;
  private prevExpected = 0;
  private prevInboundScripted: number | null = null;
  private readonly ev = { kind: 0, conn: 0, arg: 0 };
  private recvBuf = new Uint8Array(65536);

  constructor(private readonly script: Script, private readonly factory: EngineFactory, private readonly opts: RunOptions) {}

  /** Runs the script to its verdict. */
  run(): ScriptResult {
    try {
      this.setup();
      for (const ev of this.script.events) this.step(ev);
      this.finishPending(Infinity);
      if (this.skipReasons.length) return { verdict: 'SKIP', message: `${this.skipReasons.join('; ')} (everything else passed)`, notes: this.notes };
      return { verdict: 'PASS', notes: this.notes };
    } catch (e) {
      if (e instanceof Verdict) return { verdict: e.verdict, line: e.line, message: e.message, notes: this.notes };
      throw e;
    }
  }

  private log(s: string): void {
    this.opts.log?.(s);
  }

  private fmtTime(us: number): string {
    return (us / 1e6).toFixed(6);
  }

  // ---- setup: header options, init command, profile, engine ----

  private setup(): void {
    let linux = this.opts.profile === 'linux';
    const config: ConfigOverrides = {};
    for (const o of this.script.options) {
      const n = Number(o.value);
      switch (o.name) {
        case 'tolerance_usecs': this.tolerance = n; break;
        case 'tcp_ts_tick_usecs': this.tsTick = n; break;
        case 'strict_segments': this.strict = o.value === '' || o.value === '1' || o.value === 'true'; break;
        case 'local_ip': this.localAddr = this.addr(o.value, o.line); break;
        case 'remote_ip': this.remoteAddr = this.addr(o.value, o.line); break;
        case 'bind_port': this.bindPort = n; break;
        case 'connect_port': this.connectPort = n; break;
        case 'mtu': config.mss = n - 40; break;
        case 'ip_version':
          if (o.value !== 'ipv4') throw new Verdict('SKIP', o.line, `--ip_version=${o.value}: only IPv4 is supported`);
          break;
        case 'mss': case 'tolerance_percent': case 'verbose': case 'wire_client': case 'wire_server': case 'speed': case 'so_filename':
          this.notes.push(`--${o.name} ignored`);
          break;
        default: this.notes.push(`--${o.name}: unknown option, ignored`);
      }
    }
    if (this.opts.toleranceUsecs !== undefined) this.tolerance = this.opts.toleranceUsecs;
    if (this.script.init) {
      const eff = interpretCommand(this.script.init.command);
      linux ||= eff.loadsLinuxProfile;
      Object.assign(config, eff.config);
      this.notes.push(...eff.notes.map((n) => `line ${this.script.init!.line}: ${n}`));
    }
    const all: ConfigOverrides = { ...(linux ? LINUX_PROFILE : {}), ...config };
    const keys = this.opts.configKeys;
    if (keys) {
      for (const k of Object.keys(all)) {
        if (!keys.includes(k)) {
          if (k in config || linux) this.notes.push(`engine has no config knob '${k}' (wanted ${String(all[k])})`);
          delete all[k];
        }
      }
    }
    this.engine = this.factory({ addr: this.localAddr, remote: this.remoteAddr, seed: 1, config: all, init: this.script.init?.command });
    this.deadlineUs = this.toUs(this.engine.poll(0));
    this.collect();
  }

  private addr(s: string, line: number): number {
    const a = parseIpv4(s);
    if (Number.isNaN(a)) throw new Verdict('SKIP', line, `address '${s}' is not IPv4`);
    return a;
  }

  private toUs(ms: number): number {
    return ms === Infinity ? Infinity : ms * 1000;
  }

  // ---- virtual clock ----

  /** Drains outbound packets and engine events, then lets a blocked call finish. */
  private collect(): void {
    this.engine.drainTx((p) => {
      const seg = decodeSegment(p);
      this.tx.push({ at: this.nowUs, seg });
      if (this.opts.log) this.log(`${this.fmtTime(this.nowUs)}   sent ${typeof seg === 'string' ? seg : this.describeLive(seg)}`);
    });
    while (this.engine.nextEvent(this.ev)) {
      const { kind, conn, arg } = this.ev;
      if (kind === EV_CLOSED) {
        this.connClosed.add(conn);
        if (arg < 0) this.connErr.set(conn, -arg);
        if (this.orphans.has(conn)) {
          this.orphans.delete(conn);
          this.engine.release(conn);
        }
      } else if (kind === EV_PEER_FIN) {
        this.peerFin.add(conn);
      } else if (kind === EV_SOFT_ERROR && arg < 0) {
        // Linux keeps ICMP soft errors in sk_err_soft: read()/write() ignore them, SO_ERROR
        // returns one when no hard error is pending.
        this.softErr.set(conn, -arg);
        this.log(`${this.fmtTime(this.nowUs)}   soft error ${errnoName(-arg)} recorded`);
      }
    }
    if (this.pending) {
      const p = this.pending;
      this.pending = null;
      const r = p.retry();
      if (r === null) {
        this.pending = p;
        return;
      }
      this.log(`${this.fmtTime(this.nowUs)}   ${p.ev.name}() returned ${this.fmtResult(r)}`);
      this.checkResult(p.ev, r);
      if (Math.abs(this.nowUs - p.endUs) > p.tolerance) {
        throw new Verdict('FAIL', p.ev.line, `timing error: ${p.ev.name}() expected to return at ${this.fmtTime(p.endUs)} (±${p.tolerance / 1e6}) but returned at ${this.fmtTime(this.nowUs)}\n  script: ${p.ev.text}`);
      }
      this.settle(); // what the call caused, e.g. a window update after a read
    }
  }

  private describeLive(s: Segment): string {
    const flow = this.flowOf(s);
    return `${formatSegment(s, flow ? flow.map : new FlowMap())} (${s.srcPort} > ${s.dstPort})`;
  }

  private flowOf(s: Segment): Flow | null {
    const f = this.flow;
    if (f && s.srcPort === f.localPort && s.dstPort === f.remotePort && s.dst === this.remoteAddr) return f;
    return null;
  }

  /** Advances the clock to `targetUs`, firing timers on the way; stops early once `until()` holds. */
  private advance(targetUs: number, until?: () => boolean): boolean {
    let spins = 0;
    for (;;) {
      if (until?.()) return true;
      if (this.nowUs >= targetUs) return false;
      let next = Math.min(targetUs, this.deadlineUs);
      if (next <= this.nowUs) {
        if (++spins > 1000) next = this.nowUs + 1; // an engine that keeps asking for "now" must not hang us
        else next = this.nowUs;
      } else spins = 0;
      if (next === Infinity) return false;
      this.nowUs = next;
      this.deadlineUs = this.toUs(this.engine.poll(this.nowUs / 1000));
      this.collect();
      if (this.nowUs >= targetUs && this.deadlineUs > this.nowUs) return until?.() ?? false;
    }
  }

  /** Re-reads the engine's next deadline after an API call and collects its output. */
  private settle(): void {
    this.deadlineUs = this.toUs(this.engine.poll(this.nowUs / 1000));
    this.collect();
  }

  private finishPending(limitUs: number): void {
    const p = this.pending;
    if (!p) return;
    const hardLimit = Math.min(limitUs, p.endUs + p.tolerance + PACKET_TIMEOUT);
    this.advance(hardLimit, () => this.pending === null);
    if (this.pending) {
      throw new Verdict('FAIL', p.ev.line, `${p.ev.name}() expected to return at ${this.fmtTime(p.endUs)} but was still blocked at ${this.fmtTime(this.nowUs)}\n  script: ${p.ev.text}`);
    }
  }

  // ---- events ----

  private tol(expected: number): number {
    return Math.max(this.tolerance, 0.125 * (expected - this.prevExpected));
  }

  private resolve(t: TimeSpec, base: number): number {
    switch (t.kind) {
      case 'absolute': return t.usecs;
      case 'relative': return base + t.usecs;
      case 'range': return (t.relative ? base : 0) + t.start;
      case 'any': return this.nowUs;
    }
  }

  private step(ev: ScriptEvent): void {
    const inboundAfterInbound = ev.type === 'packet' && ev.direction === 'in' && this.prevInboundScripted !== null;
    const base = inboundAfterInbound ? this.prevInboundScripted! : this.base;
    const expected = this.resolve(ev.time, base);
    if (ev.time.kind === 'absolute' && this.script.events[0] === ev && expected !== 0) {
      throw new Verdict('FAIL', ev.line, 'the first event must be at time 0');
    }
    // A blocking call finishes before the next system call starts (one syscall thread).
    if (ev.type === 'syscall' && this.pending) this.finishPending(Infinity);
    switch (ev.type) {
      case 'packet':
        if (ev.direction === 'in') this.inbound(ev, expected);
        else this.outbound(ev, expected, base);
        break;
      case 'syscall':
        this.syscall(ev, expected, base);
        break;
      case 'command': {
        this.advance(expected);
        const eff = interpretCommand(ev.command);
        this.notes.push(...eff.notes.map((n) => `line ${ev.line}: ${n}`));
        for (const [k, v] of Object.entries(eff.config)) {
          if (!this.engine.setConfig?.(k, v)) this.notes.push(`line ${ev.line}: cannot change '${k}' during a run`);
        }
        this.base = Math.max(this.nowUs, expected);
        this.prevInboundScripted = null;
        break;
      }
      case 'code':
        this.advance(expected);
        this.skipReasons.push(`line ${ev.line}: %{ … }% block not evaluated (tcp_info is not modelled)`);
        this.base = Math.max(this.nowUs, expected);
        this.prevInboundScripted = null;
        break;
    }
    if (ev.time.kind !== 'any') this.prevExpected = expected;
  }

  private inbound(ev: PacketEvent, expected: number): void {
    this.advance(expected);
    // packetdrill §4: a packet arriving while the socket under test listens (or with no socket
    // at all) starts a new flow from a fresh peer port; otherwise it joins the current flow.
    const sut = this.sut;
    if (sut === null || (sut !== this.flow && 'kind' in sut && (sut.kind === 'listener' || !this.flow))) {
      const port = sut && 'kind' in sut ? (sut.port ?? this.bindPort) : this.bindPort;
      this.flow = { localPort: port, remotePort: this.nextPeerPort++, map: new FlowMap() };
      this.sut = this.flow;
    }
    const flow = this.flow!;
    let pkt: Uint8Array;
    if (ev.icmp) {
      pkt = this.buildIcmp(ev, flow);
    } else {
      const t = ev.tcp!;
      const opts = inboundOptions(t, flow.map);
      if (typeof opts === 'string') {
        if (opts.includes('not supported')) throw new Verdict('SKIP', ev.line, opts);
        throw new Verdict('FAIL', ev.line, opts);
      }
      const flags = flagBits(t.flags);
      try {
        pkt = buildTcpPacket({
          src: this.remoteAddr, dst: this.localAddr, srcPort: flow.remotePort, dstPort: flow.localPort,
          seq: t.seq, ack: t.ack === undefined ? 0 : flags & ACK ? flow.map.localToLive(t.ack) : t.ack,
          flags, win: t.win ?? 0, urg: t.urg ?? 0, options: opts, payloadLen: t.len,
        });
      } catch (e) {
        throw new Verdict('FAIL', ev.line, (e as Error).message);
      }
    }
    this.log(`${this.fmtTime(this.nowUs)} < ${ev.text.replace(/^[<]\s*/, '')}   (line ${ev.line})`);
    this.engine.input(pkt, this.nowUs / 1000);
    this.settle();
    this.base = Math.max(this.nowUs, expected);
    this.prevInboundScripted = expected;
  }

  private buildIcmp(ev: PacketEvent, flow: Flow): Uint8Array {
    const spec = ev.icmp!;
    const types: Record<string, number> = { unreachable: 3, source_quench: 4, time_exceeded: 11, parameter_problem: 12 };
    const codes = ['net_unreachable', 'host_unreachable', 'protocol_unreachable', 'port_unreachable', 'frag_needed',
      'source_route_failed', 'net_unknown', 'host_unknown', 'source_host_isolated', 'net_prohibited', 'host_prohibited',
      'net_unreachable_for_tos', 'host_unreachable_for_tos', 'packet_filtered', 'precedence_violation', 'precedence_cutoff'];
    const type = types[spec.type];
    if (type === undefined) throw new Verdict('SKIP', ev.line, `ICMP type '${spec.type}' is not supported`);
    let code = 0;
    if (spec.code !== undefined) {
      code = type === 3 ? codes.indexOf(spec.code) : spec.code === 'ttl_exceeded' || spec.code === 'exceeded_in_transit' ? 0 : -1;
      if (code < 0) throw new Verdict('SKIP', ev.line, `ICMP code '${spec.code}' is not supported`);
    }
    const echoed = spec.echoed ?? { seq: 0, end: 0, len: 0 };
    return buildIcmpPacket({
      src: this.remoteAddr, dst: this.localAddr, type, code, mtu: spec.mtu ?? 0,
      quoted: { src: this.localAddr, dst: this.remoteAddr, srcPort: flow.localPort, dstPort: flow.remotePort, seq: flow.map.localToLive(echoed.seq), payloadLen: echoed.len },
    });
  }

  /** Takes the next queued packet of the current flow, dropping packets of other tuples. */
  private nextFlowPacket(): Outbound | undefined {
    while (this.tx.length) {
      const o = this.tx[0];
      if (typeof o.seg === 'string' || this.flowOf(o.seg)) return o;
      this.tx.shift();
    }
    return undefined;
  }

  private outbound(ev: PacketEvent, expected: number, base: number): void {
    if (ev.icmp) throw new Verdict('SKIP', ev.line, 'outbound ICMP is not supported');
    const t = ev.time;
    let lo = -Infinity, hi = Infinity, limit: number, tol = 0;
    if (t.kind === 'any') {
      limit = this.nowUs + 3600e6;
    } else {
      tol = this.tol(expected);
      const end = t.kind === 'range' ? (t.relative ? base : 0) + t.end : expected;
      lo = expected - tol;
      hi = end + tol;
      limit = end + PACKET_TIMEOUT;
    }
    if (!this.flow) throw new Verdict('FAIL', ev.line, 'outbound packet expected but no connection exists yet (no connect() and no inbound SYN)');
    const agg = new Aggregate(ev.tcp!, this.strict);
    let firstAt = -1, lastAt = -1;
    for (;;) {
      this.advance(limit, () => this.nextFlowPacket() !== undefined);
      const o = this.nextFlowPacket();
      if (!o) {
        if (firstAt < 0) {
          throw new Verdict('FAIL', ev.line, `timed out waiting for packet (expected at ${t.kind === 'any' ? 'any time' : this.fmtTime(expected)}, now ${this.fmtTime(this.nowUs)})\n  script: ${ev.text}`);
        }
        break;
      }
      if (typeof o.seg === 'string') {
        throw new Verdict('FAIL', ev.line, `malformed outbound packet: ${o.seg}\n  script: ${ev.text}`);
      }
      const r = agg.offer(o.seg);
      if (r === 'reject') break;
      this.tx.shift();
      if (firstAt < 0) firstAt = o.at;
      lastAt = o.at;
      if (r === 'done') break;
      if (this.nowUs > hi) break;
    }
    const actual = agg.result();
    const err = matchOutbound(ev.tcp!, actual, this.flow.map, { tsTickUsecs: this.tsTick, toleranceUsecs: this.tolerance, ignorePsh: this.opts.ignorePsh });
    this.log(`${this.fmtTime(firstAt)} > ${formatSegment(actual, this.flow.map)}   (line ${ev.line})`);
    if (err) {
      throw new Verdict('FAIL', ev.line, `${err}\n  script: ${ev.text}\n  actual: ${this.fmtTime(firstAt)} > ${formatSegment(actual, this.flow.map)}`);
    }
    if (firstAt < lo || firstAt > hi) {
      const when = t.kind === 'range' ? `${this.fmtTime(expected)}~${this.fmtTime(hi - tol)}` : this.fmtTime(expected);
      throw new Verdict('FAIL', ev.line, `timing error: expected outbound packet at ${when} (±${(tol / 1e6).toFixed(6)}) but it was sent at ${this.fmtTime(firstAt)}\n  script: ${ev.text}`);
    }
    this.base = lastAt;
    this.prevInboundScripted = null;
  }

  // ---- system calls ----

  private syscall(ev: SyscallEvent, expected: number, _base: number): void {
    this.advance(expected);
    const start = Math.max(this.nowUs, expected);
    this.log(`${this.fmtTime(start)} ${ev.text}   (line ${ev.line})`);
    const r = this.call(ev);
    this.settle();
    let endUs = start;
    if (ev.end) endUs = ev.end.relative ? this.base + ev.end.usecs : ev.end.usecs;
    if ('value' in r) {
      this.checkResult(ev, r.value);
      if (ev.end && Math.abs(endUs - start) > this.tol(endUs)) {
        throw new Verdict('FAIL', ev.line, `timing error: ${ev.name}() returned at once (${this.fmtTime(start)}) but the script expects it to block until ${this.fmtTime(endUs)}\n  script: ${ev.text}`);
      }
    } else {
      if (!ev.end) {
        throw new Verdict('FAIL', ev.line, `${ev.name}() blocked, but the line has no '...end' time (packetdrill would hang)\n  script: ${ev.text}`);
      }
      this.pending = { ev, endUs, tolerance: this.tol(endUs), retry: r.block };
      // It may already be able to finish at this instant (e.g. data queued by the same step).
      this.collect();
    }
    this.base = start;
    this.prevInboundScripted = null;
  }

  private fmtResult(r: number): string {
    return r < 0 ? `-1 ${errnoName(-r)}` : String(r);
  }

  /** Compares a call's return (value ≥ 0, or −errno) with the script's `= result [ERRNO]`. */
  private checkResult(ev: SyscallEvent, r: number): void {
    const want = this.evalNum(ev.result, ev);
    const got = r < 0 ? -1 : r;
    const fail = (why: string) => new Verdict('FAIL', ev.line, `${why}\n  script: ${ev.text}\n  actual: ${ev.name}() = ${this.fmtResult(r)}`);
    if ((ev.name === 'socket' || ev.name === 'accept') && want >= 0 && got >= 0) {
      this.remapFd(got, want);
      return;
    }
    if (want !== got) throw fail(`${ev.name}() returned ${got}, expected ${want}`);
    if (r < 0) {
      const wantErr = ev.errno ? ERRNO[ev.errno] : undefined;
      if (ev.errno && wantErr === undefined) throw fail(`unknown errno name ${ev.errno}`);
      if (ev.errno && wantErr !== -r) throw fail(`${ev.name}() failed with ${errnoName(-r)}, expected ${ev.errno}`);
    }
  }

  private remapFd(live: number, script: number): void {
    if (live === script) return;
    const s = this.socks.get(live)!;
    this.socks.delete(live);
    s.fd = script;
    this.socks.set(script, s);
  }

  private evalNum(e: Expr, ev: SyscallEvent): number {
    switch (e.kind) {
      case 'number': return e.value;
      case 'symbol': {
        const v = SYMBOLS[e.name] ?? ERRNO[e.name];
        if (v === undefined) throw new Verdict('SKIP', ev.line, `unknown constant ${e.name}`);
        return v;
      }
      case 'or': return e.terms.reduce((a, t) => a | this.evalNum(t, ev), 0);
      case 'list': return e.items.length === 1 ? this.evalNum(e.items[0], ev) : NaN;
      case 'call':
        if (e.name === 'htons' && e.args.length === 1) return this.evalNum(e.args[0], ev);
        throw new Verdict('SKIP', ev.line, `function ${e.name}() in arguments is not supported`);
      default: return NaN;
    }
  }

  private sock(ev: SyscallEvent, fdExpr: Expr | undefined): Sock | number {
    const fd = fdExpr ? this.evalNum(fdExpr, ev) : NaN;
    return this.socks.get(fd) ?? -ERRNO.EBADF;
  }

  private newFd(): number {
    let fd = 3;
    while (this.socks.has(fd)) fd++;
    return fd;
  }

  private unsupported(ev: SyscallEvent, what: string): never {
    throw new Verdict('SKIP', ev.line, `${what} is not supported`);
  }

  private call(ev: SyscallEvent): CallResult {
    const a = ev.args;
    const now = this.nowUs / 1000;
    const e = this.engine;
    const num = (i: number) => this.evalNum(a[i], ev);
    const fail = (errno: number): CallResult => ({ value: -errno });
    switch (ev.name) {
      case 'socket': {
        if (a[0] && a[0].kind !== 'ellipsis' && num(0) !== SYMBOLS.AF_INET) this.unsupported(ev, 'a non-AF_INET socket');
        const type = a[1] ? num(1) : 1;
        if ((type & 0xf) !== SYMBOLS.SOCK_STREAM) this.unsupported(ev, 'a non-SOCK_STREAM socket');
        const s: Sock = { fd: this.newFd(), kind: 'new', nonblock: (type & SYMBOLS.SOCK_NONBLOCK) !== 0, linger0: false, shutRd: false, shutWr: false, connecting: false, connectReported: false, noDelay: false, keepAlive: false };
        this.socks.set(s.fd, s);
        this.sut = s;
        return { value: s.fd };
      }
      case 'bind': {
        const s = this.sock(ev, a[0]);
        if (typeof s === 'number') return { value: s };
        if (s.port !== undefined || s.kind !== 'new') return fail(ERRNO.EINVAL);
        s.port = this.sockaddrPort(ev, a[1], this.bindPort);
        return { value: 0 };
      }
      case 'listen': {
        const s = this.sock(ev, a[0]);
        if (typeof s === 'number') return { value: s };
        if (s.kind === 'listener') return { value: 0 };
        if (s.kind !== 'new') return fail(ERRNO.EINVAL);
        s.port ??= this.bindPort;
        const backlog = a[1] ? num(1) : 128;
        const l = e.listen(s.port, Math.max(1, backlog));
        if (l < 0) return { value: l };
        s.kind = 'listener';
        s.listener = l;
        this.sut = s;
        return { value: 0 };
      }
      case 'accept':
      case 'accept4': {
        const s = this.sock(ev, a[0]);
        if (typeof s === 'number') return { value: s };
        if (s.kind !== 'listener') return fail(ERRNO.EINVAL);
        const tryAccept = (): number | null => {
          const c = e.accept(s.listener!);
          if (c === -ERRNO.EAGAIN) return null;
          if (c < 0) return c;
          const child: Sock = { fd: this.newFd(), kind: 'conn', nonblock: false, port: s.port, conn: c, linger0: false, shutRd: false, shutWr: false, connecting: false, connectReported: true, noDelay: s.noDelay, keepAlive: s.keepAlive, keepIdleMs: s.keepIdleMs, keepParams: s.keepParams };
          if (child.noDelay) e.setNoDelay(c, true, this.nowUs / 1000);
          if (child.keepAlive) e.setKeepAlive(c, true, child.keepIdleMs, this.nowUs / 1000);
          if (s.keepParams && e.setKeepAliveParams) e.setKeepAliveParams(c, s.keepParams, this.nowUs / 1000);
          if (s.userTimeoutMs !== undefined) e.setUserTimeout?.(c, s.userTimeoutMs);
          this.socks.set(child.fd, child);
          return child.fd;
        };
        const r = tryAccept();
        if (r !== null) return { value: r };
        if (s.nonblock) return fail(ERRNO.EAGAIN);
        return { block: tryAccept };
      }
      case 'connect': {
        const s = this.sock(ev, a[0]);
        if (typeof s === 'number') return { value: s };
        if (s.kind === 'listener') return fail(ERRNO.EISCONN);
        if (s.kind === 'conn') return { value: this.connectAgain(s) ?? -ERRNO.EALREADY };
        const port = this.sockaddrPort(ev, a[1], this.connectPort);
        const c = e.connect(this.remoteAddr, port, now, s.port);
        if (c < 0) return { value: c };
        s.kind = 'conn';
        s.conn = c;
        s.connecting = true;
        if (s.noDelay) e.setNoDelay(c, true, now);
        if (s.keepAlive) e.setKeepAlive(c, true, s.keepIdleMs, now);
        if (s.keepParams && e.setKeepAliveParams) e.setKeepAliveParams(c, s.keepParams, now);
        if (s.userTimeoutMs !== undefined) e.setUserTimeout?.(c, s.userTimeoutMs);
        this.flow = { localPort: e.info(c).localPort, remotePort: port, map: new FlowMap() };
        this.sut = this.flow;
        if (s.nonblock) return fail(ERRNO.EINPROGRESS);
        const wait = (): number | null => {
          const st = e.state(c);
          if (st === ST_SYN_SENT || st === ST_SYN_RCVD) return null;
          s.connecting = false;
          s.connectReported = true;
          if (st === ST_CLOSED || this.connClosed.has(c)) {
            if (e.nativeErrors && e.soError) return -(e.soError(c) || ERRNO.ECONNREFUSED);
            return -this.takeErr(c, ERRNO.ECONNREFUSED);
          }
          return 0;
        };
        return { block: wait };
      }
      case 'write':
      case 'send':
      case 'sendto':
      case 'sendmsg': {
        if (ev.name === 'sendmsg') this.unsupported(ev, 'sendmsg()');
        const s = this.sock(ev, a[0]);
        if (typeof s === 'number') return { value: s };
        const n = num(2);
        const flags = ev.name === 'write' ? 0 : a[3] ? num(3) : 0;
        if (flags & ~(SYMBOLS.MSG_DONTWAIT | SYMBOLS.MSG_NOSIGNAL)) this.unsupported(ev, `send() flags 0x${flags.toString(16)}`);
        if (s.kind !== 'conn') return fail(ERRNO.EPIPE);
        const nonblock = s.nonblock || (flags & SYMBOLS.MSG_DONTWAIT) !== 0;
        let done = 0;
        const attempt = (): number | null => {
          // Linux tcp_sendmsg: a pending socket error is reported first (once), then EPIPE.
          const c = s.conn!;
          const native = e.nativeErrors === true;
          if (!native && (s.shutWr || this.connClosed.has(c))) return done > 0 ? done : -this.takeErr(c, ERRNO.EPIPE);
          while (done < n) {
            const chunk = Math.min(n - done, ZERO.length);
            const r = e.send(c, ZERO.subarray(0, chunk), this.nowUs / 1000);
            if (r === -ERRNO.EAGAIN || r === 0) break;
            if (r < 0) {
              if (done > 0 || native) return done > 0 ? done : r;
              if (this.connClosed.has(c)) return -this.takeErr(c, ERRNO.EPIPE);
              return -this.takeErr(c, -r === ERRNO.ENOTCONN && s.connecting ? ERRNO.EAGAIN : -r);
            }
            done += r;
          }
          if (done >= n) return n;
          if (nonblock) return done > 0 ? done : -ERRNO.EAGAIN;
          return null;
        };
        const r = attempt();
        if (r !== null) return { value: r };
        return { block: attempt };
      }
      case 'read':
      case 'recv':
      case 'recvfrom':
      case 'recvmsg': {
        if (ev.name === 'recvmsg') this.unsupported(ev, 'recvmsg()');
        const s = this.sock(ev, a[0]);
        if (typeof s === 'number') return { value: s };
        const n = num(2);
        const flags = ev.name === 'read' ? 0 : a[3] ? num(3) : 0;
        if (flags & ~SYMBOLS.MSG_DONTWAIT) this.unsupported(ev, `recv() flags 0x${flags.toString(16)}`);
        if (s.kind !== 'conn') return fail(ERRNO.ENOTCONN);
        const nonblock = s.nonblock || (flags & SYMBOLS.MSG_DONTWAIT) !== 0;
        if (this.recvBuf.length < n) this.recvBuf = new Uint8Array(n);
        const attempt = (): number | null => {
          // Linux tcp_recvmsg order: data, then end of file if the FIN arrived, then the pending
          // socket error (once), then 0 once the receive side is shut or the connection closed.
          const c = s.conn!;
          const r = e.recv(c, this.recvBuf.subarray(0, n), this.nowUs / 1000);
          if (r > 0) return r;
          if (e.nativeErrors) return r === -ERRNO.EAGAIN ? (nonblock ? r : null) : r;
          if (this.peerFin.has(c)) return 0;
          if (this.connErr.has(c)) return -this.takeErr(c, 0);
          if (s.shutRd || this.connClosed.has(c) || r === 0) return 0;
          if (r === -ERRNO.EAGAIN) return nonblock ? -ERRNO.EAGAIN : null;
          return r;
        };
        const r = attempt();
        if (r !== null) return { value: r };
        return { block: attempt };
      }
      case 'close': {
        const s = this.sock(ev, a[0]);
        if (typeof s === 'number') return { value: s };
        this.socks.delete(s.fd);
        if (s.kind === 'listener') e.unlisten(s.listener!, now);
        else if (s.kind === 'conn') {
          const c = s.conn!;
          if (s.linger0) e.abort(c, now);
          else e.close(c, now);
          if (this.connClosed.has(c) || e.state(c) === ST_CLOSED) e.release(c);
          else this.orphans.add(c);
        }
        return { value: 0 };
      }
      case 'shutdown': {
        const s = this.sock(ev, a[0]);
        if (typeof s === 'number') return { value: s };
        const how = num(1);
        if (s.kind !== 'conn' || s.connecting) return fail(ERRNO.ENOTCONN);
        if (how === SYMBOLS.SHUT_WR || how === SYMBOLS.SHUT_RDWR) {
          const r = e.shutdown(s.conn!, now);
          if (r < 0 && r !== -ERRNO.ENOTCONN) return { value: r };
          s.shutWr = true;
        }
        if (how === SYMBOLS.SHUT_RD || how === SYMBOLS.SHUT_RDWR) {
          s.shutRd = true;
          e.shutdownRead?.(s.conn!);
        }
        if (how < 0 || how > 2) return fail(ERRNO.EINVAL);
        return { value: 0 };
      }
      case 'fcntl': {
        const s = this.sock(ev, a[0]);
        if (typeof s === 'number') return { value: s };
        const cmd = num(1);
        if (cmd === SYMBOLS.F_GETFL) return { value: SYMBOLS.O_RDWR | (s.nonblock ? SYMBOLS.O_NONBLOCK : 0) };
        if (cmd === SYMBOLS.F_SETFL) {
          s.nonblock = (num(2) & SYMBOLS.O_NONBLOCK) !== 0;
          return { value: 0 };
        }
        return this.unsupported(ev, `fcntl command ${cmd}`);
      }
      case 'setsockopt': return this.setsockopt(ev);
      case 'getsockopt': return this.getsockopt(ev);
      case 'ioctl': {
        const s = this.sock(ev, a[0]);
        if (typeof s === 'number') return { value: s };
        const req = num(1);
        if (s.kind !== 'conn') return fail(ERRNO.EINVAL);
        let v: number;
        if (req === SYMBOLS.SIOCINQ) {
          if (!e.bufferedRecv) this.unsupported(ev, 'ioctl(SIOCINQ) (the engine does not report buffered receive bytes)');
          v = e.bufferedRecv(s.conn!);
        } else if (req === SYMBOLS.SIOCOUTQ) v = e.bufferedSend(s.conn!);
        else return this.unsupported(ev, `ioctl request 0x${req.toString(16)}`);
        return this.checkOut(ev, a[2], v);
      }
      case 'poll': return this.poll(ev);
      default:
        return this.unsupported(ev, `system call ${ev.name}()`);
    }
  }

  /** A second connect() on a connecting socket, as Linux answers it. */
  private connectAgain(s: Sock): number | null {
    const c = s.conn!;
    const st = this.engine.state(c);
    if (st === ST_SYN_SENT || st === ST_SYN_RCVD) return null;
    if (st === ST_CLOSED || this.connClosed.has(c)) {
      if (this.engine.nativeErrors && this.engine.soError) {
        const native = this.engine.soError(c);
        if (native) return -native;
      }
      const err = this.connErr.get(c);
      if (err !== undefined) return -this.takeErr(c, err);
      return s.connectReported ? -ERRNO.EISCONN : -ERRNO.ECONNABORTED;
    }
    if (!s.connectReported) {
      s.connectReported = true;
      s.connecting = false;
      return 0;
    }
    return -ERRNO.EISCONN;
  }

  /** Returns and clears the pending socket error (SO_ERROR), or `fallback`. */
  private takeErr(conn: number, fallback: number): number {
    const err = this.connErr.get(conn);
    if (err === undefined) return fallback;
    this.connErr.delete(conn);
    return err;
  }

  private sockaddrPort(ev: SyscallEvent, e: Expr | undefined, dflt: number): number {
    if (!e || e.kind === 'ellipsis') return dflt;
    if (e.kind === 'struct') {
      const p = e.fields.find((f) => f.name === 'sin_port');
      const addr = e.fields.find((f) => f.name === 'sin_addr');
      if (addr && addr.value.kind === 'call' && addr.value.name === 'inet_addr') {
        const arg = addr.value.args[0];
        const ip = arg && arg.kind === 'string' ? parseIpv4(arg.value) : NaN;
        if (ip !== this.remoteAddr && ip !== this.localAddr && ip !== 0) this.unsupported(ev, `address ${arg && arg.kind === 'string' ? arg.value : '?'}`);
      }
      return p ? this.evalNum(p.value, ev) : dflt;
    }
    return dflt;
  }

  private checkOut(ev: SyscallEvent, want: Expr | undefined, actual: number): CallResult {
    if (want && want.kind === 'list' && want.items.length === 1 && want.items[0].kind !== 'ellipsis') {
      const w = this.evalNum(want.items[0], ev);
      if (w !== actual) throw new Verdict('FAIL', ev.line, `${ev.name}() output value: expected ${w} vs actual ${actual}\n  script: ${ev.text}`);
    }
    return { value: 0 };
  }

  private setsockopt(ev: SyscallEvent): CallResult {
    const a = ev.args;
    const s = this.sock(ev, a[0]);
    if (typeof s === 'number') return { value: s };
    const level = this.evalNum(a[1], ev), opt = this.evalNum(a[2], ev);
    const v = a[3]?.kind === 'list' ? this.evalNum(a[3], ev) : NaN;
    const e = this.engine;
    const conn = s.kind === 'conn' ? s.conn! : -1;
    if (level === SYMBOLS.SOL_SOCKET) {
      switch (opt) {
        case SYMBOLS.SO_REUSEADDR: case SYMBOLS.SO_REUSEPORT: return { value: 0 };
        case SYMBOLS.SO_LINGER: {
          const st = a[3]?.kind === 'struct' ? a[3] : null;
          const field = (n: string) => { const f = st?.fields.find((x) => x.name === n); return f ? this.evalNum(f.value, ev) : NaN; };
          const on = field('onoff'), secs = field('linger');
          if (on && secs !== 0) this.unsupported(ev, 'SO_LINGER with a non-zero time');
          s.linger0 = !!on;
          return { value: 0 };
        }
        case SYMBOLS.SO_KEEPALIVE:
          s.keepAlive = v !== 0;
          if (conn >= 0) e.setKeepAlive(conn, s.keepAlive, s.keepIdleMs, this.nowUs / 1000);
          return { value: 0 };
        case SYMBOLS.SO_SNDBUF: case SYMBOLS.SO_RCVBUF:
          this.notes.push(`line ${ev.line}: ${opt === SYMBOLS.SO_SNDBUF ? 'SO_SNDBUF' : 'SO_RCVBUF'} ignored (buffer sizes come from the engine config)`);
          return { value: 0 };
      }
    } else if (level === SYMBOLS.SOL_TCP) {
      switch (opt) {
        case SYMBOLS.TCP_NODELAY:
          s.noDelay = v !== 0;
          if (conn >= 0) e.setNoDelay(conn, s.noDelay, this.nowUs / 1000);
          return { value: 0 };
        case SYMBOLS.TCP_KEEPIDLE:
          s.keepIdleMs = v * 1000;
          if (conn >= 0 && s.keepAlive) e.setKeepAlive(conn, true, s.keepIdleMs, this.nowUs / 1000);
          return { value: 0 };
        case SYMBOLS.TCP_KEEPINTVL:
        case SYMBOLS.TCP_KEEPCNT: {
          if (e.setsockopt && conn >= 0) return { value: e.setsockopt(conn, level, opt, v) };
          if (!(v >= 1)) return { value: -ERRNO.EINVAL };
          const p = opt === SYMBOLS.TCP_KEEPINTVL ? { intervalMs: v * 1000 } : { count: v };
          Object.assign(s.keepParams ??= {}, p);
          if (conn >= 0 && e.setKeepAliveParams) e.setKeepAliveParams(conn, p, this.nowUs / 1000);
          else if (conn >= 0 || !e.setKeepAliveParams) this.unsupported(ev, opt === SYMBOLS.TCP_KEEPINTVL ? 'TCP_KEEPINTVL' : 'TCP_KEEPCNT');
          return { value: 0 };
        }
        case SYMBOLS.TCP_LINGER2:
          if (e.setsockopt && conn >= 0) return { value: e.setsockopt(conn, level, opt, v) };
          if (!e.setConfig?.('finWait2TimeoutMs', v * 1000)) this.unsupported(ev, 'TCP_LINGER2');
          return { value: 0 };
        case SYMBOLS.TCP_USER_TIMEOUT:
          if (!e.setUserTimeout) this.unsupported(ev, 'TCP_USER_TIMEOUT');
          s.userTimeoutMs = v;
          if (conn >= 0) e.setUserTimeout(conn, v);
          return { value: 0 };
        case SYMBOLS.TCP_SYNCNT:
          if (e.setsockopt && conn >= 0) return { value: e.setsockopt(conn, level, opt, v) };
          if (!e.setConfig?.('synRetries', v)) this.unsupported(ev, 'TCP_SYNCNT');
          return { value: 0 };
      }
    }
    if (e.setsockopt && conn >= 0 && !Number.isNaN(v)) return { value: e.setsockopt(conn, level, opt, v) };
    return this.unsupported(ev, `setsockopt(level ${level}, option ${opt})`);
  }

  private getsockopt(ev: SyscallEvent): CallResult {
    const a = ev.args;
    const s = this.sock(ev, a[0]);
    if (typeof s === 'number') return { value: s };
    const level = this.evalNum(a[1], ev), opt = this.evalNum(a[2], ev);
    const conn = s.kind === 'conn' ? s.conn! : -1;
    if (level === SYMBOLS.SOL_SOCKET && opt === SYMBOLS.SO_ERROR) {
      let err = conn < 0 ? 0 : this.engine.nativeErrors && this.engine.soError ? this.engine.soError(conn) : this.takeErr(conn, 0);
      if (err === 0 && conn >= 0 && this.softErr.has(conn)) {
        err = this.softErr.get(conn)!;
        this.softErr.delete(conn);
      }
      return this.checkOut(ev, a[3], err);
    }
    if (level === SYMBOLS.SOL_SOCKET && opt === SYMBOLS.SO_KEEPALIVE) return this.checkOut(ev, a[3], s.keepAlive ? 1 : 0);
    if (level === SYMBOLS.SOL_TCP && opt === SYMBOLS.TCP_NODELAY) return this.checkOut(ev, a[3], s.noDelay ? 1 : 0);
    if (level === SYMBOLS.SOL_TCP && opt === SYMBOLS.TCP_INFO) {
      this.skipReasons.push(`line ${ev.line}: TCP_INFO not evaluated`);
      return { value: 0 };
    }
    if (level === SYMBOLS.SOL_TCP && opt === SYMBOLS.TCP_MAXSEG) {
      if (conn < 0) this.unsupported(ev, 'TCP_MAXSEG on an unconnected socket');
      const v = this.engine.maxSeg ? this.engine.maxSeg(conn) : this.engine.info(conn).mss;
      return this.checkOut(ev, a[3], v);
    }
    return this.unsupported(ev, `getsockopt(level ${level}, option ${opt})`);
  }

  private poll(ev: SyscallEvent): CallResult {
    const a = ev.args;
    const list = a[0]?.kind === 'list' ? a[0].items : [];
    const timeout = a[2] ? this.evalNum(a[2], ev) : 0;
    const entries = list.map((it) => {
      if (it.kind !== 'struct') this.unsupported(ev, 'poll() entries other than {fd=…, events=…, revents=…}');
      const f = (n: string) => { const x = it.fields.find((y) => y.name === n); return x ? this.evalNum(x.value, ev) : 0; };
      return { fd: f('fd'), events: f('events'), revents: f('revents') };
    });
    const compute = () => entries.map((en) => {
      const s = this.socks.get(en.fd);
      if (!s) return SYMBOLS.POLLNVAL;
      return this.revents(ev, s) & (en.events | SYMBOLS.POLLERR | SYMBOLS.POLLHUP | SYMBOLS.POLLNVAL);
    });
    const finish = (rev: number[]): number => {
      rev.forEach((r, i) => {
        if (r !== entries[i].revents) {
          throw new Verdict('FAIL', ev.line, `poll() revents of fd ${entries[i].fd}: expected 0x${entries[i].revents.toString(16)} vs actual 0x${r.toString(16)}\n  script: ${ev.text}`);
        }
      });
      return rev.filter((r) => r !== 0).length;
    };
    const first = compute();
    if (first.some((r) => r !== 0) || timeout === 0) return { value: finish(first) };
    const until = timeout < 0 ? Infinity : this.nowUs + timeout * 1000;
    return {
      block: () => {
        const rev = compute();
        if (rev.some((r) => r !== 0) || this.nowUs >= until) return finish(rev);
        return null;
      },
    };
  }

  /** Linux tcp_poll() readiness for one socket. */
  private revents(ev: SyscallEvent, s: Sock): number {
    const e = this.engine;
    const S = SYMBOLS;
    if (s.kind === 'new') return S.POLLOUT | S.POLLHUP;
    if (s.kind === 'listener') {
      const c = e.accept(s.listener!);
      if (c >= 0) this.unsupported(ev, 'poll() on a listener with a pending connection');
      return 0;
    }
    const c = s.conn!;
    const st = e.state(c);
    let mask = 0;
    if (this.connErr.has(c)) mask |= S.POLLERR;
    const closed = st === ST_CLOSED || this.connClosed.has(c);
    const peerFin = st === 7 /* CLOSE_WAIT */ || st === 8 /* CLOSING */ || st === 9 /* LAST_ACK */ || st === 10 /* TIME_WAIT */;
    const rdShut = s.shutRd || peerFin || closed;
    const wrShut = s.shutWr || closed;
    if (rdShut && wrShut) mask |= S.POLLHUP;
    if (rdShut) mask |= S.POLLIN | S.POLLRDNORM | S.POLLRDHUP;
    if (st !== ST_SYN_SENT && st !== ST_SYN_RCVD) {
      if (!e.bufferedRecv) this.unsupported(ev, 'poll() on a connection (the engine does not report buffered receive bytes)');
      if (e.bufferedRecv(c) > 0) mask |= S.POLLIN | S.POLLRDNORM;
      if (!wrShut) {
        if (st >= ST_ESTABLISHED && e.bufferedSend(c) < this.sendBufferSize()) mask |= S.POLLOUT | S.POLLWRNORM;
      } else mask |= S.POLLOUT | S.POLLWRNORM;
    }
    return mask;
  }

  private sendBufferSize(): number {
    return this.engine.sendBufferSize;
  }
}
