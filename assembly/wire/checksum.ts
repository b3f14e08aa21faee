// Internet checksum, RFC 1071: scalar, simd128, pseudo header (RFC 9293 §3.1), incremental update (RFC 1624).
//
// Design: the loops add the bytes as little-endian words (what WASM loads give) into wide accumulators,
// fold to 16 bits and swap the two bytes once at the end. RFC 1071 §2(B): the one's-complement sum is
// byte-order independent, so swap(sum of LE words) equals the sum of the big-endian words, including
// its ±0 representation (0 only when every byte is 0). Summing 32-bit words is also equivalent
// (2^16 ≡ 1 mod 0xffff), which lets the scalar loop take 8 bytes per load.

/** Below this length `checksum` uses the scalar loop (measured crossover on x86-64 V8: ~128 bytes). */
export const CHECKSUM_SIMD_THRESHOLD: i32 = 128;

/** 64-byte SIMD iterations between flushes of the i32 lane accumulators (each lane moves by at most 2^16 per iteration). */
const SIMD_BLOCK_ITERATIONS: usize = 16384;

/** Folds a 64-bit sum of 16/32-bit words to 16 bits with end-around carry. */
// @ts-ignore: decorator
@inline export function fold64(s: u64): u32 {
  s = (s & 0xffffffff) + (s >> 32);
  s = (s & 0xffffffff) + (s >> 32);
  let t = <u32>s;
  t = (t & 0xffff) + (t >>> 16);
  t = (t & 0xffff) + (t >>> 16);
  return t;
}

/** Folds a 32-bit sum to 16 bits with end-around carry. */
// @ts-ignore: decorator
@inline export function fold32(t: u32): u32 {
  t = (t & 0xffff) + (t >>> 16);
  t = (t & 0xffff) + (t >>> 16);
  return t;
}

/** Turns a folded sum of little-endian words into the big-endian sum and adds `initial`. */
// @ts-ignore: decorator
@inline function finishLe(foldedLe: u32, initial: u32): u32 {
  let be = ((foldedLe & 0xff) << 8) | (foldedLe >>> 8);
  return fold64(<u64>be + <u64>initial);
}

/** Sums the tail `[p, end)` (fewer than 16 bytes, or any length) as little-endian words into `s`. */
// @ts-ignore: decorator
@inline function sumTailLe(p: usize, end: usize, s: u64): u64 {
  while (p + 8 <= end) {
    let w = load<u64>(p);
    s += (w & 0xffffffff) + (w >> 32);
    p += 8;
  }
  if (p + 4 <= end) { s += <u64>load<u32>(p); p += 4; }
  if (p + 2 <= end) { s += <u64>load<u16>(p); p += 2; }
  // A lone last byte is the high byte of a big-endian word, i.e. the low byte of a little-endian one.
  if (p < end) s += <u64>load<u8>(p);
  return s;
}

/** RFC 1071 one's-complement sum of `len` bytes at `ptr` (big-endian words) plus `initial`, folded to 16 bits, not complemented. */
export function checksumScalar(ptr: usize, len: i32, initial: u32): u32 {
  if (len <= 0) return fold64(<u64>initial);
  let p = ptr;
  let end = ptr + <usize>len;
  let s0: u64 = 0;
  let s1: u64 = 0;
  while (p + 16 <= end) {
    let w0 = load<u64>(p);
    let w1 = load<u64>(p, 8);
    s0 += (w0 & 0xffffffff) + (w0 >> 32);
    s1 += (w1 & 0xffffffff) + (w1 >> 32);
    p += 16;
  }
  let s = sumTailLe(p, end, s0 + s1);
  return finishLe(fold64(s), initial);
}

/** Adds the four signed i32 lanes of `v` to `s` (two's complement wrap in u64 is exact for a non-negative total). */
// @ts-ignore: decorator
@inline function addLanesSigned(s: u64, v: v128): u64 {
  return s + <u64><i64>i32x4.extract_lane(v, 0) + <u64><i64>i32x4.extract_lane(v, 1)
           + <u64><i64>i32x4.extract_lane(v, 2) + <u64><i64>i32x4.extract_lane(v, 3);
}

/**
 * Sum of the eight u16 lanes of `v` taken pairwise into four i32 lanes, each lane 65536 less than the
 * true pair sum: flipping the top bit makes every word signed w − 32768, so `i32x4.dot_i16x8_s` (one
 * pmaddwd on x86) adds pairs exactly; the caller adds back 65536 per lane per vector.
 */
// @ts-ignore: decorator
@inline function pairSumsBiased(v: v128, flip: v128, ones: v128): v128 {
  return i32x4.dot_i16x8_s(v128.xor(v, flip), ones);
}

/** Bias removed from `checksumSimd` sums: 4 lanes × 65536 per 16-byte vector. */
const VECTOR_BIAS: u64 = 4 * 65536;

/** Same result as `checksumScalar`, 64 bytes per iteration with simd128 (biased pairwise dot products into i32 lanes). */
export function checksumSimd(ptr: usize, len: i32, initial: u32): u32 {
  if (len <= 0) return fold64(<u64>initial);
  return simdSum(ptr, 0, len, initial, false);
}

/**
 * The SIMD loop of `checksumSimd` and `copyWithChecksum`: the sum of `len` (> 0) bytes at `src`, plus
 * `initial`, folded; with `copy` the bytes are also stored at `dst` as they are loaded. Inlined with
 * `copy` a constant, so each caller compiles to its own loop without the other's stores.
 */
// @ts-ignore: decorator
@inline function simdSum(src: usize, dst: usize, len: i32, initial: u32, copy: bool): u32 {
  let p = src;
  let q = dst;
  let end = src + <usize>len;
  let s: u64 = 0;
  let flip = i16x8.splat(-32768);
  let ones = i16x8.splat(1);
  while (p + 64 <= end) {
    let a0 = i32x4.splat(0);
    let a1 = i32x4.splat(0);
    let n = (end - p) >> 6;
    if (n > SIMD_BLOCK_ITERATIONS) n = SIMD_BLOCK_ITERATIONS;
    let blockEnd = p + (n << 6);
    do {
      let v0 = v128.load(p);
      let v1 = v128.load(p, 16);
      let v2 = v128.load(p, 32);
      let v3 = v128.load(p, 48);
      if (copy) {
        v128.store(q, v0);
        v128.store(q, v1, 16);
        v128.store(q, v2, 32);
        v128.store(q, v3, 48);
        q += 64;
      }
      a0 = i32x4.add(a0, i32x4.add(pairSumsBiased(v0, flip, ones), pairSumsBiased(v1, flip, ones)));
      a1 = i32x4.add(a1, i32x4.add(pairSumsBiased(v2, flip, ones), pairSumsBiased(v3, flip, ones)));
      p += 64;
    } while (p < blockEnd);
    s = addLanesSigned(addLanesSigned(s, a0), a1);
    s += VECTOR_BIAS * 4 * <u64>n;
  }
  while (p + 16 <= end) {
    let v = v128.load(p);
    if (copy) {
      v128.store(q, v);
      q += 16;
    }
    s = addLanesSigned(s, pairSumsBiased(v, flip, ones)) + VECTOR_BIAS;
    p += 16;
  }
  s = sumTailLe(p, end, s);
  if (copy && p < end) memory.copy(q, p, end - p);
  return finishLe(fold64(s), initial);
}

/**
 * The checksum sum the engine uses: SIMD for `len ≥ CHECKSUM_SIMD_THRESHOLD`, scalar below; folded, not
 * complemented. A build without SIMD (asconfig target `portable`) compiles the scalar loop only.
 */
export function checksum(ptr: usize, len: i32, initial: u32): u32 {
  if (!ASC_FEATURE_SIMD) return checksumScalar(ptr, len, initial);
  return len >= CHECKSUM_SIMD_THRESHOLD ? checksumSimd(ptr, len, initial) : checksumScalar(ptr, len, initial);
}

/** Below this length `copyWithChecksum` copies and sums byte by byte (a 1-byte ping-pong payload: no loop setup, no memory.copy). */
const COPY_BYTEWISE_BELOW: i32 = 16;

/** `copyWithChecksum` for 0 < `len` < 16: each byte is the low (even offset) or high (odd) byte of a little-endian word. */
function copySmallWithChecksum(dst: usize, src: usize, len: i32, initial: u32): u32 {
  let s: u32 = 0;
  for (let i = 0; i < len; i++) {
    let b = <u32>load<u8>(src + <usize>i);
    store<u8>(dst + <usize>i, <u8>b);
    s += b << ((<u32>i & 1) << 3);
  }
  return finishLe(fold32(s), initial);
}

/**
 * Copies `len` bytes from `src` to `dst` and returns their sum plus `initial` (folded, not complemented),
 * as if the bytes started at an even offset of the checksummed data. A caller placing them at an odd
 * offset swaps the two bytes of the returned partial sum (computed with `initial` 0) before adding it (RFC 1071 §2(B)).
 * The regions must not overlap.
 */
export function copyWithChecksum(dst: usize, src: usize, len: i32, initial: u32): u32 {
  if (len <= 0) return fold64(<u64>initial);
  if (len < COPY_BYTEWISE_BELOW) return copySmallWithChecksum(dst, src, len, initial);
  if (!ASC_FEATURE_SIMD) { // portable build: copy, then the scalar sum of the copy
    memory.copy(dst, src, <usize>len);
    return checksumScalar(dst, len, initial);
  }
  return simdSum(src, dst, len, initial, true);
}

/** Sum of the TCP/UDP pseudo header (RFC 9293 §3.1): source, destination, zero+protocol, segment length; folded, not complemented. */
// @ts-ignore: decorator
@inline export function pseudoHeaderSum(src: u32, dst: u32, protocol: u8, length: i32): u32 {
  let s: u32 = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + <u32>protocol + (<u32>length & 0xffff);
  return fold32(s);
}

/** Folds `sum` and complements it: the value to store in a checksum field. */
export function checksumFinish(sum: u32): u16 {
  return checksumFinishInline(sum);
}

/** checksumFinish inlined, for the header builders on the hot path. */
// @ts-ignore: decorator
@inline export function checksumFinishInline(sum: u32): u16 {
  return <u16>(~fold32(sum) & 0xffff);
}

/** RFC 1624 eqn 3 incremental update: HC' = ~(~HC + ~m + m') after a 16-bit word changes from `oldWord` to `newWord`. */
export function checksumUpdate(oldChecksum: u16, oldWord: u16, newWord: u16): u16 {
  let s: u32 = (<u32>~oldChecksum & 0xffff) + (<u32>~oldWord & 0xffff) + <u32>newWord;
  return <u16>(~fold32(s) & 0xffff);
}
