// The engine's notion of "now": set by every entry point from the host's `now` (ms). Never a real clock.
import { Conn } from './conn';
import { cfgTsTickMs } from '../config';

/** Time of the call being processed, in ms. */
export let nowMs: f64 = 0;
/** nowMs in eighths of a ms, modulo 2^32 (the scoreboard's tick clock), worked out once per new time. */
export let nowEighths: u32 = 0;
/** The timestamp clock at nowMs (RFC 7323 §5.4), worked out once per new time rather than per segment. */
let tsClock: u32 = 0;

/** Records the host's time for this call (never moves backwards). */
export function setNow(now: f64): void {
  if (now > nowMs) {
    nowMs = now;
    nowEighths = <u32>(<u64>(now * 8.0));
    tsClockUpdate();
  }
}

/** The 16-bit 8 ms tick (64 eighths: floor(floor(8t)/64) = floor(t/8)) the per-connection tick stamps use; never 0, which means "never". */
// @ts-ignore: decorator
@inline export function tick8ms(): u32 {
  let t = (nowEighths >> 6) & 0xffff;
  return t == 0 ? 1 : t;
}

/** ms since a stamp taken from nowEighths (exact to 1/8 ms; intervals up to 2^32 eighths, 6.2 days). */
// @ts-ignore: decorator
@inline export function msSince(stamp: u32): f64 {
  return <f64>(nowEighths - stamp) * 0.125;
}

/** Recomputes the timestamp clock (the time or the tick length changed). */
export function tsClockUpdate(): void {
  tsClock = <u32>(<u64>(nowMs / cfgTsTickMs));
}

/** Our current timestamp value for `c` (RFC 7323 §5.4: a clock tick plus the connection's offset). */
// @ts-ignore: decorator
@inline export function tsValNow(c: Conn): u32 {
  return tsClock + c.tsOffset;
}
