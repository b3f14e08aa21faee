// Step mode for scenarios: the world is set up as runScenario() does (prepareScenario), then its
// virtual clock is advanced one event at a time.
import { prepareScenario, type Recording } from '../src/browser.js';

/** A scenario paused at virtual time 0, advanced by step(). */
export interface SteppedScenario {
  /** Fires one clock event; returns false when nothing is left (the run is then finished). */
  step(): boolean;
  /** Runs to the end exactly as runScenario() would and returns the final recording. */
  finish(): Recording;
  /** The run so far (outcome fields show the current states). */
  snapshot(): Recording;
  /** Virtual time in ms. */
  now(): number;
  /** Clock events fired so far. */
  events(): number;
  /** Deadline of the next event in ms (Infinity when none). */
  next(): number;
  /** True once finish() ran. */
  readonly done: boolean;
}

/** Sets up scenario `name` at virtual time 0 without running it. */
export function stepScenario(name: string, opts: { seed?: number; loss?: number }): SteppedScenario {
  const w = prepareScenario(name, opts);
  let final: Recording | undefined;
  return {
    step() {
      if (final) return false;
      if (w.step()) return true;
      final = w.run();
      return false;
    },
    finish() {
      final ??= w.run();
      return final;
    },
    snapshot() {
      return final ?? w.recording();
    },
    now: () => w.clock.now(),
    events: () => w.clock.events,
    next: () => w.clock.nextDeadline(),
    get done() {
      return final !== undefined;
    },
  };
}
