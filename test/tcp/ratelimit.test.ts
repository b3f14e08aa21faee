// Bounded replies to unacceptable segments (issue 13 item 2): per-connection invalidRateLimitMs for
// duplicate ACKs, ACKs of unsent data, repeated SYN-ACKs and challenge ACKs (Linux
// tcp_oow_rate_limited, tcp_invalid_ratelimit = 500 ms); engine-wide budgets per second, drawn at
// random, for challenge ACKs (RFC 5961 §7) and for RSTs to segments of no connection.
import { describe, expect, it } from 'vitest';
import { Harness, ACK, SYN, FIN, RST, PSH, PEER_ISS, LPORT, RPORT, type SegOut } from './harness.js';

const far = (h: Harness) => (h.peerSeq + 1_000_000) >>> 0;

describe('per-connection limit (invalidRateLimitMs, Linux tcp_invalid_ratelimit)', () => {
  it('out-of-window pure ACKs: one duplicate ACK per interval, the rest counted as skipped', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    for (let i = 0; i < 100; i++) h.send({ seq: far(h), ack: h.ours(0), flags: ACK });
    h.expectSegment({ flags: '.', seq: h.ours(0), ack: h.peerSeq });
    h.expectNone();
    expect(h.e.stats.oowAcksSkipped).toBe(99);
    h.tick(480);
    h.send({ seq: far(h), ack: h.ours(0), flags: ACK });
    h.expectNone();
    h.tick(40); // 520 ms after the first reply
    h.send({ seq: far(h), ack: h.ours(0), flags: ACK });
    h.expectSegment({ flags: '.', ack: h.peerSeq });
    expect(h.e.stats.oowAcksSkipped).toBe(100);
  });

  it('segments with data or FIN are always answered (they cannot be part of an ACK loop), SYNs are limited', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    for (let i = 0; i < 5; i++) h.send({ seq: h.peerSeq - 100, ack: h.ours(0), flags: ACK | PSH, data: 10 });
    for (let i = 0; i < 5; i++) h.send({ seq: h.peerSeq - 100, ack: h.ours(0), flags: ACK | FIN });
    expect(h.out.splice(0).map((s) => s.ack)).toEqual(Array(10).fill(h.peerSeq));
    for (let i = 0; i < 5; i++) h.send({ seq: far(h), flags: SYN });
    expect(h.out.length).toBe(1);
    expect(h.e.stats.oowAcksSkipped).toBe(4);
  });

  it('ACKs of unsent data: answered once per interval', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    for (let i = 0; i < 20; i++) h.send(h.seg(ACK, 1000 + i));
    h.expectSegment({ flags: '.', ack: h.peerSeq });
    h.expectNone();
    expect(h.e.stats.oowAcksSkipped).toBe(19);
  });

  it('PAWS-rejected segments: answered once per interval', () => {
    const h = new Harness({ timestamps: true });
    h.listener = h.e.listen(LPORT);
    h.send({ seq: PEER_ISS, flags: SYN, opts: [{ kind: 'TS', val: 5000, ecr: 0 }] });
    const sa = h.expectSegment({ flags: 'S.' });
    const tsOf = (s: SegOut) => (s.opts.find((o) => o.kind === 'TS') as { val: number }).val;
    h.send({ seq: PEER_ISS + 1, ack: sa.seq + 1, flags: ACK, opts: [{ kind: 'TS', val: 5001, ecr: tsOf(sa) }] });
    h.conn = h.e.accept(h.listener);
    h.iss = sa.seq;
    h.clear();
    for (let i = 0; i < 10; i++) h.send({ ...h.seg(ACK | PSH, 0), opts: [{ kind: 'TS', val: 4000, ecr: tsOf(sa) }] });
    h.expectSegment({ flags: '.', ack: h.peerSeq });
    h.expectNone();
    expect(h.e.stats.pawsRejected).toBe(10);
    expect(h.e.stats.oowAcksSkipped).toBe(9);
  });

  it('a repeated SYN in SYN_RCVD gets the SYN-ACK again at most once per interval', () => {
    const h = new Harness();
    h.inState('SYN_RCVD');
    for (let i = 0; i < 10; i++) h.send({ seq: PEER_ISS, flags: SYN });
    h.expectSegment({ flags: 'S.', seq: h.iss, ack: PEER_ISS + 1 });
    h.expectNone();
    h.tick(600);
    h.send({ seq: PEER_ISS, flags: SYN });
    h.expectSegment({ flags: 'S.', seq: h.iss });
  });

  it('TIME_WAIT: out-of-window ACKs limited, a retransmitted FIN always answered', () => {
    const h = new Harness();
    h.inState('TIME_WAIT');
    for (let i = 0; i < 10; i++) h.send({ seq: far(h), ack: h.ours(1), flags: ACK });
    expect(h.out.splice(0).length).toBe(1);
    for (let i = 0; i < 3; i++) h.send({ seq: h.peerSeq - 1, ack: h.ours(1), flags: ACK | FIN });
    expect(h.out.splice(0).map((s) => s.ack)).toEqual(Array(3).fill(h.peerSeq));
  });

  it('challenge ACKs: one per interval per connection, each connection on its own', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    for (let i = 0; i < 10; i++) h.send({ seq: h.peerSeq + 100 + i, flags: RST });
    h.expectSegment({ flags: '.', ack: h.peerSeq });
    h.expectNone();
    expect(h.e.stats.challengeAcks).toBe(1);
    expect(h.e.stats.challengeAcksSkipped).toBe(9);
    // A second connection has its own interval.
    h.send({ seq: PEER_ISS, flags: SYN, sport: RPORT + 1 });
    const sa = h.expectSegment({ flags: 'S.' });
    h.send({ seq: PEER_ISS + 1, ack: sa.seq + 1, flags: ACK, sport: RPORT + 1 });
    h.send({ seq: PEER_ISS + 500, flags: RST, sport: RPORT + 1 });
    expect(h.expectSegment({ flags: '.' }).dport).toBe(RPORT + 1);
    expect(h.e.stats.challengeAcks).toBe(2);
    h.tick(600);
    h.send({ seq: h.peerSeq + 100, flags: RST });
    h.expectSegment({ flags: '.', ack: h.peerSeq });
  });

  it('invalidRateLimitMs 0 answers every unacceptable segment (RFC 9293)', () => {
    const h = new Harness({ invalidRateLimitMs: 0, challengeAckLimit: 0 });
    h.inState('ESTABLISHED');
    for (let i = 0; i < 50; i++) h.send({ seq: far(h), ack: h.ours(0), flags: ACK });
    for (let i = 0; i < 50; i++) h.send({ seq: h.peerSeq + 100, flags: RST });
    expect(h.out.length).toBe(100);
    expect(h.e.stats.oowAcksSkipped + h.e.stats.challengeAcksSkipped).toBe(0);
  });
});

/** Replies per second to `n` unacceptable segments sent each second for `seconds` seconds. */
function perSecond(h: Harness, seconds: number, n: number, seg: (i: number) => Parameters<Harness['send']>[0]): number[] {
  const counts: number[] = [];
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < n; i++) h.send(seg(i));
    counts.push(h.out.splice(0).length);
    h.tick(1000);
    h.clear();
  }
  return counts;
}

describe('engine-wide budgets, drawn at random each second', () => {
  it('challenge ACKs: between limit/2 and 1.5·limit per second, a different count from second to second, mean ≈ limit', () => {
    const limit = 100;
    const h = new Harness({ challengeAckLimit: limit, invalidRateLimitMs: 0 });
    h.inState('ESTABLISHED');
    const counts = perSecond(h, 40, 400, (i) => ({ seq: h.peerSeq + 1 + i, flags: RST }));
    for (const c of counts) {
      expect(c).toBeGreaterThanOrEqual(limit / 2);
      expect(c).toBeLessThan(limit * 1.5);
    }
    expect(new Set(counts).size).toBeGreaterThan(20);
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    expect(mean).toBeGreaterThan(limit * 0.8);
    expect(mean).toBeLessThan(limit * 1.2);
    expect(h.e.stats.challengeAcks).toBe(counts.reduce((a, b) => a + b, 0));
    expect(h.e.stats.challengeAcksSkipped).toBe(40 * 400 - h.e.stats.challengeAcks);
  });

  it('RSTs to segments of no connection: rstLimit per second on average; 0 = every one answered', () => {
    const h = new Harness({ rstLimit: 50 });
    const counts = perSecond(h, 20, 300, (i) => ({ seq: 1000 + i, ack: 5, flags: ACK, sport: 2000 + i }));
    for (const c of counts) {
      expect(c).toBeGreaterThanOrEqual(25);
      expect(c).toBeLessThan(75);
    }
    expect(new Set(counts).size).toBeGreaterThan(5);
    expect(h.e.stats.rstsSkipped).toBe(20 * 300 - counts.reduce((a, b) => a + b, 0));
    const all = new Harness({ rstLimit: 0 });
    expect(perSecond(all, 2, 300, (i) => ({ seq: 1000 + i, flags: SYN, sport: 2000 + i }))).toEqual([300, 300]);
  });

  it('the default RST budget still answers an ordinary burst (1000/s on average, at least 500)', () => {
    const h = new Harness();
    expect(perSecond(h, 1, 500, (i) => ({ seq: 1000 + i, flags: SYN, sport: 2000 + i }))).toEqual([500]);
  });
});
