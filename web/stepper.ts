// Step mode for scenarios: the scenario's world is set up as runScenario() does, then its virtual
// clock is advanced one event at a time. Thin adapter: scenarios.ts has no "prepare without running"
// export, so World.prototype.run is intercepted while runScenario() sets the world up.
import { World, runScenario, type Recording } from '../src/browser.js';

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

/** The World internal the adapter reads (a TypeScript-private field, present at run time). */
type RecorderInside = { recorder?: { finish(o: unknown, endMs: number): Recording } };

/** Sets up scenario `name` without running it. */
export function stepScenario(name: string, opts: { seed?: number; loss?: number }): SteppedScenario {
  const run = World.prototype.run;
  const caught: World[] = [];
  World.prototype.run = function (this: World): Recording {
    caught.push(this);
    return undefined as unknown as Recording;
  };
  try {
    runScenario(name, opts);
  } finally {
    World.prototype.run = run;
  }
  const w = caught[0];
  const recorder = (w as unknown as RecorderInside | undefined)?.recorder;
  if (!w || typeof recorder?.finish !== 'function') throw new Error('step mode: cannot reach the scenario world (scenario API changed?)');
  let final: Recording | undefined;
  return {
    step() {
      if (final) return false;
      if (w.clock.step()) return true;
      final = run.call(w);
      return false;
    },
    finish() {
      final ??= run.call(w);
      return final;
    },
    snapshot() {
      return final ?? recorder.finish({ client: w.client.outcome(), server: w.server.outcome() }, w.clock.now());
    },
    now: () => w.clock.now(),
    events: () => w.clock.events,
    next: () => w.clock.nextDeadline(),
    get done() {
      return final !== undefined;
    },
  };
}
