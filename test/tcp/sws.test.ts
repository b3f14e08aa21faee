// Silly window syndrome avoidance on both sides (RFC 9293 §3.8.6.2) and the persist timer with
// zero-window probes (§3.8.6.1), checked segment by segment on the virtual clock.
import { describe, expect, it } from 'vitest';
import { Harness, ACK, SYN, LPORT, RPORT, REMOTE, PEER_ISS } from './harness.js';

describe('receiver SWS avoidance (RFC 9293 §3.8.6.2.2)', () => {
  it('rcv_window_reopens_only_by_min_half_buffer_or_mss', () => {
    const h = new Harness({ recvBufferSize: 4096 }); // min(4096 / 2, MSS 1460) = 1460
    h.inState('ESTABLISHED');
    for (const n of [1000, 1000, 1000, 1096]) h.sendData(n, 0);
    h.tick(40); // delayed ACK of the sub-MSS segments
    h.expectSegment({ flags: '.', ack: h.peerSeq, win: 0 });
    h.expectNone();
    const buf = new Uint8Array(100);
    const updates: [number, number][] = [];
    for (let read = 100; read <= 4000; read += 100) {
      expect(h.e.recv(h.conn, buf, h.now)).toBe(100);
      h.collect();
      for (const s of h.out.splice(0)) {
        expect(s.flags).toBe(ACK);
        expect(s.ack).toBe(h.peerSeq);
        updates.push([read, s.win]);
      }
    }
    // No 100-byte window increments: the right edge moves only once 1460 more bytes are free (first at
    // 1500 read, then at 1500 + 1460 rounded up to the next read, 3000); the last 1096 bytes are too few.
    expect(updates).toEqual([[1500, 1500], [3000, 3000]]);
  });

  it('rcv_free_space_below_an_mss_is_not_offered', () => {
    const h = new Harness({ recvBufferSize: 4096 });
    h.inState('ESTABLISHED'); // the SYN offered 2920 (the 4096-byte buffer rounded down to whole MSS)
    h.sendData(1460, 0);
    h.expectNone(); // delayed
    h.sendData(1460, 0); // second full segment: ACK now; 1176 bytes are free but less than 1460
    h.expectSegment({ flags: '.', ack: h.peerSeq, win: 0 });
    h.expectNone();
    expect(h.e.recv(h.conn, new Uint8Array(283), h.now)).toBe(283); // 1459 free: still too little
    h.collect();
    h.expectNone();
    expect(h.e.recv(h.conn, new Uint8Array(1), h.now)).toBe(1); // 1460 free: the window update goes
    h.collect();
    h.expectSegment({ flags: '.', ack: h.peerSeq, win: 1460 });
    h.expectNone();
  });
});

describe('window updates after a read (Linux tcp_cleanup_rbuf)', () => {
  it('win_update_only_when_a_small_window_at_least_doubled', () => {
    const size = 65536;
    const h = new Harness({ recvBufferSize: size });
    h.inState('ESTABLISHED');
    // A read while the window is large sends nothing of its own (the next ACK carries the new window).
    h.sendData(1460, 0);
    h.sendData(1460, 0);
    expect(h.expectSegment({ flags: '.', ack: h.peerSeq }).win).toBeGreaterThan(size / 2);
    expect(h.read().length).toBe(2920);
    h.expectNone();
    // Fill the buffer until the advertised window is under half of it.
    for (let i = 0; i < 28; i++) h.sendData(1460, 0);
    const acks = h.out.splice(0);
    const last = acks[acks.length - 1];
    expect(last.ack).toBe(h.peerSeq);
    const cur = last.win;
    expect(cur * 2).toBeLessThanOrEqual(size);
    let unread = 28 * 1460;
    // Reads that leave less than twice that window advertisable send nothing; the first read
    // after which the free space is at least twice it sends one window update with all of it.
    const buf = new Uint8Array(1460);
    let updates = 0;
    while (unread > 0) {
      expect(h.e.recv(h.conn, buf, h.now)).toBe(1460);
      unread -= 1460;
      h.collect();
      if (size - unread < 2 * cur) { h.expectNone(); continue; }
      expect(h.expectSegment({ flags: '.', ack: h.peerSeq }).win).toBe(size - unread);
      h.expectNone();
      updates++;
      break;
    }
    expect(updates).toBe(1);
  });
});

describe('sender SWS avoidance (RFC 9293 §3.8.6.2.1)', () => {
  it('snd_holds_a_small_window_until_a_full_segment_or_all_data_fits', () => {
    const h = new Harness();
    h.establishedWithPeerWindow(3000);
    h.write(5000);
    h.expectSegment({ flags: '.', seq: h.ours(0), len: 1460 });
    h.expectSegment({ flags: '.', seq: h.ours(1460), len: 1460 });
    h.expectNone(); // 80 bytes of window left: less than an MSS and less than half the max window (1500)
    h.send(h.seg(ACK, 1460, { win: 3000 })); // usable 1540: one full segment, then 80 again
    h.expectSegment({ flags: '.', seq: h.ours(2920), len: 1460 });
    h.expectNone();
    h.send(h.seg(ACK, 4380, { win: 3000 })); // the 620-byte tail fits: it goes, with PSH
    h.expectSegment({ flags: 'P.', seq: h.ours(4380), len: 620 });
    h.expectNone();
  });

  it('snd_half_the_max_window_is_enough_for_a_sub_mss_segment', () => {
    const h = new Harness();
    h.conn = h.e.connect(REMOTE, RPORT, 0, LPORT);
    h.collect();
    h.iss = h.expectSegment({ flags: 'S' }).seq;
    // The peer never offers more than 2000: a sub-MSS segment needs 1000 bytes of window.
    h.send({ seq: PEER_ISS, ack: h.iss + 1, flags: SYN | ACK, win: 2000, opts: [{ kind: 'mss', value: 1460 }] });
    h.clear();
    h.write(4000);
    h.expectSegment({ flags: '.', seq: h.ours(0), len: 1460 });
    h.expectNone(); // 540 usable < 1000
    h.send(h.seg(ACK, 1460, { win: 1000 }));
    h.expectSegment({ flags: '.', seq: h.ours(1460), len: 1000 });
    h.send(h.seg(ACK, 2460, { win: 999 })); // 999 < 1000: held
    h.expectNone();
    h.send(h.seg(ACK, 2460, { win: 1000 })); // window update to exactly half the max window: sent
    h.expectSegment({ flags: '.', seq: h.ours(2460), len: 1000 });
    h.expectNone();
  });
});

describe('persist timer and zero-window probes (RFC 9293 §3.8.6.1)', () => {
  it('zero_window_probes_double_from_rto_to_rto_max_then_etimedout_when_unanswered', () => {
    const h = new Harness({ dataRetries: 12, rtoMaxMs: 60_000 });
    h.establishedWithPeerWindow(0);
    h.write(500);
    h.expectNone();
    h.runUntil(3_000_000);
    for (const s of h.out) {
      // Linux-style probe: an ACK with SEQ = SND.UNA − 1 and no data, which the peer must answer.
      expect(s.flags).toBe(ACK);
      expect(s.seq).toBe(h.ours(-1));
      expect(s.len).toBe(0);
    }
    const t = h.out.map((s) => s.t);
    const gaps = t.map((x, i) => x - (i ? t[i - 1] : 0));
    expect(gaps).toEqual([200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000, 60000]);
    expect(h.stateName()).toBe('CLOSED');
  });

  it('answered_zero_window_probes_keep_the_connection_open_indefinitely', () => {
    const h = new Harness({ dataRetries: 5, rtoMaxMs: 60_000 });
    h.establishedWithPeerWindow(0);
    h.write(500);
    let probes = 0;
    while (h.now < 2 * 3600_000) {
      const next = h.e.poll(h.now);
      expect(next).toBeLessThan(Infinity);
      h.now = next;
      h.e.poll(h.now);
      h.collect();
      for (const s of h.out.splice(0)) {
        expect(s).toMatchObject({ flags: ACK, seq: h.ours(-1), len: 0 });
        probes++;
        h.send(h.seg(ACK, 0, { win: 0 })); // the peer answers: still no room
      }
      h.expectNone();
    }
    expect(probes).toBeGreaterThan(100); // far beyond dataRetries, at one per rtoMax
    expect(h.stateName()).toBe('ESTABLISHED');
    h.send(h.seg(ACK, 0, { win: 1000 }));
    h.expectSegment({ flags: 'P.', seq: h.ours(0), len: 500 });
  });

  it('persist_timeout_overrides_sender_sws_with_what_the_window_allows', () => {
    const h = new Harness();
    h.establishedWithPeerWindow(3000);
    h.write(4000);
    h.expectSegment({ len: 1460 });
    h.expectSegment({ len: 1460 });
    h.send(h.seg(ACK, 2920, { win: 80 })); // all acked, 80 bytes of window: SWS holds the 1080 left
    h.expectNone();
    h.tick(199);
    h.expectNone();
    h.tick(1); // persist fires after one RTO: the 80 bytes the window allows go
    h.expectSegment({ flags: '.', seq: h.ours(2920), len: 80 });
    h.expectNone();
  });
});
