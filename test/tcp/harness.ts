// Test harness for the engine (smoltcp style): one Engine on a virtual clock, a TypeScript segment
// builder with correct checksums for what the "peer" sends, and a decoder for what the engine sends.
import { expect } from 'vitest';
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

export const FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16, URG = 32;

/** A TCP option as the harness writes and reads it. */
export type Opt =
  | { kind: 'nop' } | { kind: 'eol' } | { kind: 'mss'; value: number } | { kind: 'wscale'; value: number }
  | { kind: 'sackOK' } | { kind: 'TS'; val: number; ecr: number } | { kind: 'sack'; blocks: [number, number][] };

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

function sum16(b: Uint8Array, start: number, end: number, init: number): number {
  let s = init;
  for (let i = start; i + 1 < end; i += 2) s += (b[i] << 8) | b[i + 1];
  if ((end - start) & 1) s += b[end - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

function encodeOpts(opts: Opt[]): number[] {
  const o: number[] = [];
  const be32 = (v: number) => o.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  for (const x of opts) {
    switch (x.kind) {
      case 'nop': o.push(1); break;
      case 'eol': o.push(0); break;
      case 'mss': o.push(2, 4, (x.value >> 8) & 255, x.value & 255); break;
      case 'wscale': o.push(3, 3, x.value); break;
      case 'sackOK': o.push(4, 2); break;
      case 'TS': o.push(8, 10); be32(x.val); be32(x.ecr); break;
      case 'sack': o.push(5, 2 + 8 * x.blocks.length); for (const [l, r] of x.blocks) { be32(l); be32(r); } break;
    }
  }
  while (o.length & 3) o.push(0);
  return o;
}

/** Builds an IPv4/TCP packet with correct checksums. */
export function buildSegment(s: SegIn): Uint8Array {
  const src = s.src ?? REMOTE, dst = s.dst ?? LOCAL;
  const opt = encodeOpts(s.opts ?? []);
  const data = typeof s.data === 'number' ? new Uint8Array(s.data) : (s.data ?? new Uint8Array(0));
  const thl = 20 + opt.length;
  const total = 20 + thl + data.length;
  const b = new Uint8Array(total);
  b[0] = 0x45; b[2] = total >> 8; b[3] = total & 255; b[6] = 0x40; b[8] = 64; b[9] = 6;
  const w32 = (o: number, v: number) => { b[o] = (v >>> 24) & 255; b[o + 1] = (v >>> 16) & 255; b[o + 2] = (v >>> 8) & 255; b[o + 3] = v & 255; };
  w32(12, src); w32(16, dst);
  const ic = (~sum16(b, 0, 20, 0)) & 0xffff; b[10] = ic >> 8; b[11] = ic & 255;
  const t = 20;
  const sport = s.sport ?? RPORT, dport = s.dport ?? LPORT;
  b[t] = sport >> 8; b[t + 1] = sport & 255; b[t + 2] = dport >> 8; b[t + 3] = dport & 255;
  w32(t + 4, s.seq >>> 0); w32(t + 8, (s.ack ?? 0) >>> 0);
  b[t + 12] = (thl / 4) << 4; b[t + 13] = s.flags & 255;
  const win = s.win ?? 65535; b[t + 14] = win >> 8; b[t + 15] = win & 255;
  b.set(opt, t + 20);
  b.set(data, t + thl);
  let ps = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 6 + (thl + data.length);
  const tc = (~sum16(b, t, total, ps)) & 0xffff; b[t + 16] = tc >> 8; b[t + 17] = tc & 255;
  return b;
}

/** Decodes an outbound packet, verifying both checksums. */
export function decodeSegment(b: Uint8Array, t = 0): SegOut {
  expect(b[0]).toBe(0x45);
  expect(sum16(b, 0, 20, 0)).toBe(0xffff);
  const total = (b[2] << 8) | b[3];
  expect(total).toBe(b.length);
  const r32 = (o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  const src = r32(12), dst = r32(16);
  const ps = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 6 + (total - 20);
  expect(sum16(b, 20, total, ps), 'TCP checksum').toBe(0xffff);
  const th = 20;
  const thl = (b[th + 12] >> 4) * 4;
  const opts: Opt[] = [];
  for (let i = th + 20; i < th + thl;) {
    const k = b[i];
    if (k === 0) { break; }
    if (k === 1) { opts.push({ kind: 'nop' }); i++; continue; }
    const l = b[i + 1];
    if (k === 2) opts.push({ kind: 'mss', value: (b[i + 2] << 8) | b[i + 3] });
    else if (k === 3) opts.push({ kind: 'wscale', value: b[i + 2] });
    else if (k === 4) opts.push({ kind: 'sackOK' });
    else if (k === 8) opts.push({ kind: 'TS', val: r32(i + 2), ecr: r32(i + 6) });
    else if (k === 5) {
      const blocks: [number, number][] = [];
      for (let j = i + 2; j < i + l; j += 8) blocks.push([r32(j), r32(j + 4)]);
      opts.push({ kind: 'sack', blocks });
    }
    i += l;
  }
  const data = b.slice(th + thl, total);
  return {
    src, dst, sport: (b[th] << 8) | b[th + 1], dport: (b[th + 2] << 8) | b[th + 3], seq: r32(th + 4), ack: r32(th + 8),
    flags: b[th + 13], win: (b[th + 14] << 8) | b[th + 15], opts, data, len: data.length, t, raw: b.slice(),
  };
}

/** ICMP type/code from `from` quoting the first 28 bytes of `orig` (an IPv4/TCP packet we sent). */
export function buildIcmp(type: number, code: number, orig: Uint8Array, from = ip(10, 9, 9, 9), dst = LOCAL): Uint8Array {
  const q = orig.subarray(0, 28);
  const total = 20 + 8 + q.length;
  const b = new Uint8Array(total);
  b[0] = 0x45; b[2] = total >> 8; b[3] = total & 255; b[8] = 64; b[9] = 1;
  const w32 = (o: number, v: number) => { b[o] = (v >>> 24) & 255; b[o + 1] = (v >>> 16) & 255; b[o + 2] = (v >>> 8) & 255; b[o + 3] = v & 255; };
  w32(12, from); w32(16, dst);
  const ic = (~sum16(b, 0, 20, 0)) & 0xffff; b[10] = ic >> 8; b[11] = ic & 255;
  b[20] = type; b[21] = code;
  b.set(q, 28);
  const cc = (~sum16(b, 20, total, 0)) & 0xffff; b[22] = cc >> 8; b[23] = cc & 255;
  return b;
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
      this.e.close(this.conn, this.now);
      this.collect();
      this.expectSegment({ flags: 'F.', seq: this.ours(0) });
      if (state === 'FIN_WAIT_2' || state === 'TIME_WAIT') this.send(this.seg(ACK, 1));
      if (state === 'CLOSING' || state === 'TIME_WAIT') {
        this.send(this.seg(FIN | ACK, state === 'CLOSING' ? 0 : 1));
        this.peerSeq++;
      }
    } else if (state === 'CLOSE_WAIT' || state === 'LAST_ACK') {
      this.send(this.seg(FIN | ACK, 0));
      this.peerSeq++;
      if (state === 'LAST_ACK') { this.e.close(this.conn, this.now); this.collect(); }
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
