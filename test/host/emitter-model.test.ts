// The emitter (src/util/emitter.ts) against a model of it with an array per event, as it was before
// an event's one listener was kept without an array: random programs of on/once/off/emit/
// removeAllListeners, where the listeners themselves add, remove and emit while an event is being
// emitted (the cases where a bare listener and a one-element array could differ), must log the
// same calls, return values and listener counts. Deterministic (a fixed PRNG).
import { describe, expect, it } from 'vitest';
import { Emitter, type Listener } from '../../src/util/emitter.js';

/** The array-per-event emitter the rules were written for (on appends; off copies; emit runs the array it started with). */
class ArrayEmitter {
  private lists = new Map<string, Listener[]>();
  on(event: string, fn: Listener): this {
    const l = this.lists.get(event);
    if (l) l.push(fn);
    else this.lists.set(event, [fn]);
    return this;
  }
  once(event: string, fn: Listener): this {
    const wrapper: Listener & { inner?: Listener } = (...args: unknown[]) => {
      this.off(event, wrapper);
      fn.apply(this, args);
    };
    wrapper.inner = fn;
    return this.on(event, wrapper);
  }
  off(event: string, fn: Listener): this {
    const l = this.lists.get(event);
    if (!l) return this;
    const i = l.findIndex((x) => x === fn || (x as { inner?: Listener }).inner === fn);
    if (i < 0) return this;
    const copy = l.slice();
    copy.splice(i, 1);
    if (copy.length) this.lists.set(event, copy);
    else this.lists.delete(event);
    return this;
  }
  removeAllListeners(event?: string): this {
    if (event === undefined) this.lists = new Map();
    else this.lists.delete(event);
    return this;
  }
  listenerCount(event: string): number {
    return this.lists.get(event)?.length ?? 0;
  }
  emit(event: string, ...args: unknown[]): boolean {
    const l = this.lists.get(event);
    if (!l) return false;
    for (let i = 0; i < l.length; i++) l[i].apply(this, args);
    return true;
  }
}

/** What the programs call (both emitters have it). */
interface AnyEmitter {
  on(event: string, fn: Listener): unknown;
  once(event: string, fn: Listener): unknown;
  off(event: string, fn: Listener): unknown;
  removeAllListeners(event?: string): unknown;
  listenerCount(event: string): number;
  emit(event: string, ...args: unknown[]): boolean;
}

/** xorshift32: the same numbers for both emitters. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const EVENTS = ['a', 'b', 'c', 'd', 'e'];

/** Runs program `seed` on `e`; returns its log. */
function run(e: AnyEmitter, seed: number): string[] {
  const log: string[] = [];
  const fns = new Map<number, Listener>();
  let nextId = 0;
  let depth = 0;
  // What listener `id` does on its `k`th call depends only on (seed, id, k).
  const calls = new Map<number, number>();
  const listener = (id: number): Listener => {
    let f = fns.get(id);
    if (f) return f;
    f = (...args: unknown[]) => {
      const k = calls.get(id) ?? 0;
      calls.set(id, k + 1);
      log.push(`${id}(${args.join(',')})`);
      const r = prng((seed * 7919 + id * 104729 + k * 1299709) | 0);
      const steps = r() % 4;
      for (let s = 0; s < steps; s++) act(r, true);
    };
    fns.set(id, f);
    return f;
  };
  const act = (r: () => number, inside: boolean) => {
    const ev = EVENTS[r() % (inside ? 2 : EVENTS.length)]; // inside a listener: mostly the events being emitted
    const op = r() % 12;
    const known = nextId === 0 ? 0 : r() % nextId;
    if (op < 3) e.on(ev, listener(op === 2 && nextId ? known : nextId++));
    else if (op < 5) e.once(ev, listener(op === 4 && nextId ? known : nextId++));
    else if (op < 8) e.off(ev, listener(known));
    else if (op < 11) {
      if (depth < 3) {
        depth++;
        const argc = r() % 4;
        const args = [1, 2, 3].slice(0, argc);
        log.push(`emit ${ev}/${argc} -> ${e.emit(ev, ...args)}`);
        depth--;
      }
    } else if (r() % 4 === 0) e.removeAllListeners();
    else e.removeAllListeners(ev);
    log.push(`counts ${EVENTS.map((x) => e.listenerCount(x)).join('')}`);
  };
  const r = prng(seed);
  for (let step = 0; step < 60; step++) act(r, false);
  return log;
}

describe('Emitter against the array-per-event model', () => {
  it('random_programs_with_listeners_that_add_remove_and_emit_during_an_emit_log_the_same', () => {
    let emits = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const want = run(new ArrayEmitter(), seed);
      const got = run(new Emitter(), seed);
      expect(got, `program ${seed}`).toEqual(want);
      emits += want.filter((l) => l.startsWith('emit')).length;
    }
    expect(emits).toBeGreaterThan(1000); // the programs do emit
  });
});
