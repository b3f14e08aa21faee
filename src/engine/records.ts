// Packet records, the one format of the engine's rx and tx areas and of batches between engines and
// links: [u32 length (little-endian)][u32 meta][packet][pad to 4]; meta bits 0–7 are the interface index.
import { RECORD_HEADER, RECORD_IFACE_MASK } from './abi.js';

/**
 * A batch of packet records: bytes [start, end) of `u8` (4-aligned), `count` of them; `i32` views
 * the same memory (word copies skip the cost of a view object). One object per producer, reused:
 * valid only during the call it is passed to.
 */
export interface RecordBatch {
  u8: Uint8Array;
  i32: Int32Array;
  start: number;
  end: number;
  count: number;
}

/** A batch object over `u8` (and a word view of the same buffer). */
export function recordBatch(u8: Uint8Array): RecordBatch {
  return { u8, i32: new Int32Array(u8.buffer, u8.byteOffset, u8.byteLength >>> 2), start: 0, end: 0, count: 0 };
}

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

/** Calls `fn` with a view of each packet of the records `u8[start, end)` (a view per packet: for consumers that need one). */
export function forEachRecord(u8: Uint8Array, start: number, end: number, fn: (packet: Uint8Array) => void): void {
  for (let p = start; p < end;) {
    const len = recordLength(u8, p);
    fn(u8.subarray(p + RECORD_HEADER, p + RECORD_HEADER + len));
    p += recordBytes(len);
  }
}

/** Copies the records `u8[start, end)` (`i32`: its word view) to `to[at…]` (`toI32`: its word view); all offsets 4-aligned. */
export function copyRecords(to: Uint8Array, toI32: Int32Array, at: number, u8: Uint8Array, i32: Int32Array, start: number, end: number): void {
  if (end - start <= 128) {
    // A small run word by word: cheaper than the view object a set() needs up to ~128 bytes (a word
    // costs ~0.3 ns, a subarray and set() ~50 ns at any size; 2 KiB by words took 13× as long).
    for (let i = start >>> 2, o = at >>> 2, e = end >>> 2; i < e; i++, o++) toI32[o] = i32[i];
  } else to.set(u8.subarray(start, end), at);
}

/** Appends the `count` records `u8[start, end)` (`i32`: its word view) to `to`, growing its buffer when full (`to` keeps its identity). */
export function appendRecords(to: RecordBatch, u8: Uint8Array, i32: Int32Array, start: number, end: number, count: number): void {
  const need = to.end + (end - start);
  if (need > to.u8.length) {
    const grown = new Uint8Array(Math.max(need, 2 * to.u8.length, 4096));
    grown.set(to.u8.subarray(0, to.end));
    to.u8 = grown;
    to.i32 = new Int32Array(grown.buffer);
  }
  copyRecords(to.u8, to.i32, to.end, u8, i32, start, end);
  to.end = need;
  to.count += count;
}
