// Per-connection deadlines and the one structure that orders them: a binary min-heap of connection
// slots in fixed memory (memory.ts), keyed by (earliest deadline, slot). Keys are lazy: a deadline
// that moves later (the retransmission timer restarted by every ACK) leaves the key where it was,
// so arming is O(1) unless it moves a connection's earliest deadline earlier (O(log n)); a key that
// turns out early is corrected when it reaches the root. Only this file writes deadlines.
import { Ctl, F } from '../abi';
import { Conn, NIL } from './conn';
import { connAt, connIndex, heapKeyBase, heapSlotBase, dueBase, ctlSetF64 } from '../memory';
import { cfgDelayedAckMs } from '../config';
import { nowMs } from './clock';

/** Connections in the heap (exported for the test build's self-check). */
export let heapSize: i32 = 0;
/** Earliest deadline outside the connection heap (the ARP neighbour cache, net/neighbour.ts): a lower bound. */
let netDeadline: f64 = Infinity;
/** Output waits for tx room: the host must poll again as soon as it drained (the deadline is "now"). */
let outputHeld: bool = false;

// @ts-ignore: decorator
@inline function keyAt(i: i32): f64 { return load<f64>(heapKeyBase + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline function slotAt(i: i32): i32 { return <i32>load<u16>(heapSlotBase + (<usize>i << 1)); }

/** Puts `slot` with `key` at heap position `i`. */
// @ts-ignore: decorator
@inline function place(i: i32, slot: i32, key: f64): void {
  store<f64>(heapKeyBase + (<usize>i << 3), key);
  store<u16>(heapSlotBase + (<usize>i << 1), <u16>slot);
  connAt(slot).heapPos = <u16>i;
}

/** The earlier of two times (never NaN): a compare and a select; f64.min also orders NaN and −0, a longer macro through wasm2c. */
// @ts-ignore: decorator
@inline function earlier(a: f64, b: f64): f64 {
  return a < b ? a : b;
}

/** Shows the host the root key (a lower bound of the earliest deadline) in the control block. */
// @ts-ignore: decorator
@inline function publish(): void {
  let t = earlier(heapSize > 0 ? keyAt(0) : Infinity, netDeadline);
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
@inline function before(ka: f64, sa: i32, kb: f64, sb: i32): bool {
  return ka < kb || (ka == kb && sa < sb);
}

function siftUp(i: i32, slot: i32, key: f64): void {
  while (i > 0) {
    let up = (i - 1) >> 1;
    if (!before(key, slot, keyAt(up), slotAt(up))) break;
    place(i, slotAt(up), keyAt(up));
    i = up;
  }
  place(i, slot, key);
}

function siftDown(i: i32, slot: i32, key: f64): void {
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

/** The earliest of the three deadlines of `c` (Infinity when none runs). */
export function earliest(c: Conn): f64 {
  return earlier(c.rtxDeadline, earlier(c.delackDeadline, c.idleDeadline));
}

/** Makes sure `c` is in the heap with a key no later than `t`. */
function schedule(c: Conn, t: f64): void {
  if (!(t < Infinity)) return;
  let pos = <i32>c.heapPos;
  if (pos == <i32>NIL) {
    heapSize++;
    siftUp(heapSize - 1, connIndex(c), t);
  } else if (t < keyAt(pos)) {
    siftUp(pos, connIndex(c), t);
  } else return;
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
    if (e == keyAt(0)) return e;
    if (e == Infinity) removeAt(0);
    else { siftDown(0, slot, e); publish(); }
  }
  return Infinity;
}

/**
 * Takes every connection whose key is due at `now` out of the heap into the due list, in heap
 * order, and returns how many (read them with `dueAt`). Each is fired once; `reschedule` puts it back.
 */
export function takeDue(now: f64): i32 {
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
  outputHeld = false;
  publish();
}

/** Arms the retransmission (or persist) timer for `t`. */
export function armRtx(c: Conn, t: f64): void {
  c.rtxDeadline = t;
  schedule(c, t);
}

/** Stops the retransmission and persist timer. */
export function stopRtx(c: Conn): void {
  c.rtxDeadline = Infinity;
  c.flags &= ~F.PERSIST;
}

/** Arms the delayed-ACK timer unless it already runs (RFC 9293 §3.8.6.3). */
export function armDelack(c: Conn): void {
  if (c.flags & F.DELACK) return;
  c.flags |= F.DELACK;
  c.delackDeadline = nowMs + cfgDelayedAckMs;
  schedule(c, c.delackDeadline);
}

/** Stops the delayed-ACK timer (an ACK went out, or the connection is done). */
export function stopDelack(c: Conn): void {
  c.flags &= ~F.DELACK;
  c.delackDeadline = Infinity;
}

/** Arms the idle timer (keepalive, TIME_WAIT or FIN_WAIT_2, by state) for `t`. */
export function armIdle(c: Conn, t: f64): void {
  c.idleDeadline = t;
  schedule(c, t);
}

/** Stops the idle timer. */
export function stopIdle(c: Conn): void {
  c.idleDeadline = Infinity;
}

/** Fresh deadlines for a newly allocated record: none runs, not in the heap. */
export function deadlinesClear(c: Conn): void {
  c.rtxDeadline = Infinity;
  c.delackDeadline = Infinity;
  c.idleDeadline = Infinity;
  c.heapPos = NIL;
}
