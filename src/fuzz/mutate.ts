// Structured mutants of captured IPv4/TCP segments (flags, sequence and acknowledgment numbers near
// the windows, windows, options, payload lengths, ports and directions, data offsets, header fields,
// truncations, ICMP errors quoting them) and random packets, with checksums recomputed most of the
// time so they get past the checksum checks to the state machine. Browser-safe.
import { Prng } from '../util/prng.js';
import { inetChecksum } from '../util/checksum.js';
import { ACK, FIN, PSH, RST, SYN, URG } from '../util/tcp-flags.js';
import { be16, be32, fixChecksums, ipHeaderLength, put16, put32, writeTcpPacket, PROTO_TCP } from './packet.js';

const FLAG_PICKS = [SYN, SYN | ACK, ACK, ACK | PSH, FIN | ACK, RST, RST | ACK, FIN, 0, SYN | FIN, SYN | RST, 0x3f, FIN | PSH | ACK];

/** A decoded segment, edited by the structured operators and written back. */
interface Seg {
  src: number; dst: number; sport: number; dport: number; seq: number; ack: number; flags: number; win: number;
  options: Uint8Array; payload: Uint8Array; ttl: number; id: number;
}

export class Mutator {
  constructor(private readonly rnd: Prng) {}

  private pick<T>(xs: readonly T[]): T { return xs[this.rnd.int(xs.length)]; }

  /** A 32-bit number near `v`: a few off, about a window off, half the space off, or anything. */
  private near(v: number): number {
    const r = this.rnd;
    switch (r.int(8)) {
      case 0: return (v + r.int(7) - 3) >>> 0;
      case 1: return (v + r.int(140_000) - 70_000) >>> 0;
      case 2: return (v + r.int(2_000_000) - 1_000_000) >>> 0;
      case 3: return (v + 0x80000000 + r.int(3) - 1) >>> 0;
      case 4: return r.u32();
      case 5: return (v + this.pick([65535, 65536, -65535, 16384, -16384, 8192, 1, -1, 1460, -1460])) >>> 0;
      default: return (v + r.int(3000) - 1500) >>> 0;
    }
  }

  private decode(b: Uint8Array, len: number): Seg | null {
    if (len < 40 || b[0] >> 4 !== 4 || b[9] !== PROTO_TCP) return null;
    const hl = ipHeaderLength(b, 0);
    const total = Math.min(len, be16(b, 2));
    if (hl < 20 || hl + 20 > total) return null;
    const doff = (b[hl + 12] >> 4) * 4;
    if (doff < 20 || hl + doff > total) return null;
    return {
      src: be32(b, 12), dst: be32(b, 16), sport: be16(b, hl), dport: be16(b, hl + 2), seq: be32(b, hl + 4), ack: be32(b, hl + 8),
      flags: b[hl + 13], win: be16(b, hl + 14), options: b.slice(hl + 20, hl + doff), payload: b.slice(hl + doff, total),
      ttl: b[8], id: be16(b, 4),
    };
  }

  /** A new option area: 0-4 options chosen among MSS, window scale, SACK-permitted, timestamps, SACK blocks, NOP/EOL and malformed ones. */
  private options(s: Seg, old: Uint8Array): Uint8Array {
    const r = this.rnd;
    const o: number[] = [];
    const be32s = (v: number) => o.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
    const oldTs = findTs(old);
    for (let n = r.int(5); n > 0; n--) {
      switch (r.int(9)) {
        case 0: { const m = this.pick([0, 1, 64, 536, 1220, 1460, 8960, 65535, r.int(65536)]); o.push(2, 4, m >> 8, m & 255); break; }
        case 1: o.push(1, 3, 3, this.pick([0, 1, 7, 14, 15, 255, r.int(256)])); break;
        case 2: o.push(4, 2); break;
        case 3: o.push(1, 1, 8, 10); be32s(oldTs ? this.near(oldTs[0]) : r.u32()); be32s(oldTs && r.int(2) ? this.near(oldTs[1]) : r.int(3) ? r.u32() : 0); break;
        case 4: {
          const k = 1 + r.int(4);
          o.push(1, 1, 5, 2 + 8 * k);
          for (let i = 0; i < k; i++) { const l = this.near(s.ack); be32s(l); be32s(r.int(4) ? (l + r.int(20000)) >>> 0 : this.near(s.ack)); }
          break;
        }
        case 5: o.push(r.int(2)); break; // EOL or NOP
        case 6: o.push(r.int(256), this.pick([0, 1, 2, 40, 255, r.int(12)])); break; // malformed or unknown
        case 7: for (const x of old) o.push(x); break;
        default: o.push(1);
      }
    }
    while (o.length & 3) o.push(this.pick([0, 1]));
    return Uint8Array.from(o.slice(0, 40));
  }

  /** Writes a structured mutant of `src` (an IPv4/TCP packet of `len` bytes) into `out`; returns its length. */
  mutant(src: Uint8Array, len: number, out: Uint8Array): number {
    const r = this.rnd;
    const s = this.decode(src, len);
    if (!s) { out.set(src.subarray(0, len)); return this.raw(out, len); }
    if (r.int(12) === 0) return this.icmp(src, len, out);
    // A SYN or SYN-ACK is answered half the time: the reply reaches SYN_SENT or SYN_RCVD input code.
    if ((s.flags & (SYN | RST)) === SYN && r.int(2)) {
      const [seq, ack] = [s.seq, s.ack];
      [s.src, s.dst, s.sport, s.dport] = [s.dst, s.src, s.dport, s.sport];
      s.seq = s.flags & ACK ? ack : r.u32(); // answering a SYN-ACK: our ISN + 1; a SYN: a new ISN
      s.ack = r.int(3) ? (seq + 1) >>> 0 : this.near((seq + 1) >>> 0);
      s.flags = this.pick([SYN | ACK, ACK, RST | ACK, RST, SYN, SYN | ACK | FIN, ACK | PSH]);
      if (r.int(2)) s.options = this.options(s, s.options);
    }
    for (let n = r.int(3); n > 0; n--) {
      switch (r.int(11)) {
        case 0: case 1: s.flags = r.int(4) ? this.pick(FLAG_PICKS) : s.flags ^ (1 << r.int(8)); break;
        case 2: case 3: s.seq = this.near(s.seq); break;
        case 4: s.ack = this.near(s.ack); break;
        case 5: s.win = this.pick([0, 1, 65535, r.int(65536), s.win >> 1]); break;
        case 6: s.options = r.int(3) ? this.options(s, s.options) : new Uint8Array(0); break;
        case 7: {
          const k = this.pick([0, 1, 3, r.int(1500), r.int(65000)]);
          const p = new Uint8Array(Math.min(k, 65000));
          if (r.int(2)) p.set(s.payload.subarray(0, Math.min(p.length, s.payload.length)));
          else r.fill(p);
          s.payload = p;
          break;
        }
        case 8: { // the other direction: reaches the sender's connection from its peer's side
          [s.src, s.dst, s.sport, s.dport, s.seq, s.ack] = [s.dst, s.src, s.dport, s.sport, s.ack, s.seq];
          break;
        }
        case 9:
          if (r.int(3)) break; // rarer: most mutants should reach a connection
          if (r.int(2)) s.sport = this.pick([0, 80, 81, (s.sport + 1) & 0xffff, r.int(65536)]); else s.dport = this.pick([0, 80, 81, (s.dport + 1) & 0xffff, r.int(65536)]);
          break;
        default: s.flags |= URG; break;
      }
    }
    const n = writeTcpPacket(out, 0, s);
    put16(out, 38, r.int(8) === 0 ? r.int(65536) : 0); // urgent pointer
    fixChecksums(out, 0, n);
    return r.int(6) === 0 ? this.raw(out, n) : n;
  }

  /** Header-level damage to the packet in `out`: truncation, lengths, IHL, data offset, version, fragments, protocol; checksums mostly fixed again. */
  private raw(out: Uint8Array, len: number): number {
    const r = this.rnd;
    let n = len;
    switch (r.int(8)) {
      case 0: n = r.int(len + 1); break; // cut short
      case 1: if (len >= 4) put16(out, 2, this.pick([0, 19, 20, 39, 40, len - 1, len + 1, r.int(65536)])); break;
      case 2: if (len >= 1) out[0] = (out[0] & 0xf0) | r.int(16); break; // IHL
      case 3: if (len >= 33) out[32] = (r.int(16) << 4) | (out[32] & 15); break; // data offset
      case 4: if (len >= 1) out[0] = (r.int(16) << 4) | (out[0] & 15); break; // version
      case 5: if (len >= 8) { out[6] = r.int(2) ? 0x20 : r.int(256); out[7] = r.int(256); } break; // fragments
      case 6: if (len >= 10) out[9] = this.pick([1, 17, 0, 255, r.int(256)]); break;
      default: if (len >= 9) out[8] = 0; break; // TTL 0 (still for us)
    }
    if (r.int(10)) fixChecksums(out, 0, n);
    else if (n > 0) out[r.int(n)] ^= 1 << r.int(8); // and sometimes a bad checksum too
    return n;
  }

  /** ICMP destination unreachable (fragmentation needed among them) or time exceeded, quoting `src`, sent to its sender. */
  private icmp(src: Uint8Array, len: number, out: Uint8Array): number {
    const r = this.rnd;
    const quote = Math.min(len, 20 + 8 + r.int(40));
    const total = 28 + quote;
    out.fill(0, 0, total);
    out[0] = 0x45;
    put16(out, 2, total);
    out[8] = 64;
    out[9] = 1;
    put32(out, 12, r.int(2) ? be32(src, 16) : 0x0a0000fe);
    put32(out, 16, be32(src, 12));
    out[20] = r.int(5) ? 3 : 11;
    out[21] = this.pick([0, 1, 2, 3, 4, 4, 13, r.int(16)]);
    if (out[20] === 3 && out[21] === 4) put16(out, 26, this.pick([0, 68, 296, 576, 1280, 1500, r.int(65536)]));
    out.set(src.subarray(0, quote), 28);
    if (r.int(3) === 0 && quote >= 28 + 4) put32(out, 28 + 24, this.near(be32(src, 24))); // the quoted sequence number
    put16(out, 22, 0);
    put16(out, 22, inetChecksum(out, 20, total));
    put16(out, 10, 0);
    put16(out, 10, inetChecksum(out, 0, 20));
    return total;
  }

  /** A random packet for `dst` from `src`: random bytes, or a valid IPv4 header over random TCP bytes with their checksum. */
  random(out: Uint8Array, src: number, dst: number): number {
    const r = this.rnd;
    if (r.int(3) === 0) {
      const n = r.int(100);
      r.fill(out.subarray(0, n));
      return n;
    }
    const body = 20 + r.int(60);
    const total = 20 + body;
    r.fill(out.subarray(0, total));
    out[0] = 0x45;
    put16(out, 2, total);
    out[6] = 0x40;
    out[7] = 0;
    out[9] = PROTO_TCP;
    put32(out, 12, src);
    put32(out, 16, dst);
    out[32] = (Math.min(15, 5 + r.int(11)) << 4) | (out[32] & 15);
    fixChecksums(out, 0, total);
    return total;
  }
}

/** [TSval, TSecr] of an option area, or null. */
function findTs(o: Uint8Array): [number, number] | null {
  for (let i = 0; i < o.length;) {
    const k = o[i];
    if (k === 0) break;
    if (k === 1) { i++; continue; }
    const l = o[i + 1];
    if (!l || l < 2) break;
    if (k === 8 && l === 10 && i + 10 <= o.length) return [be32(o, i + 2), be32(o, i + 6)];
    i += l;
  }
  return null;
}
