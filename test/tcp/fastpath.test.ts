// Header prediction (assembly/tcp/fastpath.ts) may only take segments whose outcome is the slow path's:
// the same workloads run on two pairs of test-build engines, one with the fast path off, and every
// packet, event and connection record must come out the same, with the fast path taking most segments.
import { describe, expect, it } from 'vitest';
import type { EngineConfig, EngineEvent } from '../../src/engine/engine.js';
import { testModule } from '../support/test-engine.js';
import { B_ADDR, Pair } from './pair.js';

type Hooks = { testFastPath(on: number): void; testFastPathHits(): number };
const hooks = (p: Pair, e: 'a' | 'b') => p[e].exports as unknown as Hooks;

/** What one run leaves behind: every packet in order, the events, the final records and counters. */
interface Trace { packets: string[]; events: EngineEvent[][]; infos: unknown[]; stats: unknown[]; hits: number; received: number }

/**
 * Connects a → b, then `rounds` times: a sends `size` bytes (in `size`-byte writes), b reads them all
 * and answers with `reply` bytes, a reads those; every `dropEvery`-th packet a sends is lost.
 */
function run(fast: boolean, config: Partial<EngineConfig>, o: { rounds: number; size: number; reply: number; dropEvery: number }): Trace {
  const p = new Pair(config, 11, undefined, testModule());
  for (const e of ['a', 'b'] as const) hooks(p, e).testFastPath(fast ? 1 : 0);
  const packets: string[] = [];
  let sentByA = 0;
  p.filter = (from, pkt) => {
    packets.push(`${from}:${Buffer.from(pkt).toString('hex')}`);
    return !(from === 'a' && o.dropEvery > 0 && ++sentByA % o.dropEvery === 0);
  };
  const l = p.b.listen(80);
  expect(l).toBeGreaterThanOrEqual(0);
  const ca = p.a.connect(B_ADDR, 80, p.now);
  expect(ca).toBeGreaterThanOrEqual(0);
  let srv = -1;
  p.run(() => (srv = p.b.accept(l)) >= 0);
  expect(srv).toBeGreaterThanOrEqual(0);
  const buf = new Uint8Array(65536);
  const chunk = new Uint8Array(o.size).map((_, i) => (i * 7 + 3) & 255);
  const answer = new Uint8Array(o.reply).fill(0x42);
  let received = 0;
  const drainB = () => {
    for (let k; (k = p.b.recv(srv, buf, p.now)) > 0;) received += k;
  };
  for (let r = 0; r < o.rounds; r++) {
    const target = received + o.size;
    let sent = 0;
    while (sent < o.size) {
      const n = p.a.send(ca, chunk.subarray(sent), p.now);
      if (n > 0) sent += n;
      // Run until b has read something new (or the send buffer has room again).
      const before = received;
      p.run(() => (drainB(), received > before || p.a.bufferedSend(ca) < 4096), p.now + 60_000);
    }
    p.run(() => (drainB(), received >= target), p.now + 60_000);
    if (o.reply) {
      const want = received + o.reply;
      expect(p.b.send(srv, answer, p.now)).toBe(o.reply);
      p.run(() => {
        for (let k; (k = p.a.recv(ca, buf, p.now)) > 0;) received += k;
        return received >= want;
      }, p.now + 60_000);
    }
  }
  p.run(() => false, p.now + 2000);
  return {
    packets,
    events: [p.evA, p.evB],
    infos: [p.a.info(ca), p.b.info(srv)],
    stats: [p.a.stats, p.b.stats],
    hits: hooks(p, 'a').testFastPathHits() + hooks(p, 'b').testFastPathHits(),
    received,
  };
}

const cases: [string, Partial<EngineConfig>, { rounds: number; size: number; reply: number; dropEvery: number }][] = [
  ['ping-pong, 1 byte each way', {}, { rounds: 200, size: 1, reply: 1, dropEvery: 0 }],
  ['request/response, 3000 B and 100 B', {}, { rounds: 40, size: 3000, reply: 100, dropEvery: 0 }],
  ['bulk with every 13th packet lost (SACK recovery, out-of-order data)', { sendBufferSize: 32768, recvBufferSize: 32768 }, { rounds: 4, size: 60000, reply: 0, dropEvery: 13 }],
  ['bulk with losses, no timestamps, no SACK', { timestamps: false, sack: false, sendBufferSize: 32768, recvBufferSize: 32768 }, { rounds: 3, size: 50000, reply: 10, dropEvery: 9 }],
  ['a small receive window (window updates, persist)', { sendBufferSize: 8192, recvBufferSize: 2048 }, { rounds: 3, size: 20000, reply: 0, dropEvery: 0 }],
];

describe('header prediction', () => {
  for (const [name, config, o] of cases) {
    it(`takes the same path as the slow path: ${name}`, () => {
      const slow = run(false, config, o);
      const fast = run(true, config, o);
      expect(slow.hits).toBe(0);
      expect(fast.received).toBe(o.rounds * (o.size + o.reply));
      expect(fast.packets.length).toBe(slow.packets.length);
      for (let i = 0; i < slow.packets.length; i++) if (fast.packets[i] !== slow.packets[i]) expect({ i, packet: fast.packets[i] }).toEqual({ i, packet: slow.packets[i] });
      expect(fast.events).toEqual(slow.events);
      expect(fast.infos).toEqual(slow.infos);
      expect(fast.stats).toEqual(slow.stats);
      // Most segments of a steady connection are predicted.
      expect(fast.hits).toBeGreaterThan(fast.packets.length / 3);
    });
  }

  it('leaves a segment the prediction must not take to the slow path (data beyond an out-of-order hole)', () => {
    const fast = run(true, { sendBufferSize: 32768, recvBufferSize: 32768 }, { rounds: 1, size: 60000, reply: 0, dropEvery: 5 });
    const slow = run(false, { sendBufferSize: 32768, recvBufferSize: 32768 }, { rounds: 1, size: 60000, reply: 0, dropEvery: 5 });
    expect(fast.packets).toEqual(slow.packets);
    expect(fast.hits).toBeLessThan(fast.packets.length);
  });
});
