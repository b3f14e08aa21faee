// Exports of the wire layer the host needs (prefixed `wire`): the decoder's scratch area and parser.
// Tests and benchmarks reach the views, emitters and checksums through the test build (testing.ts).
import { wireParse as parse, parseResult } from './parse';

/** Bytes in the static scratch area (128 KiB + 64). */
export const WIRE_SCRATCH_SIZE: i32 = 128 * 1024 + 64;
/** Static scratch area for tests, benchmarks and the host parser; zero-filled, laid out once. */
const scratch: usize = memory.data(WIRE_SCRATCH_SIZE, 16);

/** Address of the static scratch area (WIRE_SCRATCH_SIZE bytes, 16-aligned). */
export function wireScratch(): usize { return scratch; }
/** Size of the scratch area in bytes. */
export function wireScratchSize(): i32 { return WIRE_SCRATCH_SIZE; }

/** Parses one IPv4 packet (`len` captured bytes at `ptr`) into the struct at `wireParseResult()`; returns its kind. */
export function wireParse(ptr: usize, len: i32): i32 { return parse(ptr, len); }
/** Address of the parse result struct (i32 slots, layout in assembly/wire/parse.ts and docs/wire.md). */
export function wireParseResult(): usize { return parseResult; }
