// Fuzz-style: random bytes, truncations and bit flips of real packets through the length checks, the
// option parser and wireParse. Packets sit at the very end of WASM memory, so any read past `len`
// traps; a second copy with different bytes after `len` must give the same result.
import { describe, expect, it } from 'vitest';
import { wireEngine, fromHex, rng, refSum } from './helpers.js';
import { LINUX_PACKETS } from './fixtures/linux-packets.js';

const { e, mem, scratch } = wireEngine();
const SLOTS = 47;
const REAL = LINUX_PACKETS.map((p) => fromHex(p.hex));

/** Runs every check on `bytes` placed flush against the end of memory; returns the parse result slots. */
function atEnd(bytes: Uint8Array): number[] {
  const end = e.memory.buffer.byteLength;
  const p = end - bytes.length;
  mem().set(bytes, p);
  e.wireIpv4CheckLen(p, bytes.length);
  e.wireTcpCheckLen(p, bytes.length);
  e.wireParseTcpOptions(p, Math.min(bytes.length, 40));
  e.wireParse(p, bytes.length);
  return Array.from(new Int32Array(e.memory.buffer, e.wireParseResult(), SLOTS));
}

/** `len` bytes from `byte()` placed flush against the end of memory; their address. */
function randomAtEnd(len: number, byte: () => number): { p: number; len: number } {
  const p = e.memory.buffer.byteLength - len;
  const m = mem();
  for (let j = 0; j < len; j++) m[p + j] = byte();
  return { p, len };
}

/** Parses `bytes` in the scratch area followed by `poison`; returns the result slots. */
function withPoison(bytes: Uint8Array, poison: number): number[] {
  const m = mem();
  m.set(bytes, scratch);
  m.fill(poison, scratch + bytes.length, scratch + bytes.length + 128);
  e.wireParse(scratch, bytes.length);
  return Array.from(new Int32Array(e.memory.buffer, e.wireParseResult(), SLOTS));
}

function check(bytes: Uint8Array): void {
  const a = atEnd(bytes);
  expect(withPoison(bytes, 0x00)).toEqual(a);
  expect(withPoison(bytes, 0xff)).toEqual(a);
}

describe('fuzz: never trap, never read past len', () => {
  it('random bytes, half of them with a plausible IPv4/TCP start', () => {
    const next = rng(11);
    for (let i = 0; i < 3000; i++) {
      const len = next() % 100;
      const b = new Uint8Array(len);
      for (let j = 0; j < len; j++) b[j] = next() & 0xff;
      if (i & 1 && len > 0) {
        b[0] = 0x40 | (next() % 16);
        if (len > 9) b[9] = 6;
        if (len > 7) b[6] = b[7] = 0;
        if (len > 3) { b[2] = 0; b[3] = next() % 110; }
      }
      check(b);
    }
  });

  it('every truncation of every real packet', () => {
    for (const pkt of REAL) {
      for (let cut = 0; cut <= Math.min(pkt.length, 120); cut++) check(pkt.subarray(0, cut));
    }
  });

  it('random bit flips and byte changes of real packets, whole and truncated', () => {
    const next = rng(12);
    for (let i = 0; i < 4000; i++) {
      const src = REAL[next() % REAL.length];
      const b = src.slice(0, Math.min(src.length, 80));
      const flips = 1 + (next() % 4);
      for (let f = 0; f < flips; f++) {
        const at = next() % b.length;
        if (next() & 1) b[at] ^= 1 << (next() % 8);
        else b[at] = next() & 0xff;
      }
      check(next() & 1 ? b : b.subarray(0, next() % (b.length + 1)));
    }
  });

  it('checksums of random truncations of real packets and of random bytes, flush against the end of memory', () => {
    const next = rng(14);
    const end = e.memory.buffer.byteLength;
    for (let i = 0; i < 3000; i++) {
      let b: Uint8Array;
      if (i & 1) {
        const src = REAL[next() % REAL.length];
        b = src.subarray(next() % 3, next() % (src.length + 1));
      } else {
        b = new Uint8Array(next() % 4096);
        for (let j = 0; j < b.length; j++) b[j] = next() & 0xff;
      }
      const p = end - b.length;
      mem().set(b, p);
      const want = refSum(b);
      expect(e.wireChecksumScalar(p, b.length, 0)).toBe(want);
      expect(e.wireChecksumSimd(p, b.length, 0)).toBe(want);
      expect(e.wireChecksum(p, b.length, 0)).toBe(want);
      expect(e.wireCopyWithChecksum(scratch, p, b.length, 0)).toBe(want);
    }
  });

  it('Ethernet, ARP and ICMP views read nothing past len, flush against the end of memory', () => {
    const next = rng(15);
    for (let i = 0; i < 3000; i++) {
      const { p, len } = randomAtEnd(next() % 64, () => next() & 0xff);
      const m = mem();
      if (i & 1 && len >= 6) { m[p] = 0; m[p + 1] = 1; m[p + 2] = 8; m[p + 3] = 0; m[p + 4] = 6; m[p + 5] = 4; }
      if (e.wireEthCheckLen(p, len) === 0) {
        e.wireEthDstHi(p); e.wireEthDstLo(p); e.wireEthSrcHi(p); e.wireEthSrcLo(p); e.wireEthType(p); e.wireEthIsBroadcast(p);
      } else expect(len).toBeLessThan(14);
      if (e.wireArpCheckLen(p, len) === 0) {
        e.wireArpOp(p); e.wireArpShaHi(p); e.wireArpShaLo(p); e.wireArpSpa(p); e.wireArpThaHi(p); e.wireArpThaLo(p); e.wireArpTpa(p);
      } else expect(len < 28 || (i & 1) === 0).toBe(true);
      if (e.wireIcmpCheckLen(p, len) === 0) {
        e.wireIcmpType(p); e.wireIcmpCode(p); e.wireIcmpChecksum(p); e.wireIcmpEchoId(p); e.wireIcmpEchoSeq(p); e.wireIcmpChecksumOk(p, len);
      } else expect(len).toBeLessThan(8);
    }
  });

  it('random option areas never trap at the end of memory', () => {
    const next = rng(13);
    for (let i = 0; i < 5000; i++) {
      const { p, len } = randomAtEnd(next() % 41, () => (next() % 4 === 0 ? next() % 12 : next() & 0xff));
      const r = e.wireParseTcpOptions(p, len);
      expect(r === 0 || (r >= 10 && r <= 16)).toBe(true);
    }
  });
});
