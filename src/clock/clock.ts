// The clock interface shared by the virtual and the real clock: the only place the host reads time.
import { DeadlineHeap, type HeapItem } from '../util/heap.js';

/** A re-armable timer owned by a clock: calls its function once when the armed deadline is reached. */
export interface ClockTimer {
  /** The armed deadline in ms, or Infinity when disarmed. */
  readonly deadline: number;
  /** Arms (or moves) the timer to fire at `deadline` ms; Infinity or NaN disarms it. */
  arm(deadline: number): void;
  /** Disarms the timer. */
  disarm(): void;
  /** Whether an armed timer keeps a Node process alive (RealClock only; default true). */
  setRef(on: boolean): void;
}

/** Time source and timer service used by stacks and networks. */
export interface Clock {
  /** Current time in milliseconds (never decreasing). */
  now(): number;
  /** Creates a disarmed re-armable timer that calls `fn(now)` when it fires. */
  timer(fn: (now: number) => void): ClockTimer;
  /** One-shot: calls `fn(now)` at `deadline`; cancel with `cancel()` or `timer.disarm()`. */
  schedule(deadline: number, fn: (now: number) => void): ClockTimer;
  /** Cancels a timer made by `schedule()` or `timer()`. */
  cancel(timer: ClockTimer): void;
  /**
   * One more (true) or one less (false) open handle that keeps a Node process alive even with no
   * timer armed (a ref'd socket or listening server). RealClock only; optional.
   */
  hold?(on: boolean): void;
  /**
   * Optional: counts one event that runs inline, inside the current one (a zero-delay hop that would
   * otherwise be a timer at this instant), against the same livelock guard and event count; returns
   * true when the clock allows it (VirtualClock). Without it every hop is a timer event (RealClock:
   * wall time and the event loop get their turn).
   */
  inlineEvent?(): boolean;
}

/** Timer record kept in the clock's heap. */
export class Timer implements ClockTimer, HeapItem {
  deadline = Infinity;
  seq = 0;
  heapIndex = -1;
  ref = true;

  constructor(
    private readonly owner: TimerQueue,
    readonly fn: (now: number) => void,
  ) {}

  arm(deadline: number): void {
    if (!(deadline < Infinity)) return this.disarm();
    if (deadline === this.deadline && this.heapIndex >= 0) return;
    if (this.heapIndex < 0 && this.ref) this.owner.refs++;
    this.deadline = deadline;
    this.seq = this.owner.nextSeq++;
    this.owner.heap.update(this);
    this.owner.changed();
  }

  disarm(): void {
    if (this.heapIndex < 0) {
      this.deadline = Infinity;
      return;
    }
    this.owner.take(this);
    this.owner.changed();
  }

  setRef(on: boolean): void {
    if (this.ref === on) return;
    this.ref = on;
    if (this.heapIndex >= 0) {
      this.owner.refs += on ? 1 : -1;
      this.owner.changed();
    }
  }
}

/** Common base of both clocks: a heap of armed timers ordered by (deadline, arm order). */
export abstract class TimerQueue implements Clock {
  /** Armed timers; exposed to `Timer` only. */
  readonly heap = new DeadlineHeap<Timer>();
  /** Arm counter: ties between equal deadlines fire in arm order, which keeps runs deterministic. */
  nextSeq = 0;
  /** Number of armed timers that keep a process alive. */
  refs = 0;

  abstract now(): number;

  /** Removes `t` from the heap and marks it disarmed. */
  take(t: Timer): void {
    if (t.heapIndex < 0) return;
    this.heap.remove(t);
    if (t.ref) this.refs--;
    t.deadline = Infinity;
  }

  /** Called whenever the set of armed timers changed. */
  changed(): void {}

  timer(fn: (now: number) => void): ClockTimer {
    return new Timer(this, fn);
  }

  schedule(deadline: number, fn: (now: number) => void): ClockTimer {
    const t = new Timer(this, fn);
    t.arm(deadline);
    return t;
  }

  cancel(timer: ClockTimer): void {
    timer.disarm();
  }

  /** Deadline of the earliest armed timer, or Infinity. */
  nextDeadline(): number {
    return this.heap.peek()?.deadline ?? Infinity;
  }

  /** Number of armed timers. */
  get pending(): number {
    return this.heap.size;
  }
}
