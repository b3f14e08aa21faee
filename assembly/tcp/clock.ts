// The engine's notion of "now": set by every entry point from the host's `now` (ms). Never a real clock.

/** Time of the call being processed, in ms. */
export let nowMs: f64 = 0;

/** Records the host's time for this call (never moves backwards). */
export function setNow(now: f64): void {
  if (now > nowMs) nowMs = now;
}
