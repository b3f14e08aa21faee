// User calls (RFC 9293 §3.10.1–3.10.6): OPEN (listen/connect), SEND, RECEIVE, CLOSE, ABORT, plus
// accept, shutdown and release. Results are ≥ 0 or a negative Linux errno.
import { Ctl, Errno, Ev, F, S } from '../abi';
import { Conn, NIL } from './conn';
import { setState } from './state';
import { connAt, connIndex, sndRing, rcvRing, ctlSet } from '../memory';
import { cfgMaxConnections, cfgBacklog, cfgSendBufferSize, cfgRecvBufferSize, cfgFinWait2TimeoutMs } from '../config';
import {
  lookup, listenerFind, listenerAlloc, listenerRelease, listenerUsed, connFree, childRemove, ephemeralPort,
  ephemeralListenPort,
} from './table';
import { unicast } from './iface';
import { connOpen } from './open';
import { tcpOutput, sendAbortRst } from './output';
import { connDone } from './lifecycle';
import { armIdle, stopIdle } from './deadlines';
import { nowMs } from './clock';
import { seqDiff } from './seq';
import { emit } from './events';
import { rcvSpace } from './window';

/** The host-owned connection `conn`, or null for a bad handle. */
function owned(conn: i32): Conn | null {
  if (conn < 0 || conn >= cfgMaxConnections) return null;
  let c = connAt(conn);
  if ((c.flags & (F.USED | F.HOST)) != (F.USED | F.HOST)) return null;
  return c;
}

/** Opens a listener on `port` (passive OPEN; 0 picks a free ephemeral port); returns its handle or −EADDRINUSE/−EMFILE/−EINVAL. */
export function tcpListen(port: i32, backlog: i32): i32 {
  if (port < 0 || port > 65535) return -Errno.EINVAL;
  if (port == 0) {
    port = ephemeralListenPort();
    if (port < 0) return -Errno.EADDRINUSE;
  } else if (listenerFind(<u32>port) >= 0) return -Errno.EADDRINUSE;
  let li = listenerAlloc(<u32>port);
  if (li < 0) return -Errno.EMFILE;
  listenerUsed(li)!.backlog = <u16>(backlog <= 0 || backlog > cfgBacklog ? cfgBacklog : backlog);
  return li;
}

/** The port listener `li` listens on, or 0. */
export function tcpListenerPort(li: i32): i32 {
  let l = listenerUsed(li);
  return l == null ? 0 : <i32>l.port;
}

/** Closes listener `li`: unaccepted connections are reset, embryonic ones dropped, all freed. */
export function tcpUnlisten(li: i32): void {
  let l = listenerUsed(li);
  if (l == null) return;
  let i = <i32>l.childHead;
  while (i != <i32>NIL) {
    let c = connAt(i);
    i = <i32>c.listNext;
    // Unaccepted established children are reset; embryonic ones vanish silently (Linux).
    if (c.state != S.CLOSED && c.state != S.SYN_RCVD) sendAbortRst(c);
    c.flags &= ~F.ACCEPTQ;
    if (c.state != S.CLOSED) connDone(c, 0); // not owned, not queued: freed
    else connFree(c);
  }
  listenerRelease(li);
}

/** Takes the next established connection of listener `li`; returns it or −EAGAIN. */
export function tcpAccept(li: i32): i32 {
  let l = listenerUsed(li);
  if (l == null) return -Errno.EBADF;
  while (l.acceptHead != NIL) {
    let i = <i32>l.acceptHead;
    let c = connAt(i);
    l.acceptHead = c.acceptNext < 0 ? NIL : <u16>c.acceptNext;
    if (l.acceptHead == NIL) l.acceptTail = NIL;
    c.acceptNext = -1;
    c.flags &= ~F.ACCEPTQ;
    childRemove(c);
    if (c.state == S.CLOSED) { connFree(c); continue; } // died (RST) before accept
    c.flags |= F.HOST;
    if (c.rcvBufLen > 0 || (c.flags & F.PEER_FIN)) {
      c.flags |= F.READ_NOTIFIED;
      emit(Ev.Readable, i, 0);
      if (c.flags & F.PEER_FIN) emit(Ev.PeerFin, i, 0);
    }
    return i;
  }
  return -Errno.EAGAIN;
}

/** Active OPEN to dst:port from `srcPort` (0 = ephemeral); returns the connection (in SYN_SENT) or −errno. */
export function tcpConnect(dst: u32, port: i32, srcPort: i32): i32 {
  if (port <= 0 || port > 65535 || srcPort < 0 || srcPort > 65535 || dst == 0) return -Errno.EINVAL;
  if (!unicast(dst)) return -Errno.ENETUNREACH; // no TCP to broadcast or multicast (Linux: ENETUNREACH)
  if (srcPort > 0) {
    if (lookup(dst, <u32>port, <u32>srcPort) >= 0) return -Errno.EADDRINUSE;
  } else {
    srcPort = ephemeralPort(dst, <u32>port);
    if (srcPort < 0) return -Errno.EADDRNOTAVAIL;
  }
  let c = connOpen(dst, <u32>port, <u32>srcPort);
  if (c == null) return -Errno.EMFILE;
  c.flags |= F.HOST | F.ACTIVE;
  setState(c, S.SYN_SENT);
  tcpOutput(c); // <SEQ=ISS><CTL=SYN>
  return connIndex(c);
}

/** Length of the contiguous free region of the send ring (address in regionPtr), or −errno/−EAGAIN. */
export function tcpSendReserve(conn: i32): i32 {
  let c = owned(conn);
  if (c == null) return -Errno.EBADF;
  let st = <i32>c.state;
  if (st == S.CLOSED) return c.error != 0 ? -<i32>c.error : -Errno.ENOTCONN;
  if ((c.flags & F.FIN_QUEUED) || !(st == S.SYN_SENT || st == S.SYN_RCVD || st == S.ESTABLISHED || st == S.CLOSE_WAIT)) return -Errno.EPIPE;
  let size = <u32>cfgSendBufferSize;
  let free = size - c.sndBufLen;
  if (free == 0) { c.flags |= F.WANT_WRITE; return -Errno.EAGAIN; }
  let tail = c.sndBufHead + c.sndBufLen;
  if (tail >= size) tail -= size;
  ctlSet(Ctl.Region, <i32>(sndRing(conn) + <usize>tail));
  return <i32>min<u32>(free, size - tail);
}

/** Appends `n` bytes the host wrote into the reserved region to the send queue; with `flush`, sends what the windows allow. */
export function tcpSendCommit(conn: i32, n: i32, flush: bool): i32 {
  let c = owned(conn);
  if (c == null) return -Errno.EBADF;
  if (n < 0 || <u32>n > <u32>cfgSendBufferSize - c.sndBufLen) return -Errno.EINVAL;
  c.sndBufLen += <u32>n;
  if (flush) tcpOutput(c);
  return n;
}

/** Sends what the windows allow now (after sendCommit). */
export function tcpFlush(conn: i32): void {
  let c = owned(conn);
  if (c != null) tcpOutput(c);
}

/** Length of the contiguous readable region (address in regionPtr); 0 at end of stream, −EAGAIN, or −errno. */
export function tcpRecvPeek(conn: i32): i32 {
  let c = owned(conn);
  if (c == null) return -Errno.EBADF;
  if (c.rcvBufLen == 0) {
    if (c.flags & (F.PEER_FIN | F.SHUT_RD)) return 0;
    if (c.state == S.CLOSED) return c.error != 0 ? -<i32>c.error : 0;
    c.flags &= ~F.READ_NOTIFIED;
    return -Errno.EAGAIN;
  }
  let size = <u32>cfgRecvBufferSize;
  ctlSet(Ctl.Region, <i32>(rcvRing(conn) + <usize>c.rcvBufHead));
  return <i32>min<u32>(c.rcvBufLen, size - c.rcvBufHead);
}

/**
 * Consumes `n` read bytes and returns the bytes still readable; sends a window update when the
 * window opened by min(buffer/2, MSS) (RFC 9293 §3.8.6.2.2).
 */
export function tcpRecvConsume(conn: i32, n: i32): i32 {
  let c = owned(conn);
  if (c == null) return -Errno.EBADF;
  if (n < 0 || <u32>n > c.rcvBufLen) return -Errno.EINVAL;
  let size = <u32>cfgRecvBufferSize;
  let h = c.rcvBufHead + <u32>n;
  if (h >= size) h -= size;
  c.rcvBufHead = h;
  c.rcvBufLen -= <u32>n;
  c.flags &= ~F.READ_NOTIFIED;
  let st = <i32>c.state;
  if (n > 0 && (st == S.ESTABLISHED || st == S.FIN_WAIT_1 || st == S.FIN_WAIT_2)) {
    let adv = seqDiff(c.rcvAdv, c.rcvNxt);
    let growth = <i32>rcvSpace(c) - (adv > 0 ? adv : 0);
    if (growth >= min<i32>(<i32>(size >> 1), <i32>c.rcvMss)) {
      c.flags |= F.ACK_NOW;
      tcpOutput(c);
    }
  }
  return <i32>c.rcvBufLen;
}

/** Half-close: a FIN follows the queued data (RFC 9293 §3.10.4 CLOSE without giving up the receive side). */
export function tcpShutdown(conn: i32): i32 {
  let c = owned(conn);
  if (c == null) return -Errno.EBADF;
  let st = <i32>c.state;
  if (st == S.CLOSED) return -Errno.ENOTCONN;
  if (c.flags & F.FIN_QUEUED) return 0;
  c.flags |= F.FIN_QUEUED;
  if (st == S.ESTABLISHED) setState(c, S.FIN_WAIT_1);
  else if (st == S.CLOSE_WAIT) setState(c, S.LAST_ACK);
  // RFC 9293 §3.10.4: in SYN_RCVD with nothing queued the FIN goes at once; else it waits for ESTABLISHED.
  else if (st == S.SYN_RCVD && c.sndBufLen == 0) setState(c, S.FIN_WAIT_1);
  else return 0;
  tcpOutput(c);
  return 0;
}

/** shutdown(SHUT_RD): later recv calls return end of stream. */
export function tcpShutdownRead(conn: i32): i32 {
  let c = owned(conn);
  if (c == null) return -Errno.EBADF;
  c.flags |= F.SHUT_RD;
  return 0;
}

/** CLOSE (RFC 9293 §3.10.4): FIN after queued data; RST instead with SO_LINGER 0 or unread data (RFC 2525 §2.17). */
export function tcpClose(conn: i32, abortOnUnread: bool): i32 {
  let c = owned(conn);
  if (c == null) return -Errno.EBADF;
  c.flags |= F.USER_CLOSED;
  let st = <i32>c.state;
  if (st == S.CLOSED) return 0;
  if ((c.flags & F.LINGER0) || (abortOnUnread && c.rcvBufLen > 0)) return tcpAbort(conn);
  if (st == S.SYN_SENT) { connDone(c, 0); return 0; }
  if (st == S.FIN_WAIT_2 && cfgFinWait2TimeoutMs > 0) armIdle(c, nowMs + cfgFinWait2TimeoutMs);
  tcpShutdown(conn);
  return 0;
}

/** ABORT (RFC 9293 §3.10.5): RST to the peer in the states that have one, then CLOSED. */
export function tcpAbort(conn: i32): i32 {
  let c = owned(conn);
  if (c == null) return -Errno.EBADF;
  let st = <i32>c.state;
  if (st == S.CLOSED) return 0;
  if (st == S.SYN_RCVD || st == S.ESTABLISHED || st == S.FIN_WAIT_1 || st == S.FIN_WAIT_2 || st == S.CLOSE_WAIT) sendAbortRst(c);
  c.sndBufLen = 0;
  connDone(c, 0);
  return 0;
}

/** The host gives up handle `conn`: freed now if CLOSED, otherwise closed and freed when it reaches CLOSED. */
export function tcpRelease(conn: i32): void {
  let c = owned(conn);
  if (c == null) return;
  if (c.state != S.CLOSED && !(c.flags & F.USER_CLOSED)) tcpClose(conn, true);
  c.flags &= ~F.HOST;
  if (c.state == S.CLOSED) connFree(c);
}

/** TCP_NODELAY. */
export function tcpSetNoDelay(conn: i32, on: bool): void {
  let c = owned(conn);
  if (c == null) return;
  if (on) { c.flags |= F.NODELAY; tcpOutput(c); } else c.flags &= ~F.NODELAY;
}

/** SO_KEEPALIVE with optional TCP_KEEPIDLE / TCP_KEEPINTVL (ms) and TCP_KEEPCNT; values ≤ 0 keep the current ones. */
export function tcpSetKeepAlive(conn: i32, on: bool, idleMs: f64, intervalMs: f64, count: i32): void {
  let c = owned(conn);
  if (c == null) return;
  if (idleMs > 0) c.keepaliveIdle = <f32>idleMs;
  if (intervalMs > 0) c.keepaliveIntvl = <f32>intervalMs;
  if (count > 0) c.keepaliveCnt = <u8>min<i32>(count, 255);
  if (on) {
    c.flags |= F.KEEPALIVE;
    c.kaProbes = 0;
    let st = <i32>c.state;
    if (st == S.ESTABLISHED || st == S.CLOSE_WAIT) armIdle(c, nowMs + <f64>c.keepaliveIdle);
  } else {
    c.flags &= ~F.KEEPALIVE;
    if (c.state == S.ESTABLISHED || c.state == S.CLOSE_WAIT) stopIdle(c);
  }
}

/** SO_LINGER {onoff=1, linger=0}: close() aborts. */
export function tcpSetLinger0(conn: i32, on: bool): void {
  let c = owned(conn);
  if (c == null) return;
  if (on) c.flags |= F.LINGER0; else c.flags &= ~F.LINGER0;
}

/** TCP_USER_TIMEOUT in ms (0 = off): the connection fails when data stays unacknowledged that long. */
export function tcpSetUserTimeout(conn: i32, ms: f64): void {
  let c = owned(conn);
  if (c == null) return;
  c.userTimeout = <f32>(ms > 0 ? ms : 0);
}

/** Index check used by the exports: the connection record if the slot is in use, else null. */
export function usedConn(conn: i32): Conn | null {
  if (conn < 0 || conn >= cfgMaxConnections) return null;
  let c = connAt(conn);
  return (c.flags & F.USED) ? c : null;
}
