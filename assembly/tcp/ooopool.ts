// The receive side's loss state behind accessors: the out-of-order ranges (RFC 2018 §4), the D-SACK
// block waiting for the next ACK (RFC 2883) and an early FIN's sequence number (RFC 9293 §3.10.7.4
// eighth). They are still fields of the connection record here.
import { Conn } from './conn';
export { oooLeft, oooRight, oooSet } from './conn';

/** Makes sure `c` can hold such state (always, while it lives in the record). */
export function oooAcquire(c: Conn): bool { return true; }

/** A D-SACK block waits for the next ACK. */
// @ts-ignore: decorator
@inline export function dsackPending(c: Conn): bool { return c.dsackL != c.dsackR; }
/** Left edge of the D-SACK block. */
// @ts-ignore: decorator
@inline export function dsackLeft(c: Conn): u32 { return c.dsackL; }
/** Right edge of the D-SACK block. */
// @ts-ignore: decorator
@inline export function dsackRight(c: Conn): u32 { return c.dsackR; }
/** Drops a pending D-SACK block. */
export function dsackClear(c: Conn): void { c.dsackR = c.dsackL; }

/** Sequence number of an out-of-order FIN (valid with F.OOO_FIN). */
// @ts-ignore: decorator
@inline export function rcvFinSeq(c: Conn): u32 { return c.rcvFinSeq; }
/** Stores the early FIN's sequence number. */
// @ts-ignore: decorator
@inline export function rcvFinSeqSet(c: Conn, s: u32): void { c.rcvFinSeq = s; }
