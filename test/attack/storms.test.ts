// ACK storms (issue 13 item 2): the storms the issue reproduced, each shown to die within one
// invalidRateLimitMs interval (500 ms), with the same scenario under invalidRateLimitMs 0 as the
// control that shows the storm (so each test can fail); the connections carry data afterwards.
import { describe, expect, it } from 'vitest';
import { ACK, FIN, PSH, SYN } from '../tcp/harness.js';
import { CLIENT, SERVER, World, pattern, received, sameBytes, type End } from './world.js';
import type { EngineConfig } from '../../src/engine/engine.js';

const XYZ = new TextEncoder().encode('XYZ');
const UNLIMITED: Partial<EngineConfig> = { invalidRateLimitMs: 0 };

/** An established pair that exchanged 2000 bytes each way; the server's end is accepted. */
function established(opts: ConstructorParameters<typeof World>[0]): { w: World; a: End; b: End } {
  const w = new World(opts);
  w.listen(80);
  const a = w.connect(80);
  w.run(50);
  const b = w.accepted[0];
  a.sock.write(pattern(2000, 1));
  b.sock.write(pattern(2000, 2));
  w.run(1000);
  expect(received(b).length).toBe(2000);
  expect(received(a).length).toBe(2000);
  return { w, a, b };
}

/** RFC 5961 §5 blind data injection: 3 spoofed bytes at the server's RCV.NXT, from the client's address. */
function injectAtRcvNxt(w: World, a: End, b: End): void {
  const ib = b.sock.info();
  w.inject(w.server, { sport: a.sock.localPort!, dport: 80, seq: ib.rcvNxt, ack: ib.sndNxt, flags: ACK | PSH, data: XYZ, win: 512 });
}

/**
 * Both ends write 3000 more bytes and both arrive; after an injection the server's stream holds the 3
 * injected bytes in place of the client's first 3 (that is what a blind injection at RCV.NXT does).
 */
function carriesData(w: World, a: End, b: End, injected: boolean): void {
  const p = pattern(3000, 3), q = pattern(3000, 4);
  a.sock.write(p);
  b.sock.write(q);
  w.run(5000);
  const gotB = received(b), gotA = received(a);
  expect(gotB.length).toBe(5000);
  if (injected) {
    expect(gotB.subarray(2000, 2003)).toEqual(XYZ);
    expect(gotB.subarray(2003)).toEqual(p.subarray(3));
  } else expect(gotB.subarray(2000)).toEqual(p);
  expect(gotA.subarray(2000)).toEqual(q);
}

/** Port pair of a logged IPv4/TCP packet. */
const ports = (b: Uint8Array) => [(b[20] << 8) | b[21], (b[22] << 8) | b[23]];

/**
 * Splits `log` at each trigger packet (a retransmission by the timer that keeps the loop alive):
 * for each trigger, the packets up to the next one and how long after the trigger the last came.
 */
function afterTriggers(log: { t: number; bytes: Uint8Array }[], trigger: (b: Uint8Array) => boolean): { n: number; span: number }[] {
  const out: { n: number; span: number; t: number }[] = [];
  for (const p of log) {
    if (trigger(p.bytes)) out.push({ n: 1, span: 0, t: p.t });
    else if (out.length) { const last = out[out.length - 1]; last.n++; last.span = p.t - last.t; }
  }
  return out;
}

/**
 * The loop `run` sets up: without limits a storm (600 packets in 3 s and more); with the defaults at
 * least `rounds` triggers, each drawing at most `most` packets within one interval; and the bulk
 * transfer alongside arrives bit-exact.
 */
/** Writes 1 MB (pattern `seed`) on `bulk`, runs `ms` and returns the packets of port 80 meanwhile (the loop under test), with the data. */
function bulkWhileLooping(w: World, bulk: End, seed: number, ms: number): { w: World; loop: { t: number; bytes: Uint8Array }[]; data: Uint8Array } {
  const data = pattern(1_000_000, seed);
  bulk.sock.write(data);
  w.log = [];
  w.run(ms);
  return { w, loop: w.log.filter((p) => ports(p.bytes).includes(80)), data };
}

function expectBounded(
  run: (config?: Partial<EngineConfig>, ms?: number) => { w: World; loop: { t: number; bytes: Uint8Array }[]; data: Uint8Array },
  trigger: (b: Uint8Array) => boolean, rounds: number, most: number,
): void {
  expect(run(UNLIMITED, 3000).loop.length).toBeGreaterThan(600); // 200 packets a second and more
  const { w, loop, data } = run();
  const r = afterTriggers(loop, trigger);
  expect(r.length).toBeGreaterThanOrEqual(rounds);
  for (const x of r) {
    expect(x.n).toBeLessThanOrEqual(most);
    expect(x.span).toBeLessThan(500);
  }
  expect(sameBytes(received(w.accepted[0]), data)).toBe(true);
}

describe('one spoofed 3-byte segment at RCV.NXT desynchronises an ESTABLISHED pair', () => {
  it('over a 5 ms path: the ACK war dies within one interval (control: ~12 000 packets a virtual minute)', () => {
    const ctl = established({ delay: 5, config: UNLIMITED });
    injectAtRcvNxt(ctl.w, ctl.a, ctl.b);
    const before = ctl.w.packets;
    ctl.w.run(60_000);
    expect(ctl.w.packets - before).toBeGreaterThan(10_000);

    const { w, a, b } = established({ delay: 5 });
    injectAtRcvNxt(w, a, b);
    const t0 = w.clock.now();
    w.log = [];
    w.run(60_000);
    expect(w.log.length).toBeGreaterThan(0);
    expect(w.log.length).toBeLessThanOrEqual(4);
    expect(w.log.every((p) => p.t - t0 < 500)).toBe(true);
    expect(w.server.engine.stats.oowAcksSkipped + w.client.engine.stats.oowAcksSkipped).toBeGreaterThan(0);
    w.log = null;
    carriesData(w, a, b, true);
  });

  it('over a DirectLink: no livelock at one instant (control: the packets never stop)', () => {
    const ctl = established({ direct: true, config: UNLIMITED });
    injectAtRcvNxt(ctl.w, ctl.a, ctl.b);
    const before = ctl.w.packets;
    ctl.w.link.tap(() => { if (ctl.w.packets - before > 20_000) throw new Error('storm'); });
    expect(() => ctl.w.run(1000)).toThrow('storm');

    const { w, a, b } = established({ direct: true });
    injectAtRcvNxt(w, a, b);
    const t0 = w.clock.now();
    w.log = [];
    w.run(60_000);
    expect(w.log.length).toBeLessThanOrEqual(4);
    expect(w.log.every((p) => p.t - t0 < 500)).toBe(true);
    w.log = null;
    carriesData(w, a, b, true);
  });
});

describe('10 000 spoofed out-of-window segments', () => {
  function flood(config?: Partial<EngineConfig>): { w: World; a: End; b: End; replies: number } {
    const { w, a, b } = established({ delay: 5, config });
    const ib = b.sock.info();
    const before = w.sent.get(SERVER)!;
    for (let i = 0; i < 10_000; i++) {
      w.inject(w.server, { sport: a.sock.localPort!, dport: 80, seq: (ib.rcvNxt + 0x40000000 + i * 1000) >>> 0, ack: ib.sndNxt, flags: ACK });
      if (i % 10 === 9) w.run(0.1); // over one second
    }
    w.run(100);
    return { w, a, b, replies: w.sent.get(SERVER)! - before };
  }

  it('draw at most one duplicate ACK per interval (control: one each)', () => {
    expect(flood(UNLIMITED).replies).toBe(10_000);
    const { w, a, b, replies } = flood();
    expect(replies).toBeGreaterThan(0);
    expect(replies).toBeLessThanOrEqual(3); // at 0, ~500 and ~1000 ms
    expect(w.server.engine.stats.oowAcksSkipped).toBe(10_000 - replies);
    carriesData(w, a, b, false);
    void CLIENT;
  });
});

describe('loops between connections no socket owns', () => {
  it('TIME_WAIT ↔ SYN_RCVD: each SYN-ACK draws at most two replies, within one interval; another connection keeps its data bit-exact', () => {
    // The SYN_RCVD child's segments fall outside the TIME_WAIT connection's window once its ISN has
    // moved on by more than a window (RFC 6528's clock: 250 000 a second), and the other way round.
    const run = (config?: Partial<EngineConfig>, ms = 20_000) => {
      const w = new World({ delay: 5, config });
      w.listen(80);
      w.listen(81);
      const bulk = w.connect(81);
      const a = w.connect(80);
      w.run(50);
      const b = w.accepted[1];
      const aPort = a.sock.localPort!;
      const ia = a.sock.info();
      a.sock.end();
      w.run(50);
      b.sock.end();
      w.run(1000);
      // The client's connection is in TIME_WAIT, orphaned; the server's is gone.
      expect(a.sock.readyState).toBe('closed');
      expect(w.client.engine.connectionsInUse).toBe(2);
      // A SYN from the client's address and port (spoofed, or a stray old one) makes a SYN_RCVD child whose
      // sequence space is far from the TIME_WAIT connection's.
      w.inject(w.server, { sport: aPort, dport: 80, seq: (ia.sndNxt + 0x40000000) >>> 0, flags: SYN, opts: [{ kind: 'mss', value: 1460 }] });
      return bulkWhileLooping(w, bulk, 9, ms);
    };
    const synAck = (b: Uint8Array) => ports(b)[0] === 80 && (b[33] & (SYN | ACK)) === (SYN | ACK);
    expectBounded(run, synAck, 5, 3); // the SYN-ACK and its retransmissions at 1, 3, 7, 15, 31 s
  });

  it('LAST_ACK ↔ ESTABLISHED: each FIN retransmission draws at most three more packets, within one interval', () => {
    const run = (config?: Partial<EngineConfig>, ms = 20_000) => {
      const w = new World({ delay: 5, config });
      w.server.engine.listen(80); // nobody accepts: the server's connection is nobody's
      w.listen(81);
      const bulk = w.connect(81);
      const a = w.connect(80);
      w.run(50);
      const ia = a.sock.info();
      // A spoofed FIN "from the server": the client goes CLOSE_WAIT, its ACK acknowledges a FIN the server never sent.
      w.inject(w.client, { sport: 80, dport: a.sock.localPort!, seq: ia.rcvNxt, ack: ia.sndNxt, flags: ACK | FIN });
      w.run(10);
      a.sock.end(); // LAST_ACK; the socket closes and leaves its connection to the engine
      a.sock.destroy();
      return bulkWhileLooping(w, bulk, 10, ms);
    };
    // The FIN is answered (a segment with FIN always is); the ACK war that follows stops at once.
    const fin = (b: Uint8Array) => ports(b)[1] === 80 && (b[33] & FIN) !== 0;
    expectBounded(run, fin, 6, 4); // the FIN and its retransmissions (RTO backoff)
  });
});
