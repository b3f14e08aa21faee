// IPv4 and TCP header views: per-field reads on hand-built and real packets, length checks, emit round trips.
import { describe, expect, it } from 'vitest';
import { wireEngine, refSum, fromHex, addr } from './helpers.js';
import { LINUX_PACKETS } from './fixtures/linux-packets.js';
import { REASON_NAMES } from '../../src/wire/reason.js';

const { e, mem, scratch } = wireEngine();
const reason = (name: string) => REASON_NAMES.indexOf(name);

/** Hand-built IPv4 header with every field distinct (checksum left as given). */
function ipHeader(over: Partial<{ vihl: number; tos: number; total: number; id: number; frag: number; ttl: number; proto: number; ck: number; src: number; dst: number }> = {}): Uint8Array {
  const h = { vihl: 0x45, tos: 0xb9, total: 40, id: 0xbeef, frag: 0x4000, ttl: 63, proto: 6, ck: 0, src: addr('192.168.0.1'), dst: addr('10.1.2.3'), ...over };
  const b = new Uint8Array(20);
  const dv = new DataView(b.buffer);
  b[0] = h.vihl; b[1] = h.tos; dv.setUint16(2, h.total); dv.setUint16(4, h.id); dv.setUint16(6, h.frag);
  b[8] = h.ttl; b[9] = h.proto; dv.setUint16(10, h.ck); dv.setUint32(12, h.src); dv.setUint32(16, h.dst);
  return b;
}

function put(bytes: Uint8Array, at = scratch): number {
  mem().set(bytes, at);
  return at;
}

/** Every field the IPv4 view reads from the header at `p`. */
function ipv4Fields(p: number): Record<string, number> {
  return {
    version: e.wireIpv4Version(p), ihl: e.wireIpv4Ihl(p), headerLen: e.wireIpv4HeaderLen(p), dscp: e.wireIpv4Dscp(p), ecn: e.wireIpv4Ecn(p),
    totalLen: e.wireIpv4TotalLen(p), id: e.wireIpv4Id(p), df: e.wireIpv4Df(p), mf: e.wireIpv4Mf(p), fragOffset: e.wireIpv4FragOffset(p),
    isFragment: e.wireIpv4IsFragment(p), ttl: e.wireIpv4Ttl(p), protocol: e.wireIpv4Protocol(p), src: e.wireIpv4Src(p) >>> 0, dst: e.wireIpv4Dst(p) >>> 0,
  };
}

describe('IPv4 view (RFC 791 §3.1)', () => {
  it('reads every field of a hand-built header', () => {
    const p = put(ipHeader({ frag: 0x4000 | 0x2000 | 0x0123 }));
    expect(ipv4Fields(p)).toEqual({
      version: 4, ihl: 5, headerLen: 20, dscp: 0xb9 >> 2, ecn: 1, totalLen: 40, id: 0xbeef, df: 1, mf: 1, fragOffset: 0x123,
      isFragment: 1, ttl: 63, protocol: 6, src: addr('192.168.0.1'), dst: addr('10.1.2.3'),
    });
  });

  it('fragment flag: DF alone is not a fragment; MF alone or an offset is', () => {
    expect(e.wireIpv4IsFragment(put(ipHeader({ frag: 0x4000 })))).toBe(0);
    expect(e.wireIpv4IsFragment(put(ipHeader({ frag: 0x2000 })))).toBe(1);
    expect(e.wireIpv4IsFragment(put(ipHeader({ frag: 0x0001 })))).toBe(1);
    expect(e.wireIpv4Mf(put(ipHeader({ frag: 0x0001 })))).toBe(0);
  });

  it('checkLen reports each reason', () => {
    const cases: [Partial<Parameters<typeof ipHeader>[0]>, number, string][] = [
      [{}, 40, 'ok'],
      [{ vihl: 0x65 }, 40, 'ip-bad-version'],
      [{ vihl: 0x44 }, 40, 'ip-bad-ihl'],
      [{ vihl: 0x46, total: 20 }, 40, 'ip-bad-total-length'],
      [{ total: 41 }, 40, 'ip-truncated'],
      [{}, 19, 'ip-too-short'],
    ];
    for (const [over, len, name] of cases) expect([name, e.wireIpv4CheckLen(put(ipHeader(over)), len)]).toEqual([name, reason(name)]);
  });

  it('emit writes a header that checks and verifies, and reads back', () => {
    const p = scratch + 3;
    expect(e.wireIpv4Emit(p, addr('10.0.0.1'), addr('10.0.0.2'), 6, 1480, 0x1234, 64, 1)).toBe(20);
    expect(e.wireIpv4CheckLen(p, 1500)).toBe(0);
    expect(e.wireIpv4ChecksumOk(p)).toBe(1);
    expect(refSum(mem().subarray(p, p + 20))).toBe(0xffff);
    expect(ipv4Fields(p)).toMatchObject({ totalLen: 1500, id: 0x1234, ttl: 64, df: 1, isFragment: 0, src: addr('10.0.0.1'), dst: addr('10.0.0.2') });
    e.wireIpv4Emit(p, addr('10.0.0.1'), addr('10.0.0.2'), 17, 0, 0, 1, 0);
    expect(e.wireIpv4Df(p)).toBe(0);
    expect(e.wireIpv4Protocol(p)).toBe(17);
    // One flipped bit makes the header checksum fail.
    mem()[p + 8] ^= 0x10;
    expect(e.wireIpv4ChecksumOk(p)).toBe(0);
  });

  it('skips IP options by IHL and includes them in the header checksum', () => {
    const h = new Uint8Array(24 + 20);
    h.set(ipHeader({ vihl: 0x46, total: 44 }));
    h.set([0x94, 0x04, 0x00, 0x00], 20); // Router Alert option (RFC 2113)
    const p = put(h);
    const ck = ~refSum(h.subarray(0, 24)) & 0xffff;
    mem()[p + 10] = ck >> 8; mem()[p + 11] = ck & 0xff;
    expect(e.wireIpv4CheckLen(p, 44)).toBe(0);
    expect(e.wireIpv4HeaderLen(p)).toBe(24);
    expect(e.wireIpv4ChecksumOk(p)).toBe(1);
    expect(e.wireIpv4Checksum(p)).toBe(ck);
  });
});

/** Every field the TCP view reads from the header at `p`. */
function tcpFields(p: number): Record<string, number> {
  return {
    srcPort: e.wireTcpSrcPort(p), dstPort: e.wireTcpDstPort(p), seq: e.wireTcpSeq(p) >>> 0, ack: e.wireTcpAck(p) >>> 0,
    dataOffset: e.wireTcpDataOffset(p), flags: e.wireTcpFlags(p), window: e.wireTcpWindow(p), checksum: e.wireTcpChecksum(p), urgent: e.wireTcpUrgent(p),
  };
}

describe('TCP view (RFC 9293 §3.1)', () => {
  it('reads every field of a hand-built header, including NS', () => {
    const b = new Uint8Array(24);
    const dv = new DataView(b.buffer);
    dv.setUint16(0, 443); dv.setUint16(2, 51234); dv.setUint32(4, 0xfffffff0); dv.setUint32(8, 0x80000001);
    b[12] = (6 << 4) | 1; b[13] = 0xff; dv.setUint16(14, 0xabcd); dv.setUint16(16, 0x1357); dv.setUint16(18, 0x2468);
    const p = put(b);
    expect(e.wireTcpCheckLen(p, 24)).toBe(0);
    expect(tcpFields(p)).toEqual({
      srcPort: 443, dstPort: 51234, seq: 0xfffffff0, ack: 0x80000001, dataOffset: 24, flags: 0x1ff, window: 0xabcd, checksum: 0x1357, urgent: 0x2468,
    });
    // The reserved bits next to NS do not leak into the flags.
    mem()[p + 12] = (5 << 4) | 0x0e;
    mem()[p + 13] = 0x12;
    expect(e.wireTcpFlags(p)).toBe(0x12);
  });

  it('checkLen reports each reason', () => {
    const b = new Uint8Array(40);
    const p = put(b);
    const m = mem();
    m[p + 12] = 5 << 4;
    expect(e.wireTcpCheckLen(p, 20)).toBe(0);
    expect(e.wireTcpCheckLen(p, 19)).toBe(reason('tcp-too-short'));
    m[p + 12] = 4 << 4;
    expect(e.wireTcpCheckLen(p, 40)).toBe(reason('tcp-bad-data-offset'));
    m[p + 12] = 11 << 4;
    expect(e.wireTcpCheckLen(p, 43)).toBe(reason('tcp-header-truncated'));
    expect(e.wireTcpCheckLen(p, 44)).toBe(0);
  });

  it('emit + setChecksum round trip; payload-sum variant gives the same checksum', () => {
    const src = addr('10.0.0.1'), dst = addr('10.0.0.2');
    const p = scratch + 20;
    const m = mem();
    m.fill(0xee, p, p + 64);
    const hlen = e.wireTcpEmit(p, 1234, 80, 0xdeadbeef, 0x01020304, 0x1c2, 4096, 7);
    expect(hlen).toBe(28);
    // The padding byte after 7 option bytes is EOL; option bytes themselves are left for the caller.
    expect(m[p + 27]).toBe(0);
    expect(m[p + 26]).toBe(0xee);
    m.fill(1, p + 20, p + 27);
    const payload = Uint8Array.from({ length: 333 }, (_, i) => (i * 7) & 0xff);
    m.set(payload, p + hlen);
    const tcpLen = hlen + payload.length;
    e.wireTcpSetChecksum(p, tcpLen, src, dst);
    expect(e.wireTcpChecksumOk(p, tcpLen, src, dst)).toBe(1);
    expect(e.wireTcpChecksumOk(p, tcpLen, src, dst + 1)).toBe(0);
    expect(tcpFields(p)).toMatchObject({ srcPort: 1234, dstPort: 80, seq: 0xdeadbeef, ack: 0x01020304, flags: 0x1c2, window: 4096, dataOffset: 28, urgent: 0 });
    // Reference: pseudo header + segment with the checksum field sums to 0xffff.
    const ph = new Uint8Array(12);
    new DataView(ph.buffer).setUint32(0, src); new DataView(ph.buffer).setUint32(4, dst); ph[9] = 6; new DataView(ph.buffer).setUint16(10, tcpLen);
    expect(refSum(m.subarray(p, p + tcpLen), refSum(ph))).toBe(0xffff);
    const full = e.wireTcpChecksum(p);
    // Sum the payload while copying it, then let the header add the rest.
    m.set(payload, scratch + 4000);
    const sum = e.wireCopyWithChecksum(p + hlen, scratch + 4000, payload.length, 0);
    m[p + 16] = 0x55; m[p + 17] = 0x55;
    e.wireTcpSetChecksumWithPayloadSum(p, hlen, payload.length, sum, src, dst);
    expect(e.wireTcpChecksum(p)).toBe(full);
  });
});

describe('real Linux packets', () => {
  for (const pkt of LINUX_PACKETS) {
    it(`${pkt.name}: view fields equal tshark's`, () => {
      const bytes = fromHex(pkt.hex);
      const x = pkt.expected as Record<string, any>;
      const p = put(bytes, scratch + 1);
      expect(e.wireIpv4CheckLen(p, bytes.length)).toBe(0);
      expect(e.wireIpv4Ttl(p)).toBe(x.ttl);
      expect(e.wireIpv4Id(p)).toBe(x.id);
      expect(e.wireIpv4TotalLen(p)).toBe(x.ipLen);
      expect(e.wireIpv4ChecksumOk(p) === 1).toBe(x.ipChecksumOk);
      expect(e.wireIpv4Src(p) >>> 0).toBe(addr(x.src));
      expect(e.wireIpv4Dst(p) >>> 0).toBe(addr(x.dst));
      const t = p + e.wireIpv4HeaderLen(p);
      const tcpLen = x.ipLen - e.wireIpv4HeaderLen(p);
      expect(e.wireTcpCheckLen(t, tcpLen)).toBe(0);
      expect(e.wireTcpSrcPort(t)).toBe(x.sport);
      expect(e.wireTcpDstPort(t)).toBe(x.dport);
      expect(e.wireTcpSeq(t) >>> 0).toBe(x.seq);
      expect(e.wireTcpAck(t) >>> 0).toBe(x.ack);
      expect(e.wireTcpFlags(t) & 0xff).toBe(x.flags);
      expect(e.wireTcpWindow(t)).toBe(x.win);
      expect(e.wireTcpChecksum(t)).toBe(x.checksum);
      expect(e.wireTcpPayloadLen(t, tcpLen)).toBe(x.len);
      expect(e.wireTcpChecksumOk(t, tcpLen, addr(x.src), addr(x.dst)) === 1).toBe(x.checksumOk);
    });
  }

  it('re-emitting a real SYN with the same fields reproduces its bytes', () => {
    const syn = LINUX_PACKETS[0];
    const x = syn.expected as Record<string, any>;
    const p = scratch + 2;
    const m = mem();
    m.fill(0, p, p + 64);
    e.wireIpv4Emit(p, addr(x.src), addr(x.dst), 6, 40, x.id, x.ttl, 1);
    const t = p + 20;
    const optLen = e.wireEmitMss(t + 20, x.mss)
      + e.wireEmitSackPermitted(t + 24)
      + e.wireEmitTimestamps(t + 26, x.tsval, x.tsecr)
      + e.wireEmitNop(t + 36)
      + e.wireEmitWindowScale(t + 37, x.wscale);
    expect(optLen).toBe(20);
    expect(e.wireTcpEmit(t, x.sport, x.dport, x.seq, x.ack, x.flags, x.win, optLen)).toBe(40);
    e.wireTcpSetChecksum(t, 40, addr(x.src), addr(x.dst));
    expect(Buffer.from(m.subarray(p, p + 60)).toString('hex')).toBe(syn.hex);
  });
});
