// Behaviours where Linux chooses differently from the RFC defaults, each behind a config knob.
import { describe, expect, it } from 'vitest';
import { EventKind, LINUX_PROFILE } from '../../src/engine/engine.js';
import { Harness, ACK, SYN, FIN, PEER_ISS, LPORT, RPORT, REMOTE } from './harness.js';
import { Errno } from '../../src/engine/errno.js';

describe('linux knobs', () => {
  it('delayFinAck: the ACK of a FIN after data waits for the delayed-ACK timer', () => {
    const h = new Harness({ delayFinAck: true });
    h.inState('ESTABLISHED');
    h.sendData(100, 0);
    h.tick(40);
    h.expectSegment({ flags: '.', ack: h.peerSeq });
    h.send(h.seg(FIN | ACK, 0));
    h.peerSeq++;
    h.expectNone();
    h.tick(40);
    h.expectSegment({ flags: '.', ack: h.peerSeq });
  });
  it('delayFinAck: a FIN with no data before is ACKed at once', () => {
    const h = new Harness({ delayFinAck: true });
    h.inState('ESTABLISHED');
    h.send(h.seg(FIN | ACK, 0));
    h.expectSegment({ flags: '.', ack: h.peerSeq + 1 });
  });
  it('keepaliveRst: RST+ACK before giving up', () => {
    const h = new Harness({ keepaliveRst: true, keepaliveIntervalMs: 1000, keepaliveCount: 2 });
    h.inState('ESTABLISHED');
    h.e.setKeepAlive(h.conn, true, 5000, h.now);
    h.runUntil(100_000);
    expect(h.out.map((s) => [s.t, s.flags])).toEqual([[5000, ACK], [6000, ACK], [7000, 4 | ACK]]);
    expect(h.takeEvents(EventKind.Closed)[0].arg).toBe(-Errno.ETIMEDOUT);
  });
  it('per-connection keepalive interval and count', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.e.setKeepAlive(h.conn, true, 1000, h.now);
    h.e.setKeepAliveParams(h.conn, { intervalMs: 300, count: 2 }, h.now);
    h.runUntil(10_000);
    expect(h.out.map((s) => s.t)).toEqual([1000, 1300]);
    expect(h.stateName()).toBe('CLOSED');
  });
  it('minshallNagle: a small tail goes while only full segments are unacknowledged', () => {
    const h = new Harness({ minshallNagle: true });
    h.inState('ESTABLISHED');
    h.e.send(h.conn, new Uint8Array(2000), h.now); h.collect();
    h.expectSegment({ len: 1460 });
    h.expectSegment({ len: 540 });
    h.send(h.seg(ACK, 1460));
    h.e.send(h.conn, new Uint8Array(10), h.now); h.collect();
    h.expectNone(); // a small segment (540) is still unacknowledged
    h.send(h.seg(ACK, 2000));
    h.expectSegment({ len: 10, seq: h.ours(2000) });
  });
  it('classic Nagle holds the tail', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.e.send(h.conn, new Uint8Array(2000), h.now); h.collect();
    h.expectSegment({ len: 1460 });
    h.expectNone();
  });
  it('SYN resent almost at once after a bad ACK in SYN_SENT (synResendOnBadAck)', () => {
    const h = new Harness({ synResendOnBadAck: true });
    h.inState('SYN_SENT');
    h.send({ seq: PEER_ISS, ack: h.iss + 99, flags: SYN | ACK });
    h.expectSegment({ flags: 'R', seq: h.iss + 99 });
    h.tick(2);
    h.expectSegment({ flags: 'S', seq: h.iss });
  });
  it('RFC 6298 §5.7: RTO is 3 s once data starts after a retransmitted SYN', () => {
    const h = new Harness();
    h.conn = h.e.connect(REMOTE, RPORT, 0, LPORT);
    h.collect();
    h.iss = h.expectSegment({ flags: 'S' }).seq;
    h.tick(1000);
    h.expectSegment({ flags: 'S' });
    h.send({ seq: PEER_ISS, ack: h.iss + 1, flags: SYN | ACK });
    expect(h.e.info(h.conn).rto).toBe(3000);
  });
  it('Karn: the backed-off RTO is kept when a retransmission is ACKed', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.e.send(h.conn, new Uint8Array(10), h.now); h.collect();
    h.runUntil(200 + 400);
    const rto = h.e.info(h.conn).rto;
    expect(rto).toBe(800);
    h.send(h.seg(ACK, 10));
    expect(h.e.info(h.conn).rto).toBe(800);
  });
  it('RST in CLOSE_WAIT reports EPIPE', () => {
    const h = new Harness();
    h.inState('CLOSE_WAIT');
    h.send({ seq: h.peerSeq, flags: 4 });
    expect(h.takeEvents(EventKind.Closed)[0].arg).toBe(-Errno.EPIPE);
    expect(h.e.recv(h.conn, new Uint8Array(4), h.now)).toBe(0);
    expect(h.e.send(h.conn, new Uint8Array(4), h.now)).toBe(-Errno.EPIPE);
  });
  it('pshOnBurstEnd: a burst cut by the window ends with PSH (checksum still valid)', () => {
    const h = new Harness({ pshOnBurstEnd: true });
    h.establishedWithPeerWindow(2920);
    h.e.send(h.conn, new Uint8Array(5000), h.now); h.collect();
    h.expectSegment({ flags: '.', len: 1460 });
    h.expectSegment({ flags: 'P.', len: 1460 }); // decodeSegment verified the patched checksum
    h.expectNone();
  });
  it('the linux profile creates an engine with wscale 8 and 16 quick ACKs', () => {
    const h = new Harness({ ...LINUX_PROFILE });
    expect(h.e.config.quickAcks).toBe(16);
    expect(h.e.config.windowScale).toBe(8);
    expect(h.e.config.minshallNagle).toBe(true);
  });
});
