// The free list of a pool of fixed-size slots (lwIP memp), shared by the out-of-order pool (ooopool.ts)
// and the scoreboard pool (sbpool.ts). A slot's last 4 bytes are its owner (a connection slot, NIL
// while free) and the next free slot (NIL at the end); each pool keeps its own list head and passes
// its region and slot size (constants the inlined take and put fold).
import { NIL } from './conn';

// @ts-ignore: decorator
@inline function ownerOf(base: usize, size: usize, k: i32): usize { return base + <usize>k * size + size - 4; }
// @ts-ignore: decorator
@inline function nextOf(base: usize, size: usize, k: i32): usize { return base + <usize>k * size + size - 2; }

/** Puts slots [0, count) of the region at `base` on a free list, lowest first; returns its head. */
export function slotListInit(base: usize, size: usize, count: i32): u16 {
  let head = NIL;
  for (let k = count - 1; k >= 0; k--) {
    store<u16>(ownerOf(base, size, k), NIL);
    store<u16>(nextOf(base, size, k), head);
    head = <u16>k;
  }
  return head;
}

/** Gives the free slot `head` (not NIL) to connection slot `owner`; returns the new head. */
// @ts-ignore: decorator
@inline export function slotTake(base: usize, size: usize, head: u16, owner: i32): u16 {
  store<u16>(ownerOf(base, size, <i32>head), <u16>owner);
  return load<u16>(nextOf(base, size, <i32>head));
}

/** Puts slot `k` back in front of the list at `head`; returns the new head (`k`). */
// @ts-ignore: decorator
@inline export function slotPut(base: usize, size: usize, head: u16, k: u16): u16 {
  store<u16>(ownerOf(base, size, <i32>k), NIL);
  store<u16>(nextOf(base, size, <i32>k), head);
  return k;
}

/** The connection slot owning slot `k`, or NIL. */
// @ts-ignore: decorator
@inline export function slotOwner(base: usize, size: usize, k: i32): i32 {
  return <i32>load<u16>(ownerOf(base, size, k));
}

/**
 * The self-check's view of a pool of `count` slots (selfcheck.ts): the list from `head` holds only
 * free slots, each once, and together with the `held` slots records were found holding it makes
 * up the pool.
 */
export function slotListOk(base: usize, size: usize, count: i32, head: u16, held: i32): bool {
  let free = 0;
  for (let k = <i32>head; k != <i32>NIL; k = <i32>load<u16>(nextOf(base, size, k))) {
    if (k >= count || load<u16>(ownerOf(base, size, k)) != NIL || ++free > count) return false;
  }
  return free + held == count;
}
