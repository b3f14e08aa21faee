// Exports of the wire layer (checksum, views) for the host, tests and benchmarks.
import { checksumScalar } from './checksum';

/** Scalar Internet checksum sum (RFC 1071) of `len` bytes at `ptr`, folded to 16 bits, not complemented. */
export function wireChecksumScalar(ptr: usize, len: i32): u32 {
  return checksumScalar(ptr, len, 0);
}
