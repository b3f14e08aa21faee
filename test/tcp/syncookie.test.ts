// SYN cookies (RFC 4987, as Linux): a listener whose SYN queue (synBacklog, halfOpenMax) or table is
// full answers statelessly; a returning ACK with a valid cookie creates the connection straight into
// ESTABLISHED; stale and forged cookies are refused.
import { describe, expect, it } from 'vitest';
import { EventKind, ConnFlag } from '../../src/engine/engine.js';
import { Errno } from '../../src/engine/errno.js';
import { Harness, ACK, SYN, RST, PSH, PEER_ISS, LPORT, RPORT, REMOTE, type Opt, type SegOut } from './harness.js';

const FULL: Opt[] = [{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }, { kind: 'TS', val: 7000, ecr: 0 }, { kind: 'nop' }, { kind: 'wscale', value: 7 }];
const tsVal = (s: SegOut) => (s.opts.find((o) => o.kind === 'TS') as { val: number } | undefined)?.val;

/** A listener whose SYN queue holds one half-open connection, already taken by a first SYN. */
function fullQueue(config: ConstructorParameters<typeof Harness>[0] = {}): Harness {
  const h = new Harness({ synBacklog: 1, timestamps: true, sack: true, windowScaling: true, ...config });
  h.listener = h.e.listen(LPORT);
  h.send({ seq: 50, flags: SYN, sport: RPORT + 100, opts: [{ kind: 'mss', value: 1460 }] });
  h.expectSegment({ flags: 'S.' });
  h.clear();
  return h;
}

/** Sends a SYN from RPORT and returns the cookie SYN-ACK. */
function cookieSynAck(h: Harness, opts: Opt[] = FULL): SegOut {
  h.send({ seq: PEER_ISS, flags: SYN, opts });
  const sa = h.expectSegment({ flags: 'S.', ack: PEER_ISS + 1 });
  h.expectNone();
  h.iss = sa.seq;
  return sa;
}

/** The ACK completing a handshake with `sa`, echoing its timestamp when it had one. */
function ackOf(h: Harness, sa: SegOut, extra: Partial<Parameters<Harness['send']>[0]> = {}) {
  const ts = tsVal(sa);
  return { seq: PEER_ISS + 1, ack: (sa.seq + 1) >>> 0, flags: ACK, opts: ts === undefined ? [] : [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'TS', val: 7001, ecr: ts }] as Opt[], ...extra };
}

describe('SYN cookies', () => {
  it('a full SYN queue answers with a cookie SYN-ACK (same options as a kept one) and keeps no state', () => {
    const h = fullQueue();
    const inUse = h.e.connectionsInUse;
    const sa = cookieSynAck(h);
    expect(sa.opts.map((o) => o.kind)).toEqual(['mss', 'sackOK', 'TS', 'nop', 'wscale']);
    expect(sa.win).toBe(64240);
    expect(h.e.connectionsInUse).toBe(inUse);
    expect(h.takeEvents(EventKind.State)).toEqual([]);
    expect(h.e.stats.synCookiesSent).toBe(1);
    // The peer's window scale (7) and SACK-permitted (16) ride in the low 6 bits of TSval.
    expect(tsVal(sa)! & 63).toBe(7 | 16);
    // No timer: nothing is retransmitted to it (the kept half-open connection retransmits its own).
    h.runUntil(h.now + 300_000);
    expect(h.out.filter((s) => s.dport === RPORT)).toEqual([]);
    expect(h.out.length).toBeGreaterThan(0);
  });

  it('the ACK with a valid cookie creates the connection straight into ESTABLISHED, window scale and SACK kept; its data is delivered', () => {
    const h = fullQueue();
    const sa = cookieSynAck(h);
    h.tick(30);
    h.send(ackOf(h, sa, { flags: ACK | PSH, data: new TextEncoder().encode('hello'), win: 100 }));
    expect(h.e.stats.synCookiesRecv).toBe(1);
    const accepts = h.takeEvents(EventKind.Accept);
    expect(accepts.length).toBe(1);
    const conn = accepts[0].arg;
    expect(h.takeEvents(EventKind.State).filter((e) => e.conn === conn).map((e) => e.arg)).toEqual([(1 << 8) | 4]); // LISTEN → ESTABLISHED
    expect(h.e.accept(h.listener)).toBe(conn);
    h.conn = conn;
    const inf = h.e.info(conn);
    expect(inf.state).toBe(4);
    expect(inf.iss).toBe(sa.seq);
    expect(inf.sndUna).toBe((sa.seq + 1) >>> 0);
    expect(inf.rcvNxt).toBe(PEER_ISS + 6);
    expect(inf.sndWscale).toBe(7);
    expect(inf.sndWnd).toBe(100 << 7);
    expect(inf.sndMssRaw).toBe(1460);
    expect(inf.flags & (ConnFlag.TS | ConnFlag.SACK | ConnFlag.WS)).toBe(ConnFlag.TS | ConnFlag.SACK | ConnFlag.WS);
    expect(inf.tsRecent).toBe(7001);
    expect(new TextDecoder().decode(h.read())).toBe('hello');
    // Data both ways; our TSval keeps counting from the cookie's.
    expect(h.e.send(conn, new Uint8Array(300).fill(1), h.now)).toBe(300);
    h.collect();
    const d = h.out.filter((s) => s.len > 0);
    expect(d.length).toBe(1);
    expect(d[0].seq).toBe((sa.seq + 1) >>> 0);
    expect(((tsVal(d[0])! - tsVal(sa)!) | 0)).toBeGreaterThanOrEqual(0);
  });

  it('without timestamps the SYN-ACK offers only MSS, and window scale and SACK are lost (as Linux)', () => {
    const h = fullQueue();
    const sa = cookieSynAck(h, [{ kind: 'mss', value: 1000 }, { kind: 'nop' }, { kind: 'wscale', value: 5 }, { kind: 'sackOK' }]);
    expect(sa.opts.map((o) => o.kind)).toEqual(['mss']);
    h.send(ackOf(h, sa, { win: 5000 }));
    const conn = h.takeEvents(EventKind.Accept)[0].arg;
    const inf = h.e.info(conn);
    expect(inf.flags & (ConnFlag.TS | ConnFlag.SACK | ConnFlag.WS)).toBe(0);
    expect(inf.sndWnd).toBe(5000);
    expect(inf.sndMssRaw).toBe(536); // 1000 → the largest table MSS not above it
  });

  it("the cookie keeps the largest table MSS not above the peer's", () => {
    for (const [peer, kept] of [[1460, 1460], [1452, 1440], [1300, 1300], [9000, 8960], [65495, 1460], [100, 64], [0, 64]]) {
      const h = fullQueue(peer > 1460 ? { mss: 65495 } : {});
      const sa = cookieSynAck(h, [{ kind: 'mss', value: peer }]);
      h.send(ackOf(h, sa));
      const conn = h.takeEvents(EventKind.Accept)[0].arg;
      expect(h.e.info(conn).sndMssRaw, `peer ${peer}`).toBe(peer === 65495 ? 65495 : kept);
    }
  });

  it('a cookie is good for two minutes; a stale one gets RST and no connection', () => {
    const h = fullQueue();
    const sa = cookieSynAck(h);
    h.tick(61_000); // the next minute: still good
    const ok = ackOf(h, sa);
    h.send(ok);
    expect(h.e.stats.synCookiesRecv).toBe(1);
    const h2 = fullQueue();
    const old = cookieSynAck(h2);
    h2.tick(125_000);
    h2.send({ seq: 9, flags: SYN, sport: RPORT + 7, opts: FULL }); // a fresh cookie: cookies are recent
    h2.clear();
    h2.send(ackOf(h2, old));
    h2.expectSegment({ flags: 'R', seq: (old.seq + 1) >>> 0 });
    expect(h2.e.stats.synCookiesFailed).toBe(1);
    expect(h2.takeEvents(EventKind.Accept)).toEqual([]);
  });

  it('forged cookies are refused with RST: random ACK numbers, another 4-tuple, a peer ISN far off', () => {
    const h = fullQueue();
    const sa = cookieSynAck(h);
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      h.send({ seq: PEER_ISS + 1, ack: x, flags: ACK, sport: RPORT + 1 + (i % 50) });
    }
    h.send(ackOf(h, sa, { sport: RPORT + 1 }));
    h.send(ackOf(h, sa, { seq: PEER_ISS + 1 + 4096 }));
    expect(h.takeEvents(EventKind.Accept)).toEqual([]);
    expect(h.e.stats.synCookiesFailed).toBe(2002);
    expect(h.e.stats.synCookiesRecv).toBe(0);
    expect(h.out.every((s) => s.flags === RST)).toBe(true);
  });

  it('no cookie sent in the last two minutes: an ACK to a listener is not taken for one', () => {
    const h = new Harness();
    h.inState('LISTEN');
    h.send({ seq: PEER_ISS, ack: 4242, flags: ACK });
    h.expectSegment({ flags: 'R', seq: 4242 });
    expect(h.e.stats.synCookiesFailed).toBe(0);
  });

  it('a full accept queue drops a valid cookie ACK silently; the retransmitted one succeeds once accept() made room', () => {
    const h = new Harness({ timestamps: true });
    h.listener = h.e.listen(LPORT, 1);
    h.send({ seq: 50, flags: SYN, sport: RPORT + 100 });
    const first = h.expectSegment({ flags: 'S.' });
    h.send({ seq: 51, ack: first.seq + 1, flags: ACK, sport: RPORT + 100, opts: [{ kind: 'TS', val: 1, ecr: tsVal(first)! }] });
    // The backlog of 1 is taken by an unaccepted connection, the SYN queue by nothing: the SYN is dropped ...
    h.clear();
    h.send({ seq: PEER_ISS, flags: SYN, opts: FULL });
    h.expectNone();
    // ... unless it gets a cookie because the SYN queue is full (synBacklog 0), then its ACK finds no room.
    const h2 = new Harness({ timestamps: true, synBacklog: 0 });
    h2.listener = h2.e.listen(LPORT, 1);
    const a = cookieSynAck(h2);
    h2.send({ seq: 50, flags: SYN, sport: RPORT + 100, opts: FULL });
    const b = h2.expectSegment({ flags: 'S.' });
    h2.send({ seq: 51, ack: b.seq + 1, flags: ACK, sport: RPORT + 100, opts: [{ kind: 'TS', val: 1, ecr: tsVal(b)! }] });
    expect(h2.takeEvents(EventKind.Accept).length).toBe(1);
    h2.clear();
    h2.send(ackOf(h2, a));
    h2.expectNone();
    expect(h2.e.stats.synDropped).toBe(1);
    expect(h2.e.accept(h2.listener)).toBeGreaterThanOrEqual(0);
    h2.send(ackOf(h2, a));
    expect(h2.takeEvents(EventKind.Accept).length).toBe(1);
    expect(h2.e.stats.synCookiesRecv).toBe(2);
  });

  it('synCookies off: a SYN that finds the SYN queue full is dropped', () => {
    const h = fullQueue({ synCookies: false });
    h.send({ seq: PEER_ISS, flags: SYN, opts: FULL });
    h.expectNone();
    expect(h.e.stats.synDropped).toBe(1);
    expect(h.e.stats.synCookiesSent).toBe(0);
  });

  it('a full table answers with a cookie; its ACK finds no slot and is dropped', () => {
    const h = new Harness({ maxConnections: 4, recycleTimeWait: false });
    h.listener = h.e.listen(LPORT);
    for (let i = 0; i < 4; i++) expect(h.e.connect(REMOTE, 1000 + i, 0)).toBeGreaterThanOrEqual(0);
    h.collect();
    h.clear();
    const sa = cookieSynAck(h, [{ kind: 'mss', value: 1460 }]);
    h.send(ackOf(h, sa));
    h.expectNone();
    expect(h.e.stats.synCookiesSent).toBe(1);
    expect(h.e.stats.synDropped).toBe(1);
  });
});

describe('half-open connections cannot starve the table', () => {
  it('at most synBacklog per listener and halfOpenMax in all; other ports get cookies, outbound connects keep their slots', () => {
    const h = new Harness({ maxConnections: 8, synBacklog: 3 }); // halfOpenMax −1 = 4
    h.e.listen(80);
    h.e.listen(81);
    for (let i = 0; i < 10; i++) h.send({ seq: 1000 + i, flags: SYN, dport: 80, sport: 3000 + i });
    expect(h.e.connectionsInUse).toBe(3);
    for (let i = 0; i < 10; i++) h.send({ seq: 1000 + i, flags: SYN, dport: 81, sport: 3000 + i });
    expect(h.e.connectionsInUse).toBe(4);
    expect(h.out.filter((s) => s.flags === (SYN | ACK)).length).toBe(20);
    expect(h.e.stats.synCookiesSent).toBe(16);
    for (let i = 0; i < 4; i++) expect(h.e.connect(REMOTE, 5000 + i, h.now)).toBeGreaterThanOrEqual(0);
    expect(h.e.connect(REMOTE, 6000, h.now)).toBe(-Errno.EMFILE);
  });

  it('a half-open child leaves the count when it is established, reset or times out', () => {
    const h = new Harness({ maxConnections: 8, synBacklog: 2 });
    h.listener = h.e.listen(LPORT);
    const sas: SegOut[] = [];
    for (let i = 0; i < 2; i++) {
      h.send({ seq: 1000, flags: SYN, sport: 3000 + i });
      sas.push(h.expectSegment({ flags: 'S.' }));
    }
    h.send({ seq: 1000, flags: SYN, sport: 3002 });
    expect(h.e.stats.synCookiesSent).toBe(1);
    h.send({ seq: 1001, ack: sas[0].seq + 1, flags: ACK, sport: 3000 }); // established
    h.send({ seq: 1001, flags: RST, sport: 3001 }); // reset
    h.clear();
    for (let i = 0; i < 2; i++) {
      h.send({ seq: 1000, flags: SYN, sport: 4000 + i });
      h.expectSegment({ flags: 'S.' });
    }
    expect(h.e.stats.synCookiesSent).toBe(1);
    expect(h.e.connectionsInUse).toBe(3);
    h.runUntil(h.now + 200_000); // both time out (synAckRetries)
    expect(h.e.connectionsInUse).toBe(1);
    h.clear();
    h.send({ seq: 1000, flags: SYN, sport: 5000 });
    h.send({ seq: 1000, flags: SYN, sport: 5001 });
    expect(h.e.connectionsInUse).toBe(3);
    expect(h.e.stats.synCookiesSent).toBe(1);
  });
});
