// Internet checksum, RFC 1071.

/** One's-complement sum of `len` bytes at `ptr` (big-endian 16-bit words) added to `initial`, folded to 16 bits. */
export function checksumScalar(ptr: usize, len: i32, initial: u32): u32 {
  let sum: u64 = <u64>initial;
  let i = 0;
  for (; i + 1 < len; i += 2) {
    sum += (<u64>load<u8>(ptr + i) << 8) | <u64>load<u8>(ptr + i + 1);
  }
  if (i < len) sum += <u64>load<u8>(ptr + i) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return <u32>sum;
}
