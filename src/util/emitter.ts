// A tiny browser-safe event emitter (the core must not import node:events).

/** Any listener function. */
export type Listener = (...args: any[]) => void;

/** True if `l` is `fn` or a `once` wrapper around it. */
function isFor(l: Listener, fn: Listener): boolean {
  return l === fn || (l as { inner?: Listener }).inner === fn;
}

/** Minimal EventEmitter: on/once/off/emit, listenerCount; listeners run synchronously in order. */
export class Emitter {
  /**
   * Listener lists as [event, list, event, list, …], searched in order: one small array per
   * emitter, cheaper to make and to search than an object keyed by event for the few events an
   * emitter has (sockets come and go by the thousand, with three or four events each). A removed
   * event keeps its pair (list undefined) for when it comes back.
   */
  private events: (string | Listener[] | undefined)[] | undefined;

  /** The listeners of `event` (never an empty list), if any. */
  private list(event: string): Listener[] | undefined {
    const ev = this.events;
    if (ev === undefined) return undefined;
    for (let i = 0; i < ev.length; i += 2) if (ev[i] === event) return ev[i + 1] as Listener[] | undefined;
    return undefined;
  }

  private setList(event: string, list: Listener[] | undefined): void {
    const ev = this.events;
    if (ev !== undefined) {
      for (let i = 0; i < ev.length; i += 2) {
        if (ev[i] === event) {
          ev[i + 1] = list;
          return;
        }
      }
    }
    if (list === undefined) return;
    if (ev === undefined) this.events = [event, list];
    else ev.push(event, list);
  }

  /** Adds `fn` for `event`; returns this. */
  on(event: string, fn: Listener): this {
    const list = this.list(event);
    if (list) list.push(fn);
    else this.setList(event, [fn]);
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
    if (!list) return this;
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
    return this.list(event)?.length ?? 0;
  }

  /** Calls every listener of `event` with `args`; returns whether there was one. An unhandled 'error' throws. */
  emit(event: string, ...args: any[]): boolean;
  emit(event: string, a?: unknown, b?: unknown): boolean {
    const list = this.list(event);
    if (!list) {
      if (event === 'error') throw a instanceof Error ? a : new Error(String(a));
      return false;
    }
    // The array is replaced (never mutated) on off(), so iterating it is safe. Up to two arguments
    // go without an arguments array (every event of the core has at most two); each listener gets
    // exactly as many arguments as emit() did.
    const n = arguments.length;
    if (n > 3) {
      const args = Array.prototype.slice.call(arguments, 1);
      for (let i = 0; i < list.length; i++) list[i].apply(this, args);
    } else if (n === 3) for (let i = 0; i < list.length; i++) list[i].call(this, a, b);
    else if (n === 2) for (let i = 0; i < list.length; i++) list[i].call(this, a);
    else for (let i = 0; i < list.length; i++) list[i].call(this);
    return true;
  }

  /** Hook for subclasses (e.g. a socket starts flowing when a 'data' listener is added). */
  protected onListenerAdded(_event: string): void {}
}
