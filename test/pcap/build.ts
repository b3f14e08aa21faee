// Test helpers: build classic pcap and pcapng files byte by byte, in either byte order.

/** One record of a classic pcap file. */
export interface Rec {
  sec: number;
  frac: number; // µs or ns, per the file's magic
  data: Uint8Array;
  origLen?: number;
}

/** A classic pcap file. */
export function classic(opts: { le?: boolean; nano?: boolean; linkType?: number; snaplen?: number; records: Rec[] }): Uint8Array {
  const le = opts.le ?? true;
  const size = 24 + opts.records.reduce((n, r) => n + 16 + r.data.length, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, opts.nano ? 0xa1b23c4d : 0xa1b2c3d4, le);
  dv.setUint16(4, 2, le);
  dv.setUint16(6, 4, le);
  dv.setUint32(16, opts.snaplen ?? 262144, le);
  dv.setUint32(20, opts.linkType ?? 1, le);
  let off = 24;
  for (const r of opts.records) {
    dv.setUint32(off, r.sec, le);
    dv.setUint32(off + 4, r.frac, le);
    dv.setUint32(off + 8, r.data.length, le);
    dv.setUint32(off + 12, r.origLen ?? r.data.length, le);
    out.set(r.data, off + 16);
    off += 16 + r.data.length;
  }
  return out;
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

/** A pcapng block of `type` around `body` (padded to 4 bytes), in the given byte order. */
export function block(le: boolean, type: number, body: Uint8Array): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const len = padded + 12;
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, le);
  dv.setUint32(4, len, le);
  out.set(body, 8);
  dv.setUint32(len - 4, len, le);
  return out;
}

/** A pcapng option (code, value), padded. */
export function option(le: boolean, code: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + ((value.length + 3) & ~3));
  const dv = new DataView(out.buffer);
  dv.setUint16(0, code, le);
  dv.setUint16(2, value.length, le);
  out.set(value, 4);
  return out;
}

const END = new Uint8Array(4);

/** Section Header Block. */
export function shb(le: boolean, options: Uint8Array[] = []): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0x1a2b3c4d, le);
  dv.setUint16(4, 1, le);
  dv.setUint16(6, 0, le);
  dv.setBigInt64(8, -1n, le);
  return block(le, 0x0a0d0d0a, concat(b, ...options, options.length ? END : new Uint8Array(0)));
}

/** Interface Description Block; `tsresol` is the raw if_tsresol byte (omitted when undefined). */
export function idb(le: boolean, linkType: number, snaplen = 0, tsresol?: number, tsoffset?: bigint): Uint8Array {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, linkType, le);
  dv.setUint32(4, snaplen, le);
  const opts: Uint8Array[] = [option(le, 2, new TextEncoder().encode('eth0'))];
  if (tsresol !== undefined) opts.push(option(le, 9, Uint8Array.of(tsresol)));
  if (tsoffset !== undefined) {
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigInt64(0, tsoffset, le);
    opts.push(option(le, 14, v));
  }
  return block(le, 1, concat(b, ...opts, END));
}

/** Enhanced Packet Block with a 64-bit timestamp in interface units. */
export function epb(le: boolean, ifId: number, ts: bigint, data: Uint8Array, origLen = data.length): Uint8Array {
  return packetBlock(le, 6, ifId, ts, data, origLen);
}

/** Obsolete Packet Block (type 2): a 16-bit interface ID (then a 16-bit drop count, 0 here). */
export function opb(le: boolean, ifId: number, ts: bigint, data: Uint8Array, origLen = data.length): Uint8Array {
  return packetBlock(le, 2, ifId, ts, data, origLen);
}

function packetBlock(le: boolean, type: 2 | 6, ifId: number, ts: bigint, data: Uint8Array, origLen: number): Uint8Array {
  const h = new Uint8Array(20);
  const dv = new DataView(h.buffer);
  if (type === 2) dv.setUint16(0, ifId, le);
  else dv.setUint32(0, ifId, le);
  dv.setUint32(4, Number(ts >> 32n), le);
  dv.setUint32(8, Number(ts & 0xffffffffn), le);
  dv.setUint32(12, data.length, le);
  dv.setUint32(16, origLen, le);
  return block(le, type, concat(h, data));
}

/** Simple Packet Block: original length and data, no timestamp. */
export function spb(le: boolean, data: Uint8Array, origLen = data.length): Uint8Array {
  const h = new Uint8Array(4);
  new DataView(h.buffer).setUint32(0, origLen, le);
  return block(le, 3, concat(h, data));
}

/** Bytes 0..n-1 offset by `seed`, for recognisable payloads. */
export function bytes(n: number, seed = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i + seed) & 0xff);
}

/** A minimal IPv4 header (20 bytes) + `payload`, protocol TCP, no valid checksum needed by the reader. */
export function ipv4(src: string, dst: string, payload: Uint8Array = new Uint8Array(20)): Uint8Array {
  const h = new Uint8Array(20 + payload.length);
  h[0] = 0x45;
  new DataView(h.buffer).setUint16(2, h.length);
  h[8] = 64;
  h[9] = 6;
  h.set(src.split('.').map(Number), 12);
  h.set(dst.split('.').map(Number), 16);
  h.set(payload, 20);
  return h;
}

/** An Ethernet frame: MACs, then each (TPID, TCI) tag, then the ethertype and payload. */
export function ether(type: number, payload: Uint8Array, tags: [number, number][] = []): Uint8Array {
  const out = new Uint8Array(14 + 4 * tags.length + payload.length);
  const dv = new DataView(out.buffer);
  out.fill(0xaa, 0, 6);
  out.fill(0xbb, 6, 12);
  let off = 12;
  for (const [tpid, tci] of tags) { dv.setUint16(off, tpid); dv.setUint16(off + 2, tci); off += 4; }
  dv.setUint16(off, type);
  out.set(payload, off + 2);
  return out;
}

/** Deterministic PRNG (mulberry32) so fuzz failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
