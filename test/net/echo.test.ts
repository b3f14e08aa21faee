// ICMP echo (ping) on TUN and TAP interfaces: the reply, and what is dropped and counted.
import { describe, expect, it } from 'vitest';
import { IfKind } from '../../src/engine/engine.js';
import { inetChecksum } from '../../src/util/checksum.js';
import { arpFrame, echoFrame, parseEcho } from '../support/ethernet.js';
import { MAC_PEER, MAC_US, NetHarness, PEER, US, eth, mac, u32 } from './harness.js';

/** The IPv4 packet of an echo request from PEER to `dst` (via a frame builder, less its header). */
function echoPacket(dst: string, data: Uint8Array, seq = 1): Uint8Array {
  return echoFrame(MAC_US, MAC_PEER, { type: 'request', src: PEER, dst, id: 0x4242, seq, data }).slice(14);
}

function tun(mtu = 1500): NetHarness {
  const h = new NetHarness();
  expect(h.up(0, { kind: IfKind.IP, addr: u32(US), prefix: 24, mtu })).toBe(0);
  return h;
}

describe('ICMP echo', () => {
  it('TUN: the reply comes from the address pinged, with the same identifier, sequence number and data', () => {
    const h = tun();
    const data = Uint8Array.from({ length: 56 }, (_, i) => i * 7);
    h.feed(0, echoPacket(US, data, 9));
    const [r] = h.take();
    expect(r.iface).toBe(0);
    expect(inetChecksum(r.bytes, 0, 20)).toBe(0);
    const e = parseEcho(new Uint8Array([...new Uint8Array(12), 0x08, 0x00, ...r.bytes]));
    expect(e).toMatchObject({ type: 'reply', src: US, dst: PEER, id: 0x4242, seq: 9, ttl: 64 });
    expect([...e!.data]).toEqual([...data]);
    expect(h.e.stats.icmpEchoReplies).toBe(1);
  });

  it('TAP: the reply goes to the MAC the ARP of the pinger taught', () => {
    const h = new NetHarness();
    h.tap();
    h.feed(0, arpFrame({ op: 'request', senderMac: MAC_PEER, senderIp: PEER, targetMac: '00:00:00:00:00:00', targetIp: US }));
    h.take();
    h.feed(0, echoFrame(MAC_US, MAC_PEER, { type: 'request', src: PEER, dst: US, id: 1, seq: 2, data: new Uint8Array(4) }));
    const [r] = h.take();
    expect(eth(r.bytes)).toEqual({ dst: mac(MAC_PEER), src: mac(MAC_US), type: 0x0800 });
    expect(r.bytes.length).toBe(60); // 14 + 20 + 8 + 4 = 46, padded
    expect(parseEcho(r.bytes)).toMatchObject({ type: 'reply', src: US, dst: PEER, id: 1, seq: 2 });
  });

  it('drops and counts: larger than the MTU, a fragment, a broadcast ping; a bad checksum is badChecksum', () => {
    const h = tun(576);
    h.feed(0, echoPacket(US, new Uint8Array(576 - 28 + 1))); // one byte over
    const frag = echoPacket(US, new Uint8Array(64));
    frag[6] = 0x20; // MF
    frag[10] = frag[11] = 0;
    const sum = inetChecksum(frag, 0, 20);
    frag[10] = sum >> 8; frag[11] = sum & 255;
    h.feed(0, frag);
    h.feed(0, echoPacket('10.0.0.255', new Uint8Array(8)));
    h.feed(0, echoPacket('255.255.255.255', new Uint8Array(8)));
    const bad = echoPacket(US, new Uint8Array(8));
    bad[30] ^= 1;
    h.feed(0, bad);
    expect(h.take()).toEqual([]);
    const s = h.e.stats;
    expect([s.icmpEchoDropped, s.icmpEchoReplies, s.badChecksum]).toEqual([4, 0, 1]);
    h.feed(0, echoPacket(US, new Uint8Array(576 - 28))); // exactly the MTU
    expect(h.take().length).toBe(1);
  });
});
