// User calls (RFC 9293 §3.10.1–3.10.6): OPEN (listen/connect), SEND, RECEIVE, CLOSE, ABORT, plus
// accept, shutdown and release. Results are ≥ 0 or a negative Linux errno.
import { Ctl, Errno, Ev, F, Poll, S, Shut, SockOpt, STAGE_SIZE } from '../abi';
import { Conn, NIL } from './conn';
import { setState } from './state';
import { connAt, connIndex, listenerAt, sndRing, rcvRing, ctlSet, stageBase } from '../memory';
import { cfgMaxConnections, cfgBacklog, cfgSendBufferSize, cfgRecvBufferSize, cfgFinWait2TimeoutMs } from '../config';
import {
  lookup, listenerFind, listenerAlloc, listenerRelease, listenerUsed, connFree, childRemoveOf, ephemeralPort,
  ephemeralListenPort,
} from './table';
import { unicast, routeLookup } from '../net/iface';
import { copyBytes } from '../wire/copy';
import { connOpen } from './open';
import { ccInit } from './congestion';
import { tcpOutput, tcpOutputFull, sendAbortRst } from './output';
import { connDone, orphanFinWait2 } from './lifecycle';
import { armIdle, stopIdle, MAX_TIMER_MS } from './deadlines';
import { nowMs } from './clock';
import { emit } from './events';
import { advertisedWindow, segmentMss, windowToAdvertise, maxWindow } from './window';

/** Longest TCP_USER_TIMEOUT: the start is kept in eighths of a ms mod 2^32 (clock.ts msSince). */
const USER_TIMEOUT_MAX_MS: f64 = 500000000;

/** The host-owned connection `conn`, or null for a bad handle (inlined into send and receive). */
// @ts-ignore: decorator
@inline function ownedInline(conn: i32): Conn | null {
  if (<u32>conn >= <u32>cfgMaxConnections) return null;
  let c = connAt(conn);
  if ((c.flags & (F.USED | F.HOST)) != (F.USED | F.HOST)) return null;
  return c;
}

/** The host-owned connection `conn`, or null for a bad handle. */
function owned(conn: i32): Conn | null {
  return ownedInline(conn);
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
  listenerAt(li).backlog = <u16>(backlog <= 0 || backlog > cfgBacklog ? cfgBacklog : backlog);
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
    childRemoveOf(c, li);
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
  while (l.acceptTail != NIL) {
    let i = <i32>l.childHead; // the accept queue is the front of the children list
    let c = connAt(i);
    childRemoveOf(c, li);
    c.flags &= ~F.ACCEPTQ;
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

/** Whether listener `li`'s accept queue holds a connection (one that died before accept counts too). */
export function acceptQueued(li: i32): bool {
  let l = listenerUsed(li);
  return l != null && l.acceptTail != NIL;
}

/** Active OPEN to dst:port from `srcPort` (0 = ephemeral); returns the connection (in SYN_SENT) or −errno. */
export function tcpConnect(dst: u32, port: i32, srcPort: i32): i32 {
  if (port <= 0 || port > 65535 || srcPort < 0 || srcPort > 65535 || dst == 0) return -Errno.EINVAL;
  if (!unicast(dst)) return -Errno.ENETUNREACH; // no TCP to broadcast or multicast (Linux: ENETUNREACH)
  let ifi = routeLookup(dst); // the route picks the interface, and so our address (RFC 1122 §3.3.4.3)
  if (ifi < 0) return -Errno.ENETUNREACH;
  if (srcPort > 0) {
    if (lookup(dst, <u32>port, <u32>srcPort) >= 0) return -Errno.EADDRINUSE;
  } else {
    srcPort = ephemeralPort(dst, <u32>port);
    if (srcPort < 0) return -Errno.EADDRNOTAVAIL;
  }
  let c = connOpen(dst, <u32>port, <u32>srcPort, ifi);
  if (c == null) return -Errno.EMFILE;
  c.flags |= F.HOST | F.ACTIVE;
  ccInit(c); // the default send MSS until the SYN-ACK's options (negotiate) set it again
  setState(c, S.SYN_SENT);
  tcpOutput(c); // <SEQ=ISS><CTL=SYN>
  return connIndex(c);
}

/**
 * Whether `c` may queue data now; 0, or the error to return (Linux tcp_sendmsg): the error the
 * connection died with (once), then EPIPE once it is closed or shut for writing.
 */
function sendError(c: Conn): i32 {
  let e = takeError(c);
  if (e != 0) return -e;
  let st = <i32>c.state;
  if ((c.flags & F.FIN_QUEUED) || !(st == S.SYN_SENT || st == S.SYN_RCVD || st == S.ESTABLISHED || st == S.CLOSE_WAIT)) return -Errno.EPIPE;
  return 0;
}

/** sendError with its commonest answer, 0 (no error pending, no FIN queued, ESTABLISHED), found inline. */
// @ts-ignore: decorator
@inline function sendErrorFast(c: Conn): i32 {
  if (c.error == 0 && !(c.flags & F.FIN_QUEUED) && c.state == S.ESTABLISHED) return 0;
  return sendError(c);
}

/** The error `c` died with, if it was not reported yet (then it is: Linux reports sk_err once); else 0. */
function takeError(c: Conn): i32 {
  if (c.error == 0 || (c.flags & F.ERR_TAKEN)) return 0;
  c.flags |= F.ERR_TAKEN;
  return <i32>c.error;
}

/** Copies `n` bytes at `src` to the send ring's tail (which has room for them). */
function ringAppend(c: Conn, conn: i32, src: usize, n: u32): void {
  let size = <u32>cfgSendBufferSize;
  let tail = c.sndBufHead + c.sndBufLen;
  if (tail >= size) tail -= size;
  let first = min<u32>(n, size - tail);
  copyBytes(sndRing(conn) + <usize>tail, src, <usize>first);
  if (first < n) memory.copy(sndRing(conn), src + <usize>first, <usize>(n - first));
  c.sndBufLen += n;
}

/** SEND of the `n` bytes in the stage area: queues what fits and sends what the windows allow; returns bytes queued, −EAGAIN when none fit, or −errno. */
export function tcpSend(conn: i32, n: i32): i32 {
  let c = ownedInline(conn);
  if (c == null) return -Errno.EBADF;
  if (n < 0 || n > STAGE_SIZE) return -Errno.EINVAL;
  let err = sendErrorFast(c);
  if (err != 0) return err;
  let free = <u32>cfgSendBufferSize - c.sndBufLen;
  let k = min<u32>(<u32>n, free);
  if (k < <u32>n) c.flags |= F.WANT_WRITE; // report Writable when space frees
  if (k == 0) return n == 0 ? 0 : -Errno.EAGAIN;
  ringAppend(c, conn, stageBase, k);
  tcpOutputFull(c); // data is queued: tcpOutput's shortcut would not apply
  return <i32>k;
}

/** Length of the contiguous free region of the send ring (address in control slot Region), or −errno/−EAGAIN. */
export function tcpSendReserve(conn: i32): i32 {
  let c = owned(conn);
  if (c == null) return -Errno.EBADF;
  let err = sendError(c);
  if (err != 0) return err;
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

/**
 * What a read of an empty receive buffer returns (Linux tcp_recvmsg): 0 once the peer's FIN is in,
 * then the error the connection died with (once), then 0 when shut for reading or closed; else
 * −EAGAIN, and the next data is reported with Readable.
 */
function recvEmpty(c: Conn): i32 {
  if (c.flags & F.PEER_FIN) return 0;
  let e = takeError(c);
  if (e != 0) return -e;
  if ((c.flags & F.SHUT_RD) || c.state == S.CLOSED) return 0;
  c.flags &= ~F.READ_NOTIFIED;
  return -Errno.EAGAIN;
}

/** recvEmpty with its commonest answer, −EAGAIN (no FIN, error, SHUT_RD or CLOSED to report), found inline. */
// @ts-ignore: decorator
@inline function recvEmptyFast(c: Conn): i32 {
  if (!(c.flags & (F.PEER_FIN | F.SHUT_RD)) && c.error == 0 && c.state != S.CLOSED) {
    c.flags &= ~F.READ_NOTIFIED;
    return -Errno.EAGAIN;
  }
  return recvEmpty(c);
}

/** Length of the contiguous readable region (address in control slot Region); 0 at end of stream, −EAGAIN, or −errno. */
export function tcpRecvPeek(conn: i32): i32 {
  let c = owned(conn);
  if (c == null) return -Errno.EBADF;
  if (c.rcvBufLen == 0) return recvEmpty(c);
  let size = <u32>cfgRecvBufferSize;
  ctlSet(Ctl.Region, <i32>(rcvRing(conn) + <usize>c.rcvBufHead));
  return <i32>min<u32>(c.rcvBufLen, size - c.rcvBufHead);
}

/**
 * Frees `n` read bytes of the receive ring and sends a window update when the read opened the
 * window significantly (Linux tcp_cleanup_rbuf): the window last advertised is at most half the
 * largest one, and the window we can advertise now (receiver SWS avoidance applied) is at least
 * twice it. A large window that merely grew gets no update of its own.
 */
function consume(c: Conn, n: u32): void {
  let size = <u32>cfgRecvBufferSize;
  let h = c.rcvBufHead + n;
  if (h >= size) h -= size;
  c.rcvBufHead = h;
  c.rcvBufLen -= n;
  c.flags &= ~F.READ_NOTIFIED;
  let st = <i32>c.state;
  if (n == 0 || (c.flags & F.SHUT_RD) || !(st == S.ESTABLISHED || st == S.FIN_WAIT_1 || st == S.FIN_WAIT_2)) return;
  let cur = advertisedWindow(c);
  if ((<u64>cur << 1) > <u64>maxWindow(c)) return;
  let wnd = windowToAdvertise(c);
  if (wnd > 0 && <u64>wnd >= (<u64>cur << 1)) {
    c.flags |= F.ACK_NOW;
    tcpOutput(c);
  }
}

/** Consumes `n` read bytes (after a peek) and returns the bytes still readable. */
export function tcpRecvConsume(conn: i32, n: i32): i32 {
  let c = owned(conn);
  if (c == null) return -Errno.EBADF;
  if (n < 0 || <u32>n > c.rcvBufLen) return -Errno.EINVAL;
  consume(c, <u32>n);
  return <i32>c.rcvBufLen;
}

/**
 * RECEIVE into the stage area: copies up to `max` (≤ STAGE_SIZE) readable bytes, one contiguous
 * region of the ring at a time, and consumes them; returns the count, 0 at end of stream, −EAGAIN,
 * or −errno.
 */
export function tcpRecv(conn: i32, max: i32): i32 {
  let c = ownedInline(conn);
  if (c == null) return -Errno.EBADF;
  if (max <= 0 || max > STAGE_SIZE) return -Errno.EINVAL;
  if (c.rcvBufLen == 0) return recvEmptyFast(c);
  let done: u32 = 0;
  let size = <u32>cfgRecvBufferSize;
  while (done < <u32>max && c.rcvBufLen > 0) {
    let n = min<u32>(min<u32>(c.rcvBufLen, size - c.rcvBufHead), <u32>max - done);
    copyBytes(stageBase + <usize>done, rcvRing(conn) + <usize>c.rcvBufHead, <usize>n);
    done += n;
    consume(c, n);
  }
  return <i32>done;
}

/** Half-close: a FIN follows the queued data (RFC 9293 §3.10.4 CLOSE without giving up the receive side). */
function shutdownWrite(c: Conn): i32 {
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

/** shutdown(2): SHUT_WR queues a FIN after the data, SHUT_RD makes later reads return end of stream. */
export function tcpShutdown(conn: i32, how: i32): i32 {
  let c = owned(conn);
  if (c == null) return -Errno.EBADF;
  if (how < Shut.RD || how > Shut.RDWR) return -Errno.EINVAL;
  if (how == Shut.RD || how == Shut.RDWR) c.flags |= F.SHUT_RD;
  return how == Shut.RD ? 0 : shutdownWrite(c);
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
  if (st == S.FIN_WAIT_2) {
    // Linux tcp_close: TCP_LINGER2 < 0 resets an orphan in FIN_WAIT_2, else its lifetime starts.
    if (c.linger2 < 0) { sendAbortRst(c); connDone(c, 0); return 0; }
    orphanFinWait2(c);
    return 0;
  }
  shutdownWrite(c);
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

/** Keepalive on or off (SO_KEEPALIVE); turning it on (again) restarts the idle time in ESTABLISHED/CLOSE_WAIT. */
function keepAlive(c: Conn, on: bool): void {
  let st = <i32>c.state;
  if (on) {
    c.flags |= F.KEEPALIVE;
    c.kaProbes = 0;
    if (st == S.ESTABLISHED || st == S.CLOSE_WAIT) armIdle(c, nowMs + <f64>c.keepaliveIdle);
  } else {
    c.flags &= ~F.KEEPALIVE;
    if (st == S.ESTABLISHED || st == S.CLOSE_WAIT) stopIdle(c);
  }
}

/** Sets option `opt` (SockOpt) of connection `conn` to `v`; returns 0, −EBADF, or −EINVAL for a bad option or value. */
export function tcpSetOption(conn: i32, opt: i32, v: f64): i32 {
  let c = owned(conn);
  if (c == null) return -Errno.EBADF;
  if (v != v) return -Errno.EINVAL;
  if (opt == SockOpt.Linger2Ms) {
    // Linux TCP_LINGER2: negative = no FIN_WAIT_2, capped at TCP_FIN_TIMEOUT_MAX (120 s).
    c.linger2 = v < 0 ? -1 : <f32>min<f64>(v, 120000);
    return 0;
  }
  if (v < 0) return -Errno.EINVAL;
  let on = v != 0;
  switch (opt) {
    case SockOpt.NoDelay:
      if (on) { c.flags |= F.NODELAY; tcpOutput(c); } else c.flags &= ~F.NODELAY;
      return 0;
    case SockOpt.KeepAlive: keepAlive(c, on); return 0;
    case SockOpt.KeepIdleMs: if (v <= 0) return -Errno.EINVAL; c.keepaliveIdle = <f32>min<f64>(v, MAX_TIMER_MS); break;
    case SockOpt.KeepIntervalMs: if (v <= 0) return -Errno.EINVAL; c.keepaliveIntvl = <f32>min<f64>(v, MAX_TIMER_MS); break;
    case SockOpt.KeepCount: if (v < 1) return -Errno.EINVAL; c.keepaliveCnt = <u8>min<f64>(v, 255); break;
    case SockOpt.Linger0:
      if (on) c.flags |= F.LINGER0; else c.flags &= ~F.LINGER0;
      return 0;
    case SockOpt.UserTimeoutMs: c.userTimeout = <f32>min<f64>(v, USER_TIMEOUT_MAX_MS); return 0;
    default: return -Errno.EINVAL;
  }
  // A new keepalive parameter takes effect at once when keepalive is on.
  if (c.flags & F.KEEPALIVE) keepAlive(c, true);
  return 0;
}

/** Option `opt` (SockOpt) of connection slot `conn` (booleans 0/1, times in ms), or −EBADF / −EINVAL. */
export function tcpGetOption(conn: i32, opt: i32): f64 {
  let c = usedConn(conn);
  if (c == null) return -Errno.EBADF;
  switch (opt) {
    case SockOpt.NoDelay: return c.flags & F.NODELAY ? 1 : 0;
    case SockOpt.KeepAlive: return c.flags & F.KEEPALIVE ? 1 : 0;
    case SockOpt.KeepIdleMs: return <f64>c.keepaliveIdle;
    case SockOpt.KeepIntervalMs: return <f64>c.keepaliveIntvl;
    case SockOpt.KeepCount: return <f64>c.keepaliveCnt;
    case SockOpt.Linger0: return c.flags & F.LINGER0 ? 1 : 0;
    case SockOpt.UserTimeoutMs: return <f64>c.userTimeout;
    case SockOpt.Inq: return <f64>c.rcvBufLen;
    case SockOpt.Outq: return <f64>c.sndBufLen;
    case SockOpt.MaxSeg: return <f64>segmentMss(c);
    case SockOpt.Linger2Ms: return c.linger2 < 0 ? -1 : c.linger2 > 0 ? <f64>c.linger2 : cfgFinWait2TimeoutMs;
  }
  return -Errno.EINVAL;
}

/** getsockopt(SO_ERROR): the error the connection died with (once), else the ICMP soft error (cleared), else 0; or −EBADF. */
export function tcpSoError(conn: i32): i32 {
  let c = owned(conn);
  if (c == null) return -Errno.EBADF;
  let e = takeError(c);
  if (e == 0) {
    e = <i32>c.softError;
    c.softError = 0;
  }
  return e;
}

/** poll(2) readiness of connection `conn` as Linux tcp_poll reports it (Poll bits), or −EBADF. */
export function tcpPoll(conn: i32): i32 {
  let c = owned(conn);
  if (c == null) return -Errno.EBADF;
  let st = <i32>c.state;
  let mask = 0;
  if (c.error != 0 && !(c.flags & F.ERR_TAKEN)) mask |= Poll.POLLERR;
  let closed = st == S.CLOSED;
  let rdShut = (c.flags & (F.SHUT_RD | F.PEER_FIN)) != 0 || closed;
  let wrShut = (c.flags & F.FIN_QUEUED) != 0 || closed;
  if (rdShut && wrShut) mask |= Poll.POLLHUP;
  if (rdShut) mask |= Poll.POLLIN | Poll.POLLRDNORM | Poll.POLLRDHUP;
  if (st == S.SYN_SENT || st == S.SYN_RCVD) return mask;
  if (c.rcvBufLen > 0) mask |= Poll.POLLIN | Poll.POLLRDNORM;
  if (wrShut || (st >= S.ESTABLISHED && c.sndBufLen < <u32>cfgSendBufferSize)) mask |= Poll.POLLOUT | Poll.POLLWRNORM;
  return mask;
}

/** Index check used by the exports: the connection record if the slot is in use, else null. */
export function usedConn(conn: i32): Conn | null {
  if (conn < 0 || conn >= cfgMaxConnections) return null;
  let c = connAt(conn);
  return (c.flags & F.USED) ? c : null;
}
