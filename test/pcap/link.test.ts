import { describe, expect, it } from 'vitest';
import { ipv4Offset } from '../../src/pcap/link.js';
import { concat, ether, ipv4 } from './build.js';

const ip = ipv4('10.0.0.1', '10.0.0.2');

function sll(protocol: number, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(16);
  const dv = new DataView(h.buffer);
  dv.setUint16(0, 0); // PACKET_HOST
  dv.setUint16(2, 1); // ARPHRD_ETHER
  dv.setUint16(4, 6);
  h.fill(0xcc, 6, 12);
  dv.setUint16(14, protocol);
  return concat(h, payload);
}

function sll2(protocol: number, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(20);
  const dv = new DataView(h.buffer);
  dv.setUint16(0, protocol);
  dv.setUint32(4, 7); // ifindex
  dv.setUint16(8, 1); // ARPHRD_ETHER
  h[10] = 4; // PACKET_OUTGOING
  h[11] = 6;
  return concat(h, payload);
}

describe('Ethernet (link type 1)', () => {
  it('IPv4 right after the header', () => {
    expect(ipv4Offset(1, ether(0x0800, ip))).toBe(14);
  });
  it('802.1Q tag', () => {
    expect(ipv4Offset(1, ether(0x0800, ip, [[0x8100, 100]]))).toBe(18);
  });
  it('stacked tags: 802.1ad outer + 802.1Q inner, and the old 0x9100 QinQ', () => {
    expect(ipv4Offset(1, ether(0x0800, ip, [[0x88a8, 200], [0x8100, 300]]))).toBe(22);
    expect(ipv4Offset(1, ether(0x0800, ip, [[0x9100, 1], [0x88a8, 2], [0x8100, 3]]))).toBe(26);
  });
  it('non-IPv4 frames give a reason', () => {
    expect(ipv4Offset(1, ether(0x0806, new Uint8Array(28)))).toBe('arp');
    expect(ipv4Offset(1, ether(0x86dd, new Uint8Array(40)))).toBe('ipv6');
    expect(ipv4Offset(1, ether(0x86dd, new Uint8Array(40), [[0x8100, 5]]))).toBe('ipv6');
    expect(ipv4Offset(1, ether(0x8035, new Uint8Array(28)))).toBe('rarp');
    expect(ipv4Offset(1, ether(0x88cc, new Uint8Array(10)))).toBe('non-ip ethertype 0x88cc');
    expect(ipv4Offset(1, ether(0x0026, new Uint8Array(38)))).toBe('non-ip 802.3 frame (length 0x0026)');
  });
  it('short frames and cut tags are malformed, never read past the end', () => {
    expect(ipv4Offset(1, new Uint8Array(13))).toBe('malformed: truncated link header');
    expect(ipv4Offset(1, new Uint8Array(0))).toBe('malformed: truncated link header');
    const tagged = ether(0x0800, new Uint8Array(0), [[0x8100, 1]]);
    expect(ipv4Offset(1, tagged.subarray(0, 15))).toBe('malformed: truncated vlan tag');
    expect(ipv4Offset(1, tagged.subarray(0, 17))).toBe('malformed: truncated vlan tag');
    // The IPv4 header itself may be missing: that is for the IPv4 parser to report.
    expect(ipv4Offset(1, ether(0x0800, new Uint8Array(0)))).toBe(14);
  });
});

describe('Linux cooked captures', () => {
  it.each([
    { name: 'SLL (113): protocol at offset 14, payload at 16', linkType: 113, frame: sll, at: 16, other: 0x0004, rest: 10 },
    { name: 'SLL2 (276): protocol at offset 0, payload at 20', linkType: 276, frame: sll2, at: 20, other: 0x000c, rest: 16 },
  ])('$name', ({ linkType, frame, at, other, rest }) => {
    expect(ipv4Offset(linkType, frame(0x0800, ip))).toBe(at);
    expect(ipv4Offset(linkType, frame(0x0806, new Uint8Array(28)))).toBe('arp');
    expect(ipv4Offset(linkType, frame(0x86dd, new Uint8Array(40)))).toBe('ipv6');
    expect(ipv4Offset(linkType, frame(0x8100, concat(Uint8Array.of(0, 42, 8, 0), ip)))).toBe(at + 4);
    expect(ipv4Offset(linkType, new Uint8Array(at - 1))).toBe('malformed: truncated link header');
    expect(ipv4Offset(linkType, frame(other, new Uint8Array(rest)))).toBe(`non-ip protocol 0x${other.toString(16).padStart(4, '0')}`);
  });
});

describe('raw IP', () => {
  it('101: IPv4 or IPv6 by version nibble', () => {
    expect(ipv4Offset(101, ip)).toBe(0);
    expect(ipv4Offset(101, Uint8Array.of(0x60, 0, 0, 0))).toBe('ipv6');
    // Other versions and empty packets go to the IPv4 parser, which names the fault.
    expect(ipv4Offset(101, Uint8Array.of(0x20))).toBe(0);
    expect(ipv4Offset(101, new Uint8Array(0))).toBe(0);
  });
  it('228 is always IPv4, 229 always IPv6', () => {
    expect(ipv4Offset(228, ip)).toBe(0);
    expect(ipv4Offset(229, Uint8Array.of(0x60))).toBe('ipv6');
  });
  it('other link types are named', () => {
    expect(ipv4Offset(105, ip)).toBe('unsupported link type 105');
  });
});
