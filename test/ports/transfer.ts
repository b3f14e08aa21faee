// Two engines on a virtual clock, joined packet for packet: `b` (at address `bAddr`) listens on 80,
// `a` connects and sends `bytes` pseudo-random bytes, `b` receives them. Shared by the tests of the portable modules.
import { expect } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';

/** Moves `bytes` from `a` to `b` (at most 5 s of virtual time); expects them intact; returns the two connections. */
export function transfer(a: Engine, b: Engine, bAddr: number, bytes: number): { c: number; bc: number } {
  const l = b.listen(80);
  const c = a.connect(bAddr, 80, 0);
  const payload = new Uint8Array(bytes).map((_, i) => (i * 7) & 255);
  let sent = 0;
  let got = new Uint8Array(0);
  let bc = -1;
  const buf = new Uint8Array(8192);
  const ev = { kind: 0, conn: 0, arg: 0 };
  for (let now = 0; now < 5000 && got.length < payload.length; now++) {
    for (const [from, to] of [[a, b], [b, a]] as const) from.drainTx((p) => to.input(p, now));
    while (b.nextEvent(ev)) if (ev.kind === 2) bc = b.accept(l);
    while (a.nextEvent(ev)) { /* Connected, Writable, State */ }
    if (a.state(c) === 4 && sent < payload.length) {
      const n = a.send(c, payload.subarray(sent), now);
      if (n > 0) sent += n;
    }
    if (bc >= 0) {
      const n = b.recv(bc, buf, now);
      if (n > 0) got = new Uint8Array([...got, ...buf.subarray(0, n)]);
    }
    a.poll(now);
    b.poll(now);
  }
  expect(got).toEqual(payload);
  expect(a.stats.badChecksum + b.stats.badChecksum).toBe(0);
  return { c, bc };
}
