// RFC 6528 initial sequence numbers: ISN = M + F(4-tuple, secret), M a 4 µs clock.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { decodeSegment, LOCAL, REMOTE } from './harness.js';

/** The ISN of a SYN from an engine with `seed`, to REMOTE:`rport` from `lport`, at `now` ms. */
function isn(e: Engine, lport: number, rport: number, now: number): number {
  const c = e.connect(REMOTE, rport, now, lport);
  expect(c).toBeGreaterThanOrEqual(0);
  let seq = -1;
  e.drainTx((p) => { seq = decodeSegment(p).seq; });
  e.abort(c, now); // SYN_SENT: deleted without a segment; the 4-tuple is free again
  e.release(c, 0);
  e.drainTx(() => undefined);
  return seq;
}

const engine = (seed: number) => Engine.create({ addr: LOCAL, seed, config: { timestamps: false } });

describe('ISN (RFC 6528)', () => {
  it('isn_advances_with_a_4us_clock_for_one_4_tuple', () => {
    const e = engine(1);
    const a = isn(e, 5000, 80, 1000);
    const b = isn(e, 5000, 80, 2000);
    const c = isn(e, 5000, 80, 2000.004);
    expect((b - a) >>> 0).toBe(250_000); // 1 s / 4 µs
    expect((c - b) >>> 0).toBe(1);
  });

  it('isn_differs_per_4_tuple_and_per_secret', () => {
    const e = engine(1);
    const base = isn(e, 5000, 80, 1000);
    const others = [isn(e, 5001, 80, 1000), isn(e, 5000, 81, 1000), isn(engine(2), 5000, 80, 1000)];
    for (const o of others) {
      const d = (o - base) >>> 0;
      expect(d).not.toBe(0);
      expect(Math.min(d, 2 ** 32 - d)).toBeGreaterThan(1 << 16); // not a small step: hashed, not counted
    }
    expect(isn(engine(1), 5000, 80, 1000)).toBe(base); // same secret, tuple and time: same ISN
  });
});
