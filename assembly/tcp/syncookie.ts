// SYN cookies (RFC 4987 §3.6, as Linux's net/ipv4/syncookies.c makes them): when a listener cannot
// keep another half-open connection, its SYN-ACK keeps no state and its ISN carries what the
// connection needs: a keyed hash of the 4-tuple and the peer's ISN, a minute counter and the index
// of the peer's MSS. With timestamps, the low 6 bits of our TSval carry the peer's window scale and
// SACK-permitted, and come back in the TSecr of the ACK; without timestamps both are lost (Linux
// then offers neither: the SYN-ACK carries only MSS). A returning ACK with a cookie at most two
// minutes old creates the connection (input.ts cookieInput).
import { F } from '../abi';
import { Conn } from './conn';
import { opts } from '../memory';
import { cfgMss, cfgDefaultMss, cfgTimestamps, cfgSack, cfgWindowScaling, cfgTsRandomOffset } from '../config';
import { segSrc, segDst, segSport, segDport, segSeq, segIf } from './segment';
import { ifAt } from '../net/iface';
import { nowMs, tsValNow } from './clock';
import { seqGt } from './seq';
import { siphash, tsOffsetFor } from './isn';
import { emitSegment } from './output';
import { ourWscale } from './window';
import { TCP_SYN, TCP_ACK } from '../wire/tcp';
import { OPT_SACK } from '../options';

/** Peer MSS values a cookie can say, by 3-bit index (Linux's 536, 1300, 1440, 1460 and a few more). */
const MSS_TABLE: usize = memory.data<u16>([64, 256, 536, 1300, 1440, 1460, 8960, 65495]);
const MSS_COUNT: i32 = 8;
/** Cookie layout: the minute counter in the top 8 bits, hash + MSS index in the low 24. */
const COOKIE_BITS: u32 = 24;
const COOKIE_MASK: u32 = (1 << COOKIE_BITS) - 1;
/** A cookie is good for the minute it was made and the next one (Linux MAX_SYNCOOKIE_AGE). */
const MAX_AGE: u32 = 2;
const MINUTE_MS: f64 = 60000;
/** TSval bits: the peer's window shift (15 = none), SACK-permitted. */
const TS_BITS: u32 = 6;
const TS_WSCALE_MASK: u32 = 15;
const TS_SACK: u32 = 16;

/** A record the stateless SYN-ACK is built from (never in the table, never queued for output). */
const scratch: usize = memory.data(offsetof<Conn>(), 16);
/** When the last cookie went out: ACKs are checked for cookies only within two minutes of it (Linux). */
let lastCookieMs: f64 = -Infinity;

/** The MSS of index `i`. */
export function cookieMss(i: i32): i32 {
  return <i32>load<u16>(MSS_TABLE + (<usize>i << 1));
}

/** The largest table index whose MSS does not exceed `mss`. */
function mssIndex(mss: i32): i32 {
  let i = MSS_COUNT - 1;
  while (i > 0 && cookieMss(i) > mss) i--;
  return i;
}

/** Keyed hash of the current segment's 4-tuple with `count` (which = 0 or 1: Linux's two secrets). */
function tupleMac(count: u32, which: u64): u32 {
  return <u32>siphash((<u64>segSrc << 32) | <u64>segDst,
    (<u64>segSport << 16) | <u64>segDport | (<u64>count << 32) | ((which + 2) << 62));
}

/** The minute counter. */
// @ts-ignore: decorator
@inline function minutes(): u32 { return <u32>(<u64>(nowMs / MINUTE_MS)); }

/** The cookie ISN for the current SYN (peer ISN `irs`) with MSS index `idx`. */
function cookieMake(irs: u32, idx: u32): u32 {
  let count = minutes();
  return tupleMac(0, 0) + irs + (count << COOKIE_BITS) + ((tupleMac(count, 1) + idx) & COOKIE_MASK);
}

/** The MSS index a cookie `iss` for peer ISN `irs` carries, or −1 when it is forged or too old. */
export function cookieCheck(iss: u32, irs: u32): i32 {
  let count = minutes();
  let v = iss - (tupleMac(0, 0) + irs);
  let diff = (count - (v >> COOKIE_BITS)) & (0xffffffff >> COOKIE_BITS);
  if (diff >= MAX_AGE) return -1;
  let idx = (v - tupleMac(count - diff, 1)) & COOKIE_MASK;
  return idx < <u32>MSS_COUNT ? <i32>idx : -1;
}

/** Whether a cookie was sent in the last two minutes (only then can an ACK to a listener carry one). */
export function cookiesRecent(): bool {
  return nowMs - lastCookieMs <= <f64>MAX_AGE * MINUTE_MS;
}

/** The peer's window shift an echoed cookie TSval carries (−1: none or invalid). */
export function cookieWscale(tsEcr: u32): i32 {
  let w = <i32>(tsEcr & TS_WSCALE_MASK);
  return w <= 14 ? w : -1;
}

/** Whether an echoed cookie TSval says the peer offered SACK. */
export function cookieSack(tsEcr: u32): bool {
  return (tsEcr & TS_SACK) != 0;
}

/** Answers the current SYN with a cookie SYN-ACK: <SEQ=cookie><ACK=SEG.SEQ+1><CTL=SYN,ACK>, options as for a kept one. */
export function cookieSynAck(): void {
  let o = opts();
  let c = changetype<Conn>(scratch);
  memory.fill(scratch, 0, offsetof<Conn>());
  c.flags = F.OUTQ; // a SYN-ACK that finds the tx area full is not sent (the peer sends its SYN again)
  c.remoteAddr = segSrc;
  c.remotePort = <u16>segSport;
  c.localPort = <u16>segDport;
  c.ifIndex = <u8>segIf; // out of the interface the SYN came in on, from the address it was sent to
  c.rcvMss = <u16>min<i32>(cfgMss, <i32>ifAt(segIf).mtu - 40);
  c.rcvNxt = segSeq + 1;
  c.rcvAdv = c.rcvNxt;
  let peerMss = o.mss >= 0 ? o.mss : cfgDefaultMss;
  let iss = cookieMake(segSeq, <u32>mssIndex(peerMss));
  if (cfgTimestamps && o.tsPresent) {
    let bits = TS_WSCALE_MASK;
    c.flags |= F.TS;
    c.tsRecent = o.tsVal;
    if (cfgWindowScaling && o.wscale >= 0) {
      c.flags |= F.WS;
      c.rcvWscale = ourWscale();
      bits = <u32>min<i32>(o.wscale, 14);
    }
    if (OPT_SACK && cfgSack && o.sackPermitted) { c.flags |= F.SACK; bits |= TS_SACK; }
    // Our TSval with the bits in its low 6, never ahead of the clock the connection will use.
    let off = tsOffsetFor(segDst, segDport, segSrc, segSport, cfgTsRandomOffset);
    c.tsOffset = off;
    let real = tsValNow(c);
    let v = (real & ~((1 << TS_BITS) - 1)) | bits;
    if (seqGt(v, real)) v -= 1 << TS_BITS;
    c.tsOffset = off - (real - v);
  }
  emitSegment(c, iss, TCP_SYN | TCP_ACK, 0, 0);
  lastCookieMs = nowMs;
}
