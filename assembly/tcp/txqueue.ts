// The outbound packet area: records of [u32 length][u32 meta][packet][pad to 4], the format of the rx
// area too, drained by the host all at once. Its fill level lives in the control block, so the host
// drains and resets it without calls; packets to our own address are counted for its loopback.
import { Ctl, Stat, RECORD_HEADER } from '../abi';
import { txBase, ctlGet, ctlSet } from '../memory';
import { cfgTxQueueSize } from '../config';
import { localAddr } from './iface';
import { statAdd } from './stats';

/** Reserves a record for a `len`-byte packet to `dst` on interface 0; returns the packet's address, or 0 when the area is full. */
export function txReserve(len: i32, dst: u32): usize {
  let need = RECORD_HEADER + ((len + 3) & ~3);
  let used = ctlGet(Ctl.TxUsed);
  if (used < 0 || used + need > cfgTxQueueSize) {
    statAdd(Stat.TxFull);
    return 0;
  }
  let p = txBase + <usize>used;
  store<u32>(p, <u32>len);
  store<u32>(p, 0, 4); // meta: interface 0
  ctlSet(Ctl.TxUsed, used + need);
  ctlSet(Ctl.TxCount, ctlGet(Ctl.TxCount) + 1);
  if (dst == localAddr) ctlSet(Ctl.TxLocal, ctlGet(Ctl.TxLocal) + 1);
  return p + RECORD_HEADER;
}

/** Empties the area (init). */
export function txInit(): void {
  ctlSet(Ctl.TxUsed, 0);
  ctlSet(Ctl.TxCount, 0);
  ctlSet(Ctl.TxLocal, 0);
}
