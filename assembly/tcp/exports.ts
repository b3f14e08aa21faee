// Raw exports of the TCP engine, ABI 5. The host never calls these directly: src/engine/engine.ts
// wraps them (docs/engine-abi.md). Results are ≥ 0 or a negative Linux errno; `now` is f64
// milliseconds and every call that may send, arm a timer or stamp a segment takes it. Packets, events,
// addresses and fill levels travel through the control block and the areas it points to, not calls.
import { ABI_VERSION, Ctl, Errno, IfKind, S, Stat, INFO_SLOTS, RECORD_HEADER, STAGE_SIZE } from '../abi';
import { infoFill } from './info';
import {
  configSetValue, configCheck, configIsFixed, cfgAbortOnUnreadClose, cfgEventQueueSize, cfgTxQueueSize,
} from '../config';
import {
  layoutMemory, laidOut, rxBase, rxSize, txBase, statsBase, infoBase, layoutBytes, ctlBase, ctlSet, eventBase, stageBase, connAt,
} from '../memory';
import { CONN_SIZE } from './conn';
import { tableInit } from './table';
import { ifaceTableInit, ifaceSet, ifAddr } from '../net/iface';
import { neighInit } from '../net/neighbour';
import { recordInput } from '../net/input';
import { netPoll } from '../net/timers';
import { deadlinesInit } from './deadlines';
import { isnSeed, siphash } from './isn';
import { setNow, nowMs, tsClockUpdate } from './clock';
import { txInit } from '../net/tx';
import { eventsInit } from './events';
import { pollTimers } from './timers';
import { outputPending, outputResume, outputInit } from './output';
import { statBump } from './stats';
import * as user from './user';
import { OPT_ETHERNET } from '../options';

/** ABI version of the engine; the host refuses a module with another. */
export function engineAbiVersion(): i32 {
  return ABI_VERSION;
}

/** Sets config `key` (the spec's order); −EINVAL for a bad key/value, −EBUSY after init for a size (and the MSS init checked them against). */
export function configSet(key: i32, value: f64): i32 {
  if (laidOut && configIsFixed(key)) return -Errno.EBUSY;
  let r = configSetValue(key, value);
  tsClockUpdate(); // the tick length may have changed
  return r;
}

/** Address of the control block (Ctl slots; valid before init, filled by it). */
export function ctlPtr(): usize { return ctlBase; }

/**
 * Lays out all memory (at most one memory.grow), clears the tables, keys the ISN hash and fills the control
 * block; 0 or −errno. A `localAddr` other than 0 brings up interface 0 as an IP interface with that
 * address and prefix /0 (every destination on-link, no MTU limit): the one-interface setup.
 */
export function init(localAddr: u32, seedLo: u32, seedHi: u32): i32 {
  let r = configCheck();
  if (r != 0) return r;
  r = layoutMemory();
  if (r != 0) return r;
  isnSeed(seedLo, seedHi);
  deadlinesInit();
  ifaceTableInit();
  if (OPT_ETHERNET) neighInit();
  if (localAddr != 0) ifaceSet(0, IfKind.IP, localAddr, 0, 0, 0, 0, 65535);
  outputInit();
  txInit();
  eventsInit();
  tableInit(<u32>siphash(0x68617368, <u64>localAddr));
  ctlSet(Ctl.RxBase, <i32>rxBase);
  ctlSet(Ctl.RxSize, rxSize);
  ctlSet(Ctl.TxBase, <i32>txBase);
  ctlSet(Ctl.TxSize, cfgTxQueueSize);
  ctlSet(Ctl.EventBase, <i32>eventBase);
  ctlSet(Ctl.EventCap, cfgEventQueueSize);
  ctlSet(Ctl.StageBase, <i32>stageBase);
  ctlSet(Ctl.StageSize, STAGE_SIZE);
  ctlSet(Ctl.StatsBase, <i32>statsBase);
  ctlSet(Ctl.InfoBase, <i32>infoBase);
  ctlSet(Ctl.MemoryBytes, <i32><u32>layoutBytes);
  ctlSet(Ctl.ConnStateBytes, CONN_SIZE);
  return 0;
}

/**
 * Processes the packet records the host wrote to the rx area, `bytes` of them ([u32 length][u32 meta]
 * [packet][pad to 4]), each by the interface its meta names; returns how many packets it took. A
 * record that runs past `bytes` is counted as a bad packet (the rest of the batch is dropped with it).
 */
export function input(bytes: i32, now: f64): i32 {
  setNow(now);
  if (bytes < 0 || bytes > rxSize) { statBump(Stat.BadPackets); return 0; }
  let off = 0;
  let n = 0;
  while (off + RECORD_HEADER <= bytes) {
    let p = rxBase + <usize>off;
    let len = load<u32>(p);
    if (len > <u32>(bytes - off - RECORD_HEADER)) {
      statBump(Stat.BadPackets);
      break;
    }
    recordInput(p + RECORD_HEADER, <i32>len, load<u32>(p, 4));
    off += RECORD_HEADER + ((<i32>len + 3) & ~3);
    n++;
  }
  return n;
}

/** Fires due timers (connections and the ARP cache) and resumes output cut short by a full tx area; returns the next deadline (ms, Infinity when none; `now` while output waits). */
export function poll(now: f64): f64 {
  setNow(now);
  outputResume();
  let next = min<f64>(netPoll(), pollTimers());
  return outputPending() ? nowMs : next;
}

/** Opens a listener (port 0: a free ephemeral one; its port is in control slot ListenPort); returns its handle or −errno. */
export function tcpListen(port: i32, backlog: i32): i32 {
  let l = user.tcpListen(port, backlog);
  if (l >= 0) ctlSet(Ctl.ListenPort, user.tcpListenerPort(l));
  return l;
}
/** Stops listening; pending embryonic and unaccepted connections are reset. */
export function tcpUnlisten(listener: i32, now: f64): void { setNow(now); user.tcpUnlisten(listener); }
/**
 * Takes the next connection of the listener's accept queue (the Accept event's arg), or −EAGAIN; its
 * state and 4-tuple go to the Open* control slots, and AcceptMore says whether another one waits.
 */
export function tcpAccept(listener: i32): i32 {
  let conn = user.tcpAccept(listener);
  if (conn >= 0) reportOpened(conn);
  ctlSet(Ctl.AcceptMore, user.acceptQueued(listener) ? 1 : 0);
  return conn;
}
/** Active open to dst:port from srcPort (0 = ephemeral); returns the connection (its 4-tuple in the Open* control slots) or −errno. */
export function tcpConnect(dst: u32, port: i32, srcPort: i32, now: f64): i32 {
  setNow(now);
  let conn = user.tcpConnect(dst, port, srcPort);
  if (conn >= 0) reportOpened(conn);
  return conn;
}

/** The state and 4-tuple of a connection just handed to the host, into the Open* control slots (no tcpInfo call for them). */
function reportOpened(conn: i32): void {
  let c = connAt(conn);
  ctlSet(Ctl.OpenState, <i32>c.state);
  ctlSet(Ctl.OpenLocalAddr, <i32>ifAddr(<i32>c.ifIndex));
  ctlSet(Ctl.OpenLocalPort, <i32>c.localPort);
  ctlSet(Ctl.OpenRemoteAddr, <i32>c.remoteAddr);
  ctlSet(Ctl.OpenRemotePort, <i32>c.remotePort);
}
/** SEND of `n` (≤ STAGE_SIZE) bytes from the stage area; returns bytes queued (may be fewer), −EAGAIN, or −errno. */
export function tcpSend(conn: i32, n: i32, now: f64): i32 { setNow(now); return user.tcpSend(conn, n); }
/** Contiguous free bytes of the send ring at control slot Region, or −errno. */
export function tcpSendReserve(conn: i32): i32 { return user.tcpSendReserve(conn); }
/** Queues `n` bytes written at the reserved region; with `flush`, sends what the windows allow. */
export function tcpSendCommit(conn: i32, n: i32, flush: bool, now: f64): i32 { setNow(now); return user.tcpSendCommit(conn, n, flush); }
/** Sends what the windows allow. */
export function tcpFlush(conn: i32, now: f64): void { setNow(now); user.tcpFlush(conn); }
/** RECEIVE of up to `max` (≤ STAGE_SIZE) bytes into the stage area; returns the count, 0 at end of stream, −EAGAIN, or −errno. */
export function tcpRecv(conn: i32, max: i32, now: f64): i32 { setNow(now); return user.tcpRecv(conn, max); }
/** Contiguous readable bytes at control slot Region; 0 = end of stream; −EAGAIN or −errno. */
export function tcpRecvPeek(conn: i32): i32 { return user.tcpRecvPeek(conn); }
/** Consumes `n` read bytes (may send a window update); returns the bytes still readable. */
export function tcpRecvConsume(conn: i32, n: i32, now: f64): i32 { setNow(now); return user.tcpRecvConsume(conn, n); }
/** shutdown(2) with `how` = Shut.RD, WR or RDWR. */
export function tcpShutdown(conn: i32, how: i32, now: f64): i32 { setNow(now); return user.tcpShutdown(conn, how); }
/** Orderly close; RST when unread data remains (config abortOnUnreadClose) or SO_LINGER 0. */
export function tcpClose(conn: i32, now: f64): i32 { setNow(now); return user.tcpClose(conn, cfgAbortOnUnreadClose); }
/** Abort with RST. */
export function tcpAbort(conn: i32, now: f64): i32 { setNow(now); return user.tcpAbort(conn); }
/** Releases the host's handle (closing the connection first if the host did not). */
export function tcpRelease(conn: i32, now: f64): void { setNow(now); user.tcpRelease(conn); }
/** tcpRelease of the `count` (≤ STAGE_SIZE / 4) handles the host wrote to the stage area as i32s, in order; −EINVAL for a bad count. */
export function tcpReleaseMany(count: i32, now: f64): i32 {
  if (count < 0 || count > STAGE_SIZE >> 2) return -Errno.EINVAL;
  setNow(now);
  for (let i = 0; i < count; i++) user.tcpRelease(load<i32>(stageBase + (<usize>i << 2)));
  return 0;
}
/** Sets connection option `opt` (SockOpt) to `value`; 0 or −errno. */
export function tcpSetOption(conn: i32, opt: i32, value: f64, now: f64): i32 { setNow(now); return user.tcpSetOption(conn, opt, value); }
/** Connection option `opt` (SockOpt), or −errno. */
export function tcpGetOption(conn: i32, opt: i32): f64 { return user.tcpGetOption(conn, opt); }
/** getsockopt(SO_ERROR): the pending error (once), else the soft error (cleared), else 0 (positive errno). */
export function tcpSoError(conn: i32): i32 { return user.tcpSoError(conn); }
/** poll(2) readiness (Poll bits) as Linux tcp_poll reports it, or −EBADF. */
export function tcpPoll(conn: i32): i32 { return user.tcpPoll(conn); }

/** State of slot `conn` (CLOSED for a free slot). */
export function tcpState(conn: i32): i32 {
  let c = user.usedConn(conn);
  return c == null ? S.CLOSED : <i32>c.state;
}

/** Fills the info area (INFO_SLOTS f64, src/engine/abi.ts INFO_FIELDS); returns 0 or −EBADF. */
export function tcpInfo(conn: i32): i32 {
  let c = user.usedConn(conn);
  if (c == null) return -Errno.EBADF;
  memory.fill(infoBase, 0, <usize>INFO_SLOTS << 3);
  infoFill(c, infoBase);
  return 0;
}
