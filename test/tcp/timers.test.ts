// Timers on the virtual clock: retransmission backoff and retry limits, ICMP soft errors, keepalive,
// persist, delayed ACK.
import { describe, expect, it } from 'vitest';
import { EventKind, STATE_NAMES, SockOpt } from '../../src/engine/engine.js';
import { Harness, ACK, SYN, FIN, LPORT, RPORT, REMOTE, PEER_ISS, buildIcmp } from './harness.js';
import { Errno } from '../../src/engine/errno.js';

/** Times (ms) of the engine's segments whose seq equals `seq` (retransmissions of one segment). */
function timesOf(h: Harness, flags: string, seq: number): number[] {
  return h.out.filter((s) => s.seq === seq >>> 0 && ((s.flags & 2) ? 'S' : '') + ((s.flags & 1) ? 'F' : '') + ((s.flags & 8) ? 'P' : '') + ((s.flags & 16) ? '.' : '') === flags).map((s) => s.t);
}

describe('retransmission', () => {
  it('syn_retries_double_then_etimedout', () => {
    const h = new Harness();
    h.conn = h.e.connect(REMOTE, RPORT, 0, LPORT);
    h.collect();
    h.runUntil(200_000);
    const t = h.out.filter((s) => s.flags === SYN).map((s) => s.t);
    expect(t).toEqual([0, 1000, 3000, 7000, 15000, 31000, 63000]);
    expect(h.stateName()).toBe('CLOSED');
    const closed = h.takeEvents(EventKind.Closed);
    expect(closed.length).toBe(1);
    expect(closed[0].arg).toBe(-Errno.ETIMEDOUT);
    // Nothing but the two state changes: no Connected, no SoftError.
    expect(h.events.map((e) => [e.kind, STATE_NAMES[e.arg >> 8], STATE_NAMES[e.arg & 0xff]])).toEqual([
      [EventKind.State, 'CLOSED', 'SYN_SENT'], [EventKind.State, 'SYN_SENT', 'CLOSED'],
    ]);
  });

  it('data_retransmission_backoff_doubles_to_rto_max_then_etimedout', () => {
    const h = new Harness({ dataRetries: 10, rtoMaxMs: 30_000 });
    h.inState('ESTABLISHED');
    h.write(100);
    h.runUntil(2_000_000);
    const t = timesOf(h, 'P.', h.ours(0));
    expect(t.length).toBe(11); // original + 10 retries
    const gaps = t.slice(1).map((x, i) => x - t[i]);
    // RTO after the handshake sample (srtt ~0 → rtoMin 200 ms), doubling, capped at 30 s.
    expect(gaps).toEqual([200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
    expect(h.stateName()).toBe('CLOSED');
    expect(h.takeEvents(EventKind.Closed)[0].arg).toBe(-Errno.ETIMEDOUT);
    expect(h.e.stats.retransmits).toBe(10);
  });

  it('retransmission_stops_when_acked', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.write(100);
    h.expectSegment({ flags: 'P.', len: 100 });
    h.tick(200);
    h.expectSegment({ flags: 'P.', len: 100, seq: h.ours(0) });
    h.send(h.seg(ACK, 100));
    h.runUntil(100_000);
    h.expectNone();
  });

  it('icmp_unreachable_soft_error_then_ehostunreach', () => {
    const h = new Harness({ dataRetries: 4 });
    h.inState('ESTABLISHED');
    h.write(100);
    const seg = h.expectSegment({ flags: 'P.' });
    h.e.input(buildIcmp(3, 1, seg.raw), h.now);
    h.collect();
    expect(h.stateName()).toBe('ESTABLISHED');
    expect(h.takeEvents(EventKind.SoftError).map((e) => e.arg)).toEqual([-Errno.EHOSTUNREACH]);
    h.runUntil(1_000_000);
    expect(h.stateName()).toBe('CLOSED');
    expect(h.takeEvents(EventKind.Closed)[0].arg).toBe(-Errno.EHOSTUNREACH);
  });

  it('icmp_with_wrong_sequence_ignored', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.write(100);
    const seg = h.expectSegment({ flags: 'P.' });
    const raw = seg.raw.slice();
    raw[24] ^= 0x40; // sequence number far away (IP header checksum unaffected: TCP part)
    h.e.input(buildIcmp(3, 1, raw), h.now);
    h.collect();
    expect(h.takeEvents(EventKind.SoftError).length).toBe(0);
  });

  it('icmp_unreachable_aborts_syn_sent', () => {
    const h = new Harness();
    h.conn = h.e.connect(REMOTE, RPORT, 0, LPORT);
    h.collect();
    const syn = h.expectSegment({ flags: 'S' });
    h.e.input(buildIcmp(3, 1, syn.raw), h.now);
    h.collect();
    expect(h.stateName()).toBe('CLOSED');
    expect(h.takeEvents(EventKind.Closed)[0].arg).toBe(-Errno.EHOSTUNREACH);
  });

  it('synack_retries_then_embryonic_dropped', () => {
    const h = new Harness({ synAckRetries: 2 });
    h.inState('SYN_RCVD');
    const before = h.e.connectionsInUse;
    h.runUntil(100_000);
    expect(h.out.filter((s) => s.flags === (SYN | ACK)).map((s) => s.t)).toEqual([1000, 3000]);
    expect(h.e.connectionsInUse).toBe(before - 1);
  });
});

describe('keepalive', () => {
  it('keepalive_probes_then_etimedout', () => {
    const h = new Harness({ keepaliveIntervalMs: 1000, keepaliveCount: 3 });
    h.inState('ESTABLISHED');
    h.e.setKeepAlive(h.conn, true, 10_000, h.now);
    h.runUntil(9_999);
    h.expectNone();
    h.runUntil(100_000);
    const probes = h.out.map((s) => [s.t, s.seq, s.len]);
    expect(probes).toEqual([[10000, h.ours(-1), 0], [11000, h.ours(-1), 0], [12000, h.ours(-1), 0]]);
    expect(h.stateName()).toBe('CLOSED');
    expect(h.takeEvents(EventKind.Closed)[0].arg).toBe(-Errno.ETIMEDOUT);
  });
  it('keepalive_answered_keeps_connection', () => {
    const h = new Harness({ keepaliveIntervalMs: 1000, keepaliveCount: 3 });
    h.inState('ESTABLISHED');
    h.e.setKeepAlive(h.conn, true, 10_000, h.now);
    h.runUntil(10_000);
    h.expectSegment({ seq: h.ours(-1), len: 0 });
    h.send(h.seg(ACK, 0));
    h.runUntil(19_999);
    h.expectNone();
    h.runUntil(20_000);
    h.expectSegment({ seq: h.ours(-1), len: 0 });
    expect(h.stateName()).toBe('ESTABLISHED');
  });
  it('keepalive_off_by_default', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.runUntil(10 * 3600_000);
    h.expectNone();
  });
});

describe('persist', () => {
  it('zero_window_probes_back_off_and_resume', () => {
    const h = new Harness();
    h.establishedWithPeerWindow(0);
    h.write(500);
    h.expectNone();
    h.runUntil(5_000);
    const probes = h.out.splice(0).map((s) => s.t);
    expect(probes.length).toBeGreaterThanOrEqual(3);
    expect(probes[1] - probes[0]).toBeGreaterThan(probes[0] - 0 - 1); // backs off
    h.send(h.seg(ACK, 0, { win: 1000 }));
    h.expectSegment({ flags: 'P.', len: 500, seq: h.ours(0) });
  });
});

describe('delayed ack', () => {
  it('delayed_ack_timer_40ms', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.sendData(10, 0);
    h.tick(39);
    h.expectNone();
    h.tick(1);
    h.expectSegment({ flags: '.', ack: h.peerSeq });
  });
  it('quick_acks_at_start', () => {
    const h = new Harness({ quickAcks: 2 });
    h.inState('ESTABLISHED');
    h.sendData(10, 0);
    h.expectSegment({ flags: '.', ack: h.peerSeq });
    h.sendData(10, 0);
    h.expectSegment({ flags: '.', ack: h.peerSeq });
    h.sendData(10, 0);
    h.expectNone();
  });
  it('data_after_a_gap_longer_than_the_rto_is_acked_at_once', () => {
    // Linux tcp_event_data_recv: the sender timed out and restarts from one segment; a delayed
    // ACK would stall it. Quick ACKs as half the window holds segments, at most 16.
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.sendData(10, 0);
    h.tick(40);
    h.expectSegment({ flags: '.', ack: h.peerSeq }); // delayed, as the first data
    const { rto } = h.e.info(h.conn);
    h.tick(rto - 50); // 10 ms short of the RTO since that data: still delayed
    h.sendData(10, 0);
    h.expectNone();
    h.tick(40);
    h.expectSegment({ flags: '.', ack: h.peerSeq });
    h.tick(rto + 10); // longer than the RTO
    for (let i = 0; i < 16; i++) {
      h.sendData(10, 0);
      h.expectSegment({ flags: '.', ack: h.peerSeq });
    }
    h.sendData(10, 0);
    h.expectNone(); // delayed again
  });
  it('ack_piggybacks_on_data', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.sendData(10, 0);
    h.write(5);
    h.expectSegment({ flags: 'P.', ack: h.peerSeq, len: 5 });
    h.tick(100);
    h.expectNone();
  });
});

describe('misc timers', () => {
  it('fin_wait_2_orphan_times_out', () => {
    const h = new Harness({ finWait2TimeoutMs: 5000 });
    h.inState('FIN_WAIT_2');
    h.expectClosedAfter('FIN_WAIT_2', 5_000);
  });
  it('fin_retransmitted', () => {
    const h = new Harness();
    h.inState('FIN_WAIT_1');
    h.tick(1000);
    h.expectSegment({ flags: 'F.', seq: h.ours(0) });
    void FIN; void PEER_ISS;
  });
});

describe('ICMP fragmentation needed (RFC 1191)', () => {
  it('shrinks the MSS and resends unacknowledged data in smaller segments', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.write(2920);
    const first = h.expectSegment({ len: 1460 });
    h.expectSegment({ len: 1460 });
    const icmp = buildIcmp(3, 4, first.raw);
    icmp[26] = 0x02; icmp[27] = 0x40; // next-hop MTU 576
    let s = 0;
    for (let i = 20; i < icmp.length; i += 2) if (i !== 22) s += (icmp[i] << 8) | (icmp[i + 1] ?? 0);
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    icmp[22] = (~s >> 8) & 255; icmp[23] = ~s & 255;
    h.e.input(icmp, h.now);
    h.collect();
    expect(h.e.info(h.conn).sndMssRaw).toBe(536);
    // Everything in flight is lost and goes again at once, the 240-byte tail too: a resend is not
    // held back by Nagle (Linux tcp_simple_retransmit, then tcp_xmit_retransmit_queue).
    expect(h.out.splice(0).map((x) => x.len)).toEqual([536, 536, 536, 536, 536, 240]);
    expect(h.takeEvents(EventKind.SoftError).length).toBe(0);
    h.send(h.seg(ACK, 2920));
    expect(h.e.info(h.conn).sndUna).toBe(h.ours(2920) >>> 0);
    expect(h.out.length).toBe(0);
  });
});

describe('TCP_USER_TIMEOUT (RFC 5482)', () => {
  it('ends the connection user-timeout ms after the first retransmission, with no RST', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.e.setUserTimeout(h.conn, 1000, h.now);
    h.write(100);
    h.runUntil(10_000);
    expect(h.out.map((s) => [s.t, s.flags & 4])).toEqual([[0, 0], [200, 0], [600, 0]]);
    expect(h.stateName()).toBe('CLOSED');
    const closed = h.events.filter((e) => e.kind === EventKind.Closed);
    expect(closed[0].arg).toBe(-Errno.ETIMEDOUT);
  });

  // The timeout's start shares its field with the tail loss probe's SND.NXT (tcp/conn.ts tlpHigh):
  // a probe before the first retransmission must not move it.
  it('counts from the first retransmission after a tail loss probe (RFC 8985 §7)', () => {
    const h = new Harness({ sack: true, tlp: true });
    h.openWith([{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }]);
    h.tick(50);
    h.e.setUserTimeout(h.conn, 1000, h.now);
    h.write(100);
    h.runUntil(1449);
    // The data at 50, the probe (the same segment) at 250, the RTO's resends at 450 and 850.
    expect(h.out.map((s) => [s.t, s.seq - h.iss, s.len])).toEqual([[50, 1, 100], [250, 1, 100], [450, 1, 100], [850, 1, 100]]);
    expect(h.e.info(h.conn).retransmits).toBe(2);
    expect(h.stateName()).toBe('ESTABLISHED');
    h.tick(1);
    expect(h.stateName()).toBe('CLOSED');
    expect(h.events.filter((e) => e.kind === EventKind.Closed)[0].arg).toBe(-Errno.ETIMEDOUT);
  });

  // The engine keeps the start of the timeout (and of an RTT measurement) in eighths of a ms modulo
  // 2^32, which wraps every 536 870 912 ms (6.2 days): both must hold across the wrap.
  const WRAP_MS = 2 ** 32 / 8;

  it('ends at the same time when the clock wraps its eighths in between', () => {
    const h = new Harness();
    const t0 = WRAP_MS - 300;
    h.now = t0;
    h.inState('ESTABLISHED');
    h.e.setUserTimeout(h.conn, 1000, h.now);
    h.write(100);
    h.runUntil(t0 + 10_000);
    expect(h.out.map((s) => [s.t - t0, s.flags & 4])).toEqual([[0, 0], [200, 0], [600, 0]]);
    expect(h.events.filter((e) => e.kind === EventKind.Closed)[0].arg).toBe(-Errno.ETIMEDOUT);
  });

  it('measures an RTT that spans the wrap', () => {
    const h = new Harness();
    h.now = WRAP_MS - 10;
    h.inState('SYN_SENT');
    h.tick(30);
    h.send({ seq: PEER_ISS, ack: h.iss + 1, flags: SYN | ACK, opts: [{ kind: 'mss', value: 1460 }] });
    expect(h.stateName()).toBe('ESTABLISHED');
    expect(h.e.info(h.conn).srtt).toBe(30);
  });

  it('caps the timeout at 500 000 000 ms (what that clock can measure)', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    expect(h.e.setOption(h.conn, SockOpt.UserTimeoutMs, 1e12, h.now)).toBe(0);
    expect(h.e.getOption(h.conn, SockOpt.UserTimeoutMs)).toBe(500_000_000);
    expect(h.e.setOption(h.conn, SockOpt.UserTimeoutMs, 4000, h.now)).toBe(0);
    expect(h.e.getOption(h.conn, SockOpt.UserTimeoutMs)).toBe(4000);
  });
});

// Deadlines are u32 counts of eighths of a ms after an epoch that moves up once now is 2^31 eighths
// (268 435 456 ms) past it (assembly/tcp/deadlines.ts); timers are at most 32 767 000 ms long.
describe('deadline clock', () => {
  const REBASE_MS = 2 ** 31 / 8;

  it('keeps the backoff exact while the epoch moves up under running timers', () => {
    const h = new Harness({ dataRetries: 3 });
    const t0 = REBASE_MS - 500; // the epoch moves at the poll of t0 + 600
    h.now = t0;
    h.inState('ESTABLISHED');
    h.write(100);
    h.runUntil(t0 + 100_000);
    expect(h.out.map((s) => s.t - t0)).toEqual([0, 200, 600, 1400]);
    expect(h.events.filter((e) => e.kind === EventKind.Closed)[0].arg).toBe(-Errno.ETIMEDOUT);
  });

  it('works from a wall-clock start (Date.now() scale) and never fires early', () => {
    for (const t0 of [1.7e12, 1.7e12 + 0.3]) {
      const h = new Harness({ dataRetries: 2 });
      h.now = t0;
      h.inState('ESTABLISHED');
      h.write(100);
      h.runUntil(t0 + 100_000);
      const at = h.out.map((s) => s.t - t0);
      expect(at.length).toBe(3);
      // Each retransmission at its deadline, at most 1/8 ms after it (deadlines are kept in eighths).
      [0, 200, 600].forEach((want, i) => {
        expect(at[i]).toBeGreaterThanOrEqual(want);
        expect(at[i]).toBeLessThan(want + 0.125 + 1e-6);
      });
    }
  });

  it('a TIME_WAIT armed before the epoch moves still lasts 2·MSL', () => {
    const h = new Harness({ timeWaitMs: 60_000 });
    const t0 = REBASE_MS - 1000;
    h.now = t0;
    h.inState('TIME_WAIT');
    const start = h.now;
    h.runUntil(start + 59_999);
    expect(h.stateName()).toBe('TIME_WAIT');
    h.runUntil(start + 60_000);
    expect(h.stateName()).toBe('CLOSED');
  });

  it('timers longer than 32 767 000 ms are refused in the config and clamped in the socket options', () => {
    for (const config of [{ keepaliveIdleMs: 4e7 }, { timeWaitMs: 32_767_001 }, { rtoMaxMs: 1e9 }, { delayedAckMs: 1e8 }]) {
      expect(() => new Harness(config)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    }
    const h = new Harness({ keepaliveIdleMs: 32_767_000 });
    h.inState('ESTABLISHED');
    expect(h.e.setOption(h.conn, SockOpt.KeepIdleMs, 1e12, h.now)).toBe(0);
    expect(h.e.getOption(h.conn, SockOpt.KeepIdleMs)).toBe(32_767_000);
    expect(h.e.setOption(h.conn, SockOpt.KeepIntervalMs, 5e7, h.now)).toBe(0);
    expect(h.e.getOption(h.conn, SockOpt.KeepIntervalMs)).toBe(32_767_000);
  });
});
