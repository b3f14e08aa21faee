// The outbound packet queue: [u32 length][packet][pad to 4] records, drained by the host all at once.
// Its fill level lives in the control block, so the host drains and resets it without calls.
import { Ctl, Stat } from '../abi';
import { txBase, ctlGet, ctlSet } from '../memory';
import { cfgTxQueueSize } from '../config';
import { statAdd } from './stats';

/** Reserves room for a `len`-byte packet; returns its address, or 0 when the queue is full. */
export function txReserve(len: i32): usize {
  let need = 4 + ((len + 3) & ~3);
  let used = ctlGet(Ctl.TxUsed);
  if (used < 0 || used + need > cfgTxQueueSize) {
    statAdd(Stat.TxFull);
    return 0;
  }
  let p = txBase + <usize>used;
  store<u32>(p, <u32>len);
  ctlSet(Ctl.TxUsed, used + need);
  ctlSet(Ctl.TxCount, ctlGet(Ctl.TxCount) + 1);
  return p + 4;
}

/** Bytes used. */
export function txUsed(): i32 { return ctlGet(Ctl.TxUsed); }

/** Packets queued. */
export function txCount(): i32 { return ctlGet(Ctl.TxCount); }

/** Empties the queue (the host has copied or sent every packet). */
export function txClear(): void {
  ctlSet(Ctl.TxUsed, 0);
  ctlSet(Ctl.TxCount, 0);
}
