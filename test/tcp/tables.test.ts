// The structures that replace table walks: the timer heap (deadlines in order, each connection
// fired once per poll), the TIME_WAIT list (oldest orphan recycled first), listener children lists
// (unlisten touches only its own) and the listener port hash.
import { describe, expect, it } from 'vitest';
import { EventKind, TcpState } from '../../src/engine/engine.js';
import { Errno } from '../../src/engine/errno.js';
import { Harness, ACK, FIN, SYN, PEER_ISS, REMOTE, LPORT, decodeSegment } from './harness.js';
import { Pair, B_ADDR } from './pair.js';

describe('timer heap', () => {
  it('SYN retransmissions of 300 connections come in deadline order (not slot order), one each', () => {
    const h = new Harness({ maxConnections: 300 });
    // Shuffle the free list: open 300, then abort and release them in a scrambled order.
    const first = Array.from({ length: 300 }, (_, i) => h.e.connect(REMOTE, 9000 + i, 0));
    for (let k = 0; k < 300; k++) {
      const c = first[(k * 97) % 300];
      h.e.abort(c, 0);
      h.e.release(c, h.now);
    }
    h.collect();
    h.clear();
    const slots: number[] = [];
    for (let k = 0; k < 300; k++) {
      h.now = 3 * k; // all SYNs before the first retransmission at 1000
      slots.push(h.e.connect(REMOTE, 1000 + k, h.now));
    }
    expect(slots).not.toEqual([...slots].sort((a, b) => a - b));
    h.collect();
    h.clear();
    const fired: { t: number; port: number }[] = [];
    for (let i = 0; i < 1000; i++) {
      const next = h.e.poll(h.now);
      h.e.drainTx((p) => { fired.push({ t: h.now, port: decodeSegment(p).dport }); });
      if (!(next < 2000)) break;
      h.now = Math.max(h.now, next);
    }
    expect(fired.map((f) => f.t)).toEqual(slots.map((_, k) => 3 * k + 1000));
    expect(fired.map((f) => f.port)).toEqual(slots.map((_, k) => 1000 + k));
  });

  it('one poll long after every deadline fires each due connection once', () => {
    const h = new Harness({ maxConnections: 50 });
    for (let i = 0; i < 50; i++) h.e.connect(REMOTE, 2000 + i, i);
    h.collect();
    h.clear();
    h.now = 1500; // every first retransmission (1000…1049) is due, none of the second ones
    const next = h.e.poll(h.now);
    h.collect();
    expect(h.out.length).toBe(50);
    expect(new Set(h.out.map((s) => s.dport)).size).toBe(50);
    expect(next).toBe(3500); // fired at 1500 with the RTO doubled to 2000
  });

  it('a restarted timer moves later without firing early', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.write(10);
    h.expectSegment({ len: 10 });
    const rto = h.e.info(h.conn).rto; // 200: the handshake's RTT sample on the virtual clock
    h.tick(150);
    h.send(h.seg(ACK, 5)); // half of it: the timer restarts at 150 + RTO
    h.tick(100); // 250: past the first deadline, before the restarted one
    h.expectNone();
    expect(h.e.poll(h.now)).toBe(150 + rto);
    h.runUntil(150 + rto + 1);
    expect(h.expectSegment({ seq: h.ours(5), len: 5 }).t).toBe(150 + rto);
    h.expectNone();
  });
});

describe('TIME_WAIT list', () => {
  it('a full table reuses the orphaned TIME_WAIT slot that entered TIME_WAIT first', () => {
    const p = new Pair({ maxConnections: 4, timeWaitMs: 60_000 });
    const l = p.b.listen(80);
    const closeAt = (t: number): number => {
      p.now = t;
      const c = p.a.connect(B_ADDR, 80, p.now);
      p.pump();
      const s = p.b.accept(l);
      p.a.close(c, p.now);
      p.pump();
      p.b.close(s, p.now);
      p.pump();
      expect(p.a.state(c)).toBe(TcpState.TIME_WAIT);
      p.b.release(s, p.now);
      return c;
    };
    const cs = [closeAt(10), closeAt(20), closeAt(30), closeAt(40)];
    p.a.release(cs[2], p.now);
    p.a.release(cs[1], p.now); // orphans: 1 (entered at 20) and 2 (entered at 30); 0 and 3 still held
    const c = p.a.connect(B_ADDR, 80, 50);
    expect(c).toBe(cs[1]);
    expect(p.a.stats.timeWaitRecycled).toBe(1);
    expect(p.a.state(cs[2])).toBe(TcpState.TIME_WAIT);
    expect(p.a.connect(B_ADDR, 80, 51)).toBe(cs[2]);
    expect(p.a.connect(B_ADDR, 80, 52)).toBe(-Errno.EMFILE); // 0 and 3 are the host's
  });

  it('a retransmitted FIN makes a TIME_WAIT connection the youngest', () => {
    const h = new Harness({ maxConnections: 3 });
    // Active close on local port p: SYN, SYN-ACK, FIN, ACK, peer FIN → TIME_WAIT; returns the connection.
    const timeWait = (p: number): { c: number; iss: number } => {
      const c = h.e.connect(REMOTE, 7000, h.now, p);
      h.collect();
      const iss = h.expectSegment({ flags: 'S' }).seq;
      const seg = (flags: number, seq: number, ackOff: number) =>
        h.send({ sport: 7000, dport: p, seq, ack: iss + 1 + ackOff, flags });
      seg(SYN | ACK, PEER_ISS, 0);
      h.e.close(c, h.now);
      seg(ACK, PEER_ISS + 1, 1);
      seg(FIN | ACK, PEER_ISS + 1, 1);
      expect(h.e.state(c)).toBe(TcpState.TIME_WAIT);
      h.e.release(c, h.now);
      h.clear();
      return { c, iss };
    };
    const a = timeWait(1);
    h.now += 10;
    const b = timeWait(2);
    h.now += 10;
    h.send({ sport: 7000, dport: 1, seq: PEER_ISS + 1, ack: a.iss + 2, flags: FIN | ACK }); // a's peer FIN again
    h.expectSegment({ flags: '.', dport: 7000 } as never);
    const held = h.e.connect(REMOTE, 7001, h.now, 3); // the table is full now
    expect(held).toBeGreaterThanOrEqual(0);
    expect(h.e.connect(REMOTE, 7002, h.now, 4)).toBe(b.c); // b entered first and a was restarted
    expect(h.e.state(a.c)).toBe(TcpState.TIME_WAIT);
  });
});

describe('listeners', () => {
  it('unlisten resets its own unaccepted children, drops its embryonic ones, and leaves the others', () => {
    const h = new Harness({ maxConnections: 16 });
    const a = h.e.listen(80);
    const b = h.e.listen(81);
    const syn = (dport: number, sport: number) => h.send({ seq: PEER_ISS, flags: SYN, dport, sport });
    syn(80, 1); syn(80, 2); syn(81, 3);
    const synAcks = h.out.splice(0);
    expect(synAcks.length).toBe(3);
    h.send({ seq: PEER_ISS + 1, ack: synAcks[0].seq + 1, flags: ACK, dport: 80, sport: 1 }); // 80 ← 1 established
    h.send({ seq: PEER_ISS + 1, ack: synAcks[2].seq + 1, flags: ACK, dport: 81, sport: 3 }); // 81 ← 3 established
    expect(h.e.connectionsInUse).toBe(3);
    h.clear();
    h.e.unlisten(a, h.now);
    h.collect();
    expect(h.out.map((s) => [s.dport, s.flags & 0x1f])).toEqual([[1, 0x14]]); // RST+ACK to the established child only
    expect(h.e.connectionsInUse).toBe(1);
    const c = h.e.accept(b);
    expect(c).toBeGreaterThanOrEqual(0);
    expect(h.e.info(c).remotePort).toBe(3);
    expect(h.e.accept(a)).toBe(-Errno.EBADF);
    expect(h.e.listen(80)).toBeGreaterThanOrEqual(0); // the port is free again
  });

  // A child names no listener in its record: it is the one on its local port (tcp/table.ts childListener).
  it('a child belongs to the listener on its port, also after the port was closed and listened on again', () => {
    const h = new Harness({ maxConnections: 16, maxListeners: 4 });
    const first = h.e.listen(80);
    const other = h.e.listen(81);
    h.send({ seq: PEER_ISS, flags: SYN, dport: 80, sport: 1 });
    h.e.unlisten(first, h.now);
    const again = h.e.listen(82); // takes the freed listener slot: port 80 is now on another one
    expect(again).toBe(first);
    const second = h.e.listen(80);
    expect(second).not.toBe(first);
    h.clear();
    const open = (dport: number, sport: number) => {
      h.send({ seq: PEER_ISS, flags: SYN, dport, sport });
      const sa = h.out.splice(0)[0];
      h.send({ seq: PEER_ISS + 1, ack: sa.seq + 1, flags: ACK, dport, sport });
    };
    open(80, 2); open(81, 3); open(82, 4); open(80, 5);
    expect(h.takeEvents(EventKind.Accept).map((e) => e.conn)).toEqual([second, other, again, second]);
    const ports = (l: number) => {
      const got: number[] = [];
      for (let c = h.e.accept(l); c >= 0; c = h.e.accept(l)) got.push(h.e.info(c).remotePort);
      return got;
    };
    expect(ports(second)).toEqual([2, 5]);
    expect(ports(other)).toEqual([3]);
    expect(ports(again)).toEqual([4]);
    expect(h.e.connectionsInUse).toBe(4);
  });

  // The accept queue is the front of the children list (tcp/table.ts): children join it in the order
  // their handshakes complete, wherever their SYNs were.
  it('accept takes children in the order their handshakes completed; unlisten resets them in that order', () => {
    const h = new Harness({ maxConnections: 16 });
    const l = h.e.listen(80);
    const synAck = new Map<number, number>();
    for (const sport of [1, 2, 3, 4, 5]) {
      h.send({ seq: PEER_ISS, flags: SYN, dport: 80, sport });
      synAck.set(sport, h.out.splice(0)[0].seq);
    }
    const complete = (sport: number) => h.send({ seq: PEER_ISS + 1, ack: synAck.get(sport)! + 1, flags: ACK, dport: 80, sport });
    complete(3); complete(1); complete(5);
    const c = h.e.accept(l);
    expect(h.e.info(c).remotePort).toBe(3);
    complete(2);
    h.clear();
    h.e.unlisten(l, h.now);
    h.collect();
    // The queue (1, 5, 2) is reset oldest first; the half-open child (4) goes silently.
    expect(h.out.map((s) => [s.dport, s.flags & 0x1f])).toEqual([[1, 0x14], [5, 0x14], [2, 0x14]]);
    expect(h.e.connectionsInUse).toBe(1);
  });

  it('accept after the queue emptied and filled again keeps the order', () => {
    const h = new Harness({ maxConnections: 16 });
    const l = h.e.listen(80);
    const open = (sport: number) => {
      h.send({ seq: PEER_ISS, flags: SYN, dport: 80, sport });
      return h.out.splice(0)[0].seq;
    };
    const complete = (sport: number, iss: number) => h.send({ seq: PEER_ISS + 1, ack: iss + 1, flags: ACK, dport: 80, sport });
    const a = open(1), b = open(2);
    complete(2, b);
    expect(h.e.info(h.e.accept(l)).remotePort).toBe(2);
    expect(h.e.accept(l)).toBe(-Errno.EAGAIN);
    const c = open(3);
    complete(3, c); complete(1, a);
    expect([h.e.accept(l), h.e.accept(l)].map((x) => h.e.info(x).remotePort)).toEqual([3, 1]);
    expect(h.e.accept(l)).toBe(-Errno.EAGAIN);
  });

  it('64 listeners: each port reaches its own listener, a closed one answers RST', () => {
    const h = new Harness({ maxListeners: 64, maxConnections: 64, halfOpenMax: 64 });
    const ls = Array.from({ length: 64 }, (_, i) => h.e.listen(5000 + 37 * i));
    expect(new Set(ls).size).toBe(64);
    expect(h.e.listen(9)).toBe(-Errno.EMFILE);
    h.e.unlisten(ls[10], h.now);
    for (let i = 0; i < 64; i++) h.send({ seq: PEER_ISS, flags: SYN, dport: 5000 + 37 * i, sport: 100 + i });
    const flags = h.out.map((s) => s.flags & 0x1f);
    expect(flags.filter((f) => f === (SYN | ACK)).length).toBe(63);
    expect(flags[10]).toBe(0x14); // RST+ACK from the closed port
    expect(h.takeEvents(EventKind.State).length).toBe(63);
    void LPORT;
  });
});
