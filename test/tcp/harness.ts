// Test harness for the engine (smoltcp style): one Engine on a virtual clock; what the "peer" sends is
// built, and what the engine sends decoded, by the engine-independent codec of src/script/wire.ts.
import { expect } from 'vitest';
import { ACK, FIN, PSH, RST, SYN, URG, buildIcmpError, buildTcpPacket, decodeSegment as decodePacket, padOptions, type TcpOption } from '../../src/script/wire.js';
import { Engine, STATE_NAMES, TcpState, type EngineConfig, type EngineEvent } from '../../src/engine/engine.js';

/** a.b.c.d as the engine's u32. */
export function ip(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export const LOCAL = ip(10, 0, 0, 1);
export const REMOTE = ip(10, 0, 0, 2);
export const LPORT = 80;
export const RPORT = 40000;
/** Peer ISN used by the helpers. */
export const PEER_ISS = 1000;

export { ACK, FIN, PSH, RST, SYN, URG };

/** A TCP option as the harness writes and reads it (the codec's union). */
export type Opt = TcpOption;

/** A segment the peer sends. */
export interface SegIn {
  src?: number; dst?: number; sport?: number; dport?: number;
  seq: number; ack?: number; flags: number; win?: number; opts?: Opt[]; data?: Uint8Array | number;
}

/** A decoded outbound segment. */
export interface SegOut {
  src: number; dst: number; sport: number; dport: number; seq: number; ack: number; flags: number;
  win: number; opts: Opt[]; data: Uint8Array; len: number; t: number;
  /** The whole packet (a copy). */
  raw: Uint8Array;
}

/** Builds an IPv4/TCP packet with correct checksums (options padded with end-of-list bytes). */
export function buildSegment(s: SegIn): Uint8Array {
  return buildTcpPacket({
    src: s.src ?? REMOTE, dst: s.dst ?? LOCAL, srcPort: s.sport ?? RPORT, dstPort: s.dport ?? LPORT,
    seq: s.seq, ack: s.ack ?? 0, flags: s.flags, win: s.win ?? 65535, urg: 0, options: padOptions(s.opts ?? []),
    payloadLen: 0, payload: typeof s.data === 'number' ? new Uint8Array(s.data) : s.data,
  });
}

/** Decodes an outbound packet, verifying both checksums; options end at the first end-of-list. */
export function decodeSegment(b: Uint8Array, t = 0): SegOut {
  const d = decodePacket(b);
  if (typeof d === 'string') expect.fail(`outbound packet: ${d}`);
  const eol = d.options.findIndex((o) => o.kind === 'eol');
  const data = d.payload.slice();
  return {
    src: d.src, dst: d.dst, sport: d.srcPort, dport: d.dstPort, seq: d.seq, ack: d.ack, flags: d.flags, win: d.win,
    opts: eol < 0 ? d.options : d.options.slice(0, eol), data, len: data.length, t, raw: b.slice(),
  };
}

/** ICMP type/code from `from` quoting the first 28 bytes of `orig` (an IPv4/TCP packet we sent). */
export function buildIcmp(type: number, code: number, orig: Uint8Array, from = ip(10, 9, 9, 9), dst = LOCAL): Uint8Array {
  return buildIcmpError({ src: from, dst, type, code, quote: orig.subarray(0, 28) });
}

/** tcpdump-style flags ("S.", "P.", "F.", "R", ...). */
export function flagStr(f: number): string {
  let s = '';
  if (f & SYN) s += 'S';
  if (f & FIN) s += 'F';
  if (f & RST) s += 'R';
  if (f & PSH) s += 'P';
  if (f & ACK) s += '.';
  return s || '-';
}

/** Option kinds in order, e.g. ['mss', 'sackOK', 'TS', 'nop', 'wscale']. */
export function optKinds(s: SegOut): string[] { return s.opts.map((o) => o.kind); }

/** The value of option `kind` in `s`, or undefined. */
export function opt<K extends Opt['kind']>(s: SegOut, kind: K): Extract<Opt, { kind: K }> | undefined {
  return s.opts.find((o) => o.kind === kind) as Extract<Opt, { kind: K }> | undefined;
}

/** Fields to check with expectSegment (omitted fields are not checked). */
export interface SegMatch {
  flags?: number | string; seq?: number; ack?: number; win?: number; len?: number; opts?: string[];
}

/** One engine, a virtual clock, and the segments it sent. */
export class Harness {
  readonly e: Engine;
  now = 0;
  readonly out: SegOut[] = [];
  readonly events: EngineEvent[] = [];
  /** The connection under test. */
  conn = -1;
  /** The listener (passive tests). */
  listener = -1;
  /** Our ISN, as seen in our SYN or SYN-ACK. */
  iss = 0;
  /** Next sequence number the peer sends. */
  peerSeq = PEER_ISS + 1;
  /** Peer's TSval (when the test uses timestamps). */
  tsVal = 100;

  /** `module`: the engine module to run (default the release build; tests of hooks pass the test build). */
  constructor(config: Partial<EngineConfig> = {}, seed = 1, module?: WebAssembly.Module) {
    this.e = Engine.create({ addr: LOCAL, seed, module, config: { timestamps: false, sack: false, windowScaling: false, ...config } });
  }

  /** Collects the engine's output and events. */
  collect(): void {
    this.e.drainTx((p) => { this.out.push(decodeSegment(p, this.now)); });
    const ev = { kind: 0, conn: 0, arg: 0 };
    while (this.e.nextEvent(ev)) this.events.push({ ...ev });
  }

  /** Injects one segment from the peer. */
  send(s: SegIn): void {
    this.e.input(buildSegment(s), this.now);
    this.collect();
  }

  /** Moves the clock by `ms` and polls. */
  tick(ms: number): void {
    this.now += ms;
    this.e.poll(this.now);
    this.collect();
  }

  /** Jumps the clock to each next deadline until `until` (virtual clock). */
  runUntil(until: number): void {
    for (let i = 0; i < 100000; i++) {
      const next = this.e.poll(this.now);
      this.collect();
      if (!(next <= until)) break;
      this.now = Math.max(this.now, next);
    }
    this.now = Math.max(this.now, until);
    this.e.poll(this.now);
    this.collect();
  }

  /** Removes and returns the next segment the engine sent, checking the given fields. */
  expectSegment(m: SegMatch = {}): SegOut {
    const s = this.out.shift();
    expect(s, 'expected a segment').toBeDefined();
    const seg = s!;
    if (m.flags !== undefined) expect(flagStr(seg.flags)).toBe(typeof m.flags === 'string' ? m.flags : flagStr(m.flags));
    if (m.seq !== undefined) expect(seg.seq).toBe(m.seq >>> 0);
    if (m.ack !== undefined) expect(seg.ack).toBe(m.ack >>> 0);
    if (m.win !== undefined) expect(seg.win).toBe(m.win);
    if (m.len !== undefined) expect(seg.len).toBe(m.len);
    if (m.opts !== undefined) expect(optKinds(seg)).toEqual(m.opts);
    return seg;
  }

  /** Asserts the engine sent nothing more. */
  expectNone(): void {
    expect(this.out.map((s) => `${flagStr(s.flags)} ${s.seq}:${s.seq + s.len}(${s.len}) ack ${s.ack}`)).toEqual([]);
  }

  /** Asserts the connection is still in `state` after `ms` − 1 ms more and CLOSED 1 ms later (a timer of `ms`). */
  expectClosedAfter(state: string, ms: number): void {
    this.tick(ms - 1);
    expect(this.stateName()).toBe(state);
    this.tick(1);
    expect(this.stateName()).toBe('CLOSED');
  }

  /** The state of the connection under test, by name. */
  stateName(conn = this.conn): string { return STATE_NAMES[this.e.state(conn)]; }

  /** Events of `kind` seen so far (removing them). */
  takeEvents(kind: number): EngineEvent[] {
    const got = this.events.filter((e) => e.kind === kind);
    this.events.splice(0, this.events.length, ...this.events.filter((e) => e.kind !== kind));
    return got;
  }

  /** Our sequence number `off` bytes after the ISN (+1 for the SYN). */
  ours(off: number): number { return (this.iss + 1 + off) >>> 0; }

  /** A peer segment at the current peer sequence number acknowledging `ackOff` bytes of ours. */
  seg(flags: number, ackOff: number, extra: Partial<SegIn> = {}): SegIn {
    return { seq: this.peerSeq, ack: this.ours(ackOff), flags, ...extra };
  }

  /** Peer sends `n` bytes (pattern `fill`) acknowledging `ackOff` of ours. */
  sendData(n: number, ackOff: number, fill = 0x61): void {
    this.send(this.seg(ACK | PSH, ackOff, { data: new Uint8Array(n).fill(fill) }));
    this.peerSeq += n;
  }

  /** Timestamp options echoing segment `s` (empty when it has none). */
  tsOpts(s: SegOut): Opt[] {
    const t = s.opts.find((o) => o.kind === 'TS') as { kind: 'TS'; val: number } | undefined;
    return t ? [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'TS', val: ++this.tsVal, ecr: t.val }] : [];
  }

  /** Queues `data` (or that many zero bytes) on the connection and collects what the engine sends; returns send's result. */
  write(data: Uint8Array | number): number {
    const n = this.e.send(this.conn, typeof data === 'number' ? new Uint8Array(data) : data, this.now);
    this.collect();
    return n;
  }

  /** Closes the connection (the user's CLOSE, RFC 9293 §3.10.4) and collects what the engine sends; returns close's result. */
  close(): number {
    const r = this.e.close(this.conn, this.now);
    this.collect();
    return r;
  }

  /** Reads everything readable from the connection. */
  read(max = 1 << 20): Uint8Array {
    const buf = new Uint8Array(max);
    const n = this.e.recv(this.conn, buf, this.now);
    this.collect();
    return n > 0 ? buf.slice(0, n) : new Uint8Array(0);
  }

  /** Builds a connection in `state` through real exchanges; afterwards `out` and `events` are empty. */
  inState(state: string, opts: { active?: boolean } = {}): void {
    const active = opts.active ?? ['SYN_SENT'].includes(state);
    if (state === 'LISTEN') { this.listener = this.e.listen(LPORT); this.clear(); return; }
    if (active) {
      this.conn = this.e.connect(REMOTE, RPORT, this.now, LPORT);
      this.collect();
      const syn = this.expectSegment({ flags: 'S' });
      this.iss = syn.seq;
      if (state === 'SYN_SENT') { this.clear(); return; }
      this.send({ seq: PEER_ISS, ack: this.iss + 1, flags: SYN | ACK, opts: [{ kind: 'mss', value: 1460 }] });
    } else {
      this.listener = this.e.listen(LPORT);
      this.send({ seq: PEER_ISS, flags: SYN, opts: [{ kind: 'mss', value: 1460 }] });
      const sa = this.expectSegment({ flags: 'S.' });
      this.iss = sa.seq;
      this.conn = sa ? this.findConn() : -1;
      if (state === 'SYN_RCVD') { this.clear(); return; }
      this.send(this.seg(ACK, 0));
      const c = this.e.accept(this.listener);
      expect(c).toBeGreaterThanOrEqual(0);
      this.conn = c;
    }
    this.clear();
    expect(this.stateName()).toBe('ESTABLISHED');
    if (state === 'ESTABLISHED') return;
    if (state === 'FIN_WAIT_1' || state === 'FIN_WAIT_2' || state === 'CLOSING' || state === 'TIME_WAIT') {
      this.close();
      this.expectSegment({ flags: 'F.', seq: this.ours(0) });
      if (state === 'FIN_WAIT_2' || state === 'TIME_WAIT') this.send(this.seg(ACK, 1));
      if (state === 'CLOSING' || state === 'TIME_WAIT') {
        this.send(this.seg(FIN | ACK, state === 'CLOSING' ? 0 : 1));
        this.peerSeq++;
      }
    } else if (state === 'CLOSE_WAIT' || state === 'LAST_ACK') {
      this.send(this.seg(FIN | ACK, 0));
      this.peerSeq++;
      if (state === 'LAST_ACK') this.close();
    }
    this.clear();
    expect(this.stateName()).toBe(state);
  }

  /** A passive open whose SYN carries `peerOpts` (e.g. sackOK, TS), accepted; afterwards `out` and `events` are empty. */
  openWith(peerOpts: Opt[]): void {
    this.inState('LISTEN');
    this.send({ seq: PEER_ISS, flags: SYN, opts: peerOpts });
    const sa = this.expectSegment({ flags: 'S.' });
    this.iss = sa.seq;
    this.send({ seq: PEER_ISS + 1, ack: this.iss + 1, flags: ACK, opts: this.tsOpts(sa) });
    this.conn = this.e.accept(this.listener);
    expect(this.conn).toBeGreaterThanOrEqual(0);
    this.clear();
  }

  /** ESTABLISHED (as inState), then the peer advertises a receive window of `win` bytes. */
  establishedWithPeerWindow(win: number): void {
    this.inState('ESTABLISHED');
    this.send(this.seg(ACK, 0, { win }));
  }

  /** A passive open, then our close answered by one FIN that acknowledges ours (FIN_WAIT_1 → TIME_WAIT); afterwards `out` and `events` are empty. */
  timeWaitByFinAck(): void {
    this.inState('ESTABLISHED', { active: false });
    this.close();
    this.send(this.seg(ACK | FIN, 1));
    this.peerSeq++;
    expect(this.stateName()).toBe('TIME_WAIT');
    this.clear();
  }

  /** Finds the connection slot (passive side before accept) by scanning states. */
  private findConn(): number {
    for (let i = 0; i < this.e.config.maxConnections; i++) {
      if (this.e.state(i) === TcpState.SYN_RCVD) return i;
    }
    return -1;
  }

  /** Forgets collected output and events. */
  clear(): void { this.out.length = 0; this.events.length = 0; }
}
