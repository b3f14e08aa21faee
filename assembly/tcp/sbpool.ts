// The scoreboard pool (lwIP memp, like ooopool.ts): the sender's scoreboard (scoreboard.ts) keeps
// SB_INLINE extents in the record, which is all one flight sent at one or two ticks needs (request/
// response, ping-pong, short connections); loss, SACK holes and flights spread over many ticks need
// up to SB_MAX, and the SB_MAX − SB_INLINE more live in one of a few slots, which a connection
// holds only while its scoreboard has more than SB_INLINE extents (Conn.sbSlot). sbAcquire comes
// before such an extent is written; sbRelease is the one place that decides a connection no longer
// needs its slot, and every path that shrinks the scoreboard calls it; a connection that reaches
// CLOSED forgets its scoreboard with the slot (sbDrop), and connFree returns it unconditionally. A
// connection that finds the pool empty keeps SB_INLINE extents (scoreboard.ts merges neighbours or
// forgets a SACK mark: resends may be spurious, data is never lost), counted in Stat.SbPoolFull.
import { Stat } from '../abi';
import { Conn, NIL, SB_INLINE, SB_MAX } from './conn';
import { connIndex, sbPoolBase, sbPoolSlots, SB_SLOT_BYTES } from '../memory';
import { statAdd } from './stats';
import { slotListInit, slotListOk, slotOwner, slotPut, slotTake } from './slotlist';

// A slot (SB_SLOT_BYTES): SB_MAX − SB_INLINE extents [end, meta] (extents SB_INLINE.. of the
// scoreboard), 4 bytes of padding (slots stay 8-byte aligned), then the owner and next-free words
// of the free list (slotlist.ts).
const SIZE: usize = <usize>SB_SLOT_BYTES;
// A build where the extents and the free list's 4 bytes do not fit the slot memory.ts lays out fails here.
if ((SB_MAX - SB_INLINE) * 8 + 4 > SB_SLOT_BYTES) ERROR('sbpool.ts: SB_SLOT_BYTES is too small for SB_MAX - SB_INLINE extents');

/** First free slot, or NIL. */
let freeHead: u16 = NIL;

// @ts-ignore: decorator
@inline function slotBase(k: i32): usize { return sbPoolBase + <usize>k * <usize>SB_SLOT_BYTES; }

/** Address of pooled extent `j` (scoreboard extent SB_INLINE + j) of `c` (valid only when it holds a slot). */
// @ts-ignore: decorator
@inline export function sbPooled(c: Conn, j: i32): usize {
  return slotBase(<i32>c.sbSlot - 1) + (<usize>j << 3);
}

/** Puts every slot on the free list (init). */
export function sbPoolInit(): void {
  freeHead = slotListInit(sbPoolBase, SIZE, sbPoolSlots);
}

/** Makes sure `c` holds a slot; false (counted) when the pool is empty. */
export function sbAcquire(c: Conn): bool {
  if (c.sbSlot != 0) return true;
  let k = freeHead;
  if (k == NIL) { statAdd(Stat.SbPoolFull); return false; }
  freeHead = slotTake(sbPoolBase, SIZE, k, connIndex(c));
  c.sbSlot = k + 1;
  return true;
}

/** Returns `c`'s slot when its scoreboard fits the record again (call wherever sbCount shrinks). */
// @ts-ignore: decorator
@inline export function sbRelease(c: Conn): void {
  if (c.sbSlot != 0 && <i32>c.sbCount <= SB_INLINE) sbFree(c);
}

/** Forgets the scoreboard with the slot (the connection is CLOSED: nothing is in flight any more). */
export function sbDrop(c: Conn): void {
  c.sbCount = 0;
  sbFree(c);
}

/** Returns `c`'s slot whatever it holds (the record is freed). */
// @ts-ignore: decorator
@inline export function sbFree(c: Conn): void {
  if (c.sbSlot != 0) giveBack(c); // most connections never held one: no call then
}

/** Puts the slot `c` holds back on the free list. */
function giveBack(c: Conn): void {
  freeHead = slotPut(sbPoolBase, SIZE, freeHead, c.sbSlot - 1);
  c.sbSlot = 0;
}

// ---------------------------------------------------------------- self-check

/**
 * The pool's invariant (selfcheck.ts), given every used record: a held slot names its owner, which
 * points back and needs it; the free list holds the rest. `heldCount` is the number of records
 * found holding a slot. Returns false when broken.
 */
export function sbPoolOk(heldCount: i32): bool {
  return slotListOk(sbPoolBase, SIZE, sbPoolSlots, freeHead, heldCount);
}

/** The record's side of the invariant (slot `i` is used): a slot exactly while more than SB_INLINE extents are in use, naming `i`. */
export function sbConnOk(c: Conn, i: i32): bool {
  if (c.sbSlot == 0) return <i32>c.sbCount <= SB_INLINE;
  let k = <i32>c.sbSlot - 1;
  if (k >= sbPoolSlots || slotOwner(sbPoolBase, SIZE, k) != i) return false;
  return <i32>c.sbCount > SB_INLINE;
}
