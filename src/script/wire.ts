// The engine-independent IPv4/TCP/ICMP codec: builds inbound packets, decodes outbound ones. The
// script runner and the engine tests (test/tcp/harness.ts) both use it, so they check the engine's
// own wire code rather than themselves.
import { onesSum } from '../util/checksum.js';

export { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } from '../util/tcp-flags.js';

/** A TCP option (RFC 9293 §3.2, RFC 7323, RFC 2018); 'other' is what decoding found and cannot name. */
export type TcpOption =
  | { kind: 'mss'; value: number }
  | { kind: 'nop' }
  | { kind: 'eol' }
  | { kind: 'sackOK' }
  | { kind: 'wscale'; value: number }
  | { kind: 'TS'; val: number; ecr: number }
  | { kind: 'sack'; blocks: Array<[number, number]> }
  | { kind: 'other'; type: number; length: number };

/** The header fields of one IPv4/TCP segment (addresses as the engine's u32). */
export interface TcpHeader {
  src: number;
  dst: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  win: number;
  urg: number;
  options: readonly TcpOption[];
  payloadLen: number;
}

/** A decoded outbound TCP segment. */
export interface Segment extends TcpHeader {
  options: TcpOption[];
  /** The four reserved bits of the header. */
  reserved: number;
  /** True when every payload byte is zero (what the script expects from write()). */
  payloadZero: boolean;
}

/** A decoded segment with its payload (a view into the packet). */
export interface DecodedSegment extends Segment {
  payload: Uint8Array;
}

/** An inbound segment to build: `payload` when given (else `payloadLen` zero bytes). */
export interface BuildTcp extends TcpHeader {
  payload?: Uint8Array;
}

/** Internet checksum (RFC 1071) over `data`, starting from partial sum `sum`. */
export function checksum(data: Uint8Array, sum = 0): number {
  return ~onesSum(data, 0, data.length, sum) & 0xffff;
}

function pseudoSum(src: number, dst: number, proto: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
}

/** Encodes TCP options, in order, exactly as given (no implicit padding). */
export function encodeOptions(opts: readonly TcpOption[]): number[] {
  const out: number[] = [];
  const u32 = (v: number) => out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  for (const o of opts) {
    switch (o.kind) {
      case 'nop': out.push(1); break;
      case 'eol': out.push(0); break;
      case 'mss': out.push(2, 4, (o.value >>> 8) & 255, o.value & 255); break;
      case 'sackOK': out.push(4, 2); break;
      case 'wscale': out.push(3, 3, o.value & 255); break;
      case 'TS': out.push(8, 10); u32(o.val); u32(o.ecr); break;
      case 'sack': out.push(5, 2 + 8 * o.blocks.length); for (const [l, r] of o.blocks) { u32(l); u32(r); } break;
      case 'other': throw new Error(`cannot encode TCP option kind ${o.type}`);
    }
  }
  return out;
}

/** `opts` followed by as many end-of-list bytes as make them a multiple of 4 long. */
export function padOptions(opts: readonly TcpOption[]): TcpOption[] {
  const pad = (4 - (encodeOptions(opts).length & 3)) & 3;
  return [...opts, ...Array.from({ length: pad }, (): TcpOption => ({ kind: 'eol' }))];
}

/** Builds an IPv4 packet carrying one TCP segment with valid checksums. */
export function buildTcpPacket(t: BuildTcp): Uint8Array {
  const opts = encodeOptions(t.options);
  if (opts.length % 4 !== 0) throw new Error(`TCP options are ${opts.length} bytes, not a multiple of 4 (pad with nop)`);
  if (opts.length > 40) throw new Error(`TCP options are ${opts.length} bytes, more than 40`);
  const payloadLen = t.payload?.length ?? t.payloadLen;
  const tcpLen = 20 + opts.length + payloadLen;
  const total = 20 + tcpLen;
  if (total > 0xffff) throw new Error(`packet of ${total} bytes exceeds the IPv4 maximum`);
  const p = new Uint8Array(total);
  writeIpv4(p, total, 6, t.src, t.dst);
  const v = new DataView(p.buffer);
  v.setUint16(20, t.srcPort);
  v.setUint16(22, t.dstPort);
  v.setUint32(24, t.seq >>> 0);
  v.setUint32(28, t.ack >>> 0);
  p[32] = ((20 + opts.length) / 4) << 4;
  p[33] = t.flags & 0xff;
  v.setUint16(34, t.win);
  v.setUint16(38, t.urg);
  p.set(opts, 40);
  if (t.payload) p.set(t.payload, 40 + opts.length);
  v.setUint16(36, checksum(p.subarray(20), pseudoSum(t.src, t.dst, 6, tcpLen)));
  return p;
}

function writeIpv4(p: Uint8Array, total: number, proto: number, src: number, dst: number): void {
  const v = new DataView(p.buffer, p.byteOffset);
  p[0] = 0x45;
  v.setUint16(2, total);
  v.setUint16(6, 0x4000); // DF
  p[8] = 64;
  p[9] = proto;
  v.setUint32(12, src >>> 0);
  v.setUint32(16, dst >>> 0);
  v.setUint16(10, checksum(p.subarray(0, 20)));
}

/** An ICMP message (RFC 792) from `src` to `dst` quoting `quote` (the first bytes of the packet it is about). */
export interface BuildIcmp {
  src: number;
  dst: number;
  type: number;
  code: number;
  /** Next-hop MTU of a "fragmentation needed" (type 3 code 4, RFC 1191); ignored otherwise. */
  mtu?: number;
  quote: Uint8Array;
}

/** Builds an ICMP error (e.g. destination unreachable) quoting `o.quote`. */
export function buildIcmpError(o: BuildIcmp): Uint8Array {
  const total = 20 + 8 + o.quote.length;
  const p = new Uint8Array(total);
  writeIpv4(p, total, 1, o.src, o.dst);
  const v = new DataView(p.buffer);
  p[20] = o.type;
  p[21] = o.code;
  if (o.type === 3 && o.code === 4) v.setUint16(26, o.mtu ?? 0);
  p.set(o.quote, 28);
  v.setUint16(22, checksum(p.subarray(20)));
  return p;
}

/** The segment an ICMP error quotes: its addresses, ports, sequence number and payload length. */
export interface QuotedTcp {
  src: number; dst: number; srcPort: number; dstPort: number; seq: number; payloadLen: number;
}

/** Builds an ICMP error quoting an IPv4+TCP header of ours (RFC 792: its IP header and 8 more bytes). */
export function buildIcmpPacket(o: Omit<BuildIcmp, 'quote'> & { quoted: QuotedTcp }): Uint8Array {
  const q = new Uint8Array(28);
  writeIpv4(q, 20 + 20 + o.quoted.payloadLen, 6, o.quoted.src, o.quoted.dst);
  const v = new DataView(q.buffer);
  v.setUint16(20, o.quoted.srcPort);
  v.setUint16(22, o.quoted.dstPort);
  v.setUint32(24, o.quoted.seq >>> 0);
  return buildIcmpError({ ...o, quote: q });
}

/** Decodes an outbound IPv4/TCP packet; returns a reason string when it is malformed. */
export function decodeSegment(p: Uint8Array): DecodedSegment | string {
  if (p.length < 20) return `IPv4 packet of ${p.length} bytes is too short`;
  if (p[0] >> 4 !== 4) return `IP version ${p[0] >> 4}, expected 4`;
  if ((p[0] & 15) !== 5) return `IPv4 header length ${(p[0] & 15) * 4}, expected 20 (no IP options)`;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const total = v.getUint16(2);
  if (total !== p.length) return `IPv4 total length ${total} but ${p.length} bytes were sent`;
  if (checksum(p.subarray(0, 20)) !== 0) return 'bad IPv4 header checksum';
  if (p[9] !== 6) return `IP protocol ${p[9]}, expected 6 (TCP)`;
  if (total < 40) return 'TCP header truncated';
  const src = v.getUint32(12), dst = v.getUint32(16);
  const off = (p[32] >> 4) * 4;
  if (off < 20 || 20 + off > total) return `bad TCP data offset ${off}`;
  if (checksum(p.subarray(20), pseudoSum(src, dst, 6, total - 20)) !== 0) return 'bad TCP checksum';
  const options = decodeOptions(p, v, 40, 20 + off);
  if (typeof options === 'string') return options;
  const payload = p.subarray(20 + off, total);
  return {
    src, dst, srcPort: v.getUint16(20), dstPort: v.getUint16(22), seq: v.getUint32(24), ack: v.getUint32(28),
    flags: p[33], reserved: (p[32] & 0x0f), win: v.getUint16(34), urg: v.getUint16(38), options,
    payloadLen: payload.length, payloadZero: payload.every((b) => b === 0), payload,
  };
}

function decodeOptions(p: Uint8Array, v: DataView, start: number, end: number): TcpOption[] | string {
  const options: TcpOption[] = [];
  for (let i = start; i < end;) {
    const kind = p[i];
    if (kind === 0) { options.push({ kind: 'eol' }); i++; continue; }
    if (kind === 1) { options.push({ kind: 'nop' }); i++; continue; }
    const len = p[i + 1];
    if (len < 2 || i + len > end) return `malformed TCP option kind ${kind}`;
    if (kind === 2 && len === 4) options.push({ kind: 'mss', value: v.getUint16(i + 2) });
    else if (kind === 3 && len === 3) options.push({ kind: 'wscale', value: p[i + 2] });
    else if (kind === 4 && len === 2) options.push({ kind: 'sackOK' });
    else if (kind === 8 && len === 10) options.push({ kind: 'TS', val: v.getUint32(i + 2), ecr: v.getUint32(i + 6) });
    else if (kind === 5 && (len - 2) % 8 === 0) {
      const blocks: Array<[number, number]> = [];
      for (let j = i + 2; j < i + len; j += 8) blocks.push([v.getUint32(j), v.getUint32(j + 4)]);
      options.push({ kind: 'sack', blocks });
    } else options.push({ kind: 'other', type: kind, length: len });
    i += len;
  }
  return options;
}
