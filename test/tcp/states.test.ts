// One test per state × event (smoltcp style): build a connection in a state, feed one segment, check
// the reply and the new state.
import { describe, expect, it } from 'vitest';
import { EventKind } from '../../src/engine/engine.js';
import { Harness, ACK, SYN, FIN, RST, PSH, PEER_ISS, LPORT, RPORT, REMOTE } from './harness.js';
import { Errno } from '../../src/engine/errno.js';

describe('CLOSED (no connection)', () => {
  it('closed_port_rst: a SYN gets RST+ACK <SEQ=0><ACK=SEG.SEQ+1>', () => {
    const h = new Harness();
    h.send({ seq: 500, flags: SYN });
    h.expectSegment({ flags: 'R.', seq: 0, ack: 501, win: 0, opts: [] });
    h.expectNone();
  });
  it('closed_port_ack_rst: a segment with ACK gets <SEQ=SEG.ACK><CTL=RST>', () => {
    const h = new Harness();
    h.send({ seq: 500, ack: 7777, flags: ACK, data: 10 });
    h.expectSegment({ flags: 'R', seq: 7777, ack: 0, win: 0 });
  });
  it('closed_port_rst_ignored: an RST gets nothing', () => {
    const h = new Harness();
    h.send({ seq: 500, ack: 1, flags: RST | ACK });
    h.expectNone();
  });
});

describe('bogus source addresses (RFC 1122 §3.2.1.3, §4.2.3.10)', () => {
  for (const [name, src] of [['broadcast', 0xffffffff], ['multicast', 0xe0000001], ['zero', 0]] as const) {
    it(`listen_syn_from_${name}_dropped_silently`, () => {
      const h = new Harness();
      h.inState('LISTEN');
      h.send({ src, seq: PEER_ISS, flags: SYN });
      h.send({ src, seq: PEER_ISS, ack: 5, flags: ACK, dport: LPORT + 1 }); // to a closed port: no RST either
      h.expectNone();
      expect(h.e.connectionsInUse).toBe(0);
      expect(h.e.stats.badPackets).toBe(2);
    });
  }
});

describe('LISTEN', () => {
  it('listen_syn_sends_synack', () => {
    const h = new Harness();
    h.inState('LISTEN');
    h.send({ seq: PEER_ISS, flags: SYN, opts: [{ kind: 'mss', value: 1000 }] });
    const s = h.expectSegment({ flags: 'S.', ack: PEER_ISS + 1, win: 64240, opts: ['mss'] });
    expect(s.opts[0]).toEqual({ kind: 'mss', value: 1460 });
    h.expectNone();
    const st = h.takeEvents(EventKind.State);
    expect(st.map((e) => e.arg)).toEqual([(1 << 8) | 3]); // LISTEN -> SYN_RCVD
  });
  it('listen_ack_sends_rst', () => {
    const h = new Harness();
    h.inState('LISTEN');
    h.send({ seq: PEER_ISS, ack: 4242, flags: ACK });
    h.expectSegment({ flags: 'R', seq: 4242 });
  });
  it('listen_rst_ignored', () => {
    const h = new Harness();
    h.inState('LISTEN');
    h.send({ seq: PEER_ISS, flags: RST });
    h.expectNone();
  });
  it('listen_accept_queue_full_drops_syn', () => {
    // Linux: a SYN that finds the accept queue full is dropped, cookies or not (test/tcp/syncookie.test.ts).
    const h = new Harness();
    h.listener = h.e.listen(LPORT, 1);
    h.send({ seq: PEER_ISS, flags: SYN });
    const sa = h.expectSegment({ flags: 'S.' });
    h.send({ seq: PEER_ISS + 1, ack: sa.seq + 1, flags: ACK });
    h.send({ seq: PEER_ISS, flags: SYN, sport: RPORT + 1 });
    h.expectNone();
    expect(h.e.stats.synDropped).toBe(1);
    expect(h.e.stats.synCookiesSent).toBe(0);
  });
  it('listen_twice_eaddrinuse', () => {
    const h = new Harness();
    expect(h.e.listen(LPORT)).toBeGreaterThanOrEqual(0);
    expect(h.e.listen(LPORT)).toBe(-Errno.EADDRINUSE);
  });
  it('listen_port_zero_picks_a_free_ephemeral_port', () => {
    const h = new Harness({ ephemeralLow: 40000, ephemeralHigh: 40002 });
    expect(h.e.listen(40001)).toBeGreaterThanOrEqual(0);
    const ports = [0, 0].map(() => (h.e.listen(0) >= 0 ? h.e.lastListenPort : -1));
    expect(ports.sort()).toEqual([40000, 40002]); // the range less the port already listening
    expect(h.e.listen(0)).toBe(-Errno.EADDRINUSE); // the range is used up
    h.send({ seq: PEER_ISS, flags: SYN, dport: ports[0] });
    h.expectSegment({ flags: 'S.', ack: PEER_ISS + 1 });
  });
});

describe('SYN_SENT', () => {
  it('connect_sends_syn', () => {
    const h = new Harness();
    h.conn = h.e.connect(REMOTE, RPORT, 0, LPORT);
    h.collect();
    h.expectSegment({ flags: 'S', ack: 0, win: 64240, opts: ['mss'] }); // 44 × 1460, as Linux
    expect(h.stateName()).toBe('SYN_SENT');
  });
  it('syn_sent_synack_sends_ack_established', () => {
    const h = new Harness();
    h.inState('SYN_SENT');
    h.send({ seq: PEER_ISS, ack: h.iss + 1, flags: SYN | ACK, opts: [{ kind: 'mss', value: 1200 }] });
    h.expectSegment({ flags: '.', seq: h.iss + 1, ack: PEER_ISS + 1 });
    expect(h.stateName()).toBe('ESTABLISHED');
    expect(h.takeEvents(EventKind.Connected).length).toBe(1);
    expect(h.e.info(h.conn).mss).toBe(1200);
  });
  it('syn_sent_syn_simultaneous_open', () => {
    const h = new Harness();
    h.inState('SYN_SENT');
    h.send({ seq: PEER_ISS, flags: SYN });
    h.expectSegment({ flags: 'S.', seq: h.iss, ack: PEER_ISS + 1 });
    expect(h.stateName()).toBe('SYN_RCVD');
    h.send({ seq: PEER_ISS + 1, ack: h.iss + 1, flags: ACK });
    expect(h.stateName()).toBe('ESTABLISHED');
    expect(h.takeEvents(EventKind.Connected).length).toBe(1);
  });
  it('syn_sent_rst_ack_refused', () => {
    const h = new Harness();
    h.inState('SYN_SENT');
    h.send({ seq: 0, ack: h.iss + 1, flags: RST | ACK });
    expect(h.stateName()).toBe('CLOSED');
    expect(h.takeEvents(EventKind.Closed)[0].arg).toBe(-Errno.ECONNREFUSED);
  });
  it('syn_sent_rst_without_ack_ignored', () => {
    const h = new Harness();
    h.inState('SYN_SENT');
    h.send({ seq: 0, flags: RST });
    expect(h.stateName()).toBe('SYN_SENT');
  });
  it('syn_sent_bad_ack_sends_rst', () => {
    const h = new Harness();
    h.inState('SYN_SENT');
    h.send({ seq: PEER_ISS, ack: h.iss + 100, flags: SYN | ACK });
    h.expectSegment({ flags: 'R', seq: h.iss + 100 });
    expect(h.stateName()).toBe('SYN_SENT');
  });
});

describe('SYN_RCVD', () => {
  it('syn_rcvd_close_sends_fin_fin_wait_1 (simultaneous open)', () => {
    const h = new Harness();
    h.inState('SYN_SENT');
    h.send({ seq: PEER_ISS, flags: SYN });
    h.expectSegment({ flags: 'S.', seq: h.iss });
    h.close();
    h.expectSegment({ flags: 'F.', seq: h.iss + 1, ack: PEER_ISS + 1 });
    expect(h.stateName()).toBe('FIN_WAIT_1');
    h.tick(1000);
    h.expectSegment({ flags: 'S.', seq: h.iss }); // the SYN-ACK was never acknowledged: resent first
    h.send({ seq: PEER_ISS + 1, ack: h.iss + 2, flags: ACK });
    expect(h.stateName()).toBe('FIN_WAIT_2');
  });
  it('syn_rcvd_ack_established_accept', () => {
    const h = new Harness();
    h.inState('SYN_RCVD');
    h.send(h.seg(ACK, 0));
    h.expectNone();
    expect(h.takeEvents(EventKind.Accept).length).toBe(1);
    const c = h.e.accept(h.listener);
    expect(h.stateName(c)).toBe('ESTABLISHED');
    expect(h.e.accept(h.listener)).toBe(-Errno.EAGAIN);
  });
  it('syn_rcvd_ack_with_data_established_readable', () => {
    const h = new Harness();
    h.inState('SYN_RCVD');
    h.sendData(5, 0);
    h.conn = h.e.accept(h.listener);
    expect(h.read().length).toBe(5);
  });
  it('syn_rcvd_rst_frees_embryonic', () => {
    const h = new Harness();
    h.inState('SYN_RCVD');
    const used = h.e.connectionsInUse;
    h.send({ seq: PEER_ISS + 1, flags: RST });
    expect(h.e.connectionsInUse).toBe(used - 1);
    expect(h.e.accept(h.listener)).toBe(-Errno.EAGAIN);
  });
  it('syn_rcvd_bad_ack_sends_rst', () => {
    const h = new Harness();
    h.inState('SYN_RCVD');
    h.send({ seq: PEER_ISS + 1, ack: h.iss + 50, flags: ACK });
    h.expectSegment({ flags: 'R', seq: h.iss + 50 });
  });
  it('syn_rcvd_dup_syn_resends_synack', () => {
    const h = new Harness();
    h.inState('SYN_RCVD');
    h.send({ seq: PEER_ISS, flags: SYN });
    h.expectSegment({ flags: 'S.', seq: h.iss, ack: PEER_ISS + 1 });
  });
});

describe('ESTABLISHED', () => {
  it('established_data_delayed_ack', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.sendData(100, 0);
    h.expectNone();
    h.tick(39);
    h.expectNone();
    h.tick(1);
    h.expectSegment({ flags: '.', ack: h.peerSeq });
    expect(h.takeEvents(EventKind.Readable).length).toBe(1);
    expect(Array.from(h.read())).toEqual(new Array(100).fill(0x61));
  });
  it('established_two_full_segments_ack_now', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.sendData(1460, 0);
    h.expectNone();
    h.sendData(1460, 0);
    h.expectSegment({ flags: '.', ack: h.peerSeq });
  });
  it('established_send_data', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    expect(h.e.send(h.conn, new Uint8Array([1, 2, 3]), h.now)).toBe(3);
    h.collect();
    const s = h.expectSegment({ flags: 'P.', seq: h.ours(0), ack: h.peerSeq, len: 3 });
    expect(Array.from(s.data)).toEqual([1, 2, 3]);
    h.send(h.seg(ACK, 3));
    expect(h.e.bufferedSend(h.conn)).toBe(0);
  });
  it('established_fin_close_wait', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.send(h.seg(FIN | ACK, 0));
    h.peerSeq++;
    h.expectSegment({ flags: '.', ack: h.peerSeq });
    expect(h.stateName()).toBe('CLOSE_WAIT');
    expect(h.takeEvents(EventKind.PeerFin).length).toBe(1);
    expect(h.e.recv(h.conn, new Uint8Array(10), h.now)).toBe(0);
  });
  it('established_rst_exact_resets', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.send({ seq: h.peerSeq, flags: RST });
    expect(h.stateName()).toBe('CLOSED');
    expect(h.takeEvents(EventKind.Closed)[0].arg).toBe(-Errno.ECONNRESET);
    expect(h.e.recv(h.conn, new Uint8Array(10), h.now)).toBe(-Errno.ECONNRESET);
  });
  // RFC 5961 §3.2, §4.2: an in-window RST, or a SYN, draws a challenge ACK and changes nothing.
  it.each([
    ['established_rst_in_window_challenge_ack', 100, RST],
    ['established_syn_challenge_ack', 5, SYN],
  ])('%s', (_name, off, flags) => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.send({ seq: h.peerSeq + off, flags });
    h.expectSegment({ flags: '.', seq: h.ours(0), ack: h.peerSeq });
    expect(h.stateName()).toBe('ESTABLISHED');
    expect(h.e.stats.challengeAcks).toBe(1);
  });
  it('established_rst_out_of_window_ignored', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.send({ seq: h.peerSeq + 1_000_000, flags: RST });
    h.expectNone();
    expect(h.stateName()).toBe('ESTABLISHED');
  });
  it('established_old_segment_acked', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.send({ seq: h.peerSeq - 10, ack: h.ours(0), flags: ACK | PSH, data: 10 });
    h.expectSegment({ flags: '.', ack: h.peerSeq });
  });
  it('established_old_ack_before_any_data_acked_challenge_ack_data_dropped', () => {
    // RFC 5961 §5.2 with Linux's clamp: the range below SND.UNA never exceeds the bytes acknowledged.
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.send({ seq: h.peerSeq, ack: h.ours(0) - 1, flags: ACK | PSH, data: 100 });
    h.expectSegment({ flags: '.', seq: h.ours(0), ack: h.peerSeq });
    expect(h.e.stats.challengeAcks).toBe(1);
    expect(h.e.recv(h.conn, new Uint8Array(200), h.now)).toBe(-Errno.EAGAIN);
  });
  it('established_old_ack_within_bytes_acked_accepted', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    expect(h.e.send(h.conn, new Uint8Array(500), h.now)).toBe(500);
    h.collect();
    h.send(h.seg(ACK, 500));
    h.collect();
    h.send({ seq: h.peerSeq, ack: h.ours(500) - 100, flags: ACK | PSH, data: 100 });
    expect(h.e.stats.challengeAcks).toBe(0);
    expect(h.e.recv(h.conn, new Uint8Array(200), h.now)).toBe(100);
  });
  it('established_ack_of_unsent_data_acked_and_dropped', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.send(h.seg(ACK, 1000));
    h.expectSegment({ flags: '.', ack: h.peerSeq });
  });
  it('established_close_with_unread_data_sends_rst', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.sendData(10, 0);
    h.clear();
    h.close();
    h.expectSegment({ flags: 'R.', seq: h.ours(0), ack: h.peerSeq });
    expect(h.stateName()).toBe('CLOSED');
  });
  it('established_abort_sends_rst', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.e.abort(h.conn, h.now);
    h.collect();
    h.expectSegment({ flags: 'R.', seq: h.ours(0) });
    expect(h.stateName()).toBe('CLOSED');
  });
  it('established_close_with_linger0_sends_rst_not_fin', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.write(10);
    h.expectSegment({ flags: 'P.', seq: h.ours(0), len: 10 });
    h.e.setLinger0(h.conn, true, h.now);
    h.close(); // unsent/unacked data is discarded: RST at SND.NXT
    h.expectSegment({ flags: 'R.', seq: h.ours(10), ack: h.peerSeq });
    h.expectNone();
    expect(h.stateName()).toBe('CLOSED');
    h.runUntil(10_000);
    h.expectNone(); // no retransmission of the discarded data
  });
});

describe('closing states', () => {
  // Our close (RFC 9293 §3.10.4) sends FIN and moves on.
  it.each([
    ['established_close_sends_fin', 'ESTABLISHED', 'FIN_WAIT_1'],
    ['close_wait_close_last_ack', 'CLOSE_WAIT', 'LAST_ACK'],
  ])('%s', (_name, from, to) => {
    const h = new Harness();
    h.inState(from);
    h.close();
    h.expectSegment({ flags: 'F.', seq: h.ours(0), ack: h.peerSeq });
    expect(h.stateName()).toBe(to);
  });
  // A peer segment (flags, how much of ours it acknowledges) in a closing state: our ACK of its FIN, if it carries one, and the state after.
  it.each([
    ['fin_wait_1_ack_fin_wait_2', 'FIN_WAIT_1', ACK, 1, 'FIN_WAIT_2'],
    ['fin_wait_1_fin_closing', 'FIN_WAIT_1', FIN | ACK, 0, 'CLOSING'],
    ['fin_wait_1_fin_ack_time_wait', 'FIN_WAIT_1', FIN | ACK, 1, 'TIME_WAIT'],
    ['fin_wait_2_fin_time_wait', 'FIN_WAIT_2', FIN | ACK, 1, 'TIME_WAIT'],
    ['closing_ack_time_wait', 'CLOSING', ACK, 1, 'TIME_WAIT'],
  ] as const)('%s', (_name, from, flags, ackOff, to) => {
    const h = new Harness();
    h.inState(from);
    h.send(h.seg(flags, ackOff));
    if (flags & FIN) h.expectSegment({ flags: '.', ack: h.peerSeq + 1 });
    expect(h.stateName()).toBe(to);
  });
  it('fin_wait_2_data_after_close_rst', () => {
    const h = new Harness();
    h.inState('FIN_WAIT_2');
    h.sendData(10, 1);
    h.expectSegment({ flags: 'R', seq: h.ours(1) });
    expect(h.stateName()).toBe('CLOSED');
  });
  it('last_ack_ack_closed', () => {
    const h = new Harness();
    h.inState('LAST_ACK');
    h.send(h.seg(ACK, 1));
    expect(h.stateName()).toBe('CLOSED');
    expect(h.takeEvents(EventKind.Closed)[0].arg).toBe(0);
  });
  it('time_wait_retransmitted_fin_acked', () => {
    const h = new Harness();
    h.inState('TIME_WAIT');
    h.tick(30_000);
    h.send({ seq: h.peerSeq - 1, ack: h.ours(1), flags: FIN | ACK });
    h.expectSegment({ flags: '.', ack: h.peerSeq });
    h.tick(59_000);
    expect(h.stateName()).toBe('TIME_WAIT'); // the 2·MSL timer restarted
    h.tick(1_000);
    expect(h.stateName()).toBe('CLOSED');
  });
  it('time_wait_expires_after_2msl', () => {
    const h = new Harness();
    h.inState('TIME_WAIT');
    h.expectClosedAfter('TIME_WAIT', 60_000);
  });
  it('time_wait_new_syn_rfc6191', () => {
    const h = new Harness();
    h.timeWaitByFinAck();
    h.send({ seq: h.peerSeq + 100000, flags: SYN });
    const sa = h.expectSegment({ flags: 'S.', ack: h.peerSeq + 100001 });
    expect((sa.seq - h.ours(1)) | 0).toBeGreaterThan(0);
  });
  it('half_close_receives_after_fin', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.e.shutdown(h.conn, h.now); h.collect();
    h.expectSegment({ flags: 'F.' });
    h.send(h.seg(ACK, 1));
    expect(h.stateName()).toBe('FIN_WAIT_2');
    h.sendData(100, 1);
    h.tick(40);
    expect(h.read().length).toBe(100);
    expect(h.e.send(h.conn, new Uint8Array(1), h.now)).toBe(-Errno.EPIPE);
  });
});

describe('every synchronized state × RST / SYN / duplicate ACK', () => {
  const states = ['ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT'];
  const rstError: Record<string, number> = {
    ESTABLISHED: -Errno.ECONNRESET, FIN_WAIT_1: -Errno.ECONNRESET, FIN_WAIT_2: -Errno.ECONNRESET, CLOSE_WAIT: -Errno.EPIPE, CLOSING: 0, LAST_ACK: 0, TIME_WAIT: 0,
  };
  for (const st of states) {
    it(`${st.toLowerCase()}_rst_exact_closes`, () => {
      const h = new Harness();
      h.inState(st);
      h.send({ seq: h.peerSeq, flags: RST });
      expect(h.stateName()).toBe('CLOSED');
      h.expectNone();
      expect(h.takeEvents(EventKind.Closed).map((e) => e.arg)).toEqual([rstError[st]]);
    });
    it(`${st.toLowerCase()}_rst_in_window_challenge_ack`, () => {
      const h = new Harness();
      h.inState(st);
      h.send({ seq: h.peerSeq + 10, flags: RST });
      h.expectSegment({ flags: '.', ack: h.peerSeq });
      expect(h.stateName()).toBe(st);
    });
    it(`${st.toLowerCase()}_syn_challenge_ack`, () => {
      const h = new Harness();
      h.inState(st);
      // In TIME_WAIT a SYN above RCV.NXT may open a new connection (RFC 6191): use an old one there.
      h.send({ seq: st === 'TIME_WAIT' ? h.peerSeq - 10 : h.peerSeq + 10, flags: SYN });
      h.expectSegment({ flags: '.', ack: h.peerSeq });
      expect(h.stateName()).toBe(st);
    });
    it(`${st.toLowerCase()}_data_out_of_window_acked`, () => {
      const h = new Harness();
      h.inState(st);
      h.send({ seq: h.peerSeq + 200_000, ack: h.ours(0), flags: ACK, data: 10 });
      h.expectSegment({ flags: '.', ack: h.peerSeq });
      expect(h.stateName()).toBe(st);
    });
  }
});
