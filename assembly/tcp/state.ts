// Connection states (RFC 9293 §3.3.2) and the one function that changes them.
import { Ev, S } from '../abi';
import { Conn } from './conn';
import { connIndex } from '../memory';
import { emit } from './events';

/** The only writer of `conn.state`: records (conn, from, to) as a State event (the host stamps the time). */
export function setState(c: Conn, to: S): void {
  let from = <i32>c.state;
  if (from == <i32>to) return;
  c.state = <u8>to;
  emit(Ev.State, connIndex(c), (from << 8) | <i32>to);
}

/** Sets the state of a freshly allocated record without an event (it had no previous state). */
export function stateInit(c: Conn, st: S): void {
  c.state = <u8>st;
}
