// Options and data-path features: MSS, window scale, timestamps and PAWS, SACK, Nagle, out-of-order
// reassembly, fast retransmit / NewReno, sequence wraparound.
import { describe, expect, it } from 'vitest';
import { Harness, ACK, SYN, PSH, PEER_ISS, LPORT, RPORT, REMOTE, opt, optKinds, buildSegment, type Opt } from './harness.js';
import { setNextIss, testModule } from '../support/test-engine.js';

const full = (): Partial<import('../../src/engine/engine.js').EngineConfig> => ({ timestamps: true, sack: true, windowScaling: true });

describe('SYN options', () => {
  it('syn_options_linux_order', () => {
    const h = new Harness({ ...full(), windowScale: 7 });
    h.conn = h.e.connect(REMOTE, RPORT, 0, LPORT);
    h.collect();
    const s = h.expectSegment({ flags: 'S', opts: ['mss', 'sackOK', 'TS', 'nop', 'wscale'] });
    expect(opt(s, 'wscale')!.value).toBe(7);
    expect(opt(s, 'TS')!.ecr).toBe(0);
  });
  it('syn_options_without_timestamps', () => {
    const h = new Harness({ timestamps: false, sack: true, windowScaling: true });
    h.conn = h.e.connect(REMOTE, RPORT, 0, LPORT);
    h.collect();
    h.expectSegment({ flags: 'S', opts: ['mss', 'nop', 'nop', 'sackOK', 'nop', 'wscale'] });
  });
  it('synack_echoes_only_offered_options', () => {
    const h = new Harness(full());
    h.inState('LISTEN');
    h.send({ seq: PEER_ISS, flags: SYN, opts: [{ kind: 'mss', value: 1000 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' }] });
    h.expectSegment({ flags: 'S.', opts: ['mss', 'nop', 'nop', 'sackOK'] });
  });
  it('synack_echoes_ts', () => {
    const h = new Harness(full());
    h.inState('LISTEN');
    h.send({ seq: PEER_ISS, flags: SYN, opts: [{ kind: 'mss', value: 1000 }, { kind: 'sackOK' }, { kind: 'TS', val: 777, ecr: 0 }, { kind: 'nop' }, { kind: 'wscale', value: 3 }] });
    const s = h.expectSegment({ flags: 'S.', opts: ['mss', 'sackOK', 'TS', 'nop', 'wscale'] });
    expect(opt(s, 'TS')!.ecr).toBe(777);
  });
  it('mss_defaults_to_536_without_option', () => {
    const h = new Harness();
    h.inState('LISTEN');
    h.send({ seq: PEER_ISS, flags: SYN });
    h.expectSegment({ flags: 'S.' });
    h.send({ seq: PEER_ISS + 1, ack: 0, flags: ACK });
  });
});


describe('window scale', () => {
  it('peer_window_is_scaled_after_syn', () => {
    const h = new Harness({ windowScaling: true, windowScale: 2, recvBufferSize: 200_000 });
    h.openWith([{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'wscale', value: 4 }]);
    h.send(h.seg(ACK, 0, { win: 100 }));
    expect(h.e.info(h.conn).sndWnd).toBe(1600);
    h.sendData(10, 0);
    h.tick(40);
    const a = h.expectSegment({ flags: '.' });
    expect(a.win).toBe((200_000 - 10) >> 2);
  });
  it('no_scaling_when_peer_lacks_option', () => {
    const h = new Harness({ windowScaling: true, windowScale: 2, recvBufferSize: 200_000 });
    h.openWith([{ kind: 'mss', value: 1460 }]);
    h.send(h.seg(ACK, 0, { win: 100 }));
    expect(h.e.info(h.conn).sndWnd).toBe(100);
    h.sendData(10, 0);
    h.tick(40);
    expect(h.expectSegment({ flags: '.' }).win).toBe(65535);
  });
});

describe('timestamps', () => {
  it('data_segments_carry_nop_nop_ts_and_echo', () => {
    const h = new Harness(full());
    h.openWith([{ kind: 'mss', value: 1460 }, { kind: 'TS', val: 100, ecr: 0 }]);
    h.now = 50;
    h.send(h.seg(ACK | PSH, 0, { data: 5, opts: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'TS', val: 150, ecr: 0 }] }));
    h.peerSeq += 5;
    h.tick(40);
    const a = h.expectSegment({ flags: '.', opts: ['nop', 'nop', 'TS'] });
    expect(opt(a, 'TS')!.ecr).toBe(150);
    expect(h.e.info(h.conn).mss).toBe(1448);
  });
  it('paws_rejects_old_timestamp', () => {
    const h = new Harness(full());
    h.openWith([{ kind: 'mss', value: 1460 }, { kind: 'TS', val: 100, ecr: 0 }]);
    h.send(h.seg(ACK | PSH, 0, { data: 5, opts: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'TS', val: 200, ecr: 0 }] }));
    h.peerSeq += 5;
    h.tick(40);
    h.clear();
    h.send(h.seg(ACK | PSH, 0, { data: 5, opts: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'TS', val: 150, ecr: 0 }] }));
    h.expectSegment({ flags: '.', ack: h.peerSeq });
    expect(h.e.stats.pawsRejected).toBe(1);
    expect(h.e.readable(h.conn)).toBe(5);
  });
  it('rtt_from_timestamps', () => {
    const h = new Harness({ ...full(), tsRandomOffset: false });
    h.openWith([{ kind: 'mss', value: 1460 }, { kind: 'TS', val: 100, ecr: 0 }]);
    h.write(10);
    const d = h.expectSegment({ flags: 'P.' });
    h.now += 80;
    h.send(h.seg(ACK, 10, { opts: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'TS', val: 300, ecr: opt(d, 'TS')!.val }] }));
    expect(h.e.info(h.conn).srtt).toBeGreaterThan(10);
  });
});

describe('Nagle', () => {
  it('nagle_holds_small_segment_while_unacked', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.e.send(h.conn, new Uint8Array(10), h.now); h.collect();
    h.expectSegment({ len: 10 });
    h.e.send(h.conn, new Uint8Array(10), h.now); h.collect();
    h.expectNone();
    h.send(h.seg(ACK, 10));
    h.expectSegment({ len: 10, seq: h.ours(10) });
  });
  it('nodelay_sends_at_once', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.e.setNoDelay(h.conn, true, h.now);
    h.e.send(h.conn, new Uint8Array(10), h.now); h.collect();
    h.e.send(h.conn, new Uint8Array(10), h.now); h.collect();
    h.expectSegment({ len: 10 });
    h.expectSegment({ len: 10, seq: h.ours(10) });
  });
  it('full_segments_go_despite_nagle', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.e.send(h.conn, new Uint8Array(10), h.now); h.collect();
    h.e.send(h.conn, new Uint8Array(3000), h.now); h.collect();
    h.expectSegment({ len: 10 });
    h.expectSegment({ len: 1460 });
    h.expectSegment({ len: 1460 });
    h.expectNone(); // the 90-byte tail waits for an ACK
  });
});

describe('reassembly and SACK', () => {
  it('out_of_order_data_reassembled_with_sack_blocks', () => {
    const h = new Harness(full());
    h.openWith([{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }]);
    const base = h.peerSeq;
    h.send({ seq: base + 100, ack: h.ours(0), flags: ACK, data: new Uint8Array(100).fill(2) });
    const d1 = h.expectSegment({ flags: '.', ack: base, opts: ['nop', 'nop', 'sack'] });
    expect(opt(d1, 'sack')!.blocks).toEqual([[base + 100, base + 200]]);
    h.send({ seq: base + 300, ack: h.ours(0), flags: ACK, data: new Uint8Array(100).fill(4) });
    const d2 = h.expectSegment({ flags: '.', ack: base });
    expect(opt(d2, 'sack')!.blocks).toEqual([[base + 300, base + 400], [base + 100, base + 200]]);
    h.send({ seq: base + 200, ack: h.ours(0), flags: ACK, data: new Uint8Array(100).fill(3) });
    const d3 = h.expectSegment({ flags: '.', ack: base });
    expect(opt(d3, 'sack')!.blocks).toEqual([[base + 100, base + 400]]);
    h.send({ seq: base, ack: h.ours(0), flags: ACK, data: new Uint8Array(100).fill(1) });
    const d4 = h.expectSegment({ flags: '.', ack: base + 400 });
    expect(optKinds(d4)).toEqual([]);
    const got = h.read();
    expect(got.length).toBe(400);
    for (let i = 0; i < 400; i++) if (got[i] !== 1 + Math.floor(i / 100)) throw new Error(`byte ${i} is ${got[i]}`);
  });
  it('out_of_order_fin_is_covered_by_the_sack_block', () => {
    const h = new Harness(full());
    h.openWith([{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }]);
    const base = h.peerSeq;
    h.send({ seq: base + 100, ack: h.ours(0), flags: ACK | 1, data: 100 });
    expect(opt(h.expectSegment({ flags: '.', ack: base }), 'sack')!.blocks).toEqual([[base + 100, base + 201]]);
    h.send({ seq: base, ack: h.ours(0), flags: ACK, data: 100 });
    h.expectSegment({ flags: '.', ack: base + 201 });
    expect(h.stateName()).toBe('CLOSE_WAIT');
    expect(h.read().length).toBe(200);
  });
  it('out_of_order_fin_waits_for_hole', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    const base = h.peerSeq;
    h.send({ seq: base + 10, ack: h.ours(0), flags: ACK | 1, data: 10 });
    expect(h.stateName()).toBe('ESTABLISHED');
    h.send({ seq: base, ack: h.ours(0), flags: ACK, data: 10 });
    expect(h.stateName()).toBe('CLOSE_WAIT');
    expect(h.out.pop()!.ack).toBe(base + 21);
  });
});

describe('receive fast path (copy + checksum in one pass)', () => {
  it('a corrupted in-order payload is dropped and leaves no trace', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    const bad = buildSegment(h.seg(ACK | PSH, 0, { data: new Uint8Array(500).fill(7) }));
    bad[bad.length - 3] ^= 0x10;
    h.e.input(bad, h.now);
    h.collect();
    h.expectNone();
    expect(h.e.stats.badChecksum).toBe(1);
    expect(h.e.readable(h.conn)).toBe(0);
    h.sendData(500, 0, 9);
    const got = h.read();
    expect(got.length).toBe(500);
    expect(got.every((b) => b === 9)).toBe(true);
  });
  it('payload wrapping the end of the receive ring', () => {
    const h = new Harness({ recvBufferSize: 4096 });
    h.inState('ESTABLISHED');
    let total = 0;
    for (let i = 0; i < 20; i++) {
      h.sendData(1001, 0, i);
      const got = h.read();
      expect(got.length).toBe(1001);
      expect(got.every((b) => b === i)).toBe(true);
      total += 1001;
    }
    expect(h.e.stats.badChecksum).toBe(0);
    expect(total).toBe(20020);
  });
});

describe('congestion control', () => {
  it('fast_retransmit_on_three_dupacks_and_newreno_partial_ack', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.e.send(h.conn, new Uint8Array(1460 * 8), h.now); h.collect();
    const segs = h.out.splice(0);
    expect(segs.length).toBe(8);
    // Segments 1 and 3 (0-based) are lost: an ACK for segment 0, then three duplicates.
    for (let i = 0; i < 4; i++) h.send(h.seg(ACK, 1460));
    const rtx = h.expectSegment({ seq: h.ours(1460), len: 1460 });
    expect(rtx.t).toBe(h.now);
    expect(h.e.stats.fastRetransmits).toBe(1);
    // Partial ACK up to the second hole: NewReno retransmits it at once.
    h.send(h.seg(ACK, 1460 * 3));
    h.expectSegment({ seq: h.ours(1460 * 3), len: 1460 });
    const info = h.e.info(h.conn);
    expect(info.ssthresh).toBe((1460 * 7) / 2); // FlightSize / 2 at the third dupack
    h.send(h.seg(ACK, 1460 * 8));
    expect(h.e.info(h.conn).cwnd).toBeLessThanOrEqual(info.ssthresh + 1460);
  });
  it('limited_transmit_sends_new_data_on_the_first_two_dupacks (RFC 3042)', () => {
    const h = new Harness({ initialWindowSegments: 4 });
    h.inState('ESTABLISHED');
    h.e.send(h.conn, new Uint8Array(1460 * 8), h.now); h.collect();
    expect(h.out.splice(0).length).toBe(4);
    h.send(h.seg(ACK, 1460)); // new ACK: slow start opens cwnd, two more segments
    expect(h.out.splice(0).length).toBe(2);
    h.send(h.seg(ACK, 1460)); // dupack 1
    h.expectSegment({ seq: h.ours(1460 * 6), len: 1460 });
    h.send(h.seg(ACK, 1460)); // dupack 2
    h.expectSegment({ seq: h.ours(1460 * 7), len: 1460 });
    h.send(h.seg(ACK, 1460)); // dupack 3: fast retransmit
    h.expectSegment({ seq: h.ours(1460), len: 1460 });
  });
  it('sack_guided_recovery_fills_two_holes_in_one_round_trip', () => {
    const h = new Harness({ sack: true });
    h.inState('LISTEN');
    h.send({ seq: PEER_ISS, flags: SYN, opts: [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' }] });
    h.iss = h.expectSegment({ flags: 'S.' }).seq;
    h.send({ seq: PEER_ISS + 1, ack: h.iss + 1, flags: ACK });
    h.conn = h.e.accept(h.listener);
    h.e.send(h.conn, new Uint8Array(1460 * 8), h.now); h.collect();
    expect(h.out.splice(0).length).toBe(8);
    // Segments 0 and 3 are lost; the peer SACKs what it has.
    const M = 1460;
    const sack = (blocks: [number, number][]) => [{ kind: 'nop' as const }, { kind: 'nop' as const }, { kind: 'sack' as const, blocks }];
    h.send(h.seg(ACK, 0, { opts: sack([[h.ours(M), h.ours(2 * M)]]) }));
    h.send(h.seg(ACK, 0, { opts: sack([[h.ours(M), h.ours(3 * M)]]) }));
    h.send(h.seg(ACK, 0, { opts: sack([[h.ours(4 * M), h.ours(5 * M)], [h.ours(M), h.ours(3 * M)]]) }));
    h.expectSegment({ seq: h.ours(0), len: M }); // fast retransmit of the first hole
    h.send(h.seg(ACK, 0, { opts: sack([[h.ours(4 * M), h.ours(6 * M)], [h.ours(M), h.ours(3 * M)]]) }));
    h.expectSegment({ seq: h.ours(3 * M), len: M }); // the second hole, before any partial ACK
    expect(h.e.stats.rtoExpirations).toBe(0);
  });
  it('slow_start_grows_cwnd', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    const c0 = h.e.info(h.conn).cwnd;
    expect(c0).toBe(14600);
    h.e.send(h.conn, new Uint8Array(1460 * 4), h.now); h.collect();
    h.send(h.seg(ACK, 1460 * 4));
    expect(h.e.info(h.conn).cwnd).toBe(c0 + 1460);
  });
});

describe('sequence numbers wrap past 2^32', () => {
  it('transfer across the wrap both ways', () => {
    const h = new Harness({}, 1, testModule());
    setNextIss(h.e, 0xffffff00);
    h.inState('LISTEN');
    const peerIss = 0xfffffff0;
    h.send({ seq: peerIss, flags: SYN, opts: [{ kind: 'mss', value: 1460 }] });
    const sa = h.expectSegment({ flags: 'S.' });
    expect(sa.seq).toBe(0xffffff00);
    h.iss = sa.seq;
    h.peerSeq = (peerIss + 1) >>> 0;
    h.send(h.seg(ACK, 0));
    h.conn = h.e.accept(h.listener);
    let total = 0;
    for (let i = 0; i < 10; i++) {
      h.send(h.seg(ACK | PSH, total, { data: new Uint8Array(100).fill(i) }));
      h.peerSeq = (h.peerSeq + 100) >>> 0;
      expect(h.e.send(h.conn, new Uint8Array(100).fill(i), h.now)).toBe(100);
      h.collect();
      const d = h.out.filter((s) => s.len > 0).pop()!;
      expect(d.seq).toBe(h.ours(total));
      total += 100;
    }
    expect(h.e.info(h.conn).sndNxt).toBeLessThan(0x1000);
    const got = h.read();
    expect(got.length).toBe(1000);
    expect(got[999]).toBe(9);
  });
});
