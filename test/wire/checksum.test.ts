import { describe, expect, it } from 'vitest';
import { instantiateEngine } from '../../src/engine/load.js';

/** Plain TypeScript RFC 1071 reference: folded, not complemented. */
function refSum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length & 1) sum += bytes[bytes.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

describe('checksum', () => {
  it('scalar matches the TypeScript reference for random data', () => {
    const e = instantiateEngine();
    const mem = new Uint8Array(e.memory.buffer);
    for (const len of [0, 1, 2, 3, 20, 1499, 1500]) {
      for (let i = 0; i < len; i++) mem[1024 + i] = (i * 131 + len) & 0xff;
      expect(e.wireChecksumScalar(1024, len)).toBe(refSum(mem.subarray(1024, 1024 + len)));
    }
  });
});
