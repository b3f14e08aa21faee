// A tiny browser-safe event emitter (the core must not import node:events).

/** Any listener function. */
export type Listener = (...args: any[]) => void;

/** True if `l` is `fn` or a `once` wrapper around it. */
function isFor(l: Listener, fn: Listener): boolean {
  return l === fn || (l as { inner?: Listener }).inner === fn;
}

/** The listeners of one event as registered: one function (a bare list), or an array of them. */
type List = Listener | Listener[];

/** Slots of `Emitter.events`: event names and their lists. */
type Slot = string | List | undefined;

/**
 * Emits of a bare list in progress, innermost last (every emitter's: a listener may emit on
 * another): the events array and index of the list, and the array it grew into while its
 * listener ran, if it did. A listener's on() that grows a bare list into an array records it
 * here, so that emit goes on with the rest of that array; an on() that starts a new bare list
 * (after an off() took the old one) closes the watches of the old one that had not grown.
 */
const watchEvents: (Slot[] | undefined)[] = [];
const watchAt: number[] = [];
const watchGrown: (Listener[] | undefined)[] = [];
let watchDepth = 0;

/** Runs bare list `fn` (slot `i` of `ev`) with `n` arguments (−1: `a` is the arguments array); the array it grew into meanwhile, if it did. */
function runBare(self: Emitter, ev: Slot[], i: number, fn: Listener, n: number, a: unknown, b: unknown): Listener[] | undefined {
  const d = watchDepth++;
  watchEvents[d] = ev;
  watchAt[d] = i;
  watchGrown[d] = undefined;
  try {
    if (n === 3) fn.call(self, a, b);
    else if (n === 2) fn.call(self, a);
    else if (n === 1) fn.call(self);
    else fn.apply(self, a as unknown[]);
  } finally {
    watchDepth = d;
    watchEvents[d] = undefined;
  }
  const grown = watchGrown[d];
  watchGrown[d] = undefined;
  return grown;
}

/** Minimal EventEmitter: on/once/off/emit, listenerCount; listeners run synchronously in order. */
export class Emitter {
  /**
   * Listener lists as [event, list, event, list, …], searched in order: one small array per
   * emitter, made at the first on() with room for three events, so that a socket with one listener
   * on each of three events (a churn client) costs this one array (96 B) and nothing more (an
   * array per event and two growths of this one were ~400 B). Events fill a prefix; a removed
   * event keeps its pair (list undefined) for when it comes back.
   *
   * A list is one function while the event has one listener, else an array, which is never
   * mutated but by on() (an append) and is replaced (copied) by off(). An emit runs the list it
   * started with, including what on() appends to it: the rules of an array per event, which a
   * bare list keeps through the watches above (a bare list that grows is the same list).
   */
  private events: Slot[] | undefined;

  /** The index of `event`'s pair in `events`, −1 when it has none. */
  private find(event: string): number {
    const ev = this.events;
    if (ev === undefined) return -1;
    for (let i = 0; i < ev.length; i += 2) {
      const k = ev[i];
      if (k === event) return i;
      if (k === undefined) return -1; // events fill a prefix
    }
    return -1;
  }

  /** The list of `event`, if any. */
  private list(event: string): List | undefined {
    const i = this.find(event);
    return i < 0 ? undefined : (this.events![i + 1] as List | undefined);
  }

  /** Gives `event` a new list (a function: a new bare list), or none. */
  private setList(event: string, list: List | undefined): void {
    let ev = this.events;
    let i = this.find(event);
    if (i < 0) {
      if (list === undefined) return;
      if (ev === undefined) {
        this.events = [event, list, undefined, undefined, undefined, undefined];
        return;
      }
      for (i = 0; i < ev.length && ev[i] !== undefined; i += 2);
      if (i < ev.length) ev[i] = event;
      else ev.push(event, undefined);
    }
    ev = ev!;
    if (typeof list === 'function') {
      // A new bare list: emits watching the old one (gone, not grown) must not take its growth.
      for (let d = 0; d < watchDepth; d++) {
        if (watchEvents[d] === ev && watchAt[d] === i && watchGrown[d] === undefined) watchEvents[d] = undefined;
      }
    }
    ev[i + 1] = list;
  }

  /** Adds `fn` for `event`; returns this. */
  on(event: string, fn: Listener): this {
    const i = this.find(event);
    const ev = this.events;
    const list = i < 0 ? undefined : (ev![i + 1] as List | undefined);
    if (list === undefined) this.setList(event, fn);
    else if (typeof list === 'function') {
      // The bare list grows into an array (the same list): an emit running it goes on with this one.
      const grown = [list, fn];
      ev![i + 1] = grown;
      for (let d = 0; d < watchDepth; d++) {
        if (watchEvents[d] === ev && watchAt[d] === i && watchGrown[d] === undefined) watchGrown[d] = grown;
      }
    } else list.push(fn);
    this.onListenerAdded(event);
    return this;
  }

  /** Alias of `on`. */
  addListener(event: string, fn: Listener): this {
    return this.on(event, fn);
  }

  /** Adds `fn` for the next `event` only; returns this. */
  once(event: string, fn: Listener): this {
    const wrapper: Listener & { inner?: Listener } = (...args: any[]) => {
      this.off(event, wrapper);
      fn.apply(this, args);
    };
    wrapper.inner = fn;
    return this.on(event, wrapper);
  }

  /** Removes one registration of `fn` (or of a `once` wrapper around it); returns this. */
  off(event: string, fn: Listener): this {
    const list = this.list(event);
    if (list === undefined) return this;
    if (typeof list === 'function') {
      if (isFor(list, fn)) this.setList(event, undefined);
      return this;
    }
    if (list.length === 1 && isFor(list[0], fn)) {
      this.setList(event, undefined);
      return this;
    }
    const i = list.findIndex((l) => isFor(l, fn));
    if (i >= 0) {
      const copy = list.slice();
      copy.splice(i, 1);
      this.setList(event, copy.length ? copy : undefined);
    }
    return this;
  }

  /** Alias of `off`. */
  removeListener(event: string, fn: Listener): this {
    return this.off(event, fn);
  }

  /** Removes every listener of `event`, or of all events. */
  removeAllListeners(event?: string): this {
    if (event === undefined) this.events = undefined;
    else this.setList(event, undefined);
    return this;
  }

  /** Number of listeners registered for `event`. */
  listenerCount(event: string): number {
    const list = this.list(event);
    return list === undefined ? 0 : typeof list === 'function' ? 1 : list.length;
  }

  /** Calls every listener of `event` with `args`; returns whether there was one. An unhandled 'error' throws. */
  emit(event: string, ...args: any[]): boolean;
  emit(event: string, a?: unknown, b?: unknown): boolean {
    const i = this.find(event);
    const first = i < 0 ? undefined : (this.events![i + 1] as List | undefined);
    if (first === undefined) {
      if (event === 'error') throw a instanceof Error ? a : new Error(String(a));
      return false;
    }
    const n = arguments.length;
    if (n > 3) return this.emitArgs(i, first, Array.prototype.slice.call(arguments, 1));
    let list: Listener[];
    let from = 0;
    if (typeof first === 'function') {
      const grown = runBare(this, this.events!, i, first, n, a, b);
      if (grown === undefined) return true;
      list = grown;
      from = 1;
    } else list = first;
    if (n === 3) for (let j = from; j < list.length; j++) list[j].call(this, a, b);
    else if (n === 2) for (let j = from; j < list.length; j++) list[j].call(this, a);
    else for (let j = from; j < list.length; j++) list[j].call(this);
    return true;
  }

  private emitArgs(i: number, first: List, args: unknown[]): boolean {
    let list: Listener[];
    let from = 0;
    if (typeof first === 'function') {
      const grown = runBare(this, this.events!, i, first, -1, args, undefined);
      if (grown === undefined) return true;
      list = grown;
      from = 1;
    } else list = first;
    for (let j = from; j < list.length; j++) list[j].apply(this, args);
    return true;
  }

  /** Hook for subclasses (e.g. a socket starts flowing when a 'data' listener is added). */
  protected onListenerAdded(_event: string): void {}
}
