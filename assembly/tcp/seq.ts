// Sequence number arithmetic modulo 2^32 (RFC 9293 §3.4). The only place where it is done.

/** a < b in sequence space. */
// @ts-ignore: decorator
@inline export function seqLt(a: u32, b: u32): bool { return <i32>(a - b) < 0; }
/** a ≤ b in sequence space. */
// @ts-ignore: decorator
@inline export function seqLe(a: u32, b: u32): bool { return <i32>(a - b) <= 0; }
/** a > b in sequence space. */
// @ts-ignore: decorator
@inline export function seqGt(a: u32, b: u32): bool { return <i32>(a - b) > 0; }
/** a ≥ b in sequence space. */
// @ts-ignore: decorator
@inline export function seqGe(a: u32, b: u32): bool { return <i32>(a - b) >= 0; }
/** Signed distance b − a (positive when b is after a). */
// @ts-ignore: decorator
@inline export function seqDiff(b: u32, a: u32): i32 { return <i32>(b - a); }
/** The later of a and b. */
// @ts-ignore: decorator
@inline export function seqMax(a: u32, b: u32): u32 { return <i32>(a - b) >= 0 ? a : b; }
/** The earlier of a and b. */
// @ts-ignore: decorator
@inline export function seqMin(a: u32, b: u32): u32 { return <i32>(a - b) <= 0 ? a : b; }
