// Sizes derived from a connection record alone: segment payload sizes and the receive window as advertised.
import { F } from '../abi';
import { Conn } from './conn';
import { seqDiff } from './seq';

/** Bytes of payload a data segment may carry: the send MSS less the options it carries (RFC 9293 §3.7.1). */
export function effMss(c: Conn): i32 {
  let m = <i32>c.sndMss;
  if (c.flags & F.TS) m -= 12;
  if ((c.flags & F.SACK) && c.oooCount > 0) m -= 4 + 8 * min<i32>(c.oooCount, c.flags & F.TS ? 3 : 4);
  return m > 1 ? m : 1;
}

/** Payload bytes of a full segment, as Linux's TCP_MAXSEG reports it: the send MSS less the timestamps option. */
export function segmentMss(c: Conn): i32 {
  return <i32>c.sndMss - (c.flags & F.TS ? 12 : 0);
}

/** The receive window we last advertised, counted from rcvNxt (0 once rcvNxt reached its right edge). */
export function advertisedWindow(c: Conn): u32 {
  let w = seqDiff(c.rcvAdv, c.rcvNxt);
  return w > 0 ? <u32>w : 0;
}
