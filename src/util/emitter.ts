// A tiny browser-safe event emitter (the core must not import node:events).

/** Any listener function. */
export type Listener = (...args: any[]) => void;

/** What an event's slot holds: its one listener, or an array of two or more (never empty). */
type Slot = Listener | Listener[];

/** True if `l` is `fn` or a `once` wrapper around it. */
function isFor(l: Listener, fn: Listener): boolean {
  return l === fn || (l as { inner?: Listener }).inner === fn;
}

/** Minimal EventEmitter: on/once/off/emit, listenerCount; listeners run synchronously in order. */
export class Emitter {
  /**
   * Listeners as [event, slot, event, slot, …], searched in order: one small array per emitter,
   * cheaper to make and to search than an object keyed by event for the few events an emitter has
   * (sockets come and go by the thousand, with three or four events each). A slot holds its event's
   * one listener, or an array of two or more; a removed event keeps its pair (slot undefined) for
   * when it comes back.
   */
  private events: (string | Slot | undefined)[] | undefined;

  /** The listeners of `event`, if any. */
  private slot(event: string): Slot | undefined {
    const ev = this.events;
    if (ev === undefined) return undefined;
    for (let i = 0; i < ev.length; i += 2) if (ev[i] === event) return ev[i + 1] as Slot | undefined;
    return undefined;
  }

  private setSlot(event: string, slot: Slot | undefined): void {
    const ev = this.events;
    if (ev !== undefined) {
      for (let i = 0; i < ev.length; i += 2) {
        if (ev[i] === event) {
          ev[i + 1] = slot;
          return;
        }
      }
    }
    if (slot === undefined) return;
    if (ev === undefined) this.events = [event, slot];
    else ev.push(event, slot);
  }

  /** Adds `fn` for `event`; returns this. */
  on(event: string, fn: Listener): this {
    const slot = this.slot(event);
    if (slot === undefined) this.setSlot(event, fn);
    else if (typeof slot === 'function') this.setSlot(event, [slot, fn]);
    else slot.push(fn);
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
    const slot = this.slot(event);
    if (slot === undefined) return this;
    if (typeof slot === 'function') {
      if (isFor(slot, fn)) this.setSlot(event, undefined);
      return this;
    }
    const i = slot.findIndex((l) => isFor(l, fn));
    if (i >= 0) {
      // A new array (an emit in progress keeps iterating the old one); one listener left goes bare.
      const copy = slot.slice();
      copy.splice(i, 1);
      this.setSlot(event, copy.length === 1 ? copy[0] : copy);
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
    else this.setSlot(event, undefined);
    return this;
  }

  /** Number of listeners registered for `event`. */
  listenerCount(event: string): number {
    const slot = this.slot(event);
    return slot === undefined ? 0 : typeof slot === 'function' ? 1 : slot.length;
  }

  /** Calls every listener of `event` with `args`; returns whether there was one. An unhandled 'error' throws. */
  emit(event: string, ...args: any[]): boolean;
  emit(event: string, a?: unknown, b?: unknown): boolean {
    const slot = this.slot(event);
    if (slot === undefined) {
      if (event === 'error') throw a instanceof Error ? a : new Error(String(a));
      return false;
    }
    // Up to two arguments go without an arguments array (every event of the core has at most two);
    // each listener gets exactly as many arguments as emit() did.
    const n = arguments.length;
    let list: Listener[];
    let i = 0;
    if (typeof slot === 'function') {
      if (n > 3) slot.apply(this, Array.prototype.slice.call(arguments, 1));
      else if (n === 3) slot.call(this, a, b);
      else if (n === 2) slot.call(this, a);
      else slot.call(this);
      // Listeners it added to this event run now too, as they would have from the array.
      const now = this.slot(event);
      if (now === undefined || typeof now === 'function' || now[0] !== slot) return true;
      list = now;
      i = 1;
    } else list = slot;
    // An array is replaced (never mutated) on off(), so iterating it is safe; on() appends to it.
    if (n > 3) {
      const args = Array.prototype.slice.call(arguments, 1);
      for (; i < list.length; i++) list[i].apply(this, args);
    } else if (n === 3) for (; i < list.length; i++) list[i].call(this, a, b);
    else if (n === 2) for (; i < list.length; i++) list[i].call(this, a);
    else for (; i < list.length; i++) list[i].call(this);
    return true;
  }

  /** Hook for subclasses (e.g. a socket starts flowing when a 'data' listener is added). */
  protected onListenerAdded(_event: string): void {}
}
