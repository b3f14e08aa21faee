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
  if (end - start > 128) {
    to.set(u8.subarray(start, end), at);
    return;
  }
  // A small run word by word: cheaper than the view object a set() needs up to ~128 bytes. Eight
  // words per turn: V8 re-checks both views (map, detached, bounds) after each loop back edge, and
  // that costs more than the copy of one word.
  let i = start >>> 2;
  let o = at >>> 2;
  const e = end >>> 2;
  for (; i + 8 <= e; i += 8, o += 8) {
    toI32[o] = i32[i];
    toI32[o + 1] = i32[i + 1];
    toI32[o + 2] = i32[i + 2];
    toI32[o + 3] = i32[i + 3];
    toI32[o + 4] = i32[i + 4];
    toI32[o + 5] = i32[i + 5];
    toI32[o + 6] = i32[i + 6];
    toI32[o + 7] = i32[i + 7];
  }
  for (; i < e; i++, o++) toI32[o] = i32[i];
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
