// Byte copies of the data path.

/**
 * memory.copy of `n` bytes that do not overlap; up to 8 bytes (a small segment's payload) by a loop
 * instead: in V8 memory.copy is a call out of the WASM code (a C++ wrapper and memmove), dearer than
 * the loop for a few bytes.
 */
// @ts-ignore: decorator
@inline export function copyBytes(dst: usize, src: usize, n: usize): void {
  if (n <= 8) {
    for (let k: usize = 0; k < n; k++) store<u8>(dst + k, load<u8>(src + k));
  } else memory.copy(dst, src, n);
}
