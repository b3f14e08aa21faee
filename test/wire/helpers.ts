// Shared helpers for the wire tests: one engine instance, byte helpers, a plain TypeScript checksum reference.
import type { EngineExports } from '../../src/engine/load.js';
import { testExports } from '../support/test-engine.js';
import { parseIPv4 } from '../../src/util/ip.js';

/** One instance of the test build for a test file (its wire exports keep no state between calls). */
export function wireEngine(): { e: EngineExports; mem: () => Uint8Array; scratch: number } {
  const e = testExports();
  return { e, mem: () => new Uint8Array(e.memory.buffer), scratch: e.wireScratch() >>> 0 };
}

/** Plain TypeScript RFC 1071 reference: sum of big-endian 16-bit words plus `initial`, folded, not complemented. */
export function refSum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length & 1) sum += bytes[bytes.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** Deterministic xorshift32 generator (tests must not depend on Math.random). */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

/** Bytes of a hex string. */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/** u32 address of a dotted quad. */
export const addr = parseIPv4;
