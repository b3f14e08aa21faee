// copyRecords: word copies (unrolled by eight) up to 128 bytes, set() above; every length and offset
// lands exactly, nothing outside the destination range is touched.
import { describe, expect, it } from 'vitest';
import { copyRecords } from '../../src/engine/records.js';

describe('copyRecords', () => {
  it('copies every 4-aligned length from 0 to 256 bytes between two buffers, at any aligned offsets', () => {
    const src = new Uint8Array(1024);
    for (let i = 0; i < src.length; i++) src[i] = (i * 37 + 11) & 0xff;
    const srcI32 = new Int32Array(src.buffer);
    for (let len = 0; len <= 256; len += 4) {
      for (const [start, at] of [[0, 0], [4, 8], [36, 500], [512, 4]]) {
        const dst = new Uint8Array(1024).fill(0xee);
        copyRecords(dst, new Int32Array(dst.buffer), at, src, srcI32, start, start + len);
        expect(Array.from(dst.subarray(at, at + len))).toEqual(Array.from(src.subarray(start, start + len)));
        expect(dst.subarray(0, at).every((b) => b === 0xee)).toBe(true);
        expect(dst.subarray(at + len).every((b) => b === 0xee)).toBe(true);
      }
    }
  });
});
