// Raw exports of the TCP engine. The host never calls these directly: src/engine/engine.ts wraps them
// (docs/engine-abi.md). Results are ≥ 0 or a negative Linux errno; `now` is f64 milliseconds.
import { ABI_VERSION, Ctl, Errno, S, INFO_SLOTS } from '../abi';
import { infoFill } from './info';
import { configSetValue, configGetValue, configCheck, configIsSize, cfgAbortOnUnreadClose } from '../config';
import { layoutMemory, laidOut, rxBase, txBase, statsBase, infoBase, layoutBytes, ctlBase, ctlGet } from '../memory';
import { CONN_SIZE } from './conn';
import { tableInit, connsInUse } from './table';
import { ifaceInit } from './iface';
import { deadlinesInit } from './deadlines';
import { isnSeed, isnSetOverride, siphash } from './isn';
import { setNow, nowMs } from './clock';
import { ipInput } from './input';
import { txUsed, txCount, txClear as txReset } from './txqueue';
import { pollTimers } from './timers';
import { outputPending, outputResume, outputInit } from './output';
import { eventPop, eventCount as evCount } from './events';
import * as user from './user';

/** ABI version of the engine; the host refuses a module with another. */
export function engineAbiVersion(): i32 {
  return ABI_VERSION;
}

/** Sets config `key` (the spec's order) before init; −EINVAL for a bad key/value, −EBUSY for a size after init. */
export function configSet(key: i32, value: f64): i32 {
  if (laidOut && configIsSize(key)) return -Errno.EBUSY;
  return configSetValue(key, value);
}

/** Current value of config `key`. */
export function configGet(key: i32): f64 { return configGetValue(key); }

/** Lays out all memory (one memory.grow), clears the tables and keys the ISN hash; returns 0 or −errno. */
export function init(localAddr: u32, seedLo: u32, seedHi: u32): i32 {
  let r = configCheck();
  if (r != 0) return r;
  r = layoutMemory();
  if (r != 0) return r;
  isnSeed(seedLo, seedHi);
  ifaceInit(localAddr);
  deadlinesInit();
  outputInit();
  tableInit(<u32>siphash(0x68617368, <u64>localAddr));
  return 0;
}

/** Bytes laid out by init. */
export function memoryLaidOut(): f64 { return layoutBytes; }
/** Address of the rx slot: the host copies one inbound IPv4 packet here, then calls `input`. */
export function rxPtr(): usize { return rxBase; }
/** Processes the packet of `len` bytes in the rx slot at time `now`. */
export function input(len: i32, now: f64): void { setNow(now); ipInput(len); }
/** Address of the tx queue: records of [u32 length][packet][pad to 4]. */
export function txPtr(): usize { return txBase; }
/** Bytes used in the tx queue (also control slot TxUsed). */
export function txBytes(): i32 { return txUsed(); }
/** Packets in the tx queue (also control slot TxCount). */
export function txPackets(): i32 { return txCount(); }
/** Address of the control block (i32 slots: txUsed, txCount, region, evConn, evArg, evCount). */
export function ctlPtr(): usize { return ctlBase; }
/** Empties the tx queue after the host drained it. */
export function txClear(): void { txReset(); }

/** Fires due timers and resumes output cut short by a full tx queue; returns the next deadline (ms, Infinity when none). */
export function poll(now: f64): f64 {
  setNow(now);
  outputResume();
  let next = pollTimers();
  return outputPending() ? nowMs : next;
}

/** Pops the next event: returns its kind (0 = none); conn and arg in control slots EvConn/EvArg. */
export function eventNext(): i32 { return eventPop(); }
/** Connection (or listener) of the last popped event. */
export function eventConn(): i32 { return ctlGet(Ctl.EvConn); }
/** Argument of the last popped event. */
export function eventArg(): i32 { return ctlGet(Ctl.EvArg); }
/** Events waiting. */
export function eventCount(): i32 { return evCount(); }

/** Opens a listener; returns its handle or −errno. */
export function tcpListen(port: i32, backlog: i32): i32 { return user.tcpListen(port, backlog); }
/** Stops listening; pending embryonic and unaccepted connections are reset. */
export function tcpUnlisten(listener: i32, now: f64): void { setNow(now); user.tcpUnlisten(listener); }
/** The port listener `listener` listens on (0 for a bad handle): how a listen on port 0 learns its port. */
export function tcpListenerPort(listener: i32): i32 { return user.tcpListenerPort(listener); }
/** Takes an established connection from a listener, or −EAGAIN. */
export function tcpAccept(listener: i32): i32 { return user.tcpAccept(listener); }
/** Active open; returns the connection or −errno. */
export function tcpConnect(dst: u32, port: i32, now: f64, srcPort: i32): i32 { setNow(now); return user.tcpConnect(dst, port, srcPort); }
/** Contiguous free bytes of the send ring at `regionPtr()`, or −errno. */
export function tcpSendReserve(conn: i32): i32 { return user.tcpSendReserve(conn); }
/** Queues `n` bytes written at the reserved region; with `flush`, sends what the windows allow. */
export function tcpSendCommit(conn: i32, n: i32, flush: bool, now: f64): i32 { setNow(now); return user.tcpSendCommit(conn, n, flush); }
/** Sends what the windows allow. */
export function tcpFlush(conn: i32, now: f64): void { setNow(now); user.tcpFlush(conn); }
/** Contiguous readable bytes at `regionPtr()`; 0 = end of stream; −EAGAIN or −errno. */
export function tcpRecvPeek(conn: i32): i32 { return user.tcpRecvPeek(conn); }
/** Consumes `n` read bytes (may send a window update); returns the bytes still readable. */
export function tcpRecvConsume(conn: i32, n: i32, now: f64): i32 { setNow(now); return user.tcpRecvConsume(conn, n); }
/** Address of the region of the last reserve/peek (also control slot Region). */
export function regionPtr(): usize { return <usize>ctlGet(Ctl.Region); }
/** Half-close (FIN after queued data). */
export function tcpShutdown(conn: i32, now: f64): i32 { setNow(now); return user.tcpShutdown(conn); }
/** shutdown(SHUT_RD). */
export function tcpShutdownRead(conn: i32): i32 { return user.tcpShutdownRead(conn); }
/** Orderly close; RST when unread data remains (config abortOnUnreadClose) or SO_LINGER 0. */
export function tcpClose(conn: i32, now: f64): i32 { setNow(now); return user.tcpClose(conn, cfgAbortOnUnreadClose); }
/** Abort with RST. */
export function tcpAbort(conn: i32, now: f64): i32 { setNow(now); return user.tcpAbort(conn); }
/** Releases the host's handle. */
export function tcpRelease(conn: i32): void { user.tcpRelease(conn); }
/** TCP_NODELAY. */
export function tcpSetNoDelay(conn: i32, on: bool, now: f64): void { setNow(now); user.tcpSetNoDelay(conn, on); }
/** SO_KEEPALIVE with idle time, probe interval (ms) and probe count (≤ 0 = unchanged). */
export function tcpSetKeepAlive(conn: i32, on: bool, idleMs: f64, intervalMs: f64, count: i32, now: f64): void {
  setNow(now);
  user.tcpSetKeepAlive(conn, on, idleMs, intervalMs, count);
}
/** SO_LINGER {1, 0}. */
export function tcpSetLinger0(conn: i32, on: bool): void { user.tcpSetLinger0(conn, on); }
/** TCP_USER_TIMEOUT (ms, 0 = off). */
export function tcpSetUserTimeout(conn: i32, ms: f64): void { user.tcpSetUserTimeout(conn, ms); }

/** State of slot `conn` (CLOSED for a free slot). */
export function tcpState(conn: i32): i32 {
  let c = user.usedConn(conn);
  return c == null ? S.CLOSED : <i32>c.state;
}
/** Bytes queued and not yet acknowledged. */
export function tcpBufferedSend(conn: i32): i32 {
  let c = user.usedConn(conn);
  return c == null ? 0 : <i32>c.sndBufLen;
}
/** Bytes ready to read (SIOCINQ). */
export function tcpReadable(conn: i32): i32 {
  let c = user.usedConn(conn);
  return c == null ? 0 : <i32>c.rcvBufLen;
}

/** Fills the info area (INFO_SLOTS f64, src/engine/abi.ts INFO_FIELDS); returns 0 or −EBADF. */
export function tcpInfo(conn: i32): i32 {
  let c = user.usedConn(conn);
  if (c == null) return -Errno.EBADF;
  memory.fill(infoBase, 0, <usize>INFO_SLOTS << 3);
  infoFill(c, infoBase);
  return 0;
}
/** Address of the info area. */
export function infoPtr(): usize { return infoBase; }
/** Address of the u32 statistics counters. */
export function statsPtr(): usize { return statsBase; }
/** Bytes of engine state per connection, buffers excluded. */
export function connStateBytes(): i32 { return CONN_SIZE; }
/** Connection slots in use. */
export function connectionsInUse(): i32 { return connsInUse; }
/** Test hook: the next ISN chosen is `v` (one shot). */
export function testSetNextIss(v: u32): void { isnSetOverride(<i64>v); }
