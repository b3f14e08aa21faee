// A DirectLink pumps the receiving stack inside the sender's pump on a VirtualClock (no clock event per
// batch), counted as one event each: the livelock guard still stops a storm at one instant, and a
// RealClock still hands every batch to a timer, so the event loop keeps its turns.
import { describe, expect, it } from 'vitest';
import { RealClock } from '../../src/clock/real.js';
import { VirtualClock } from '../../src/clock/virtual.js';
import { DirectLink } from '../../src/link/direct.js';
import type { Socket } from '../../src/socket.js';
import { Stack } from '../../src/stack.js';
import { World } from '../attack/world.js';
import { ACK, PSH } from '../tcp/harness.js';

/** A 1-byte ping-pong of `rounds` round trips between two stacks on `clock`; resolves with the client's count. */
function pingPong(clock: VirtualClock | RealClock, rounds: number, done: (n: number) => void): void {
  const a = new Stack({ address: '10.0.0.1', clock, recordTransitions: false });
  const b = new Stack({ address: '10.0.0.2', clock, recordTransitions: false });
  DirectLink.connect(a, b);
  b.listen(7, {}, (s: Socket) => {
    s.setNoDelay(true);
    s.on('data', (d: Uint8Array) => s.write(d));
  });
  const c = a.connect({ host: '10.0.0.2', port: 7, noDelay: true });
  let n = 0;
  c.on('connect', () => c.write(new Uint8Array([1])));
  c.on('data', () => {
    if (++n < rounds) c.write(new Uint8Array([1]));
    else {
      c.destroy();
      done(n);
    }
  });
}

describe('DirectLink pumps', () => {
  it('on a VirtualClock: a ping-pong runs with one counted event per batch, at one instant', () => {
    const clock = new VirtualClock();
    let got = 0;
    pingPong(clock, 2000, (n) => (got = n));
    expect(clock.runUntil(() => got > 0, { timeout: 10_000 })).toBe(true);
    expect(got).toBe(2000);
    // Every batch that reached the other stack is one event, as when each was a timer.
    expect(clock.events).toBeGreaterThanOrEqual(2 * 2000);
  });

  it('the livelock guard still stops an ACK storm at one instant (RFC 5961 §5 injection, no rate limit)', () => {
    const w = new World({ direct: true, config: { invalidRateLimitMs: 0 }, maxEventsPerInstant: 20_000 });
    w.listen(80);
    const a = w.connect(80);
    w.run(50);
    const b = w.accepted[0];
    a.sock.write(new Uint8Array(100));
    w.run(1000);
    expect(b.got.reduce((n, d) => n + d.length, 0)).toBe(100);
    const ib = b.sock.info();
    w.inject(w.server, { sport: a.sock.localPort!, dport: 80, seq: ib.rcvNxt, ack: ib.sndNxt, flags: ACK | PSH, data: new Uint8Array([1, 2, 3]), win: 512 });
    const before = w.packets;
    expect(() => w.run(1000)).toThrow(/livelock/);
    expect(w.packets - before).toBeGreaterThan(10_000);
  });

  it('on a RealClock every batch is still a timer event: the event loop gets turns during a ping-pong', async () => {
    const clock = new RealClock();
    let turns = 0;
    let spinning = true;
    const spin = () => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const n = await new Promise<number>((resolve) => pingPong(clock, 3000, resolve));
    spinning = false;
    expect(n).toBe(3000);
    // RealClock runs at most 1000 timer callbacks per turn: 6000 one-way batches take several turns.
    expect(turns).toBeGreaterThan(3);
  });
});
