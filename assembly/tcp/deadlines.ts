// Per-connection deadlines and the one structure that orders them: a binary min-heap of connection
// slots in fixed memory (memory.ts), keyed by (earliest deadline, slot). Keys are lazy: a deadline
// that moves later (the retransmission timer restarted by every ACK) leaves the key where it was,
// so arming is O(1) unless it moves a connection's earliest deadline earlier (O(log n)); a key that
// turns out early is corrected when it reaches the root. Only this file writes deadlines.
// A deadline is a u32 count of eighths of a ms after `epochMs` (rounded up: a timer never fires
// early), NONE when it is not running. The epoch moves up (every stored deadline and key with it)
// once now is 2^31 eighths (3.1 days) past it, so every timer the engine arms (at most
// MAX_TIMER_MS, 9.1 h, ahead: config.ts and the socket options clamp to it) always fits.
import { Ctl, F } from '../abi';
import { Conn, NIL } from './conn';
import { connAt, connIndex, heapKeyBase, heapSlotBase, dueBase, ctlSetF64 } from '../memory';
import { cfgDelayedAckMs, cfgMaxConnections } from '../config';
import { nowMs } from './clock';

/** A deadline that is not running. */
export const NONE: u32 = 0xffffffff;
/** Longest timer the engine arms (ms): Linux's MAX_TCP_KEEPIDLE, 32767 s. */
export const MAX_TIMER_MS: f64 = 32767000;
/** What deadlines count from (ms, a multiple of 1/8). */
let epochMs: f64 = 0;
/** How far now may run past the epoch before it moves (eighths). */
const REBASE_AFTER: f64 = 2147483648;

/** Connections in the heap (exported for the test build's self-check). */
export let heapSize: i32 = 0;
/** Earliest deadline outside the connection heap (the ARP neighbour cache, net/neighbour.ts): a lower bound. */
let netDeadline: f64 = Infinity;
/** Output waits for tx room: the host must poll again as soon as it drained (the deadline is "now"). */
let outputHeld: bool = false;

// @ts-ignore: decorator
@inline function keyAt(i: i32): u32 { return load<u32>(heapKeyBase + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function slotAt(i: i32): i32 { return <i32>load<u16>(heapSlotBase + (<usize>i << 1)); }

/** Puts `slot` with `key` at heap position `i`. */
// @ts-ignore: decorator
@inline function place(i: i32, slot: i32, key: u32): void {
  store<u32>(heapKeyBase + (<usize>i << 2), key);
  store<u16>(heapSlotBase + (<usize>i << 1), <u16>slot);
  connAt(slot).heapPos = <u16>i;
}

/** The earlier of two deadlines. */
// @ts-ignore: decorator
@inline function earlier(a: u32, b: u32): u32 {
  return a < b ? a : b;
}

/** Lowers the deadline at `p` by `shift` (NONE stays; one that passed becomes 0). */
function lower(p: usize, shift: u32): void {
  let d = load<u32>(p);
  if (d != NONE) store<u32>(p, d > shift ? d - shift : 0);
}

/** Moves the epoch up to now, every deadline and key down by as much (free slots too: harmless). */
function rebase(): void {
  let eighths = Math.floor((nowMs - epochMs) * 8.0);
  epochMs += eighths * 0.125;
  let shift: u32 = eighths < <f64>NONE ? <u32>eighths : NONE;
  for (let i = 0; i < cfgMaxConnections; i++) {
    let p = changetype<usize>(connAt(i)) + offsetof<Conn>('rtxDeadline');
    for (let k: usize = 0; k < 12; k += 4) lower(p + k, shift);
  }
  for (let i = 0; i < heapSize; i++) lower(heapKeyBase + (<usize>i << 2), shift);
}

/** Time `t` (ms) as a deadline: eighths after the epoch, rounded up; NONE for Infinity. */
// @ts-ignore: decorator
@inline export function deadlineAt(t: f64): u32 {
  let d = (t - epochMs) * 8.0;
  // The common case, a time ahead of now while the epoch need not move: no rounding call.
  if (d > 0 && d < REBASE_AFTER) {
    let u = <u32><i32>d;
    return <f64>u < d ? u + 1 : u;
  }
  return deadlineFar(t);
}

/** deadlineAt past REBASE_AFTER: the epoch moves first when now is that far; then clamped. */
function deadlineFar(t: f64): u32 {
  if ((nowMs - epochMs) * 8.0 >= REBASE_AFTER) rebase();
  let d = Math.ceil((t - epochMs) * 8.0);
  if (d <= 0) return 0;
  if (d < <f64>NONE) return <u32>d;
  return t < Infinity ? NONE - 1 : NONE;
}

/** A deadline as a time in ms (Infinity for NONE). */
// @ts-ignore: decorator
@inline export function deadlineMs(d: u32): f64 {
  return d == NONE ? Infinity : epochMs + <f64>d * 0.125;
}

/** Now as a deadline count, rounded down: deadlines at or below it are due. */
export function deadlineNow(): u32 {
  let d = (nowMs - epochMs) * 8.0;
  if (d >= REBASE_AFTER) {
    rebase();
    d = (nowMs - epochMs) * 8.0;
  }
  return <u32><i32>d;
}

/** Shows the host the root key (a lower bound of the earliest deadline) in the control block. */
function publish(): void {
  let k = heapSize > 0 ? deadlineMs(keyAt(0)) : Infinity;
  let t = k < netDeadline ? k : netDeadline;
  ctlSetF64(Ctl.Deadline, outputHeld && nowMs < t ? nowMs : t);
}

/** Output waits for tx room (or no longer does): poll is due as soon as the host drained the tx area. */
export function holdForOutput(on: bool): void {
  outputHeld = on;
  publish();
}

/** The earliest deadline of the neighbour cache (never later than the true one), shown to the host with the heap's. */
export function setNetDeadline(t: f64): void {
  netDeadline = t;
  publish();
}

/** Heap order: earlier key first, then the lower slot (the order a table walk would have). */
// @ts-ignore: decorator
@inline function before(ka: u32, sa: i32, kb: u32, sb: i32): bool {
  return ka < kb || (ka == kb && sa < sb);
}

function siftUp(i: i32, slot: i32, key: u32): void {
  while (i > 0) {
    let up = (i - 1) >> 1;
    if (!before(key, slot, keyAt(up), slotAt(up))) break;
    place(i, slotAt(up), keyAt(up));
    i = up;
  }
  place(i, slot, key);
}

function siftDown(i: i32, slot: i32, key: u32): void {
  for (;;) {
    let l = 2 * i + 1;
    if (l >= heapSize) break;
    let m = l;
    if (l + 1 < heapSize && before(keyAt(l + 1), slotAt(l + 1), keyAt(l), slotAt(l))) m = l + 1;
    if (!before(keyAt(m), slotAt(m), key, slot)) break;
    place(i, slotAt(m), keyAt(m));
    i = m;
  }
  place(i, slot, key);
}

/** Removes heap position `pos`, moving the last entry into the hole. */
function removeAt(pos: i32): void {
  connAt(slotAt(pos)).heapPos = NIL;
  heapSize--;
  if (pos < heapSize) {
    let slot = slotAt(heapSize);
    let key = keyAt(heapSize);
    if (pos > 0 && before(key, slot, keyAt((pos - 1) >> 1), slotAt((pos - 1) >> 1))) siftUp(pos, slot, key);
    else siftDown(pos, slot, key);
  }
  if (pos == 0) publish();
}

/** The earliest of the three deadlines of `c` (NONE when none runs). */
export function earliest(c: Conn): u32 {
  return earlier(c.rtxDeadline, earlier(c.delackDeadline, c.idleDeadline));
}

/**
 * Makes sure `c` is in the heap with a key no later than `t`. Inlined: most arming finds the key
 * already early enough (a lazy key) and needs no call.
 */
// @ts-ignore: decorator
@inline function schedule(c: Conn, t: u32): void {
  let pos = <i32>c.heapPos;
  if (t != NONE && (pos == <i32>NIL || t < keyAt(pos))) keyEarlier(c, pos, t);
}

/** schedule when `c` is not in the heap (`pos` is NIL) or `t` is earlier than its key: sift it up. */
function keyEarlier(c: Conn, pos: i32, t: u32): void {
  if (pos == <i32>NIL) {
    heapSize++;
    pos = heapSize - 1;
  }
  siftUp(pos, connIndex(c), t);
  if (c.heapPos == 0) publish();
}

/** Takes `c` out of the heap (its slot is being freed). */
export function unschedule(c: Conn): void {
  if (c.heapPos != NIL) removeAt(<i32>c.heapPos);
}

/** The earliest deadline of any connection (Infinity when none): corrects lazy keys at the root first. */
export function nextDeadline(): f64 {
  while (heapSize > 0) {
    let slot = slotAt(0);
    let e = earliest(connAt(slot));
    if (e == keyAt(0)) return deadlineMs(e);
    if (e == NONE) removeAt(0);
    else { siftDown(0, slot, e); publish(); }
  }
  return Infinity;
}

/**
 * Takes every connection whose key is due at `now` out of the heap into the due list, in heap
 * order, and returns how many (read them with `dueAt`). Each is fired once; `reschedule` puts it back.
 */
export function takeDue(now: u32): i32 {
  let n = 0;
  while (heapSize > 0 && keyAt(0) <= now) {
    store<u16>(dueBase + (<usize>n << 1), <u16>slotAt(0));
    n++;
    removeAt(0);
  }
  return n;
}

/** Slot `i` of the due list. */
// @ts-ignore: decorator
@inline export function dueAt(i: i32): i32 { return <i32>load<u16>(dueBase + (<usize>i << 1)); }

/** Puts a fired connection back in the heap at its earliest deadline. */
export function reschedule(c: Conn): void {
  schedule(c, earliest(c));
}

/** Empties the heap (init). */
export function deadlinesInit(): void {
  heapSize = 0;
  epochMs = 0;
  outputHeld = false;
  publish();
}

/** Arms the retransmission (or persist) timer for `t`. */
export function armRtx(c: Conn, t: f64): void {
  let d = deadlineAt(t);
  c.rtxDeadline = d;
  schedule(c, d);
}

/** Whether the retransmission (or persist, probe, reordering) timer runs. */
// @ts-ignore: decorator
@inline export function rtxRunning(c: Conn): bool {
  return c.rtxDeadline != NONE;
}

/** Stops the retransmission and persist timer. */
export function stopRtx(c: Conn): void {
  stopXmit(c, 0);
}

/** stopRtx, also clearing the flag bits `kinds` (the probe and reordering timers' kinds, rack.ts), inlined. */
// @ts-ignore: decorator
@inline export function stopXmit(c: Conn, kinds: u32): void {
  c.rtxDeadline = NONE;
  c.flags &= ~(F.PERSIST | kinds);
}

/** Arms the delayed-ACK timer unless it already runs (RFC 9293 §3.8.6.3). */
export function armDelack(c: Conn): void {
  if (c.flags & F.DELACK) return;
  c.flags |= F.DELACK;
  let d = deadlineAt(nowMs + cfgDelayedAckMs);
  c.delackDeadline = d;
  schedule(c, d);
}

/** Stops the delayed-ACK timer (an ACK went out, or the connection is done). */
export function stopDelack(c: Conn): void {
  c.flags &= ~F.DELACK;
  c.delackDeadline = NONE;
}

/** Arms the idle timer (keepalive, TIME_WAIT or FIN_WAIT_2, by state) for `t`. */
export function armIdle(c: Conn, t: f64): void {
  let d = deadlineAt(t);
  c.idleDeadline = d;
  schedule(c, d);
}

/** Stops the idle timer. */
export function stopIdle(c: Conn): void {
  c.idleDeadline = NONE;
}

/** Fresh deadlines for a newly allocated record: none runs, not in the heap. */
export function deadlinesClear(c: Conn): void {
  c.rtxDeadline = NONE;
  c.delackDeadline = NONE;
  c.idleDeadline = NONE;
  c.heapPos = NIL;
}
