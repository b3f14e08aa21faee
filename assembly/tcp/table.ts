// The connection table (fixed slots, free list, 4-tuple hash), the listener table (port hash, free
// list) and the two lists a slot can be on: its listener's children, or TIME_WAIT in the order the
// connections entered it (lwIP's tcp_tw_pcbs). Every lookup is a hash probe or a list head: no walk
// of a whole table.
import { Ctl, F, S } from '../abi';
import { Conn, CONN_SIZE, NIL } from './conn';
import { oooPoolInit, oooFree } from './ooopool';
import { sbPoolInit, sbFree } from './sbpool';
import { Listener, LISTENER_SIZE } from './listener';
import {
  connAt, connIndex, listenerAt, hashBase, hashMask, portHashBase, portHashMask, listenerBase, connBase, ctlSet,
} from '../memory';
import { cfgMaxConnections, cfgMaxListeners, cfgEphemeralLow, cfgEphemeralHigh, cfgSynBacklog, cfgHalfOpenMax } from '../config';
import { deadlinesClear, unschedule } from './deadlines';

// Exported for the test build's self-check (selfcheck.ts) only; nothing else writes them.
/** First free connection slot, or NIL. */
export let freeHead: i32 = NIL;
export let freeListener: i32 = NIL;
let hashSalt: u32 = 0;
let nextEphemeral: i32 = 0;
export let twHead: i32 = NIL;
export let twTail: i32 = NIL;
/** Slots in use (also control slot ConnsInUse). */
export let connsInUse: i32 = 0;
/** Half-open children of all listeners (flag HALF_OPEN). */
export let halfOpenTotal: i32 = 0;

/** Clears the tables and builds the free lists; `salt` randomises the hashes and the first ephemeral port. */
export function tableInit(salt: u32): void {
  hashSalt = salt | 1;
  memory.fill(connBase, 0, <usize>cfgMaxConnections * <usize>CONN_SIZE);
  memory.fill(listenerBase, 0, <usize>cfgMaxListeners * <usize>LISTENER_SIZE);
  freeHead = NIL;
  for (let i = cfgMaxConnections - 1; i >= 0; i--) {
    let c = connAt(i);
    c.next = <u16>freeHead;
    c.heapPos = NIL;
    freeHead = i;
  }
  oooPoolInit();
  sbPoolInit();
  freeListener = NIL;
  for (let i = cfgMaxListeners - 1; i >= 0; i--) {
    listenerAt(i).hashNext = <u16>freeListener;
    freeListener = i;
  }
  twHead = NIL;
  twTail = NIL;
  connsInUse = 0;
  halfOpenTotal = 0;
  ctlSet(Ctl.ConnsInUse, 0);
  nextEphemeral = cfgEphemeralLow + <i32>(salt % <u32>(cfgEphemeralHigh - cfgEphemeralLow + 1));
}

// ---------------------------------------------------------------- 4-tuple hash

// @ts-ignore: decorator
@inline function bucket(remoteAddr: u32, remotePort: u32, localPort: u32): usize {
  let h = (remoteAddr ^ hashSalt) * 0x9e3779b1;
  h = (h ^ ((remotePort << 16) | localPort) ^ (h >>> 15)) * 0x85ebca6b;
  h ^= h >>> 13;
  return hashBase + (<usize>(h & hashMask) << 1);
}

/** The connection slot for (remoteAddr, remotePort, localPort) (16-bit ports), or −1. */
export function lookup(remoteAddr: u32, remotePort: u32, localPort: u32): i32 {
  let i = <i32>load<u16>(bucket(remoteAddr, remotePort, localPort));
  // localPort and remotePort are adjacent u16 fields: one (2-aligned) u32 load compares both.
  if (offsetof<Conn>('remotePort') != offsetof<Conn>('localPort') + 2) unreachable();
  let ports = (remotePort << 16) | localPort;
  while (i != <i32>NIL) {
    let c = connAt(i);
    if (c.remoteAddr == remoteAddr && load<u32>(changetype<usize>(c) + offsetof<Conn>('localPort'), 0, 2) == ports) return i;
    i = <i32>c.next;
  }
  return -1;
}

/** Links `c` into the hash under its 4-tuple. */
export function hashInsert(c: Conn): void {
  let b = bucket(c.remoteAddr, c.remotePort, c.localPort);
  c.next = load<u16>(b);
  store<u16>(b, <u16>connIndex(c));
  c.flags |= F.HASHED;
}

/** Unlinks `c` from the hash (a short chain walk). */
export function hashRemove(c: Conn): void {
  if (!(c.flags & F.HASHED)) return;
  c.flags &= ~F.HASHED;
  let b = bucket(c.remoteAddr, c.remotePort, c.localPort);
  let me = connIndex(c);
  let i = <i32>load<u16>(b);
  if (i == me) { store<u16>(b, c.next); return; }
  while (i != <i32>NIL) {
    let p = connAt(i);
    if (<i32>p.next == me) { p.next = c.next; return; }
    i = <i32>p.next;
  }
}

// ---------------------------------------------------------------- slots

/** True when every slot is in use. */
export function tableFull(): bool { return freeHead == <i32>NIL; }

/** Takes a free slot, zeroed, in state CLOSED, with no deadline; −1 when the table is full. */
export function connAlloc(): i32 {
  let i = freeHead;
  if (i == <i32>NIL) return -1;
  let c = connAt(i);
  freeHead = <i32>c.next;
  let keep = c.flags & F.OUTQ; // the pending-output ring may still name this slot
  memory.fill(changetype<usize>(c), 0, <usize>CONN_SIZE);
  c.flags = F.USED | keep;
  c.next = NIL;
  c.listPrev = NIL;
  c.listNext = NIL;
  deadlinesClear(c);
  connsInUse++;
  ctlSet(Ctl.ConnsInUse, connsInUse);
  return i;
}

/** Returns slot `c` to the free list (CLOSED, not owned, not in an accept queue): off the hash, the heap and its list. */
export function connFree(c: Conn): void {
  if (!(c.flags & F.USED)) return;
  if (c.flags & F.HASHED) hashRemove(c); // connDone has mostly done it: no call then
  unschedule(c);
  if (c.flags & (F.HALF_OPEN | F.ACCEPTQ)) childRemove(c);
  oooFree(c);
  sbFree(c);
  c.flags &= F.OUTQ;
  c.next = <u16>freeHead;
  freeHead = connIndex(c);
  connsInUse--;
  ctlSet(Ctl.ConnsInUse, connsInUse);
}

// ---------------------------------------------------------------- the two lists

/** Joins the neighbours of `c` in its list to each other (the caller fixes the list's head and tail). */
// @ts-ignore: decorator
@inline function unlinkNeighbours(c: Conn): void {
  if (c.listPrev != NIL) connAt(<i32>c.listPrev).listNext = c.listNext;
  if (c.listNext != NIL) connAt(<i32>c.listNext).listPrev = c.listPrev;
}

/**
 * The listener of child `c`, or −1 when it is none's: a child is half-open (F.HALF_OPEN) or waits for
 * accept (F.ACCEPTQ) from the SYN that made it until accepted or gone, and its listener is the one on
 * its local port (one per port; closing it takes its children first, tcpUnlisten).
 */
export function childListener(c: Conn): i32 {
  return c.flags & (F.HALF_OPEN | F.ACCEPTQ) ? listenerFind(<u32>c.localPort) : -1;
}

/**
 * Adds child `c` to the children of listener `li` (it counts towards the backlog until accepted or
 * gone); the caller makes it half-open (halfOpenAdd) or queues it (lifecycle.ts becomeEstablishedFrom)
 * at once, which is what makes it a child (childListener).
 */
export function childAdd(li: i32, c: Conn): void {
  let l = listenerAt(li);
  childLink(l, c, <u16>connIndex(c), l.acceptTail); // behind the accept queue
  l.pending++;
}

/** Links `c` (slot `me`) into the children of `l` after child `prev` (NIL: at the head). */
function childLink(l: Listener, c: Conn, me: u16, prev: u16): void {
  let next = prev == NIL ? l.childHead : connAt(<i32>prev).listNext;
  c.listPrev = prev;
  c.listNext = next;
  if (prev == NIL) l.childHead = me; else connAt(<i32>prev).listNext = me;
  if (next != NIL) connAt(<i32>next).listPrev = me;
}

/** Unlinks `c` (slot `me`) from the children of `l` (the accept queue ends before it when it was its last). */
function childUnlink(l: Listener, c: Conn, me: u16): void {
  if (c.listPrev == NIL) l.childHead = c.listNext;
  if (l.acceptTail == me) l.acceptTail = c.listPrev;
  unlinkNeighbours(c);
  c.listPrev = NIL;
  c.listNext = NIL;
}

/** Child `c` of listener `li` joins the end of its accept queue (the caller sets F.ACCEPTQ). */
export function childQueue(li: i32, c: Conn): void {
  let l = listenerAt(li);
  let me = <u16>connIndex(c);
  // Mostly it is right behind the queue already (children join there).
  if (c.listPrev != l.acceptTail) {
    childUnlink(l, c, me);
    childLink(l, c, me, l.acceptTail);
  }
  l.acceptTail = me;
}

/** Takes `c` off its listener's children (accepted, or gone); the caller clears F.ACCEPTQ after it. */
export function childRemove(c: Conn): void {
  childRemoveOf(c, childListener(c));
}

/** childRemove for a caller that knows the listener `li` (childListener of `c`). */
export function childRemoveOf(c: Conn, li: i32): void {
  if (li < 0) return;
  halfOpenLeave(c, li);
  let l = listenerAt(li);
  childUnlink(l, c, <u16>connIndex(c));
  if (l.pending > 0) l.pending--;
}

/**
 * Whether listener `l`, with `queued` connections waiting for accept, may keep one more half-open
 * child: its own SYN queue (synBacklog, within the backlog) and all listeners' together
 * (halfOpenMax, half the table by default) have room. Otherwise a SYN gets a cookie.
 */
export function halfOpenRoom(l: Listener, queued: i32): bool {
  let cap = cfgHalfOpenMax < 0 ? max<i32>(cfgMaxConnections >> 1, 1) : cfgHalfOpenMax;
  return <i32>l.halfOpen < min<i32>(cfgSynBacklog, <i32>l.backlog - queued) && halfOpenTotal < cap;
}

/** Counts child `c` of listener `li` as half-open until halfOpenLeave. */
export function halfOpenAdd(li: i32, c: Conn): void {
  c.flags |= F.HALF_OPEN;
  listenerAt(li).halfOpen++;
  halfOpenTotal++;
}

/** `c` is no longer half-open: established (`li` its listener, childListener), or leaving it. */
export function halfOpenLeave(c: Conn, li: i32): void {
  if (!(c.flags & F.HALF_OPEN)) return;
  c.flags &= ~F.HALF_OPEN;
  if (li >= 0) {
    let l = listenerAt(li);
    if (l.halfOpen > 0) l.halfOpen--;
  }
  if (halfOpenTotal > 0) halfOpenTotal--;
}

/** Appends `c` (just entered TIME_WAIT, or its TIME_WAIT restarted) to the TIME_WAIT list. */
export function timeWaitAdd(c: Conn): void {
  let me = connIndex(c);
  c.listPrev = <u16>twTail;
  c.listNext = NIL;
  if (twTail != NIL) connAt(twTail).listNext = <u16>me; else twHead = me;
  twTail = me;
}

/** Takes `c` off the TIME_WAIT list. */
export function timeWaitRemove(c: Conn): void {
  if (c.listPrev == NIL) twHead = <i32>c.listNext;
  if (c.listNext == NIL) twTail = <i32>c.listPrev;
  unlinkNeighbours(c);
  c.listPrev = NIL;
  c.listNext = NIL;
}

/** The TIME_WAIT connection nobody owns that entered it first (closest to expiry), or −1. */
export function oldestOrphanTimeWait(): i32 {
  let i = twHead;
  while (i != NIL) {
    let c = connAt(i);
    if (!(c.flags & F.HOST) && c.state == S.TIME_WAIT) return i;
    i = <i32>c.listNext;
  }
  return -1;
}

// ---------------------------------------------------------------- listeners

// @ts-ignore: decorator
@inline function portBucket(port: u32): usize {
  return portHashBase + (<usize>(((port * 0x9e3779b1) >>> 16) & portHashMask) << 1);
}

/** The listener slot for `port`, or −1. */
export function listenerFind(port: u32): i32 {
  let i = <i32>load<u16>(portBucket(port));
  while (i != NIL) {
    let l = listenerAt(i);
    if (<u32>l.port == port) return i;
    i = <i32>l.hashNext;
  }
  return -1;
}

/** Takes a free listener slot for `port` (not in use) and hashes it; −1 when the table is full. */
export function listenerAlloc(port: u32): i32 {
  let i = freeListener;
  if (i == NIL) return -1;
  let l = listenerAt(i);
  freeListener = <i32>l.hashNext;
  l.port = <u16>port;
  l.pending = 0;
  l.halfOpen = 0;
  l.childHead = NIL;
  l.acceptTail = NIL;
  let b = portBucket(port);
  l.hashNext = load<u16>(b);
  store<u16>(b, <u16>i);
  return i;
}

/** Unhashes listener `li` and returns it to the free list (its children are gone already). */
export function listenerRelease(li: i32): void {
  let l = listenerAt(li);
  let b = portBucket(<u32>l.port);
  let i = <i32>load<u16>(b);
  if (i == li) store<u16>(b, l.hashNext);
  else {
    while (i != NIL) {
      let p = listenerAt(i);
      if (<i32>p.hashNext == li) { p.hashNext = l.hashNext; break; }
      i = <i32>p.hashNext;
    }
  }
  l.port = 0;
  l.pending = 0;
  l.halfOpen = 0;
  l.childHead = NIL;
  l.acceptTail = NIL;
  l.hashNext = <u16>freeListener;
  freeListener = li;
}

/** Listener `li` if it is listening, else null. */
export function listenerUsed(li: i32): Listener | null {
  if (li < 0 || li >= cfgMaxListeners) return null;
  let l = listenerAt(li);
  return l.port != 0 ? l : null;
}

// ---------------------------------------------------------------- ephemeral ports

/** The next port of the ephemeral range no listener uses and, unless `forListener`, no connection to (remoteAddr, remotePort) uses; −1 when none. */
function nextFreeEphemeral(remoteAddr: u32, remotePort: u32, forListener: bool): i32 {
  let lo = cfgEphemeralLow;
  let n = cfgEphemeralHigh - lo + 1;
  if (n <= 0) return -1;
  for (let k = 0; k < n; k++) {
    let p = nextEphemeral;
    nextEphemeral++;
    if (nextEphemeral > cfgEphemeralHigh || nextEphemeral < lo) nextEphemeral = lo;
    if (p < lo || p > cfgEphemeralHigh) continue;
    if (listenerFind(<u32>p) >= 0) continue;
    if (forListener || lookup(remoteAddr, remotePort, <u32>p) < 0) return p;
  }
  return -1;
}

/** An ephemeral port unused towards (remoteAddr, remotePort), or −1 when every port is taken. */
export function ephemeralPort(remoteAddr: u32, remotePort: u32): i32 {
  return nextFreeEphemeral(remoteAddr, remotePort, false);
}

/** An ephemeral port no listener uses (listen on port 0), or −1. */
export function ephemeralListenPort(): i32 {
  return nextFreeEphemeral(0, 0, true);
}
