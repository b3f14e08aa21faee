// The out-of-order pool (lwIP keeps such state in memp pools, not in the pcb): the receive side's
// loss state — the out-of-order ranges (RFC 2018 §4: also the SACK blocks), the D-SACK block waiting
// for the next ACK (RFC 2883) and an early FIN's sequence number (RFC 9293 §3.10.7.4 eighth) — lives
// in one of a few slots, which a connection holds only while it has any of them (Conn.oooSlot).
// oooAcquire comes before any of them is set; oooRelease is the one place that decides a connection
// no longer needs its slot, and every path that drops such state calls it; a connection that
// reaches CLOSED drops all of it with the slot (oooDrop), and connFree returns it unconditionally. A connection that finds the pool empty keeps none of it: out-of-order data is
// dropped as if its ring were full, no D-SACK block goes out, an early FIN is not taken (the peer
// sends them again), counted in Stat.OooPoolFull.
import { F, Stat } from '../abi';
import { Conn, NIL, OOO_MAX } from './conn';
import { connIndex, oooPoolBase, oooPoolSlots, OOO_SLOT_BYTES } from '../memory';
import { statAdd } from './stats';
import { slotListInit, slotListOk, slotOwner, slotPut, slotTake } from './slotlist';

// A slot (OOO_SLOT_BYTES): OOO_MAX ranges [left, right) most recently changed first, dsackL, dsackR,
// rcvFinSeq, then the owner and next-free words of the free list (slotlist.ts).
const DSACK_L: usize = 32;
const DSACK_R: usize = 36;
const FIN_SEQ: usize = 40;
const SIZE: usize = <usize>OOO_SLOT_BYTES;
// A build where the fields and the free list's 4 bytes do not fit the slot memory.ts lays out fails here.
if (<i32>FIN_SEQ + 4 + 4 > OOO_SLOT_BYTES || OOO_MAX * 8 > <i32>DSACK_L) ERROR('ooopool.ts: the slot layout does not fit OOO_SLOT_BYTES');

/** First free slot, or NIL. */
let freeHead: u16 = NIL;

// @ts-ignore: decorator
@inline function slotBase(k: i32): usize { return oooPoolBase + <usize>k * <usize>OOO_SLOT_BYTES; }
/** The slot `c` holds (valid only when it holds one). */
// @ts-ignore: decorator
@inline function held(c: Conn): usize { return slotBase(<i32>c.oooSlot - 1); }

/** Puts every slot on the free list (init). */
export function oooPoolInit(): void {
  freeHead = slotListInit(oooPoolBase, SIZE, oooPoolSlots);
}

/** Makes sure `c` holds a slot; false (counted) when the pool is empty. */
export function oooAcquire(c: Conn): bool {
  if (c.oooSlot != 0) return true;
  let k = freeHead;
  if (k == NIL) { statAdd(Stat.OooPoolFull); return false; }
  let p = slotBase(<i32>k);
  freeHead = slotTake(oooPoolBase, SIZE, k, connIndex(c));
  store<u32>(p + DSACK_L, 0);
  store<u32>(p + DSACK_R, 0);
  c.oooSlot = k + 1;
  return true;
}

/** Whether `c` still needs its slot: out-of-order ranges, an early FIN or a pending D-SACK block. */
// @ts-ignore: decorator
@inline export function oooNeeded(c: Conn): bool {
  return c.oooCount != 0 || (c.flags & F.OOO_FIN) != 0 || dsackPending(c);
}

/** Returns `c`'s slot when it no longer needs it (call wherever such state is dropped). */
export function oooRelease(c: Conn): void {
  if (c.oooSlot != 0 && !oooNeeded(c)) oooFree(c);
}

/** Forgets the out-of-order ranges, an early FIN and a D-SACK block with the slot (the connection is CLOSED: none of it will be delivered). */
export function oooDrop(c: Conn): void {
  c.oooCount = 0;
  c.flags &= ~F.OOO_FIN;
  oooFree(c);
}

/** Returns `c`'s slot whatever it holds (the record is freed). */
export function oooFree(c: Conn): void {
  if (c.oooSlot == 0) return;
  freeHead = slotPut(oooPoolBase, SIZE, freeHead, c.oooSlot - 1);
  c.oooSlot = 0;
}

// ---------------------------------------------------------------- the fields

/** Left edge of out-of-order range `i` (i < oooCount). */
export function oooLeft(c: Conn, i: i32): u32 {
  return load<u32>(held(c) + (<usize>i << 3));
}
/** Right edge of out-of-order range `i`. */
export function oooRight(c: Conn, i: i32): u32 {
  return load<u32>(held(c) + (<usize>i << 3), 4);
}
/** Stores out-of-order range `i` (the slot is held). */
export function oooSet(c: Conn, i: i32, left: u32, right: u32): void {
  let p = held(c) + (<usize>i << 3);
  store<u32>(p, left);
  store<u32>(p, right, 4);
}

/** A D-SACK block waits for the next ACK. */
// @ts-ignore: decorator
@inline export function dsackPending(c: Conn): bool {
  return c.oooSlot != 0 && load<u32>(held(c) + DSACK_L) != load<u32>(held(c) + DSACK_R);
}
/** Left edge of the D-SACK block (the slot is held). */
export function dsackLeft(c: Conn): u32 { return load<u32>(held(c) + DSACK_L); }
/** Right edge of the D-SACK block (the slot is held). */
export function dsackRight(c: Conn): u32 { return load<u32>(held(c) + DSACK_R); }
/** Stores the D-SACK block (the slot is held). */
export function dsackSet(c: Conn, l: u32, r: u32): void {
  store<u32>(held(c) + DSACK_L, l);
  store<u32>(held(c) + DSACK_R, r);
}
/** Drops a pending D-SACK block, and the slot with it when nothing else needs it. */
export function dsackClear(c: Conn): void {
  if (c.oooSlot == 0) return;
  store<u32>(held(c) + DSACK_R, load<u32>(held(c) + DSACK_L));
  oooRelease(c);
}

/** Sequence number of an out-of-order FIN (valid with F.OOO_FIN, which implies a held slot). */
export function rcvFinSeq(c: Conn): u32 { return load<u32>(held(c) + FIN_SEQ); }
/** Stores the early FIN's sequence number (the slot is held). */
export function rcvFinSeqSet(c: Conn, s: u32): void { store<u32>(held(c) + FIN_SEQ, s); }

// ---------------------------------------------------------------- self-check

/**
 * The pool's invariant (selfcheck.ts), given every used record: a held slot names its owner, which
 * points back and needs it; a record without one has no such state; the free list holds the rest.
 * `heldCount` is the number of records found holding a slot. Returns false when broken.
 */
export function oooPoolOk(heldCount: i32): bool {
  return slotListOk(oooPoolBase, SIZE, oooPoolSlots, freeHead, heldCount);
}

/** The record's side of the invariant (slot `i` is used). */
export function oooConnOk(c: Conn, i: i32): bool {
  if (c.oooSlot == 0) return c.oooCount == 0 && !(c.flags & F.OOO_FIN);
  let k = <i32>c.oooSlot - 1;
  if (k >= oooPoolSlots || slotOwner(oooPoolBase, SIZE, k) != i) return false;
  return oooNeeded(c);
}
