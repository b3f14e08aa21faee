// Real clock: wall time from performance.now(), one host timer armed at the earliest deadline.
import { TimerQueue } from './clock.js';

type Handle = { unref?(): unknown; ref?(): unknown } | number;

const g = globalThis as unknown as {
  setImmediate?: (fn: () => void) => unknown;
  performance: { now(): number };
};

/** Most timer callbacks run back to back before yielding to the event loop. */
const BATCH = 1000;

/** Clock backed by wall time; due timers run from one setTimeout (or setImmediate) at a time. */
export class RealClock extends TimerQueue {
  private hostDeadline = Infinity;
  private hostHandle: Handle | undefined;
  private immediatePending = false;
  private firing = false;
  private holds = 0;
  private holdHandle: unknown;
  /** globalThis.performance, read once: in Node it is an accessor on the global (a generic load IC per read). */
  private readonly perf = g.performance;

  now(): number {
    return this.perf.now();
  }

  /** While some handle holds it, one ref'd idle interval keeps a Node process alive (as an open socket does). */
  hold(on: boolean): void {
    this.holds = Math.max(0, this.holds + (on ? 1 : -1));
    if (this.holds > 0 && this.holdHandle === undefined) this.holdHandle = setInterval(() => {}, 0x7fffffff);
    else if (this.holds === 0 && this.holdHandle !== undefined) {
      clearInterval(this.holdHandle as ReturnType<typeof setInterval>);
      this.holdHandle = undefined;
    }
  }

  override changed(): void {
    if (!this.firing) this.rearm();
  }

  private rearm(): void {
    const top = this.heap.peek();
    const next = top ? top.deadline : Infinity;
    const delay = next - this.now();
    if (next < Infinity && delay <= 0) {
      this.clearHost();
      if (!this.immediatePending) {
        this.immediatePending = true;
        const run = () => {
          this.immediatePending = false;
          this.fire();
        };
        if (g.setImmediate) g.setImmediate(run);
        else setTimeout(run, 0);
      }
      return;
    }
    if (next === this.hostDeadline && this.hostHandle !== undefined) {
      this.applyRef();
      return;
    }
    this.clearHost();
    if (next === Infinity) return;
    this.hostDeadline = next;
    this.hostHandle = setTimeout(() => {
      this.hostHandle = undefined;
      this.hostDeadline = Infinity;
      this.fire();
    }, Math.min(Math.ceil(delay), 0x7fffffff)) as unknown as Handle;
    this.applyRef();
  }

  private applyRef(): void {
    const h = this.hostHandle;
    if (typeof h !== 'object' || !h) return;
    // Keep the process alive only while some armed timer asks for it (e.g. an open socket).
    if (this.refs > 0) h.ref?.();
    else h.unref?.();
  }

  private clearHost(): void {
    if (this.hostHandle !== undefined) clearTimeout(this.hostHandle as any);
    this.hostHandle = undefined;
    this.hostDeadline = Infinity;
  }

  private fire(): void {
    this.firing = true;
    try {
      for (let n = 0; n < BATCH; n++) {
        const top = this.heap.peek();
        const now = this.now();
        if (!top || top.deadline > now) break;
        this.take(top);
        top.fn(now);
      }
    } finally {
      this.firing = false;
      this.rearm();
    }
  }
}
