// Opening a connection (RFC 9293 §3.10.1 OPEN, §3.10.7.2 SYN in LISTEN): the one routine both an
// active open and a listener's child go through to get a slot and their initial state.
import { Stat } from '../abi';
import { Conn } from './conn';
import { connAt } from '../memory';
import {
  cfgMss, cfgDefaultMss, cfgWindowScaling, cfgKeepaliveIdleMs, cfgKeepaliveIntervalMs, cfgKeepaliveCount,
  cfgQuickAcks, cfgTsRandomOffset, cfgRecycleTimeWait,
} from '../config';
import { connAlloc, hashInsert, tableFull, oldestOrphanTimeWait } from './table';
import { connDone } from './lifecycle';
import { ifAt } from '../net/iface';
import { nowMs } from './clock';
import { isnOf, tsOffsetOf, tupleHash } from './isn';
import { rtoInit } from './rtt';
import { ourWscale } from './window';
import { statAdd } from './stats';

/**
 * A new connection record for the 4-tuple on interface `ifi` (our address is its address), hashed, in CLOSED with its ISN, windows, timers and
 * keepalive settings; null when the table is full even after reusing the oldest orphaned
 * TIME_WAIT slot (lwIP tcp_kill_timewait). The caller sets its state, its congestion window (ccInit, once
 * the send MSS is known: a child's after the SYN's options) and sends.
 */
export function connOpen(remoteAddr: u32, remotePort: u32, localPort: u32, ifi: i32): Conn | null {
  if (tableFull() && cfgRecycleTimeWait) {
    let tw = oldestOrphanTimeWait();
    if (tw >= 0) {
      connDone(connAt(tw), 0); // an orphan: TIME_WAIT → CLOSED frees the slot at once
      statAdd(Stat.TimeWaitRecycled);
    }
  }
  let i = connAlloc();
  if (i < 0) return null;
  let c = connAt(i);
  c.localPort = <u16>localPort;
  c.remotePort = <u16>remotePort;
  c.remoteAddr = remoteAddr;
  c.ifIndex = <u8>ifi;
  let f = ifAt(ifi);
  let localAddr = f.addr;
  let h = tupleHash(localAddr, localPort, remoteAddr, remotePort); // one SipHash: ISN and TS offset
  let iss = isnOf(h, nowMs); // locals, not the fields: a store may alias, so each field read is a load
  c.iss = iss;
  c.sndUna = iss;
  c.sndNxt = iss;
  c.sndMax = iss;
  c.sndBufSeq = iss + 1;
  let rcvMss = <i32><u16>min<i32>(cfgMss, <i32>f.mtu - 40); // RFC 9293 §3.7.1: what fits the interface MTU
  c.rcvMss = <u16>rcvMss;
  c.sndMss = <u16>min<i32>(cfgDefaultMss, rcvMss);
  c.wscales = cfgWindowScaling ? ourWscale() << 4 : 0; // rcvWscale (the record is zeroed: sndWscale 0)
  c.keepaliveIdle = <f32>cfgKeepaliveIdleMs;
  c.keepaliveIntvl = <f32>cfgKeepaliveIntervalMs;
  c.keepaliveCnt = <u8>cfgKeepaliveCount;
  c.quickAcks = <u8>cfgQuickAcks;
  c.tsOffset = tsOffsetOf(h, cfgTsRandomOffset);
  rtoInit(c);
  hashInsert(c);
  statAdd(Stat.ConnectionsOpened);
  return c;
}
