// The core's event emitter (src/util/emitter.ts): order, once, off, listeners added or removed while an
// event is being emitted, argument counts, and an unhandled 'error'. The same rules whether an event
// has one listener or several.
import { describe, expect, it } from 'vitest';
import { Emitter } from '../../src/util/emitter.js';

describe('Emitter', () => {
  it('calls_listeners_in_order_with_exactly_the_arguments_given', () => {
    const e = new Emitter();
    const seen: unknown[][] = [];
    e.on('x', (...args: unknown[]) => seen.push(['a', ...args]));
    expect(e.emit('x')).toBe(true);
    expect(e.emit('x', 1)).toBe(true);
    e.on('x', (...args: unknown[]) => seen.push(['b', ...args]));
    e.emit('x', 1, 2);
    e.emit('x', 1, 2, 3);
    expect(seen).toEqual([['a'], ['a', 1], ['a', 1, 2], ['b', 1, 2], ['a', 1, 2, 3], ['b', 1, 2, 3]]);
    expect(e.emit('y')).toBe(false);
  });

  it('once_runs_once_and_off_removes_it_by_its_inner_function', () => {
    const e = new Emitter();
    let n = 0;
    const f = () => n++;
    e.once('x', f);
    e.emit('x');
    e.emit('x');
    expect(n).toBe(1);
    e.once('x', f);
    e.off('x', f);
    e.emit('x');
    expect(n).toBe(1);
    e.on('x', f);
    e.once('x', f);
    expect(e.listenerCount('x')).toBe(2);
    e.emit('x');
    expect(n).toBe(3);
    expect(e.listenerCount('x')).toBe(1);
  });

  it('off_removes_one_registration_and_listenerCount_follows', () => {
    const e = new Emitter();
    const f = () => undefined;
    const g = () => undefined;
    expect(e.listenerCount('x')).toBe(0);
    e.on('x', f).on('x', g).on('x', f);
    expect(e.listenerCount('x')).toBe(3);
    e.off('x', f);
    expect(e.listenerCount('x')).toBe(2);
    e.off('x', f);
    e.off('x', f); // not registered any more: no change
    expect(e.listenerCount('x')).toBe(1);
    e.off('x', g);
    expect(e.listenerCount('x')).toBe(0);
    expect(e.emit('x')).toBe(false);
    e.on('x', f).on('y', g);
    e.removeAllListeners('x');
    expect([e.listenerCount('x'), e.listenerCount('y')]).toEqual([0, 1]);
    e.removeAllListeners();
    expect(e.listenerCount('y')).toBe(0);
  });

  it('an_emit_runs_the_listeners_it_started_with_after_an_off_during_it', () => {
    for (const before of [0, 1, 2]) {
      const e = new Emitter();
      const seen: string[] = [];
      for (let i = 0; i < before; i++) e.on('x', () => seen.push(`p${i}`));
      const late = () => seen.push('late');
      const adder = () => {
        seen.push('adder');
        e.off('x', adder);
        e.on('x', late);
      };
      e.on('x', adder);
      const victim = () => seen.push('victim');
      e.on('x', victim);
      e.on('x', () => e.off('x', victim));
      e.emit('x');
      // An off() during the emit leaves it with the list it started with: the removed one still runs
      // in it, the one added after the off() does not (both as before the sole-listener slot).
      expect(seen).toEqual([...Array.from({ length: before }, (_, i) => `p${i}`), 'adder', 'victim']);
      seen.length = 0;
      e.emit('x');
      expect(seen).toEqual([...Array.from({ length: before }, (_, i) => `p${i}`), 'late']);
    }
  });

  it('a_listener_added_during_an_emit_without_an_off_runs_in_that_emit', () => {
    const e = new Emitter();
    const seen: string[] = [];
    e.on('x', () => seen.push('a'));
    e.on('x', () => {
      seen.push('b');
      if (seen.length === 2) e.on('x', () => seen.push('c'));
    });
    e.emit('x');
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('a_sole_listener_that_adds_another_has_it_run_in_the_same_emit', () => {
    const e = new Emitter();
    const seen: string[] = [];
    e.on('x', () => {
      seen.push('first');
      if (seen.length === 1) e.on('x', () => seen.push('second'));
    });
    e.emit('x');
    expect(seen).toEqual(['first', 'second']);
  });

  it('a_listener_that_removes_and_re_adds_itself_and_adds_another_does_not_run_the_other_in_that_emit', () => {
    const e = new Emitter();
    const seen: string[] = [];
    const g = () => seen.push('g');
    const f = () => {
      seen.push('f');
      if (seen.length > 1) return;
      e.off('x', f);
      e.on('x', f);
      e.on('x', g);
    };
    e.on('x', f);
    e.emit('x');
    expect(seen).toEqual(['f']); // the emit goes on with the list it started with, which off() replaced
    e.emit('x');
    expect(seen).toEqual(['f', 'f', 'g']);
  });

  it('a_sole_once_listener_that_registers_itself_again_runs_once_per_emit', () => {
    const e = new Emitter();
    let n = 0;
    const f = () => {
      n++;
      e.once('x', f);
    };
    e.once('x', f);
    e.emit('x');
    e.emit('x');
    expect(n).toBe(2);
  });

  it('an_unhandled_error_throws_and_a_handled_one_does_not', () => {
    const e = new Emitter();
    const err = new Error('boom');
    expect(() => e.emit('error', err)).toThrow(err);
    expect(() => e.emit('error', 'text')).toThrow('text');
    let got: unknown;
    e.on('error', (x: unknown) => (got = x));
    expect(e.emit('error', err)).toBe(true);
    expect(got).toBe(err);
  });

  it('listeners_run_with_the_emitter_as_this', () => {
    const e = new Emitter();
    const thisArgs: unknown[] = [];
    e.on('x', function (this: unknown) { thisArgs.push(this); });
    e.emit('x');
    e.on('x', function (this: unknown) { thisArgs.push(this); });
    e.emit('x', 1);
    expect(thisArgs).toEqual([e, e, e]);
  });
});
