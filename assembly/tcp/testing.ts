// Test-build exports of the TCP engine (build/engine.test.wasm only): hooks a release module must not have.
import { S } from '../abi';
import { isnSetOverride } from './isn';
import { configGetValue } from '../config';
import { selfCheck } from './selfcheck';
import { lookup, listenerFind } from './table';
import { connAt } from '../memory';
import { oooLeft, oooRight } from './ooopool';
import { rackDsack, rackRecoveryDone } from './rack';

/** Test hook: the next ISN chosen is `v` (one shot). */
export function testSetNextIss(v: u32): void { isnSetOverride(<i64>v); }

/** The value config `key` holds (NaN for an unknown key): what the release build's host computes itself. */
export function configGet(key: i32): f64 { return configGetValue(key); }

/** Verifies every table invariant (SELF_CHECKS in the spec): 0, or (check << 16) | slot of the first broken. */
export function testSelfCheck(): i32 { return selfCheck(); }

/** The state whose input code a segment from remoteAddr:remotePort to our localPort reaches: its connection's, LISTEN, or CLOSED. */
export function testTupleState(remoteAddr: u32, remotePort: u32, localPort: u32): i32 {
  let i = lookup(remoteAddr, remotePort, localPort);
  if (i >= 0) return <i32>connAt(i).state;
  return listenerFind(localPort) >= 0 ? S.LISTEN : S.CLOSED;
}

/** Test hook for the self-check's own tests: overwrites field `field` of slot `slot` (0 sndNxt, 1 rcvBufLen, 2 heapPos, 3 state, 4 flags, 5 sbCount, 6 the first scoreboard extent's end, 7 oooSlot, 8 oooCount, 9 sbSlot). */
export function testPoke(slot: i32, field: i32, value: u32): void {
  let c = connAt(slot);
  if (field == 0) c.sndNxt = value;
  else if (field == 1) c.rcvBufLen = value;
  else if (field == 2) c.heapPos = <u16>value;
  else if (field == 3) c.state = <u8>value;
  else if (field == 4) c.flags = value;
  else if (field == 5) c.sbCount = <u8>value;
  else if (field == 6) c.sb0e = value;
  else if (field == 7) c.oooSlot = <u16>value;
  else if (field == 8) c.oooCount = <u8>value;
  else if (field == 9) c.sbSlot = <u16>value;
}

/** Edge `k` of slot `slot`'s out-of-order ranges: left of range k/2 for even k, right for odd (failure reports). */
export function testOooEdge(slot: i32, k: i32): u32 {
  let c = connAt(slot);
  if (c.oooSlot == 0) return 0; // no ranges (they live in the out-of-order pool)
  return k & 1 ? oooRight(c, k >> 1) : oooLeft(c, k >> 1);
}

/** Scoreboard of slot `slot` (scoreboard-pool tests): (scoreboard pool slot + 1, 0 = none) << 8 | extents in use. */
export function testSbState(slot: i32): i32 {
  let c = connAt(slot);
  return (<i32>c.sbSlot << 8) | <i32>c.sbCount;
}

/** RACK's reordering-window steps on slot `slot` (rack.ts): `op` 0 a D-SACK arrived, 1 a fast recovery ended; returns RACK.reo_wnd_mult. */
export function testReoWnd(slot: i32, op: i32): i32 {
  let c = connAt(slot);
  if (op == 0) rackDsack(c); else rackRecoveryDone(c);
  return <i32>c.reoWndMult;
}
