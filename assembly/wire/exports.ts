// Exports of the wire layer for the host, tests and benchmarks (prefixed `wire`).
import { checksumScalar, checksumSimd, checksum, copyWithChecksum, pseudoHeaderSum, checksumUpdate } from './checksum';
import { wireParse as parse, parseResult } from './parse';

/** Bytes in the static scratch area (128 KiB + 64). */
export const WIRE_SCRATCH_SIZE: i32 = 128 * 1024 + 64;
/** Static scratch area for tests, benchmarks and the host parser; zero-filled, laid out once. */
const scratch: usize = memory.data(WIRE_SCRATCH_SIZE, 16);

/** Address of the static scratch area (WIRE_SCRATCH_SIZE bytes, 16-aligned). */
export function wireScratch(): usize { return scratch; }
/** Size of the scratch area in bytes. */
export function wireScratchSize(): i32 { return WIRE_SCRATCH_SIZE; }

/** Scalar RFC 1071 sum of `len` bytes at `ptr` plus `initial`, folded, not complemented. */
export function wireChecksumScalar(ptr: usize, len: i32, initial: u32): u32 { return checksumScalar(ptr, len, initial); }
/** SIMD RFC 1071 sum of `len` bytes at `ptr` plus `initial`, folded, not complemented. */
export function wireChecksumSimd(ptr: usize, len: i32, initial: u32): u32 { return checksumSimd(ptr, len, initial); }
/** The engine's checksum sum (SIMD for large, scalar for tiny). */
export function wireChecksum(ptr: usize, len: i32, initial: u32): u32 { return checksum(ptr, len, initial); }
/** Copies `len` bytes from `src` to `dst` and returns their sum plus `initial`. */
export function wireCopyWithChecksum(dst: usize, src: usize, len: i32, initial: u32): u32 { return copyWithChecksum(dst, src, len, initial); }
/** Pseudo header sum (RFC 9293 §3.1), folded. */
export function wirePseudoHeaderSum(src: u32, dst: u32, protocol: u8, length: i32): u32 { return pseudoHeaderSum(src, dst, protocol, length); }
/** RFC 1624 incremental checksum update. */
export function wireChecksumUpdate(oldChecksum: u16, oldWord: u16, newWord: u16): u16 { return checksumUpdate(oldChecksum, oldWord, newWord); }
/** `memory.copy` of `len` bytes, the bandwidth reference of the checksum benchmark. */
export function wireMemoryCopy(dst: usize, src: usize, len: i32): void { memory.copy(dst, src, <usize>len); }

/** Parses one IPv4 packet (`len` captured bytes at `ptr`) into the struct at `wireParseResult()`; returns its kind. */
export function wireParse(ptr: usize, len: i32): i32 { return parse(ptr, len); }
/** Address of the parse result struct (i32 slots, layout in assembly/wire/parse.ts and docs/wire.md). */
export function wireParseResult(): usize { return parseResult; }
