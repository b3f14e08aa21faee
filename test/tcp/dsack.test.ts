// The receiver's D-SACK blocks (RFC 2883) in Linux's order, retransmitted data with a new FIN, and
// out-of-order ranges that are never taken back (no reneging).
import { describe, expect, it } from 'vitest';
import { ACK, FIN, Harness, PSH, type Opt, type SegOut } from './harness.js';

const SACK_PEER: Opt[] = [{ kind: 'mss', value: 1000 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' }];

/** The SACK blocks of `s`, relative to the peer's first data byte. */
function blocks(h: Harness, s: SegOut): [number, number][] {
  const o = s.opts.find((x) => x.kind === 'sack') as { blocks: [number, number][] } | undefined;
  const base = 1001; // PEER_ISS + 1
  return (o?.blocks ?? []).map(([l, r]) => [l - base, r - base]);
}

/** Peer data [from, to) relative to its first byte, acknowledging nothing of ours. */
function data(h: Harness, from: number, to: number, flags = ACK | PSH): void {
  h.send({ seq: 1001 + from, ack: h.ours(0), flags, data: new Uint8Array(to - from).fill(0x30 + (from % 10)) });
}

function sackConn(config = {}): Harness {
  const h = new Harness({ sack: true, quickAcks: 16, ...config });
  h.openWith(SACK_PEER);
  return h;
}

describe('D-SACK blocks (RFC 2883)', () => {
  it('dsack_reports_a_duplicate_below_rcv_nxt_once', () => {
    const h = sackConn();
    data(h, 0, 1000);
    expect(blocks(h, h.expectSegment({ flags: '.', ack: 2001 }))).toEqual([]);
    data(h, 0, 1000); // a retransmission of what we have
    const a = h.expectSegment({ flags: '.', ack: 2001 });
    expect(blocks(h, a)).toEqual([[0, 1000]]);
    expect(h.e.stats.dsacksOut).toBe(1);
    data(h, 1000, 1100);
    expect(blocks(h, h.expectSegment({ flags: '.', ack: 2101 }))).toEqual([]); // sent once
    expect(h.read().length).toBe(1100); // delivered once
  });

  it('dsack_first_then_the_ranges_most_recent_first', () => {
    const h = sackConn();
    data(h, 0, 1000);
    h.expectSegment({ ack: 2001 });
    data(h, 2000, 3000);
    expect(blocks(h, h.expectSegment({ ack: 2001 }))).toEqual([[2000, 3000]]);
    data(h, 4000, 5000);
    expect(blocks(h, h.expectSegment({ ack: 2001 }))).toEqual([[4000, 5000], [2000, 3000]]);
    data(h, 2000, 3000); // a duplicate of a held range: that range becomes the most recent
    expect(blocks(h, h.expectSegment({ ack: 2001 }))).toEqual([[2000, 3000], [2000, 3000], [4000, 5000]]);
    data(h, 500, 1500); // old part below RCV.NXT, new part in order
    expect(blocks(h, h.expectSegment({ ack: 2501 }))).toEqual([[500, 1000], [2000, 3000], [4000, 5000]]);
    data(h, 1500, 2500); // fills the hole; its tail duplicates the start of the range it reaches
    expect(blocks(h, h.expectSegment({ ack: 4001 }))).toEqual([[2000, 2500], [4000, 5000]]);
    data(h, 6000, 7000);
    h.expectSegment({ ack: 4001 });
    data(h, 4500, 6500); // two duplicate parts that do not touch: the first one is reported
    expect(blocks(h, h.expectSegment({ ack: 4001 }))).toEqual([[4500, 5000], [4000, 7000]]);
    expect(h.read().length).toBe(3000);
  });

  it('dsack_off_sends_no_duplicate_block', () => {
    const h = sackConn({ dsack: false });
    data(h, 0, 1000);
    h.expectSegment({ ack: 2001 });
    data(h, 0, 1000);
    expect(blocks(h, h.expectSegment({ ack: 2001 }))).toEqual([]);
    expect(h.e.stats.dsacksOut).toBe(0);
  });

  it('dsack_block_counts_against_the_option_space_and_the_payload', () => {
    const h = sackConn();
    data(h, 0, 1000);
    data(h, 2000, 3000);
    data(h, 4000, 5000);
    data(h, 6000, 7000);
    data(h, 8000, 9000);
    h.clear();
    data(h, 0, 1000); // D-SACK + the 3 most recent of the 4 ranges: 4 blocks without timestamps
    const a = h.expectSegment({ ack: 2001 });
    expect(blocks(h, a)).toEqual([[0, 1000], [8000, 9000], [6000, 7000], [4000, 5000]]);
  });
});

describe('retransmitted data with a new FIN', () => {
  it('fin_after_old_data_is_taken_and_acked_with_the_delayed_ack_timer_under_delayFinAck', () => {
    const h = sackConn({ delayFinAck: true });
    data(h, 0, 1000);
    h.expectSegment({ ack: 2001 });
    data(h, 0, 1000, ACK | PSH | FIN);
    h.expectNone(); // nothing at once: the new part is the FIN, and its ACK waits (Linux ping-pong)
    expect(h.stateName()).toBe('CLOSE_WAIT');
    h.tick(39);
    h.expectNone();
    h.tick(1);
    const a = h.expectSegment({ flags: '.', ack: 2002 });
    expect(blocks(h, a)).toEqual([]); // a FIN resets the SACK state (Linux tcp_fin)
  });

  it('fin_after_old_data_is_acked_at_once_without_delayFinAck', () => {
    const h = sackConn({ delayFinAck: false });
    data(h, 0, 1000);
    h.expectSegment({ ack: 2001 });
    data(h, 0, 1000, ACK | PSH | FIN);
    h.expectSegment({ flags: '.', ack: 2002 });
    expect(h.stateName()).toBe('CLOSE_WAIT');
  });

  it('old_data_with_new_data_follows_the_delayed_ack_rules', () => {
    const h = sackConn({ quickAcks: 0 });
    data(h, 0, 1000);
    h.tick(40);
    h.expectSegment({ ack: 2001 });
    data(h, 500, 1500); // 500 old bytes, 500 new ones: one sub-MSS in-order segment, delayed
    h.expectNone();
    h.tick(40);
    expect(blocks(h, h.expectSegment({ ack: 2501 }))).toEqual([[500, 1000]]);
  });

  it('a_duplicate_restarts_quick_ack_mode', () => {
    const h = sackConn({ quickAcks: 2 });
    data(h, 0, 100);
    data(h, 100, 200);
    expect(h.out.splice(0).map((s) => s.ack - 1001)).toEqual([100, 200]); // the two quick ACKs
    data(h, 200, 300);
    h.expectNone(); // delayed now
    data(h, 200, 300);
    expect(blocks(h, h.expectSegment({ ack: 1301 }))).toEqual([[200, 300]]);
    data(h, 300, 400);
    h.expectSegment({ ack: 1401 }); // quick again
  });

  it('a_duplicate_starts_quick_acks_even_without_them_at_the_start', () => {
    // quickAcks 0 (the engine default) only turns off the ones at the start: a duplicate says
    // our ACK was lost or the sender timed out and restarts from one segment (Linux
    // tcp_send_dupack: TCP_MAX_QUICKACKS, 16), so delaying the next ACKs would stall it.
    const h = sackConn({ quickAcks: 0 });
    data(h, 0, 1000);
    h.expectNone(); // delayed: no quick ACKs at the start
    h.tick(40);
    h.expectSegment({ ack: 2001 });
    data(h, 0, 1000); // the sender resent it
    expect(blocks(h, h.expectSegment({ ack: 2001 }))).toEqual([[0, 1000]]);
    for (let i = 1; i <= 16; i++) {
      data(h, i * 100 + 900, i * 100 + 1000);
      h.expectSegment({ ack: 2001 + i * 100 }); // each one at once, 16 of them
    }
    data(h, 2600, 2700);
    h.expectNone(); // then delayed again
    h.tick(40);
    h.expectSegment({ ack: 3701 });
  });
});

describe('out-of-order ranges are never taken back', () => {
  it('data_needing_a_fifth_range_is_dropped_not_an_older_range', () => {
    const h = sackConn();
    for (const at of [1000, 3000, 5000, 7000]) data(h, at, at + 1000);
    h.clear();
    data(h, 9000, 10000); // no room: dropped, the SACK blocks stay as they were
    expect(blocks(h, h.expectSegment({ ack: 1001 }))).toEqual([[7000, 8000], [5000, 6000], [3000, 4000], [1000, 2000]]);
    data(h, 8000, 9000); // touches a range: taken
    expect(blocks(h, h.expectSegment({ ack: 1001 }))[0]).toEqual([7000, 9000]);
    for (const at of [0, 2000, 4000, 6000]) data(h, at, at + 1000);
    const last = h.out[h.out.length - 1];
    expect(last.ack - 1001).toBe(9000); // everything up to the dropped segment, nothing reneged
    data(h, 9000, 10000);
    expect(h.read().length).toBe(10000);
  });
});
