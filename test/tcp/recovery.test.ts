// The sender's loss recovery with SACK: tail loss probes (RFC 8985 §7), RACK's time-based loss
// marking (RFC 8985 §6) against RFC 6675's DupThresh rule, and D-SACK blocks taken as duplicates
// (RFC 2883), never as loss.
import { describe, expect, it } from 'vitest';
import { ACK, Harness, type Opt, type SegOut } from './harness.js';

const SACK_PEER: Opt[] = [{ kind: 'mss', value: 1000 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' }];
const M = 1000;
const sack = (h: Harness, blocks: [number, number][]): Opt[] =>
  [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: blocks.map(([l, r]) => [h.ours(l), h.ours(r)] as [number, number]) }];

/** A SACK connection with an RTT sample of `rtt` ms on one segment; afterwards nothing is in flight. */
function conn(config = {}, rtt = 20): Harness {
  const h = new Harness({ sack: true, ...config });
  h.openWith(SACK_PEER);
  h.write(M);
  h.out.splice(0);
  h.tick(rtt);
  h.send(h.seg(ACK, M));
  h.out.splice(0);
  return h;
}

/** Steps the clock 1 ms at a time until a segment goes out (at most `limit` ms); returns it and when. */
function nextOut(h: Harness, limit = 5000): { seg: SegOut; at: number } {
  for (let i = 0; i < limit; i++) {
    if (h.out.length > 0) return { seg: h.out.shift()!, at: h.now };
    h.tick(1);
  }
  throw new Error('nothing sent');
}

describe('tail loss probe (RFC 8985 §7)', () => {
  it('tlp_resends_the_last_segment_after_two_srtt_before_the_rto', () => {
    const h = conn({ tlp: true });
    const { srtt, rto } = h.e.info(h.conn);
    h.write(4 * M);
    expect(h.out.splice(0).length).toBe(4);
    const t0 = h.now;
    h.send(h.seg(ACK, 2 * M)); // the last two segments are not acknowledged
    const { seg, at } = nextOut(h);
    expect(seg.seq).toBe(h.ours(4 * M) >>> 0); // offsets count the first segment of conn()
    expect(seg.len).toBe(M);
    const pto = 2 * srtt + 2;
    expect(at - t0).toBeGreaterThanOrEqual(Math.floor(pto));
    expect(at - t0).toBeLessThanOrEqual(Math.ceil(pto) + 1);
    expect(at - t0).toBeLessThan(rto);
    expect(h.e.stats.lossProbes).toBe(1);
    expect(h.e.stats.rtoExpirations).toBe(0);
    // The probe is lost too: the RTO follows one RTO after the probe, resending the first hole.
    const r = nextOut(h);
    expect(r.seg.seq).toBe(h.ours(2 * M) >>> 0);
    expect(r.at - at).toBe(rto);
    expect(h.e.stats.rtoExpirations).toBe(1);
  });

  it('tlp_off_waits_for_the_rto', () => {
    const h = conn(); // the engine's default: off (the Linux profile turns it on)
    const { rto } = h.e.info(h.conn);
    h.write(4 * M);
    h.out.splice(0);
    const t0 = h.now;
    h.send(h.seg(ACK, 2 * M));
    const { seg, at } = nextOut(h);
    expect(seg.seq).toBe(h.ours(2 * M) >>> 0);
    expect(at - t0).toBe(rto);
    expect(h.e.stats.lossProbes).toBe(0);
    expect(h.e.stats.rtoExpirations).toBe(1);
  });

  it('tlp_with_one_segment_out_adds_the_minimum_rto', () => {
    const h = conn({ tlp: true, rtoMinMs: 200 });
    const { srtt, rto } = h.e.info(h.conn);
    h.write(M);
    h.out.splice(0);
    const t0 = h.now;
    const { seg, at } = nextOut(h);
    expect(seg.seq).toBe(h.ours(M) >>> 0);
    // 2·SRTT + 200 ms, bounded by the RTO.
    expect(at - t0).toBeLessThanOrEqual(Math.min(Math.ceil(2 * srtt + 200), rto) + 1);
    expect(at - t0).toBeGreaterThanOrEqual(Math.min(Math.floor(2 * srtt + 200), rto));
  });
});

describe('RACK (RFC 8985 §6) and RFC 6675 DupThresh', () => {
  it('rack_marks_a_hole_lost_one_reordering_window_after_a_later_segment_is_sacked', () => {
    const h = conn();
    h.write(4 * M);
    h.out.splice(0);
    h.tick(5); // an RTT, before the probe timeout (2·SRTT, SRTT ≈ 3.4 ms here)
    const t0 = h.now;
    // Only the last segment arrived: a reordering window (minRtt/4, the handshake's 1 ms here)
    // plus Linux's 2 ms timer slack later, the first three are lost; not at once.
    h.send(h.seg(ACK, M, { opts: sack(h, [[4 * M, 5 * M]]) }));
    expect(h.out.length).toBe(0);
    const { seg, at } = nextOut(h);
    expect(seg.seq).toBe(h.ours(M) >>> 0);
    expect(at - t0).toBeGreaterThanOrEqual(2);
    expect(at - t0).toBeLessThanOrEqual(4);
    expect(h.e.stats.rtoExpirations).toBe(0);
    expect(h.e.stats.fastRetransmits).toBe(1);
  });

  it('dupthresh_without_rack_waits_for_three_sacked_segments', () => {
    const h = conn({ rack: false });
    h.write(5 * M);
    h.out.splice(0);
    h.tick(5);
    h.send(h.seg(ACK, M, { opts: sack(h, [[2 * M, 3 * M]]) }));
    h.send(h.seg(ACK, M, { opts: sack(h, [[2 * M, 4 * M]]) }));
    expect(h.out.length).toBe(0);
    h.send(h.seg(ACK, M, { opts: sack(h, [[2 * M, 5 * M]]) }));
    const s = h.expectSegment({ seq: h.ours(M), len: M }); // the hole, at once
    expect(s.len).toBe(M);
    expect(h.e.stats.fastRetransmits).toBe(1);
  });
});

describe('D-SACK blocks received (RFC 2883)', () => {
  it('a_dsack_block_is_a_duplicate_not_loss_nor_sacked_data', () => {
    const h = conn();
    h.write(3 * M);
    h.out.splice(0);
    h.tick(5);
    h.send(h.seg(ACK, 4 * M));
    const cwnd = h.e.info(h.conn).cwnd;
    h.write(2 * M);
    h.out.splice(0);
    // The peer reports a duplicate of an old segment (below the cumulative ACK) three times.
    for (let i = 0; i < 3; i++) h.send(h.seg(ACK, 4 * M, { opts: sack(h, [[2 * M, 3 * M]]) }));
    expect(h.e.stats.dsacksIn).toBe(3);
    expect(h.out.length).toBe(0); // no fast retransmit
    expect(h.e.info(h.conn).cwnd).toBeGreaterThanOrEqual(cwnd);
    // A D-SACK inside the second block (RFC 2883 §4.2 case) is a duplicate as well.
    h.send(h.seg(ACK, 4 * M, { opts: sack(h, [[5 * M, 5 * M + 500], [5 * M, 6 * M]]) }));
    expect(h.e.stats.dsacksIn).toBe(4);
    h.send(h.seg(ACK, 6 * M));
    expect(h.e.stats.fastRetransmits).toBe(0);
    expect(h.e.stats.retransmits).toBe(0);
  });
});

describe('RTT samples from timestamps after a resend (RFC 6298 §3, RFC 7323 §4)', () => {
  // MSS 1012: 1000 bytes of data per segment next to the 12 of the timestamp option.
  const TS_PEER: Opt[] = [{ kind: 'mss', value: 1012 }, ...SACK_PEER.slice(1), { kind: 'nop' }, { kind: 'nop' }, { kind: 'TS', val: 1, ecr: 0 }];
  /** Two segments out; their ACK is lost and the RTO resends the first: returns [first, second, resend]. */
  function spuriousResend(): { h: Harness; segs: SegOut[]; srtt: number; rto: number } {
    const h = new Harness({ sack: true, timestamps: true, tlp: false }); // the RTO, not a probe, resends
    h.openWith(TS_PEER);
    h.e.send(h.conn, new Uint8Array(M), h.now);
    h.collect();
    const s0 = h.out.splice(0)[0];
    h.tick(20);
    h.send(h.seg(ACK, M, { opts: h.tsOpts(s0) }));
    const { srtt, rto } = h.e.info(h.conn); // from the handshake's echo and this one
    expect(srtt).toBeGreaterThan(1);
    h.e.send(h.conn, new Uint8Array(2 * M), h.now);
    h.collect();
    const sent = h.out.splice(0);
    expect(sent.length).toBe(2);
    const { seg } = nextOut(h); // the peer had both, its ACK was lost: the RTO resends the first
    expect(seg.seq).toBe(h.ours(M) >>> 0);
    expect(h.e.stats.rtoExpirations).toBe(1);
    return { h, segs: [...sent, seg], srtt, rto };
  }

  it('an_echo_from_before_the_resend_is_no_sample', () => {
    const { h, segs, srtt, rto } = spuriousResend();
    h.tick(10);
    // The peer answers the duplicate with a D-SACK; its TS.Recent is still the second segment's
    // (RFC 7323 §4.3: the duplicate is below Last.ACK.sent's segment): now − TSecr is the RTO wait.
    h.send(h.seg(ACK, 3 * M, { opts: [...h.tsOpts(segs[1]), ...sack(h, [[M, 2 * M]])] }));
    const i = h.e.info(h.conn);
    expect(i.srtt).toBe(srtt); // not 7/8·srtt + 1/8·~210
    // The resend was spurious (RFC 3522): the RTO is the estimator's again, without the backoff.
    expect(i.rto).toBe(rto);
    expect(i.retransmits).toBe(0);
  });

  it('an_echo_of_the_resend_is_a_sample', () => {
    const { h, segs, srtt } = spuriousResend();
    h.tick(10);
    h.send(h.seg(ACK, 3 * M, { opts: h.tsOpts(segs[2]) })); // the resend filled a hole: its TSval
    expect(h.e.info(h.conn).srtt).toBeCloseTo(0.875 * srtt + 0.125 * 10, 3);
  });
});
