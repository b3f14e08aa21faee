// The sender's scoreboard (RFC 6675 §3, with RFC 8985's transmit times): what became of the data in
// flight, [SND.UNA, SND.MAX), as at most SB_MAX extents in sequence order: the first SB_INLINE in
// the connection record, the others in a scoreboard pool slot held only while they are in use
// (sbpool.ts; with the pool empty the list is fitted to SB_INLINE instead, by the same merges).
// Extent i covers [end(i−1), end(i)) (extent 0 starts at SND.UNA) and has one meta word: the time
// it was last sent, in ticks of 1/8 ms, and its state bits. Segments sent at the same tick in the
// same state share an extent, so a flight needs few. When a change needs more extents than there
// are, neighbours are merged: first those that lose nothing (equal state and time), then in-flight
// neighbours sent closest in time (the later time stays, so RACK waits longer, never less), and
// last a SACKed extent is forgotten (it counts as in flight again: a resend that may be spurious,
// never a loss of data). Nothing here sends.
import { Conn, SB_INLINE, SB_MAX } from './conn';
import { sbAcquire, sbPooled, sbRelease } from './sbpool';
import { nowEighths } from './clock';
import { seqDiff, seqGt, seqLt, seqMax, seqMin } from './seq';

/** State bits of an extent (the low 3 bits of its meta word). */
/** The peer reported it in a SACK block. */
export const SB_SACKED: u32 = 1;
/** Taken as lost and not sent again since: not in flight (RFC 6675 IsLost, RFC 8985 §6.2). */
export const SB_LOST: u32 = 2;
/** Sent more than once. */
export const SB_RETRANS: u32 = 4;
const STATE: u32 = 7;

/** Ticks (1/8 ms) in 29 bits: they wrap every 18.6 hours; differences are taken modulo that. */
const TICK_MASK: u32 = 0x1fffffff;

/** The current time in ticks (clock.ts converts it once per new time). */
// @ts-ignore: decorator
@inline export function tickNow(): u32 {
  return nowEighths & TICK_MASK;
}

/** a − b in ticks (signed, modulo the 29-bit wrap). */
// @ts-ignore: decorator
@inline export function tickDiff(a: u32, b: u32): i32 {
  return <i32>((a - b) << 3) >> 3;
}

/** Ticks as ms. */
// @ts-ignore: decorator
@inline export function ticksMs(t: i32): f64 {
  return <f64>t * 0.125;
}

/** ms as ticks (rounded up, at least 0). */
// @ts-ignore: decorator
@inline export function msTicks(ms: f64): u32 {
  return ms <= 0 ? 0 : <u32>Math.ceil(ms * 8.0);
}

// ---------------------------------------------------------------- reading extents

/** Extent `i` in the record (i < SB_INLINE). */
// @ts-ignore: decorator
@inline function inRecord(c: Conn, i: i32): usize {
  return changetype<usize>(c) + offsetof<Conn>('sb0e') + (<usize>i << 3);
}

/** Extent `i` ≥ SB_INLINE, in the pool slot `c` holds (sbpool.ts); a call, so that every inlined read stays small. */
function pooledAt(c: Conn, i: i32): usize {
  return sbPooled(c, i - SB_INLINE);
}

/** Where extent `i` lives: the record, or the pool slot. */
// @ts-ignore: decorator
@inline function slot(c: Conn, i: i32): usize {
  return i < SB_INLINE ? inRecord(c, i) : pooledAt(c, i);
}

/** Right edge of extent `i`. */
// @ts-ignore: decorator
@inline export function sbEnd(c: Conn, i: i32): u32 { return load<u32>(slot(c, i)); }
/** Meta word of extent `i` (tick << 3 | state). */
// @ts-ignore: decorator
@inline export function sbMeta(c: Conn, i: i32): u32 { return load<u32>(slot(c, i), 4); }
/** Left edge of extent `i`. */
// @ts-ignore: decorator
@inline export function sbStart(c: Conn, i: i32): u32 { return i == 0 ? c.sndUna : sbEnd(c, i - 1); }
/** Right edge of extent `i` < SB_INLINE, which is in the record (no pool address to compute). */
// @ts-ignore: decorator
@inline export function sbRecordEnd(c: Conn, i: i32): u32 { return load<u32>(inRecord(c, i)); }
/** Meta word of extent `i` < SB_INLINE. */
// @ts-ignore: decorator
@inline export function sbRecordMeta(c: Conn, i: i32): u32 { return load<u32>(inRecord(c, i), 4); }
/** State bits of a meta word. */
// @ts-ignore: decorator
@inline export function metaState(m: u32): u32 { return m & STATE; }
/** Tick of a meta word. */
// @ts-ignore: decorator
@inline export function metaTick(m: u32): u32 { return m >> 3; }
/** Whether an extent with meta `m` is in flight (RFC 6675 pipe): neither SACKed nor lost. */
// @ts-ignore: decorator
@inline export function inFlight(m: u32): bool { return (m & (SB_SACKED | SB_LOST)) == 0; }

// @ts-ignore: decorator
@inline function put(c: Conn, i: i32, end: u32, meta: u32): void {
  let p = slot(c, i);
  store<u32>(p, end);
  store<u32>(p, meta, 4);
}

// @ts-ignore: decorator
@inline function meta(tick: u32, state: u32): u32 { return (tick << 3) | state; }

/** Extents in use. */
// @ts-ignore: decorator
@inline export function sbCount(c: Conn): i32 { return <i32>c.sbCount; }

/** Empties the scoreboard (nothing in flight). */
// @ts-ignore: decorator
@inline export function sbClear(c: Conn): void {
  c.sbCount = 0;
  sbRelease(c);
}

/** Right edge of what the scoreboard covers (SND.UNA when empty). */
// @ts-ignore: decorator
@inline export function sbHigh(c: Conn): u32 {
  let n = <i32>c.sbCount;
  return n > 0 ? sbEnd(c, n - 1) : c.sndUna;
}

// ---------------------------------------------------------------- scratch list for changes

/** Room for a list being changed: SB_MAX extents plus the two a split can add, plus one. */
const SCRATCH_MAX: i32 = SB_MAX + 3;
const scratch: usize = memory.data(SCRATCH_MAX << 3, 8);
let sn: i32 = 0;

// @ts-ignore: decorator
@inline function sE(i: i32): u32 { return load<u32>(scratch + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline function sM(i: i32): u32 { return load<u32>(scratch + (<usize>i << 3), 4); }
// @ts-ignore: decorator
@inline function sPut(i: i32, e: u32, m: u32): void {
  store<u32>(scratch + (<usize>i << 3), e);
  store<u32>(scratch + (<usize>i << 3), m, 4);
}
// @ts-ignore: decorator
@inline function sStart(c: Conn, i: i32): u32 { return i == 0 ? c.sndUna : sE(i - 1); }

function sLoad(c: Conn): void {
  sn = <i32>c.sbCount;
  memory.copy(scratch, inRecord(c, 0), <usize>min(sn, SB_INLINE) << 3);
  if (sn > SB_INLINE) memory.copy(scratch + (<usize>SB_INLINE << 3), sbPooled(c, 0), <usize>(sn - SB_INLINE) << 3);
}

function sRemove(i: i32): void {
  for (let k = i; k + 1 < sn; k++) sPut(k, sE(k + 1), sM(k + 1));
  sn--;
}

/** Makes `at` an extent boundary (no-op outside the extents or at an existing boundary). */
function sSplit(c: Conn, at: u32): void {
  for (let i = 0; i < sn; i++) {
    if (!seqLt(sStart(c, i), at) || !seqLt(at, sE(i))) continue;
    if (sn >= SCRATCH_MAX) return;
    for (let k = sn; k > i; k--) sPut(k, sE(k - 1), sM(k - 1));
    sn++;
    sPut(i, at, sM(i + 1));
    return;
  }
}

/** Two neighbours that can be one extent without losing anything. */
function sameExtent(a: u32, b: u32): bool {
  let sa = a & STATE, sb = b & STATE;
  if ((sa & (SB_SACKED | SB_LOST)) != 0 || (sb & (SB_SACKED | SB_LOST)) != 0) {
    // A SACKed or lost extent's time no longer matters (RACK skips it).
    return (sa & (SB_SACKED | SB_LOST)) == (sb & (SB_SACKED | SB_LOST));
  }
  return a == b;
}

/** Merges neighbours i and i+1 (the later tick and the union of the retransmitted bits stay). */
function sMergeWithNext(i: i32): void {
  let a = sM(i), b = sM(i + 1);
  let tick = tickDiff(metaTick(a), metaTick(b)) > 0 ? metaTick(a) : metaTick(b);
  let st = ((a | b) & SB_RETRANS) | (a & (SB_SACKED | SB_LOST));
  sPut(i, sE(i + 1), meta(tick, st));
  sRemove(i + 1);
}

function sNormalize(): void {
  let i = 0;
  while (i + 1 < sn) {
    if (sameExtent(sM(i), sM(i + 1))) sMergeWithNext(i); else i++;
  }
}

/** Brings the list to `room` extents; false when that would lose more than time precision and SACK marks. */
function sFit(room: i32): bool {
  sNormalize();
  while (sn > room) {
    // In-flight neighbours sent closest in time.
    let best = -1;
    let gap: i32 = 0x7fffffff;
    for (let i = 0; i + 1 < sn; i++) {
      let a = sM(i), b = sM(i + 1);
      if (!inFlight(a) || !inFlight(b)) continue;
      let d = tickDiff(metaTick(a), metaTick(b));
      if (d < 0) d = -d;
      if (d < gap) { gap = d; best = i; }
    }
    if (best >= 0) { sMergeWithNext(best); continue; }
    // Forget the highest SACKed extent: it is in flight again (as sent at its last time).
    let k = sn - 1;
    while (k >= 0 && !(sM(k) & SB_SACKED)) k--;
    if (k < 0) return false;
    sPut(k, sE(k), sM(k) & ~SB_SACKED);
    sNormalize();
  }
  return true;
}

/**
 * Writes the scratch list back when it fits (SB_MAX extents with a pool slot, SB_INLINE when the
 * pool is empty); returns whether it did. The slot is taken or given back as the list needs.
 */
function sStore(c: Conn): bool {
  if (!sFit(SB_MAX)) return false;
  if (sn > SB_INLINE && !sbAcquire(c) && !sFit(SB_INLINE)) return false;
  memory.copy(inRecord(c, 0), scratch, <usize>min(sn, SB_INLINE) << 3);
  if (sn > SB_INLINE) memory.copy(sbPooled(c, 0), scratch + (<usize>SB_INLINE << 3), <usize>(sn - SB_INLINE) << 3);
  c.sbCount = <u8>sn;
  sbRelease(c);
  return true;
}

// ---------------------------------------------------------------- changes

/**
 * Records that [seq, end) was sent at tick `tick`: new data at the right edge (an extent of its
 * own, or the last one when that was sent at the same tick), or a resend (state SB_RETRANS, lost
 * no longer). Returns false when a resend cannot be recorded (no room to split an extent).
 */
// @ts-ignore: decorator
@inline export function sbSent(c: Conn, seq: u32, end: u32, tick: u32): bool {
  // Inlined for the commonest send: new data at the right edge of a scoreboard that fits the record.
  let n = <i32>c.sbCount;
  if (n <= SB_INLINE && seqLt(seq, end) && seq == (n > 0 ? sbRecordEnd(c, n - 1) : c.sndUna)) {
    let m = meta(tick, 0);
    if (n > 0 && sbRecordMeta(c, n - 1) == m) { store<u32>(inRecord(c, n - 1), end); return true; }
    if (n < SB_INLINE) {
      let p = inRecord(c, n);
      store<u32>(p, end);
      store<u32>(p, m, 4);
      c.sbCount = <u8>(n + 1);
      return true;
    }
  }
  return sbSentAny(c, seq, end, tick);
}

/** sbSent for every other case: a resend, a gap, or extents past the record. */
function sbSentAny(c: Conn, seq: u32, end: u32, tick: u32): bool {
  if (!seqLt(seq, end)) return true;
  let n = <i32>c.sbCount;
  let high = n > 0 ? sbEnd(c, n - 1) : c.sndUna;
  if (!seqLt(seq, high)) {
    // New data (after anything unrecorded in between, e.g. a FIN sent before our SYN was ACKed).
    let m = meta(tick, 0);
    if (n > 0 && sbMeta(c, n - 1) == m && seq == high) { store<u32>(slot(c, n - 1), end); return true; }
    let need = n + (seq == high ? 1 : 2);
    if (need <= SB_INLINE || (need <= SB_MAX && c.sbSlot != 0)) {
      if (seq != high) { put(c, n, seq, m); n++; }
      put(c, n, end, m);
      c.sbCount = <u8>(n + 1);
      return true;
    }
    sLoad(c);
    if (seq != high) { sPut(sn, seq, m); sn++; }
    sPut(sn, end, m);
    sn++;
    return sStore(c);
  }
  sLoad(c);
  let top = seqMin(end, high);
  sSplit(c, seq);
  sSplit(c, top);
  for (let i = 0; i < sn; i++) {
    if (!seqLt(sStart(c, i), seq) && !seqGt(sE(i), top)) sPut(i, sE(i), meta(tick, (sM(i) & SB_SACKED) | SB_RETRANS));
  }
  if (seqGt(end, high)) { sPut(sn, end, meta(tick, SB_RETRANS)); sn++; }
  if (sStore(c)) return true;
  // No room to split: the whole extent holding `seq` counts as resent now.
  let n2 = <i32>c.sbCount;
  for (let i = 0; i < n2; i++) {
    let p = slot(c, i);
    if (seqGt(load<u32>(p), seq)) { store<u32>(p, meta(tick, (load<u32>(p, 4) & SB_SACKED) | SB_RETRANS), 4); break; }
  }
  return false;
}

/** The cumulative ACK reached `ack` (called before SND.UNA moves): drops the extents below it. */
// @ts-ignore: decorator
@inline export function sbAcked(c: Conn, ack: u32): void {
  let n = <i32>c.sbCount;
  let k = 0;
  while (k < n && !seqGt(sbEnd(c, k), ack)) k++;
  if (k == 0) return;
  // All acknowledged (the common case): nothing to move. Without a pool slot all n are in the record.
  if (k < n) {
    if (c.sbSlot == 0) memory.copy(inRecord(c, 0), inRecord(c, k), <usize>(n - k) << 3);
    else for (let j = 0; j < n - k; j++) put(c, j, sbEnd(c, k + j), sbMeta(c, k + j));
  }
  c.sbCount = <u8>(n - k);
  sbRelease(c);
}

/**
 * Marks [l, r) SACKed (RFC 6675 §4 update). Returns false when the block was not recorded (no
 * room; the data then simply counts as in flight).
 */
export function sbSack(c: Conn, l: u32, r: u32): bool {
  l = seqMax(l, c.sndUna);
  r = seqMin(r, sbHigh(c));
  if (!seqLt(l, r)) return true;
  sLoad(c);
  sSplit(c, l);
  sSplit(c, r);
  for (let i = 0; i < sn; i++) {
    if (!seqLt(sStart(c, i), l) && !seqGt(sE(i), r)) sPut(i, sE(i), (sM(i) & ~SB_LOST) | SB_SACKED);
  }
  return sStore(c);
}

/** Records what went out unrecorded up to SND.MAX (a FIN sent before our SYN was acknowledged) as just sent. */
export function sbCover(c: Conn): void {
  let high = sbHigh(c);
  if (seqLt(high, c.sndMax)) sbSentAny(c, high, c.sndMax, tickNow());
}

/**
 * Marks the first `len` bytes at SND.UNA lost (NewReno's and RFC 6675's first retransmission);
 * the whole first extent when it cannot be split.
 */
export function sbLoseHead(c: Conn, len: u32): void {
  if (c.sbCount == 0) return;
  let r = seqMin(c.sndUna + len, sbEnd(c, 0));
  sLoad(c);
  sSplit(c, r);
  sPut(0, sE(0), (sM(0) & ~SB_SACKED) | SB_LOST);
  if (!sStore(c)) sbMarkLost(c, 0);
}

/** Marks extent `i` lost (whole extents only, so this always fits). */
export function sbMarkLost(c: Conn, i: i32): void {
  let p = slot(c, i);
  store<u32>(p, load<u32>(p, 4) | SB_LOST, 4);
}

/** Merges neighbours that became equal after sbMarkLost calls. */
export function sbTidy(c: Conn): void {
  sLoad(c);
  sStore(c);
}

/**
 * Retransmission timeout (RFC 6675 §5.1, Linux tcp_timeout_mark_lost): everything not SACKed is
 * lost. When the peer SACKed data at SND.UNA it took back what it had reported (reneging,
 * RFC 2018 §8): all SACK marks are forgotten then.
 */
export function sbTimeout(c: Conn): void {
  let n = <i32>c.sbCount;
  let reneged = n > 0 && (sbMeta(c, 0) & SB_SACKED) != 0;
  for (let i = 0; i < n; i++) {
    let p = slot(c, i);
    let m = load<u32>(p, 4);
    if (reneged) m &= ~SB_SACKED;
    if (!(m & SB_SACKED)) m |= SB_LOST;
    store<u32>(p, m, 4);
  }
  sbTidy(c);
}

// ---------------------------------------------------------------- queries

/**
 * Whether the scoreboard is a flight simply sent: 1 to SB_INLINE extents (all in the record), the
 * last ending at `high`, none SACKed, lost or resent.
 */
// @ts-ignore: decorator
@inline export function sbPlainTo(c: Conn, high: u32): bool {
  let n = <i32>c.sbCount;
  if (n == 0 || n > SB_INLINE || sbRecordEnd(c, n - 1) != high) return false;
  for (let i = 0; i < n; i++) if (sbRecordMeta(c, i) & STATE) return false;
  return true;
}

/** Bytes of the extents whose state bits masked by `mask` equal `want`. */
function bytesWith(c: Conn, mask: u32, want: u32): u32 {
  let n = <i32>c.sbCount;
  let bytes: u32 = 0;
  let from = c.sndUna;
  for (let i = 0; i < n; i++) {
    let e = sbEnd(c, i);
    if ((sbMeta(c, i) & mask) == want) bytes += <u32>seqDiff(e, from);
    from = e;
  }
  return bytes;
}

/** RFC 6675 SetPipe: bytes in flight (sent, neither SACKed nor lost; a resent extent counts once). */
export function sbPipe(c: Conn): u32 {
  return bytesWith(c, SB_SACKED | SB_LOST, 0);
}

/** Bytes the scoreboard holds SACKed. */
export function sbSackedBytes(c: Conn): u32 {
  return bytesWith(c, SB_SACKED, SB_SACKED);
}

/** Highest sequence number SACKed (RFC 8985 RACK.fack without the cumulative part), or SND.UNA. */
export function sbHighSacked(c: Conn): u32 {
  for (let i = <i32>c.sbCount - 1; i >= 0; i--) if (sbMeta(c, i) & SB_SACKED) return sbEnd(c, i);
  return c.sndUna;
}

/** Index of the lowest lost extent (RFC 6675 NextSeg rule 1), or −1. */
export function sbFirstLost(c: Conn): i32 {
  let n = <i32>c.sbCount;
  for (let i = 0; i < n; i++) if (sbMeta(c, i) & SB_LOST) return i;
  return -1;
}

/** Whether any extent has one of the state bits in `mask`. */
export function sbAny(c: Conn, mask: u32): bool {
  let n = <i32>c.sbCount;
  for (let i = 0; i < n; i++) if (sbMeta(c, i) & mask) return true;
  return false;
}
