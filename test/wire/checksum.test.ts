// Internet checksum: SIMD == scalar == TypeScript reference, pseudo header, RFC 1624 update, copy+sum.
import { describe, expect, it } from 'vitest';
import { wireEngine, refSum, rng, addr } from './helpers.js';

const { e, mem, scratch } = wireEngine();

/** Fills `len` bytes at `ptr` from the generator and returns a copy for the reference. */
function fill(ptr: number, len: number, next: () => number): Uint8Array {
  const m = mem();
  for (let i = 0; i < len; i++) m[ptr + i] = next() & 0xff;
  return m.slice(ptr, ptr + len);
}

describe('checksum sum', () => {
  it('SIMD == scalar == reference for every length 0..2048 at every alignment 0..15', () => {
    const next = rng(1);
    const data = fill(scratch, 2048 + 16, next);
    let mismatches = 0;
    for (let align = 0; align < 16; align++) {
      for (let len = 0; len <= 2048; len++) {
        const want = refSum(data.subarray(align, align + len));
        const p = scratch + align;
        if (e.wireChecksumScalar(p, len, 0) !== want || e.wireChecksumSimd(p, len, 0) !== want || e.wireChecksum(p, len, 0) !== want) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });

  it('matches the reference on large random buffers up to 128 KiB (block flush path)', () => {
    const next = rng(2);
    for (const len of [4095, 65535, 65536, 65537, 128 * 1024 + 63]) {
      const data = fill(scratch + 1, len, next);
      const want = refSum(data);
      expect(e.wireChecksumSimd(scratch + 1, len, 0)).toBe(want);
      expect(e.wireChecksumScalar(scratch + 1, len, 0)).toBe(want);
    }
  });

  it('all-ones and all-zero corner cases', () => {
    const m = mem();
    for (const len of [0, 1, 2, 3, 63, 64, 65, 1500, 65536, 128 * 1024 + 64]) {
      m.fill(0xff, scratch, scratch + len);
      const ones = refSum(m.subarray(scratch, scratch + len));
      expect(e.wireChecksumSimd(scratch, len, 0)).toBe(ones);
      expect(e.wireChecksumScalar(scratch, len, 0)).toBe(ones);
      // A non-empty even all-ones buffer sums to 0xffff (negative zero), never to 0.
      if (len >= 2 && len % 2 === 0) expect(ones).toBe(0xffff);
      m.fill(0, scratch, scratch + len);
      expect(e.wireChecksumSimd(scratch, len, 0)).toBe(0);
      expect(e.wireChecksumScalar(scratch, len, 0)).toBe(0);
      expect(e.wireChecksumSimd(scratch, len, 0xffff)).toBe(0xffff);
    }
    // 0xff00 / 0x00ff patterns swap under the byte-order trick: a mistake there shows up here.
    m.fill(0, scratch, scratch + 64);
    m[scratch] = 0xff;
    expect(e.wireChecksumSimd(scratch, 64, 0)).toBe(0xff00);
    expect(e.wireChecksumScalar(scratch, 3, 0)).toBe(0xff00);
    m[scratch] = 0; m[scratch + 63] = 0xff;
    expect(e.wireChecksumSimd(scratch, 64, 0)).toBe(0x00ff);
  });

  it('signed-boundary words 0x8000 and 0x7fff (the SIMD loop biases words by 0x8000)', () => {
    const m = mem();
    for (const [hi, lo] of [[0x80, 0x00], [0x7f, 0xff], [0x80, 0x01], [0x00, 0x00]]) {
      for (const len of [16, 64, 65536, 128 * 1024]) {
        for (let i = 0; i < len; i += 2) { m[scratch + i] = hi; m[scratch + i + 1] = lo; }
        const want = refSum(m.subarray(scratch, scratch + len));
        expect(e.wireChecksumSimd(scratch, len, 0)).toBe(want);
        if (len <= 65536) expect(e.wireCopyWithChecksum(scratch + 65600, scratch, len, 0)).toBe(want);
      }
    }
  });

  it('adds and folds initial values, including ones larger than 16 bits', () => {
    const next = rng(3);
    for (const initial of [0, 1, 0xfffe, 0xffff, 0x10000, 0x1fffe, 0xffffffff, 0x12345678]) {
      for (const len of [0, 1, 7, 100, 1501]) {
        const data = fill(scratch + 3, len, next);
        const want = refSum(data, initial);
        expect(e.wireChecksumSimd(scratch + 3, len, initial) >>> 0).toBe(want);
        expect(e.wireChecksumScalar(scratch + 3, len, initial) >>> 0).toBe(want);
      }
    }
  });

  it('never reads past the end: a buffer ending at the last byte of memory does not trap', () => {
    const next = rng(4);
    const end = e.memory.buffer.byteLength;
    for (const len of [1, 15, 16, 17, 63, 64, 65, 1000, 4097]) {
      const data = fill(end - len, len, next);
      expect(e.wireChecksumSimd(end - len, len, 0)).toBe(refSum(data));
      expect(e.wireChecksumScalar(end - len, len, 0)).toBe(refSum(data));
    }
  });
});

describe('pseudo header (RFC 9293 §3.1)', () => {
  it('equals the sum of the 12-byte pseudo header laid out in memory', () => {
    const next = rng(5);
    const m = mem();
    for (let i = 0; i < 200; i++) {
      const src = next() >>> 0, dst = next() >>> 0, proto = next() & 0xff, len = next() & 0xffff;
      const hdr = new Uint8Array(12);
      const dv = new DataView(hdr.buffer);
      dv.setUint32(0, src); dv.setUint32(4, dst); hdr[8] = 0; hdr[9] = proto; dv.setUint16(10, len);
      m.set(hdr, scratch);
      expect(e.wirePseudoHeaderSum(src, dst, proto, len)).toBe(refSum(hdr));
    }
  });

  it('RFC 1071 §3 worked example bytes sum to 0xddf2', () => {
    const m = mem();
    m.set([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7], scratch);
    expect(e.wireChecksumScalar(scratch, 8, 0)).toBe(0xddf2);
    expect(e.wireChecksumSimd(scratch, 8, 0)).toBe(0xddf2);
    expect(e.wirePseudoHeaderSum(addr('10.0.0.1'), addr('10.0.0.2'), 6, 20)).toBe(0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + 20);
  });
});

describe('RFC 1624 incremental update', () => {
  it('equals a full recompute after random 16-bit edits', () => {
    const next = rng(6);
    const m = mem();
    for (let trial = 0; trial < 500; trial++) {
      const words = 2 + (next() % 40);
      const len = words * 2;
      for (let i = 0; i < len; i++) m[scratch + i] = next() & 0xff;
      // Word 0 holds the checksum, as in a real header.
      m[scratch] = 0; m[scratch + 1] = 0;
      let ck = ~e.wireChecksumScalar(scratch, len, 0) & 0xffff;
      m[scratch] = ck >> 8; m[scratch + 1] = ck & 0xff;
      for (let edit = 0; edit < 3; edit++) {
        const w = 1 + (next() % (words - 1));
        const oldWord = (m[scratch + 2 * w] << 8) | m[scratch + 2 * w + 1];
        const newWord = trial === 0 && edit === 0 ? (oldWord ^ 0xffff) : next() & 0xffff;
        m[scratch + 2 * w] = newWord >> 8; m[scratch + 2 * w + 1] = newWord & 0xff;
        ck = e.wireChecksumUpdate(ck, oldWord, newWord);
        m[scratch] = ck >> 8; m[scratch + 1] = ck & 0xff;
        // A correct checksum makes the whole buffer sum to 0xffff ...
        expect(e.wireChecksumScalar(scratch, len, 0)).toBe(0xffff);
        // ... and equals, bit for bit, a full recompute over the other words (RFC 1624 §3: never −0 for +0).
        m[scratch] = 0; m[scratch + 1] = 0;
        expect(e.wireChecksumUpdate(ck, 0, 0)).toBe(ck);
        expect(ck).toBe(~e.wireChecksumScalar(scratch, len, 0) & 0xffff);
        m[scratch] = ck >> 8; m[scratch + 1] = ck & 0xff;
      }
    }
  });

  it('RFC 1624 §4 example: HC 0xDD2F, m 0x5555 → m\' 0x3285 gives 0x0000 (eqn 3), not 0xFFFF (eqn 2)', () => {
    expect(e.wireChecksumUpdate(0xdd2f, 0x5555, 0x3285)).toBe(0x0000);
  });
});

describe('copyWithChecksum', () => {
  it('copies exactly len bytes and returns the sum of the copied bytes plus initial', () => {
    const next = rng(7);
    const m = mem();
    const src = scratch + 70_000;
    for (let len = 0; len < 300; len += 1 + (len >> 4)) {
      for (const [sa, da] of [[0, 0], [1, 0], [0, 3], [5, 11]]) {
        const data = fill(src + sa, len, next);
        m.fill(0xa5, scratch, scratch + len + 64);
        const initial = next() & 0x1ffff;
        const sum = e.wireCopyWithChecksum(scratch + da, src + sa, len, initial);
        expect(sum).toBe(refSum(data, initial));
        expect(m.slice(scratch + da, scratch + da + len)).toEqual(data);
        expect(m[scratch + da + len]).toBe(0xa5);
        if (da > 0) expect(m[scratch + da - 1]).toBe(0xa5);
      }
    }
    const big = fill(src, 65536 + 7, next);
    expect(e.wireCopyWithChecksum(scratch, src, big.length, 0)).toBe(refSum(big));
  });

  it('a sum placed at an odd offset is byte-swapped before combining (RFC 1071 §2(B))', () => {
    const next = rng(8);
    const m = mem();
    const whole = fill(scratch, 101, next);
    const head = e.wireChecksumScalar(scratch, 1, 0);
    const tail = e.wireCopyWithChecksum(scratch + 1000, scratch + 1, 100, 0);
    const swapped = ((tail & 0xff) << 8) | (tail >> 8);
    expect(refSum(new Uint8Array(0), head + swapped)).toBe(refSum(whole));
    expect(m[scratch + 1000]).toBe(whole[1]);
  });
});
