// Virtual clock: time jumps straight to the next deadline, so simulations run in milliseconds and repeat exactly.
import { TimerQueue, type Timer } from './clock.js';

/** Options of a `VirtualClock`. */
export interface VirtualClockOptions {
  /** Start time in ms (default 0). */
  start?: number;
  /** Livelock guard: most events allowed at one instant before run*() throws (default 5 000 000). */
  maxEventsPerInstant?: number;
}

/** How far a predicate run goes in virtual time when no `timeout` is given: one day. */
export const DEFAULT_RUN_HORIZON_MS = 86_400_000;

/** Options of one `runUntil` call. */
export interface RunOptions {
  /**
   * Give up (return false) once virtual time would pass `now + timeout` ms. Default one day
   * (DEFAULT_RUN_HORIZON_MS), so a predicate that never holds over periodic timers (keepalive)
   * returns instead of spinning; pass Infinity to run until no timer is armed.
   */
  timeout?: number;
  /** Most events this call may fire before it throws (default 50 000 000). */
  maxEvents?: number;
}

/** Deterministic clock advanced explicitly by step()/runUntil()/runFor(). */
export class VirtualClock extends TimerQueue {
  private t: number;
  private readonly maxPerInstant: number;
  private sameInstant = 0;
  /** Total number of events fired so far. */
  events = 0;

  /** Creates a clock at `start` ms (default 0). */
  constructor(opts: VirtualClockOptions = {}) {
    super();
    this.t = opts.start ?? 0;
    this.maxPerInstant = opts.maxEventsPerInstant ?? 5_000_000;
  }

  now(): number {
    return this.t;
  }

  /** Advances to the earliest deadline and fires that one timer; returns false when nothing is armed. */
  step(): boolean {
    const timer = this.heap.peek();
    if (!timer) return false;
    this.fire(timer);
    return true;
  }

  /** Counts an event run inline at this instant (Clock.inlineEvent): the livelock guard sees it as one more. */
  inlineEvent(): boolean {
    if (++this.sameInstant > this.maxPerInstant) {
      this.sameInstant = 0;
      throw livelock(this.maxPerInstant, this.t);
    }
    this.events++;
    return true;
  }

  /** Takes the earliest timer `timer` out of the heap, advances to its deadline and calls it. */
  private fire(timer: Timer): void {
    const deadline = timer.deadline;
    this.take(timer);
    if (deadline > this.t) {
      this.t = deadline;
      this.sameInstant = 0;
    } else if (++this.sameInstant > this.maxPerInstant) {
      this.sameInstant = 0;
      throw livelock(this.maxPerInstant, this.t);
    }
    this.events++;
    timer.fn(this.t);
  }

  /**
   * Runs events until `until` holds: a time in ms (fires everything due up to it, then sets the clock
   * to it; returns true) or a predicate checked before every event (returns false if the events run
   * out or `timeout` passes first).
   */
  runUntil(until: number | (() => boolean), opts: RunOptions = {}): boolean {
    const maxEvents = opts.maxEvents ?? 50_000_000;
    let fired = 0;
    if (typeof until === 'number') {
      if (Number.isNaN(until)) throw new RangeError('VirtualClock.runUntil: time is NaN');
      for (let timer = this.heap.peek(); timer && timer.deadline <= until; timer = this.heap.peek()) {
        if (++fired > maxEvents) throw tooMany(maxEvents);
        this.fire(timer);
      }
      if (until > this.t && until < Infinity) this.t = until;
      return true;
    }
    const timeout = opts.timeout ?? DEFAULT_RUN_HORIZON_MS;
    if (Number.isNaN(timeout)) throw new RangeError('VirtualClock.runUntil: timeout is NaN');
    const limit = this.t + timeout;
    for (;;) {
      if (until()) return true;
      const timer = this.heap.peek(); // one heap look per event (the predicate runs before each)
      if (!timer) return false;
      if (timer.deadline > limit) {
        this.t = Math.max(this.t, limit);
        return false;
      }
      if (++fired > maxEvents) throw tooMany(maxEvents);
      this.fire(timer);
    }
  }

  /** Runs every event due within the next `ms` milliseconds and leaves the clock at now + ms. */
  runFor(ms: number): void {
    this.runUntil(this.t + ms);
  }

  /** Runs until no timer is armed; returns the number of events fired. */
  runAll(opts: RunOptions = {}): number {
    const before = this.events;
    this.runUntil(() => false, opts);
    return this.events - before;
  }
}

function livelock(max: number, t: number): Error {
  return new Error(`VirtualClock: more than ${max} events at t=${t} ms without time advancing (livelock?)`);
}

function tooMany(maxEvents: number): Error {
  return new Error(`VirtualClock: runUntil fired more than ${maxEvents} events`);
}
