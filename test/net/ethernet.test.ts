// Ethernet II on a TAP interface: what is accepted, what is dropped and counted, padding, the
// interface index in the records.
import { describe, expect, it } from 'vitest';
import { IfKind } from '../../src/engine/engine.js';
import { arpFrame, parseArp } from '../support/ethernet.js';
import { ACK, RST, SYN } from '../tcp/harness.js';
import { MAC_PEER, MAC_US, NetHarness, PEER, US, eth, frame, mac, segOf, tcpFrame, u32 } from './harness.js';

describe('Ethernet II (TAP interface)', () => {
  it('answers a broadcast ARP request, in a frame padded to 60 bytes, on the interface it came in on', () => {
    const h = new NetHarness();
    h.tap({}, 2);
    h.feed(2, arpFrame({ op: 'request', senderMac: MAC_PEER, senderIp: PEER, targetMac: '00:00:00:00:00:00', targetIp: US }));
    const [r, ...rest] = h.take();
    expect(rest).toEqual([]);
    expect(r.iface).toBe(2);
    expect(r.local).toBe(false);
    expect(r.bytes.length).toBe(60);
    expect([...r.bytes.subarray(42)].every((b) => b === 0)).toBe(true);
    expect(eth(r.bytes)).toEqual({ dst: mac(MAC_PEER), src: mac(MAC_US), type: 0x0806 });
    expect(parseArp(r.bytes)).toEqual({ op: 'reply', senderMac: MAC_US, senderIp: US, targetMac: MAC_PEER, targetIp: PEER });
  });

  it('drops frames for another unicast MAC or a multicast MAC, and other EtherTypes, counting each', () => {
    const h = new NetHarness();
    h.tap();
    h.feed(0, tcpFrame({ seq: 1, flags: SYN, dport: 80 }, '02:00:00:00:00:09'));
    h.feed(0, tcpFrame({ seq: 1, flags: SYN, dport: 80 }, '01:00:5e:00:00:01'));
    h.feed(0, frame(MAC_US, MAC_PEER, 0x86dd, new Uint8Array(40))); // IPv6
    h.feed(0, frame('ff:ff:ff:ff:ff:ff', MAC_PEER, 0x8100, new Uint8Array(46))); // a VLAN tag
    h.feed(0, new Uint8Array(13)); // shorter than the header
    expect(h.take()).toEqual([]);
    const s = h.e.stats;
    expect([s.etherNotForUs, s.etherTypeDropped, s.badPackets, s.segmentsIn]).toEqual([2, 2, 1, 0]);
  });

  it('accepts a padded 60-byte frame (the IPv4 length decides) and pads its 54-byte RST answer', () => {
    const h = new NetHarness();
    h.tap();
    // The peer is known (its request taught us), so the RST goes out at once.
    h.feed(0, arpFrame({ op: 'request', senderMac: MAC_PEER, senderIp: PEER, targetMac: '00:00:00:00:00:00', targetIp: US }));
    h.take();
    const f = tcpFrame({ seq: 100, ack: 5, flags: ACK, dport: 81 });
    expect(f.length).toBe(54);
    const padded = new Uint8Array(60);
    padded.set(f);
    padded.fill(0xee, 54); // trailer bytes are not part of the segment
    h.feed(0, padded);
    const [r] = h.take();
    expect(r.bytes.length).toBe(60);
    expect(eth(r.bytes).dst).toBe(mac(MAC_PEER));
    const seg = segOf(r.bytes);
    expect([seg.flags, seg.seq, seg.src, seg.dst]).toEqual([RST, 5, u32(US), u32(PEER)]);
    expect(h.e.stats.noConnection).toBe(1);
  });

  it('records name the interface index both ways; a record for an interface that is not up is counted and skipped', () => {
    const h = new NetHarness({ maxInterfaces: 8 });
    h.tap({}, 5);
    h.feed(3, arpFrame({ op: 'request', senderMac: MAC_PEER, senderIp: PEER, targetMac: '00:00:00:00:00:00', targetIp: US }));
    expect(h.take()).toEqual([]);
    expect(h.e.stats.badPackets).toBe(1);
    h.feed(5, arpFrame({ op: 'request', senderMac: MAC_PEER, senderIp: PEER, targetMac: '00:00:00:00:00:00', targetIp: US }));
    expect(h.take().map((o) => o.iface)).toEqual([5]);
  });

  it('an Ethernet interface announces itself with a gratuitous ARP when it comes up', () => {
    const h = new NetHarness();
    expect(h.up(1, { kind: IfKind.ETHERNET, addr: u32(US), prefix: 24, mac: mac(MAC_US) })).toBe(0);
    const [g] = h.take();
    expect(g.iface).toBe(1);
    expect(eth(g.bytes).dst).toBe(mac('ff:ff:ff:ff:ff:ff'));
    expect(parseArp(g.bytes)).toEqual({ op: 'request', senderMac: MAC_US, senderIp: US, targetMac: '00:00:00:00:00:00', targetIp: US });
    expect(h.e.stats.arpOut).toBe(1);
  });
});
