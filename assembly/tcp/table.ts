// The connection table (fixed slots, free list, 4-tuple hash) and the listener table.
import { F, S, Stat } from '../abi';
import { Conn, CONN_SIZE } from './conn';
import { stateInit } from './state';
import { connDone } from './lifecycle';
import { connAt, connIndex, listenerAt, hashBase, hashMask, LISTENER_SIZE, listenerBase, connBase } from '../memory';
import { cfgMaxConnections, cfgMaxListeners, cfgRecycleTimeWait, cfgEphemeralLow, cfgEphemeralHigh } from '../config';
import { statAdd } from './stats';

/** Our IPv4 address (set by init). */
export let localAddr: u32 = 0;
let freeHead: i32 = -1;
let hashSalt: u32 = 0;
let nextEphemeral: i32 = 0;
/** Slots in use. */
export let connsInUse: i32 = 0;

/** Clears the tables and builds the free list; `salt` randomises the hash. */
export function tableInit(addr: u32, salt: u32): void {
  localAddr = addr;
  hashSalt = salt | 1;
  memory.fill(connBase, 0, <usize>cfgMaxConnections * <usize>CONN_SIZE);
  memory.fill(listenerBase, 0, <usize>cfgMaxListeners * <usize>LISTENER_SIZE);
  for (let i = cfgMaxConnections - 1; i >= 0; i--) {
    let c = connAt(i);
    c.next = freeHead;
    freeHead = i;
  }
  for (let i = 0; i < cfgMaxListeners; i++) {
    let l = listenerAt(i);
    l.acceptHead = -1;
    l.acceptTail = -1;
  }
  nextEphemeral = cfgEphemeralLow + <i32>(salt % <u32>(cfgEphemeralHigh - cfgEphemeralLow + 1));
}

// @ts-ignore: decorator
@inline function bucket(remoteAddr: u32, remotePort: u32, localPort: u32): usize {
  let h = (remoteAddr ^ hashSalt) * 0x9e3779b1;
  h = (h ^ ((remotePort << 16) | localPort) ^ (h >>> 15)) * 0x85ebca6b;
  h ^= h >>> 13;
  return hashBase + (<usize>(h & hashMask) << 2);
}

/** The connection slot for (remoteAddr, remotePort, localPort), or −1. */
export function lookup(remoteAddr: u32, remotePort: u32, localPort: u32): i32 {
  let i = load<i32>(bucket(remoteAddr, remotePort, localPort));
  while (i >= 0) {
    let c = connAt(i);
    if (c.remoteAddr == remoteAddr && <u32>c.remotePort == remotePort && <u32>c.localPort == localPort) return i;
    i = c.next;
  }
  return -1;
}

/** Links `c` into the hash under its 4-tuple. */
export function hashInsert(c: Conn): void {
  let b = bucket(c.remoteAddr, c.remotePort, c.localPort);
  c.next = load<i32>(b);
  store<i32>(b, connIndex(c));
  c.flags |= F.HASHED;
}

/** Unlinks `c` from the hash (a short chain walk). */
export function hashRemove(c: Conn): void {
  if (!(c.flags & F.HASHED)) return;
  c.flags &= ~F.HASHED;
  let b = bucket(c.remoteAddr, c.remotePort, c.localPort);
  let me = connIndex(c);
  let i = load<i32>(b);
  if (i == me) { store<i32>(b, c.next); return; }
  while (i >= 0) {
    let p = connAt(i);
    if (p.next == me) { p.next = c.next; return; }
    i = p.next;
  }
}

/** Takes a free slot, zeroed, in state CLOSED; −1 when the table is full (after trying to recycle TIME_WAIT). */
export function connAlloc(): i32 {
  if (freeHead < 0 && cfgRecycleTimeWait) recycleTimeWait();
  let i = freeHead;
  if (i < 0) return -1;
  let c = connAt(i);
  freeHead = c.next;
  let gen = c.gen;
  memory.fill(changetype<usize>(c), 0, <usize>CONN_SIZE);
  c.gen = gen + 1;
  c.flags = F.USED;
  c.next = -1;
  c.acceptNext = -1;
  c.listener = -1;
  c.rtxDeadline = Infinity;
  c.delackDeadline = Infinity;
  c.idleDeadline = Infinity;
  connsInUse++;
  return i;
}

/** Returns slot `c` to the free list (the caller has finished with it: CLOSED, not owned, not queued). */
export function connFree(c: Conn): void {
  if (!(c.flags & F.USED)) return;
  hashRemove(c);
  c.flags = 0;
  stateInit(c, S.CLOSED);
  c.next = freeHead;
  freeHead = connIndex(c);
  connsInUse--;
}

/** Frees the orphaned TIME_WAIT connection closest to expiry (only called when the table is full). */
function recycleTimeWait(): void {
  let best = -1;
  let bestT = Infinity;
  for (let i = 0; i < cfgMaxConnections; i++) {
    let c = connAt(i);
    if (c.state == S.TIME_WAIT && !(c.flags & F.HOST) && c.idleDeadline < bestT) {
      best = i;
      bestT = c.idleDeadline;
    }
  }
  if (best >= 0) {
    connDone(connAt(best), 0); // an orphan: TIME_WAIT → CLOSED frees the slot at once
    statAdd(Stat.TimeWaitRecycled);
  }
}

/** The listener slot for `port`, or −1. */
export function listenerFind(port: u32): i32 {
  for (let i = 0; i < cfgMaxListeners; i++) {
    if (<u32>listenerAt(i).port == port) return i;
  }
  return -1;
}

/** A free listener slot, or −1. */
export function listenerAlloc(): i32 {
  for (let i = 0; i < cfgMaxListeners; i++) {
    if (listenerAt(i).port == 0) return i;
  }
  return -1;
}

/** An ephemeral port unused towards (remoteAddr, remotePort), or −1 when every port is taken. */
export function ephemeralPort(remoteAddr: u32, remotePort: u32): i32 {
  let lo = cfgEphemeralLow;
  let n = cfgEphemeralHigh - lo + 1;
  if (n <= 0) return -1;
  for (let k = 0; k < n; k++) {
    let p = nextEphemeral;
    nextEphemeral++;
    if (nextEphemeral > cfgEphemeralHigh || nextEphemeral < lo) nextEphemeral = lo;
    if (p < lo || p > cfgEphemeralHigh) continue;
    if (lookup(remoteAddr, remotePort, <u32>p) < 0 && listenerFind(<u32>p) < 0) return p;
  }
  return -1;
}
