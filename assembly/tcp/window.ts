// Sizes derived from a connection record and the config: segment payload sizes, the receive space and the
// window we advertise (RFC 9293 §3.8.6.2.2, RFC 7323 §2).
import { F } from '../abi';
import { Conn } from './conn';
import { dsackPending } from './ooopool';
import { seqDiff } from './seq';
import { cfgRecvBufferSize, cfgWindowScale } from '../config';

/** The most option bytes effMss takes off the send MSS: timestamps (12) and three SACK blocks (4 + 24). */
export const EFF_MSS_CUT_MAX: i32 = 40;

/** Bytes of payload a data segment may carry: the send MSS less the options it carries (RFC 9293 §3.7.1). */
export function effMss(c: Conn): i32 {
  let m = <i32>c.sndMss;
  if (c.flags & F.TS) m -= 12;
  let blocks = <i32>c.oooCount + (dsackPending(c) ? 1 : 0);
  if ((c.flags & F.SACK) && blocks > 0) m -= 4 + 8 * min<i32>(blocks, c.flags & F.TS ? 3 : 4);
  return m > 1 ? m : 1;
}

/** Payload bytes of a full segment, as Linux's TCP_MAXSEG reports it: the send MSS less the timestamps option. */
export function segmentMss(c: Conn): i32 {
  return <i32>c.sndMss - (c.flags & F.TS ? 12 : 0);
}

/** The receive window we last advertised, counted from rcvNxt (0 once rcvNxt reached its right edge). */
export function advertisedWindow(c: Conn): u32 {
  return windowLeft(c.rcvAdv, c.rcvNxt);
}

/** What is left of a window advertised up to `rcvAdv`, counted from `rcvNxt` (never negative). */
// @ts-ignore: decorator
@inline function windowLeft(rcvAdv: u32, rcvNxt: u32): u32 {
  let w = seqDiff(rcvAdv, rcvNxt);
  return w > 0 ? <u32>w : 0;
}

/** Free bytes of the receive ring past rcvNxt: the most we can accept. */
export function rcvSpace(c: Conn): u32 {
  return <u32>cfgRecvBufferSize - c.rcvBufLen;
}

/** The window shift we offer (RFC 7323 §2.3): configured, or the smallest that covers the receive buffer. */
export function ourWscale(): u8 {
  if (cfgWindowScale >= 0) return <u8>cfgWindowScale;
  let s = 0;
  while ((cfgRecvBufferSize >> s) > 65535 && s < 14) s++;
  return <u8>s;
}

/**
 * Window to advertise, in bytes, with receiver-side SWS avoidance (RFC 9293 §3.8.6.2.2): the right edge
 * moves only by at least min(buffer/2, MSS), and never moves left.
 */
// @ts-ignore: decorator
@inline export function windowToAdvertise(c: Conn): u32 {
  return windowFrom(c, rcvSpace(c), c.rcvNxt, <u32>c.rcvWscale);
}

/** windowToAdvertise from the receive space, rcvNxt and our window shift the caller has loaded already. */
// @ts-ignore: decorator
@inline export function windowFrom(c: Conn, free: u32, rcvNxt: u32, wscale: u32): u32 {
  let curU = windowLeft(c.rcvAdv, rcvNxt);
  let step = min<u32>(<u32>cfgRecvBufferSize >> 1, <u32>c.rcvMss);
  let wnd = free >= curU + step ? free : curU;
  if (wnd > free) wnd = free;
  let maxWnd = maxWindowFor(c, wscale);
  if (wnd > maxWnd) wnd = maxWnd;
  return wnd;
}

/** The largest window we can ever advertise: the receive buffer, up to what the window field and our scale carry (Linux window_clamp). */
// @ts-ignore: decorator
@inline export function maxWindow(c: Conn): u32 {
  return maxWindowFor(c, <u32>c.rcvWscale);
}

/** maxWindow with our window shift already loaded. */
// @ts-ignore: decorator
@inline function maxWindowFor(c: Conn, wscale: u32): u32 {
  let field: u32 = c.flags & F.WS ? <u32>65535 << wscale : 65535;
  return min<u32>(field, <u32>cfgRecvBufferSize);
}

/** Window of a SYN or SYN-ACK: never scaled (RFC 7323 §2.2), rounded down to whole MSS (Linux: 64240 for 1460). */
export function synWindow(c: Conn, wnd: u32): u32 {
  let w = min<u32>(wnd, 65535);
  let mss = <u32>c.rcvMss;
  if (w > mss) w -= w % mss;
  return w;
}
