// The outbound packet area: records of [u32 length][u32 meta][packet][pad to 4], the format of the rx
// area too, drained by the host all at once. Its fill level lives in the control block, so the host
// drains and resets it without calls; local records (to our own addresses) are counted for its loopback.
import { Ctl, Stat, RECORD_HEADER, RECORD_LOCAL } from '../abi';
import { txBase, ctlGet, ctlSet } from '../memory';
import { cfgTxQueueSize } from '../config';
import { statBump } from '../tcp/stats';

/** Reserves a record for a `len`-byte packet with `meta` (interface index, local bit); returns the packet's address, or 0 when the area is full. */
export function txRecord(len: i32, meta: u32): usize {
  return txRecordInline(len, meta);
}

/** txRecord inlined (ipReserve's copy: every IP-level packet the engine sends). */
// @ts-ignore: decorator
@inline export function txRecordInline(len: i32, meta: u32): usize {
  let need = RECORD_HEADER + ((len + 3) & ~3);
  let used = ctlGet(Ctl.TxUsed);
  if (used < 0 || used + need > cfgTxQueueSize) {
    statBump(Stat.TxFull);
    return 0;
  }
  let p = txBase + <usize>used;
  store<u32>(p, <u32>len);
  store<u32>(p, meta, 4);
  ctlSet(Ctl.TxUsed, used + need);
  ctlSet(Ctl.TxCount, ctlGet(Ctl.TxCount) + 1);
  if (meta & RECORD_LOCAL) ctlSet(Ctl.TxLocal, ctlGet(Ctl.TxLocal) + 1);
  return p + RECORD_HEADER;
}

/**
 * Room for a `len`-byte packet that will not be sent (no route): the free tail of the tx area, left
 * uncommitted so the next record overwrites it; 0 when the area is full (the caller retries later).
 */
export function txScratch(len: i32): usize {
  let used = ctlGet(Ctl.TxUsed);
  if (used < 0 || used + RECORD_HEADER + len > cfgTxQueueSize) return 0;
  return txBase + <usize>used + RECORD_HEADER;
}

/** Empties the area (init). */
export function txInit(): void {
  ctlSet(Ctl.TxUsed, 0);
  ctlSet(Ctl.TxCount, 0);
  ctlSet(Ctl.TxLocal, 0);
}
