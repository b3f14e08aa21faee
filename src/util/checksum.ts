// RFC 1071 Internet checksum in TypeScript, for the few packets the host builds itself (ICMP, tests).

/** One's-complement sum of `bytes[start..end)` folded to 16 bits, not complemented. */
export function onesSum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) sum += bytes[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** Internet checksum (complemented one's-complement sum) of `bytes[start..end)`. */
export function inetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return ~onesSum(bytes, start, end) & 0xffff;
}
