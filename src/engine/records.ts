// Packet records, the one format of the engine's rx and tx areas and of batches between engines and
// links: [u32 length (little-endian)][u32 meta][packet][pad to 4]; meta bits 0–7 are the interface index.
import { RECORD_HEADER, RECORD_IFACE_MASK } from './abi.js';

/** Bytes a record of a `len`-byte packet takes. */
export function recordBytes(len: number): number {
  return RECORD_HEADER + ((len + 3) & ~3);
}

/** Packet length of the record at `buf[p]`. */
export function recordLength(buf: Uint8Array, p: number): number {
  return (buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24)) >>> 0;
}

/** Interface index of the record at `buf[p]`. */
export function recordIface(buf: Uint8Array, p: number): number {
  return buf[p + 4] & RECORD_IFACE_MASK;
}

/** Calls `fn` with a view of each packet of the records `buf[start, end)` (a view per packet: for consumers that need one). */
export function forEachRecord(buf: Uint8Array, start: number, end: number, fn: (packet: Uint8Array) => void): void {
  for (let p = start; p < end;) {
    const len = recordLength(buf, p);
    fn(buf.subarray(p + RECORD_HEADER, p + RECORD_HEADER + len));
    p += recordBytes(len);
  }
}
