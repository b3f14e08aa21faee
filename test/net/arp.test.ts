// ARP (RFC 826) and the neighbour cache: resolution, the Linux timeline of retries and ageing, the
// bounded queue of packets waiting for a resolution, a full cache, conflicts and gratuitous ARP.
import { describe, expect, it } from 'vitest';
import { Errno } from '../../src/engine/errno.js';
import { EventKind, NeighState, TcpState } from '../../src/engine/engine.js';
import { arpFrame, echoFrame, parseArp, parseEcho } from '../support/ethernet.js';
import { SYN } from '../tcp/harness.js';
import { MAC_PEER, MAC_US, NetHarness, PEER, US, eth, mac, segOf, u32 } from './harness.js';

const ZERO = '00:00:00:00:00:00';
const reply = (senderMac: string, senderIp: string) => arpFrame({ op: 'reply', senderMac, senderIp, targetMac: MAC_US, targetIp: US });
const request = (senderMac: string, senderIp: string, targetIp = US) => arpFrame({ op: 'request', senderMac, senderIp, targetMac: ZERO, targetIp });

describe('ARP resolution', () => {
  it('connect() to an on-link address: a broadcast who-has, the SYN waits, the reply sends it to the MAC (REACHABLE)', () => {
    const h = new NetHarness();
    h.tap();
    const c = h.connect(PEER);
    expect(c).toBeGreaterThanOrEqual(0);
    const [q, ...none] = h.take();
    expect(none).toEqual([]);
    expect(eth(q.bytes).dst).toBe(mac('ff:ff:ff:ff:ff:ff'));
    expect(parseArp(q.bytes)).toEqual({ op: 'request', senderMac: MAC_US, senderIp: US, targetMac: ZERO, targetIp: PEER });
    expect(h.e.neighbours().map((n) => n.state)).toEqual([NeighState.INCOMPLETE]);
    h.now = 3;
    h.feed(0, reply(MAC_PEER, PEER));
    const [syn] = h.take();
    expect(eth(syn.bytes)).toEqual({ dst: mac(MAC_PEER), src: mac(MAC_US), type: 0x0800 });
    expect(segOf(syn.bytes).flags).toBe(SYN);
    const [n] = h.e.neighbours();
    expect([n.state, n.addr, n.macHi * 2 ** 32 + n.macLo, n.deadline]).toEqual([NeighState.REACHABLE, u32(PEER), mac(MAC_PEER), 3 + 30_000]);
  });

  it('nobody answers: who-has at 0, 1 s and 2 s, then at 3 s the waiting SYNs are dropped and connect() fails with EHOSTUNREACH', () => {
    const h = new NetHarness();
    h.tap();
    const c = h.connect(PEER);
    h.advance(10_000);
    const out = h.take();
    // Only ARP went out: the SYN (t=0) and its retransmission (t=1000, RTO 1 s) waited and were dropped.
    expect(out.map((o) => [o.t, parseArp(o.bytes)?.op, parseArp(o.bytes)?.targetIp])).toEqual([
      [0, 'request', PEER], [1000, 'request', PEER], [2000, 'request', PEER],
    ]);
    const closed = h.events.find((v) => v.kind === EventKind.Closed && v.conn === c);
    expect(closed?.arg).toBe(-Errno.EHOSTUNREACH);
    expect(h.e.state(c)).toBe(TcpState.CLOSED);
    const s = h.e.stats;
    expect([s.arpFailed, s.arpQueueDropped, s.icmpIn]).toEqual([1, 2, 1]);
    expect(h.e.neighbours()).toEqual([]);
  });

  it('with icmpAbortsSynSent off the failure is a soft error and the SYN is retried (a new resolution)', () => {
    const h = new NetHarness({ icmpAbortsSynSent: false });
    h.tap();
    const c = h.connect(PEER);
    h.advance(3500);
    // Each waiting SYN (the first and its retransmission) is reported, as Linux reports each dropped skb.
    expect(h.events.filter((v) => v.kind === EventKind.SoftError && v.conn === c).map((v) => v.arg)).toEqual([-Errno.EHOSTUNREACH, -Errno.EHOSTUNREACH]);
    expect(h.e.state(c)).toBe(TcpState.SYN_SENT);
    h.advance(4000); // the SYN retransmitted at 3 s (RTO 1 s, then 2 s) asks again
    expect(h.e.neighbours().map((n) => n.state)).toEqual([NeighState.INCOMPLETE]);
  });

  it('a request for our address is answered and teaches the sender (STALE); one for another address teaches nothing', () => {
    const h = new NetHarness();
    h.tap();
    h.feed(0, request('02:00:00:00:00:07', '10.0.0.7', '10.0.0.99'));
    expect(h.take()).toEqual([]);
    expect(h.e.neighbours()).toEqual([]);
    h.feed(0, request(MAC_PEER, PEER));
    expect(h.take().map((o) => parseArp(o.bytes)?.op)).toEqual(['reply']);
    expect(h.e.neighbours().map((n) => [n.addr, n.state])).toEqual([[u32(PEER), NeighState.STALE]]);
    expect(h.e.stats.arpIn).toBe(2);
  });

  it('ageing: REACHABLE turns STALE after 30 s; used while stale it waits 5 s (DELAY), then probes by unicast until a reply', () => {
    const h = new NetHarness();
    h.tap();
    h.connect(PEER);
    h.feed(0, reply(MAC_PEER, PEER));
    h.take();
    h.advance(30_000);
    expect(h.e.neighbours()[0].state).toBe(NeighState.STALE);
    // A packet to the peer (a ping reply) uses the stale entry at once and starts DELAY.
    h.feed(0, echoFrame(MAC_US, MAC_PEER, { type: 'request', src: PEER, dst: US, id: 1, seq: 1, data: new Uint8Array(8) }));
    const [pong] = h.take();
    expect(eth(pong.bytes).dst).toBe(mac(MAC_PEER));
    expect(h.e.neighbours()[0].state).toBe(NeighState.DELAY);
    h.advance(35_000);
    const [probe] = h.take().filter((o) => parseArp(o.bytes)); // the SYN's retransmissions go on meanwhile
    expect(probe.t).toBe(35_000);
    expect(eth(probe.bytes).dst).toBe(mac(MAC_PEER)); // unicast, to the MAC we have
    expect(parseArp(probe.bytes)?.targetIp).toBe(PEER);
    expect(h.e.neighbours()[0].state).toBe(NeighState.PROBE);
    h.feed(0, reply(MAC_PEER, PEER));
    expect(h.e.neighbours()[0].state).toBe(NeighState.REACHABLE);
  });

  it('unanswered probes: 3 of them 1 s apart, then the entry is gone', () => {
    const h = new NetHarness();
    h.tap();
    h.feed(0, request(MAC_PEER, PEER)); // STALE
    h.feed(0, echoFrame(MAC_US, MAC_PEER, { type: 'request', src: PEER, dst: US, id: 1, seq: 1, data: new Uint8Array(8) }));
    h.take();
    h.advance(20_000);
    expect(h.take().map((o) => [o.t, eth(o.bytes).dst === mac(MAC_PEER)])).toEqual([[5000, true], [6000, true], [7000, true]]);
    expect(h.e.neighbours()).toEqual([]);
  });
});

describe('the resolution queue and the cache', () => {
  it('is bounded: the oldest waiting packets are dropped, the rest go out in order once resolved', () => {
    const h = new NetHarness({ arpQueueBytes: 4096 });
    h.tap({ gateway: u32('10.0.0.254') });
    // Pings from beyond the gateway: each reply waits for the gateway's MAC (1400-byte replies: 2 fit).
    for (let seq = 1; seq <= 3; seq++) {
      h.feed(0, echoFrame(MAC_US, '02:00:00:00:00:fe', { type: 'request', src: '192.0.2.9', dst: US, id: 7, seq, data: new Uint8Array(1372).fill(seq) }));
    }
    expect(h.take().map((o) => parseArp(o.bytes)?.targetIp)).toEqual(['10.0.0.254']); // one who-has for the gateway
    expect(h.e.stats.arpQueueDropped).toBe(1);
    h.feed(0, reply('02:00:00:00:00:fe', '10.0.0.254'));
    const out = h.take();
    expect(out.map((o) => [eth(o.bytes).dst === mac('02:00:00:00:00:fe'), parseEcho(o.bytes)?.seq, parseEcho(o.bytes)?.dst])).toEqual([
      [true, 2, '192.0.2.9'], [true, 3, '192.0.2.9'],
    ]);
  });

  it('with arpQueueBytes 0 nothing waits: the SYN is dropped and counted, its retransmission goes once resolved', () => {
    const h = new NetHarness({ arpQueueBytes: 0 });
    h.tap();
    const c = h.connect(PEER);
    expect(h.take().map((o) => parseArp(o.bytes)?.op)).toEqual(['request']);
    expect(h.e.stats.arpQueueDropped).toBe(1);
    h.now = 5;
    h.feed(0, reply(MAC_PEER, PEER));
    expect(h.take()).toEqual([]); // the dropped SYN is not kept anywhere
    h.advance(1000); // RTO 1 s
    const [syn] = h.take();
    expect(eth(syn.bytes).dst).toBe(mac(MAC_PEER));
    expect(segOf(syn.bytes).flags).toBe(SYN);
    expect(h.e.state(c)).toBe(TcpState.SYN_SENT);
  });

  it('a full cache reuses its least recently used resolved entry (counted); with every entry resolving, the packet is dropped', () => {
    const h = new NetHarness({ arpCacheSize: 2 });
    h.tap();
    h.feed(0, request(MAC_PEER, PEER));
    h.now = 1;
    h.feed(0, request('02:00:00:00:00:03', '10.0.0.3'));
    h.take();
    h.now = 2;
    h.connect('10.0.0.4'); // evicts 10.0.0.2, the older one
    expect(h.e.neighbours().map((n) => n.addr).sort()).toEqual([u32('10.0.0.3'), u32('10.0.0.4')]);
    expect(h.e.stats.arpEvictions).toBe(1);
    h.connect('10.0.0.5'); // evicts 10.0.0.3; then both entries are resolving
    h.connect('10.0.0.6');
    expect(h.e.neighbours().map((n) => n.state)).toEqual([NeighState.INCOMPLETE, NeighState.INCOMPLETE]);
    expect(h.e.stats.arpEvictions).toBe(2);
    expect(h.e.stats.arpQueueDropped).toBe(1); // the SYN to 10.0.0.6 had no entry to wait on
  });

  it('a gratuitous ARP updates an entry we have (new MAC) but does not create one', () => {
    const h = new NetHarness();
    h.tap();
    h.feed(0, request(MAC_PEER, PEER));
    const gratuitous = (m: string, a: string) => arpFrame({ op: 'request', senderMac: m, senderIp: a, targetMac: ZERO, targetIp: a });
    h.feed(0, gratuitous('02:00:00:00:00:22', PEER));
    h.feed(0, gratuitous('02:00:00:00:00:33', '10.0.0.3'));
    expect(h.take().length).toBe(1); // only the reply to the first request
    const ns = h.e.neighbours();
    expect(ns.map((n) => [n.addr, n.macHi * 2 ** 32 + n.macLo, n.state])).toEqual([[u32(PEER), mac('02:00:00:00:00:22'), NeighState.STALE]]);
  });

  it('another MAC claiming our address is a conflict (counted); a request for it is still answered (defended)', () => {
    const h = new NetHarness();
    h.tap();
    h.feed(0, arpFrame({ op: 'request', senderMac: '02:00:00:00:00:66', senderIp: US, targetMac: ZERO, targetIp: US }));
    expect(h.e.stats.arpConflicts).toBe(1);
    const [r] = h.take();
    expect(parseArp(r.bytes)).toEqual({ op: 'reply', senderMac: MAC_US, senderIp: US, targetMac: '02:00:00:00:00:66', targetIp: US });
    expect(h.e.neighbours()).toEqual([]);
  });
});
