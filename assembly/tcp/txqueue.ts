// The outbound packet queue: [u32 length][packet][pad to 4] records, drained by the host all at once.
import { txBase } from '../memory';
import { cfgTxQueueSize } from '../config';
import { Stat, statAdd } from './stats';

/** Bytes used. */
export let txUsed: i32 = 0;
/** Packets queued. */
export let txCount: i32 = 0;
/** Output was refused for lack of room since the last drain. */
export let txWasFull: bool = false;

/** Reserves room for a `len`-byte packet; returns its address, or 0 when the queue is full. */
export function txReserve(len: i32): usize {
  let need = 4 + ((len + 3) & ~3);
  if (txUsed + need > cfgTxQueueSize) {
    statAdd(Stat.TxFull);
    txWasFull = true;
    return 0;
  }
  let p = txBase + <usize>txUsed;
  store<u32>(p, <u32>len);
  txUsed += need;
  txCount++;
  return p + 4;
}

/** Empties the queue (the host has copied or sent every packet). */
export function txClear(): void {
  txUsed = 0;
  txCount = 0;
}
