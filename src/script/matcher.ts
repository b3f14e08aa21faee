// Sequence/ack/TS mapping between script and live values, inbound translation and the
// outbound matcher with TSO-style aggregation (packetdrill-syntax.md §3, §6).
import type { TcpOptionSpec, TcpSpec } from './model.js';
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG, type Segment, type TcpOption } from './wire.js';

const LETTERS: Array<[string, number]> = [['S', SYN], ['F', FIN], ['R', RST], ['P', PSH], ['.', ACK], ['U', URG], ['E', ECE], ['W', CWR]];

/** Flag bits for packetdrill flag letters ('.' = ACK). */
export function flagBits(letters: string): number {
  let bits = 0;
  for (const c of letters) for (const [l, b] of LETTERS) if (l === c) bits |= b;
  return bits;
}

/** packetdrill-style flag letters for flag bits; '-' when none. */
export function flagLetters(bits: number): string {
  let s = '';
  for (const [l, b] of LETTERS) if (bits & b) s += l;
  return s || '-';
}

/**
 * Per-flow mapping state. The peer's sequence space is used literally (packetdrill injects the
 * script's ISN as the live one); our side is offset by the live ISN bound at the first `> S`.
 */
export class FlowMap {
  /** live local seq = script seq + localOffset (0 until an outbound SYN binds it). */
  localOffset = 0;
  localBound = false;
  /** Script TS val → live TS val of outbound segments, for inbound `ecr`. */
  readonly tsVal = new Map<number, number>();
  firstTs?: { script: number; live: number };

  /** Local sequence number, script → live. */
  localToLive(v: number): number {
    return (v + this.localOffset) >>> 0;
  }

  /** Local sequence number, live → script. */
  localToScript(v: number): number {
    return (v - this.localOffset) >>> 0;
  }
}

/** Converts script options of an inbound line into wire options (SACK and TS ecr translated). */
export function inboundOptions(spec: TcpSpec, flow: FlowMap): TcpOption[] | string {
  if (spec.options === undefined) return [];
  if (spec.options === 'any') return "'<...>' is only allowed on outbound packets";
  const hasAck = (flagBits(spec.flags) & ACK) !== 0;
  const out: TcpOption[] = [];
  for (const o of spec.options) {
    switch (o.kind) {
      case 'unsupported': return `TCP option '${o.name}' is not supported`;
      case 'sack': out.push({ kind: 'sack', blocks: o.blocks.map(([l, r]) => [flow.localToLive(l), flow.localToLive(r)]) }); break;
      case 'TS': {
        let ecr = o.ecr;
        if (hasAck) {
          const live = flow.tsVal.get(o.ecr);
          if (live === undefined) return `unable to infer live TS ecr for script TS ecr ${o.ecr}: no earlier outbound line has TS val ${o.ecr}`;
          ecr = live;
        }
        out.push({ kind: 'TS', val: o.val, ecr });
        break;
      }
      default: out.push(o);
    }
  }
  return out;
}

/** Collects consecutive outbound segments into one aggregate matching a `>` line (§6). */
export class Aggregate {
  readonly segs: Segment[] = [];
  total = 0;

  constructor(readonly expected: TcpSpec, readonly strict: boolean) {}

  /**
   * Offers the next segment of the flow. Returns 'done' when the aggregate is complete, 'more'
   * when it was taken and more payload is needed, 'reject' when it cannot join (it is not taken).
   */
  offer(s: Segment): 'done' | 'more' | 'reject' {
    if (this.segs.length === 0) {
      this.segs.push(s);
      this.total = s.payloadLen;
      return this.strict || s.payloadLen === 0 || this.total >= this.expected.len ? 'done' : 'more';
    }
    const prev = this.segs[this.segs.length - 1];
    const sameSize = this.segs.length < 2 || prev.payloadLen === this.segs[this.segs.length - 2].payloadLen;
    const mask = ~(PSH | FIN | CWR) & 0xff;
    if (!sameSize || s.payloadLen === 0 || this.total + s.payloadLen > this.expected.len || prev.flags & FIN
      || s.seq !== ((prev.seq + prev.payloadLen) >>> 0) || (s.flags & mask) !== (prev.flags & mask)
      || s.ack !== prev.ack || s.win !== prev.win || !sameOptionsButTs(s.options, prev.options)) return 'reject';
    if (s.payloadLen > prev.payloadLen) return 'reject';
    this.segs.push(s);
    this.total += s.payloadLen;
    return this.total >= this.expected.len ? 'done' : 'more';
  }

  /** The aggregate segment: seq, ack, window, options of the first, flags of the last. */
  result(): Segment {
    const first = this.segs[0];
    const last = this.segs[this.segs.length - 1];
    return { ...first, flags: last.flags, payloadLen: this.total, payloadZero: this.segs.every((x) => x.payloadZero) };
  }
}

function sameOptionsButTs(a: TcpOption[], b: TcpOption[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].kind !== b[i].kind) return false;
    if (a[i].kind !== 'TS' && JSON.stringify(a[i]) !== JSON.stringify(b[i])) return false;
  }
  return true;
}

/** Settings of the outbound comparison. */
export interface MatchSettings {
  /** `--tcp_ts_tick_usecs`: 0 means TS val is not checked. */
  tsTickUsecs: number;
  toleranceUsecs: number;
  /** Leniency of §6: PSH is not compared (Linux places it by its skb layout). */
  ignorePsh?: boolean;
}

/** Formats a live segment in script notation (our seq mapped to script space). */
export function formatSegment(s: Segment, flow: FlowMap): string {
  const seq = flow.localToScript(s.seq);
  let t = `${flagLetters(s.flags)} ${seq}:${(seq + s.payloadLen) >>> 0}(${s.payloadLen})`;
  if (s.flags & ACK || s.ack !== 0) t += ` ack ${s.ack}`;
  t += ` win ${s.win}`;
  if (s.options.length) t += ` <${s.options.map((o) => formatOption(o)).join(',')}>`;
  return t;
}

function formatOption(o: TcpOption | TcpOptionSpec): string {
  switch (o.kind) {
    case 'mss': return `mss ${o.value}`;
    case 'wscale': return `wscale ${o.value}`;
    case 'TS': return `TS val ${o.val} ecr ${o.ecr}`;
    case 'sack': return `sack ${o.blocks.map(([l, r]) => `${l}:${r}`).join(' ')}`;
    case 'other': return `kind${o.type}`;
    case 'unsupported': return o.name;
    default: return o.kind;
  }
}

/**
 * Compares an aggregated live segment with a `>` line. Binds the local ISN on SYNs and records
 * TS val mappings. Returns null on a match or the first mismatch as a sentence.
 */
export function matchOutbound(expected: TcpSpec, s: Segment, flow: FlowMap, settings: MatchSettings): string | null {
  const wantFlags = flagBits(expected.flags);
  if (wantFlags & SYN && !flow.localBound) {
    flow.localOffset = (s.seq - expected.seq) >>> 0;
    flow.localBound = true;
  }
  const mask = settings.ignorePsh ? ~PSH & 0xff : 0xff;
  if ((s.flags & mask) !== (wantFlags & mask)) return `flags: expected ${flagLetters(wantFlags)} vs actual ${flagLetters(s.flags)}`;
  if (s.reserved !== 0) return `reserved TCP header bits set (${s.reserved})`;
  const seq = flow.localToScript(s.seq);
  if (seq !== expected.seq) return `seq: expected ${expected.seq} vs actual ${seq}`;
  if (s.payloadLen !== expected.len) return `payload length: expected ${expected.len} vs actual ${s.payloadLen}`;
  if (!s.payloadZero) return 'payload: expected zero bytes (as written by write()) but got other data';
  const ack = expected.ack ?? 0;
  if (s.ack !== ack) return `ack: expected ${ack} vs actual ${s.ack}`;
  if (expected.win !== undefined && s.win !== expected.win) return `win: expected ${expected.win} vs actual ${s.win}`;
  if (s.urg !== (expected.urg ?? 0)) return `urgent pointer: expected ${expected.urg ?? 0} vs actual ${s.urg}`;
  return matchOptions(expected.options, s.options, flow, settings);
}

function matchOptions(want: TcpSpec['options'], got: TcpOption[], flow: FlowMap, settings: MatchSettings): string | null {
  if (want === 'any') return null;
  const fmt = (l: ReadonlyArray<TcpOption | TcpOptionSpec>) => `<${l.map((o) => formatOption(o)).join(',')}>`;
  if (want === undefined) return got.length === 0 ? null : `options: expected none vs actual ${fmt(got)}`;
  const mismatch = `options: expected ${fmt(want)} vs actual ${fmt(got)}`;
  if (want.length !== got.length) return mismatch;
  for (let i = 0; i < want.length; i++) {
    const w = want[i], g = got[i];
    if (w.kind === 'unsupported') return `TCP option '${w.name}' is not supported`;
    if (w.kind !== g.kind) return mismatch;
    if ((w.kind === 'mss' || w.kind === 'wscale') && w.value !== (g as { value: number }).value) return mismatch;
    if (w.kind === 'sack' && JSON.stringify(w.blocks) !== JSON.stringify((g as { blocks: unknown }).blocks)) return mismatch;
  }
  // TS: remember script val → live val; check val only with --tcp_ts_tick_usecs.
  for (let i = 0; i < want.length; i++) {
    const w = want[i], g = got[i];
    if (w.kind !== 'TS' || g.kind !== 'TS') continue;
    flow.tsVal.set(w.val, g.val);
    flow.firstTs ??= { script: w.val, live: g.val };
    if (settings.tsTickUsecs > 0) {
      const actual = (flow.firstTs.script + ((g.val - flow.firstTs.live) | 0)) >>> 0;
      const slack = Math.ceil(settings.toleranceUsecs / settings.tsTickUsecs);
      if (Math.abs((actual - w.val) | 0) > slack) return `TS val: expected ${w.val} vs actual ${actual} (±${slack} ticks)`;
    }
  }
  return null;
}
