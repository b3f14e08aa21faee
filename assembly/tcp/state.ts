// Connection states (RFC 9293 §3.3.2) and the one function that changes them.
import { Ev, S } from '../abi';
import { Conn } from './conn';
import { connIndex } from '../memory';
import { emit } from './events';

/**
 * The only writer of `conn.state`: records (conn, from, to) as a State event (the host stamps the
 * time), `from` being the current state.
 */
export function setState(c: Conn, to: S): void {
  setStateFrom(c, to, <i32>c.state);
}

/** setState reporting `from` as the old state: a listener's child reports LISTEN, the state it is born from (RFC 9293 §3.10.7.2), though its fresh record says CLOSED. */
export function setStateFrom(c: Conn, to: S, from: i32): void {
  if (<i32>c.state == <i32>to) return;
  c.state = <u8>to;
  emit(Ev.State, connIndex(c), (from << 8) | <i32>to);
}
