// The ISN (RFC 6528) and the TSval offset (RFC 7323 §5.4) of a connection come from one keyed hash of
// its 4-tuple: the ISN takes its low 32 bits, the offset its high 32 bits.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { decodeSegment, LOCAL, opt, REMOTE } from './harness.js';

/** ISN and TSval of a SYN from an engine with `seed` (random TS offsets or not), to REMOTE:`rport` from `lport`, at `now` ms. */
function syn(seed: number, random: boolean, lport: number, rport: number, now: number): { iss: number; tsVal: number } {
  const e = Engine.create({ addr: LOCAL, seed, config: { tsRandomOffset: random } });
  const c = e.connect(REMOTE, rport, now, lport);
  expect(c).toBeGreaterThanOrEqual(0);
  let out = { iss: -1, tsVal: -1 };
  e.drainTx((p) => {
    const s = decodeSegment(p);
    out = { iss: s.seq, tsVal: opt(s, 'TS')!.val };
  });
  return out;
}

/** The TSval offset of the 4-tuple: TSval with a random offset minus TSval without. */
const offset = (seed: number, lport: number, rport: number, now: number) =>
  (syn(seed, true, lport, rport, now).tsVal - syn(seed, false, lport, rport, now).tsVal) >>> 0;

describe('ISN and TSval offset from one hash', () => {
  it('ts_offset_is_keyed_per_4_tuple_and_secret', () => {
    const base = offset(1, 5000, 80, 1000);
    expect(offset(1, 5000, 80, 1000)).toBe(base); // same secret and tuple: same offset
    expect(offset(1, 5000, 80, 9000)).toBe(base); // it does not move with the clock
    for (const o of [offset(1, 5001, 80, 1000), offset(1, 5000, 81, 1000), offset(2, 5000, 80, 1000)]) {
      const d = (o - base) >>> 0;
      expect(Math.min(d, 2 ** 32 - d)).toBeGreaterThan(1 << 16); // hashed, not counted
    }
  });

  it('isn_and_ts_offset_use_different_bits_of_the_hash', () => {
    // The same tuple's ISN minus its 4 µs clock (the ISN's hash bits) is not its TS offset, for any of these tuples.
    for (const lport of [5000, 5001, 5002, 5003]) {
      const now = 1000;
      const f = (syn(1, true, lport, 80, now).iss - now * 250) >>> 0;
      expect(offset(1, lport, 80, now)).not.toBe(f);
    }
  });

  it('no_random_offset_sends_the_bare_clock', () => {
    const a = syn(1, false, 5000, 80, 1000).tsVal;
    const b = syn(2, false, 5001, 81, 1000).tsVal;
    expect(a).toBe(b); // without tsRandomOffset every connection shows the same clock
  });
});
