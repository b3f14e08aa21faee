// RFC 6191: a new SYN for a connection in TIME_WAIT, with timestamps (the TS decides) and without.
import { describe, expect, it } from 'vitest';
import { Harness, ACK, SYN, FIN, PEER_ISS, type Opt } from './harness.js';

/** a after b in sequence space (RFC 9293 §3.4), computed independently of the engine. */
const seqGt = (a: number, b: number): boolean => ((a - b) | 0) > 0;

/** Passive open with timestamps, then we close first: TIME_WAIT on our side, TS.Recent = the peer's last TSval. */
function timeWait(h: Harness): void {
  h.inState('LISTEN');
  h.send({ seq: PEER_ISS, flags: SYN, opts: [{ kind: 'mss', value: 1460 }, { kind: 'TS', val: 100, ecr: 0 }] });
  const sa = h.expectSegment({ flags: 'S.' });
  h.iss = sa.seq;
  h.send({ seq: PEER_ISS + 1, ack: h.iss + 1, flags: ACK, opts: h.tsOpts(sa) });
  h.conn = h.e.accept(h.listener);
  h.clear();
  h.close();
  const fin = h.expectSegment({ flags: 'F.', seq: h.ours(0) });
  h.send(h.seg(FIN | ACK, 1, { opts: h.tsOpts(fin) }));
  h.peerSeq++;
  expect(h.stateName()).toBe('TIME_WAIT');
  h.clear();
}

const synOpts = (val: number): Opt[] => [{ kind: 'mss', value: 1460 }, { kind: 'TS', val, ecr: 0 }];

describe('new SYN in TIME_WAIT (RFC 6191)', () => {
  it('time_wait_syn_with_newer_timestamp_opens_even_with_an_old_sequence_number', () => {
    const h = new Harness({ timestamps: true });
    timeWait(h);
    h.tick(1000);
    h.send({ seq: h.peerSeq - 5000, flags: SYN, opts: synOpts(h.tsVal + 1000) });
    const sa = h.expectSegment({ flags: 'S.', ack: h.peerSeq - 5000 + 1 });
    expect(seqGt(sa.seq, h.ours(1))).toBe(true); // the new ISN lies above everything the old incarnation sent
    expect(sa.opts.find((o) => o.kind === 'TS')).toMatchObject({ ecr: h.tsVal + 1000 });
    h.expectNone();
  });

  it('time_wait_syn_with_older_timestamp_is_acked_and_time_wait_stays', () => {
    const h = new Harness({ timestamps: true });
    timeWait(h);
    h.tick(1000);
    h.send({ seq: h.peerSeq + 5000, flags: SYN, opts: synOpts(h.tsVal - 1) }); // higher seq, but an old TS
    const ack = h.expectSegment({ flags: '.', ack: h.peerSeq, seq: h.ours(1) });
    expect(ack.opts.find((o) => o.kind === 'TS')).toMatchObject({ ecr: h.tsVal });
    h.expectNone();
    expect(h.stateName()).toBe('TIME_WAIT');
    h.tick(59_000);
    expect(h.stateName()).toBe('CLOSED'); // the old 2·MSL timer was not restarted
  });

  it('time_wait_syn_without_timestamps_needs_a_higher_sequence_number', () => {
    const h = new Harness();
    h.timeWaitByFinAck();
    h.send({ seq: h.peerSeq - 1, flags: SYN }); // not above RCV.NXT: an old duplicate
    h.expectSegment({ flags: '.', ack: h.peerSeq });
    h.expectNone();
    expect(h.stateName()).toBe('TIME_WAIT');
  });
});
