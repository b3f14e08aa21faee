// Runs one parsed packetdrill script against a fresh engine on a virtual clock.
// Time: script microseconds; the engine gets milliseconds (f64). See docs/script.md.
import type { EngineFactory, ScriptEngine } from './driver.js';
import { Aggregate, FlowMap, flagBits, formatSegment, inboundOptions, matchOutbound } from './matcher.js';
import type { PacketEvent, Script, ScriptEvent, SyscallEvent, TimeSpec } from './model.js';
import { parseScript, ScriptSyntaxError } from './parser.js';
import { KERNEL_LINUX_SYSCTLS, LINUX_PROFILE, interpretCommand, type ConfigOverrides } from './profile.js';
import { SocketTable, type Sock } from './sockets.js';
import { Verdict, fmtResult } from './verdict.js';
import { parseIPv4, tryParseIPv4 } from '../util/ip.js';
import { ACK, buildIcmpPacket, buildTcpPacket, decodeSegment, type Segment } from './wire.js';

export type { EngineFactory, ScriptEngine } from './driver.js';

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

const DEFAULT_TOLERANCE = 4000;
const PACKET_TIMEOUT = 2_000_000;

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
  private sockets!: SocketTable;
  private sut: Sock | Flow | null = null;
  private flow: Flow | null = null;
  private pending: Pending | null = null;
  private nextPeerPort = 40000;
  private readonly notes: string[] = [];
  private readonly skipReasons: string[] = [];
  private localAddr = parseIPv4('192.168.0.1');
  private remoteAddr = parseIPv4('192.0.2.1');
  private bindPort = 8080;
  private connectPort = 8080;
  private tolerance = DEFAULT_TOLERANCE;
  private tsTick = 0;
  private strict = false;
  private base = 0;
  private prevExpected = 0;
  private prevInboundScripted: number | null = null;
  private readonly ev = { kind: 0, conn: 0, arg: 0 };

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
    const sysctls: Array<[string, string]> = [];
    if (this.script.init) {
      const eff = interpretCommand(this.script.init.command);
      linux ||= eff.loadsLinuxProfile;
      Object.assign(config, eff.config);
      sysctls.push(...eff.sysctls);
      this.notes.push(...eff.notes.map((n) => `line ${this.script.init!.line}: ${n}`));
    }
    if (linux) sysctls.unshift(...KERNEL_LINUX_SYSCTLS);
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
    this.engine = this.factory({ addr: this.localAddr, remote: this.remoteAddr, seed: 1, config: all, sysctls });
    this.sockets = new SocketTable({
      engine: this.engine,
      nowUs: () => this.nowUs,
      localAddr: this.localAddr,
      remoteAddr: this.remoteAddr,
      bindPort: this.bindPort,
      connectPort: this.connectPort,
      setSut: (s) => { this.sut = s; },
      startActiveFlow: (localPort, remotePort) => {
        this.flow = { localPort, remotePort, map: new FlowMap() };
        this.sut = this.flow;
      },
      notes: this.notes,
      skipReasons: this.skipReasons,
      log: (line) => this.log(`${this.fmtTime(this.nowUs)}   ${line}`),
    });
    this.deadlineUs = this.toUs(this.engine.poll(0));
    this.collect();
  }

  private addr(s: string, line: number): number {
    const a = tryParseIPv4(s);
    if (a === undefined) throw new Verdict('SKIP', line, `address '${s}' is not IPv4`);
    return a;
  }

  private toUs(ms: number): number {
    return ms === Infinity ? Infinity : ms * 1000;
  }

  // ---- virtual clock ----

  /** Drains outbound packets and engine events, then lets a blocked call finish. */
  private collect(): void {
    this.engine.drainTx((p, sentMs) => {
      const seg = decodeSegment(p);
      this.tx.push({ at: sentMs === undefined ? this.nowUs : Math.round(sentMs * 1000), seg });
      if (this.opts.log) this.log(`${this.fmtTime(this.nowUs)}   sent ${typeof seg === 'string' ? seg : this.describeLive(seg)}`);
    });
    while (this.engine.nextEvent(this.ev)) this.sockets.onEvent(this.ev.kind, this.ev.conn, this.ev.arg);
    if (this.pending) {
      const p = this.pending;
      this.pending = null;
      const r = p.retry();
      if (r === null) {
        this.pending = p;
        return;
      }
      this.log(`${this.fmtTime(this.nowUs)}   ${p.ev.name}() returned ${fmtResult(r)}`);
      this.sockets.check(p.ev, r);
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
      this.syncWallClock();
      this.collect();
      if (this.nowUs >= targetUs && this.deadlineUs > this.nowUs) return until?.() ?? false;
    }
  }

  /** Re-reads the engine's next deadline after an API call and collects its output. */
  private settle(): void {
    this.deadlineUs = this.toUs(this.engine.poll(this.nowUs / 1000));
    this.syncWallClock();
    this.collect();
  }

  /** A wall-clock backend may be ahead of our clock after a call: never lag behind it. */
  private syncWallClock(): void {
    this.nowUs = this.tookEffectUs();
  }

  /** When the backend's last call took effect: now, or later on a wall-clock backend. */
  private tookEffectUs(): number {
    const w = this.engine.wallClockMs?.();
    return w !== undefined && w * 1000 > this.nowUs ? Math.round(w * 1000) : this.nowUs;
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
        this.syscall(ev, expected);
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
    const injectedAt = this.tookEffectUs();
    this.settle();
    this.base = Math.max(injectedAt, expected);
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
      throw new Verdict('FAIL', ev.line, `timing error: expected outbound packet at ${when} (±${(tol / 1e6).toFixed(6)}) but it was sent at ${this.fmtTime(firstAt)}\n  script: ${ev.text}\n  actual: ${this.fmtTime(firstAt)} > ${formatSegment(actual, this.flow.map)}`);
    }
    this.base = lastAt;
    this.prevInboundScripted = null;
  }

  // ---- system calls ----

  private syscall(ev: SyscallEvent, expected: number): void {
    this.advance(expected);
    const start = Math.max(this.nowUs, expected);
    this.log(`${this.fmtTime(start)} ${ev.text}   (line ${ev.line})`);
    const r = this.sockets.call(ev);
    const returnedAt = this.tookEffectUs();
    this.settle();
    let endUs = start;
    if (ev.end) endUs = ev.end.relative ? this.base + ev.end.usecs : ev.end.usecs;
    if ('value' in r) {
      this.sockets.check(ev, r.value);
      if (ev.end && Math.abs(returnedAt - endUs) > this.tol(endUs)) {
        throw new Verdict('FAIL', ev.line, `timing error: ${ev.name}() returned at once (${this.fmtTime(returnedAt)}) but the script expects it to block until ${this.fmtTime(endUs)}\n  script: ${ev.text}`);
      }
    } else {
      if (!ev.end) {
        throw new Verdict('FAIL', ev.line, `${ev.name}() blocked, but the line has no '...end' time (packetdrill would hang)\n  script: ${ev.text}`);
      }
      this.pending = { ev, endUs, tolerance: this.tol(endUs), retry: r.block };
      // It may already be able to finish at this instant (e.g. data queued by the same step).
      this.collect();
    }
    // packetdrill §2: a call that returned is anchored where it returned, a blocking one where it started.
    this.base = this.pending ? start : Math.max(start, returnedAt);
    this.prevInboundScripted = null;
  }
}
