// Two WASM stacks over a DirectLink on one virtual clock: the setup every in-memory benchmark uses.
import { VirtualClock } from '../src/clock/virtual.js';
import type { EngineConfig } from '../src/engine/engine.js';
import { DirectLink } from '../src/link/direct.js';
import { Stack } from '../src/stack.js';

/** Stacks 10.0.0.1 and 10.0.0.2 with `config`, linked, transitions not recorded. */
export function benchPair(config: Partial<EngineConfig>) {
  const clock = new VirtualClock({ maxEventsPerInstant: Number.MAX_SAFE_INTEGER });
  const a = new Stack({ address: '10.0.0.1', clock, config, recordTransitions: false });
  const b = new Stack({ address: '10.0.0.2', clock, config, recordTransitions: false });
  DirectLink.connect(a, b);
  return { clock, a, b };
}

/** Runs the clock until `done()`; a run that runs out of events first is an error. */
export function runUntil(clock: VirtualClock, done: () => boolean): void {
  if (!clock.runUntil(done, { maxEvents: Number.MAX_SAFE_INTEGER })) throw new Error('bench: a WASM run stalled');
}
