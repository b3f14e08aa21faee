// A tiny browser-safe event emitter (the core must not import node:events).

/** Any listener function. */
export type Listener = (...args: any[]) => void;

/** Minimal EventEmitter: on/once/off/emit, listenerCount; listeners run synchronously in order. */
export class Emitter {
  private listeners: Map<string, Listener[]> | undefined;

  /** Adds `fn` for `event`; returns this. */
  on(event: string, fn: Listener): this {
    this.listeners ??= new Map();
    const list = this.listeners.get(event);
    if (list) list.push(fn);
    else this.listeners.set(event, [fn]);
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
    const list = this.listeners?.get(event);
    if (!list) return this;
    if (list.length === 1 && (list[0] === fn || (list[0] as { inner?: Listener }).inner === fn)) {
      this.listeners!.delete(event);
      return this;
    }
    const i = list.findIndex((l) => l === fn || (l as { inner?: Listener }).inner === fn);
    if (i >= 0) {
      const copy = list.slice();
      copy.splice(i, 1);
      if (copy.length) this.listeners!.set(event, copy);
      else this.listeners!.delete(event);
    }
    return this;
  }

  /** Alias of `off`. */
  removeListener(event: string, fn: Listener): this {
    return this.off(event, fn);
  }

  /** Removes every listener of `event`, or of all events. */
  removeAllListeners(event?: string): this {
    if (event === undefined) this.listeners?.clear();
    else this.listeners?.delete(event);
    return this;
  }

  /** Number of listeners registered for `event`. */
  listenerCount(event: string): number {
    return this.listeners?.get(event)?.length ?? 0;
  }

  /** Calls every listener of `event` with `args`; returns whether there was one. An unhandled 'error' throws. */
  emit(event: string, ...args: any[]): boolean {
    const list = this.listeners?.get(event);
    if (!list || list.length === 0) {
      if (event === 'error') throw args[0] instanceof Error ? args[0] : new Error(String(args[0]));
      return false;
    }
    // The array is replaced (never mutated) on off(), so iterating it is safe.
    for (let i = 0; i < list.length; i++) list[i].apply(this, args);
    return true;
  }

  /** Hook for subclasses (e.g. a socket starts flowing when a 'data' listener is added). */
  protected onListenerAdded(_event: string): void {}
}
